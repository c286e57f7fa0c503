// Internal to sr_config: one parser per top-level section of stockrelay.yaml.
// Each fills its part of Config and reports problems through the Reader.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/reader.hpp"

namespace stockrelay::config::detail {

// Connection, pool: letters, digits, '-' and '_' (they appear in CLI
// arguments, URLs and log lines).
bool valid_name(std::string_view name);
inline constexpr std::string_view kNameHint = "names use only letters, digits, '-' and '_'";

// The connections a reference may name.
class ConnectionNames {
 public:
  // The `connections:` section could not be read: references are not
  // checked, so one broken section does not cascade into dozens of errors.
  ConnectionNames() = default;
  explicit ConnectionNames(std::vector<std::string> names) : names_(std::move(names)) {}

  // Reports `ref` (at `path`) unless it names a connection.
  bool check(Reader& r, const Scalar& ref, std::string_view path) const;

 private:
  std::optional<std::vector<std::string>> names_;
};

// The names given to routes (or schedules) so far, to report duplicates.
class UniqueNames {
 public:
  explicit UniqueNames(std::string kind) : kind_(std::move(kind)) {}
  // Reports an empty or already used name.
  void add(Reader& r, const Scalar& name, std::string_view path);

 private:
  std::string kind_;
  std::vector<std::pair<std::string, int>> seen_;  // name, line
};

void parse_store(Reader& r, const Entry& section, StoreConfig& out);
void parse_server(Reader& r, const Entry& section, ServerConfig& out);
void parse_engine(Reader& r, const Entry& section, EngineConfig& out);
void parse_plugins(Reader& r, const Entry& section, std::vector<std::string>& out);
ConnectionNames parse_connections(Reader& r, const Entry& section,
                                  std::vector<ConnectionConfig>& out);
void parse_pools(Reader& r, const Entry& section, const ConnectionNames& names,
                 std::vector<PoolConfig>& out);
void parse_routes(Reader& r, const Entry& section, const ConnectionNames& names,
                  std::vector<RouteConfig>& out);
void parse_schedules(Reader& r, const Entry& section, const ConnectionNames& names,
                     std::vector<ScheduleConfig>& out);

}  // namespace stockrelay::config::detail
