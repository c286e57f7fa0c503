// Internal to sr_config: YAML subtree -> nlohmann::json, for connection
// settings and action options (free-form data that plugins interpret).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/reader.hpp"

namespace stockrelay::config::detail {

// Where the converted values go besides the JSON itself.
struct JsonSinks {
  std::map<std::string, Location>* locations = nullptr;  // JSON pointer -> where written
  std::vector<std::string>* secrets = nullptr;           // values substituted from ${env:}/${file:}
};

// Converts `n` (located at `at`, named `path` in messages, JSON pointer
// `pointer`). Plain scalars are typed like YAML 1.2's core schema: decimal
// integers, floats, true/false, null/~; everything else, every quoted or
// explicitly tagged scalar and every value with a ${...} substitution stays a
// string (a token such as "007" must not turn into 7). Returns nullopt after
// reporting errors; it still converts the rest so all errors are reported.
std::optional<nlohmann::json> to_json(Reader& r, const YAML::Node& n, const Location& at,
                                      const std::string& path, const std::string& pointer,
                                      const JsonSinks& sinks);

}  // namespace stockrelay::config::detail
