#include "config/loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <yaml-cpp/yaml.h>

#include "config/reader.hpp"
#include "config/sections.hpp"

namespace stockrelay::config {
namespace {

using detail::Entry;

void parse_document(detail::Reader& r, const YAML::Node& root, const std::string& file_name,
                    Config& cfg) {
  if (root.IsNull()) {
    r.fail(Location{file_name, 1, 1}, "the configuration is empty",
           "see examples/minimal.yaml for a starting point");
    return;
  }
  auto top = r.map(root, r.loc(root), "",
                   {"store", "server", "engine", "plugins", "connections", "pools", "routes",
                    "schedules"});
  if (!top) return;
  if (const Entry* e = top->get("store")) detail::parse_store(r, *e, cfg.store);
  if (const Entry* e = top->get("server")) detail::parse_server(r, *e, cfg.server);
  if (const Entry* e = top->get("engine")) detail::parse_engine(r, *e, cfg.engine);
  if (const Entry* e = top->get("plugins")) detail::parse_plugins(r, *e, cfg.plugin_paths);
  // Connections first, wherever they are in the file: the other sections
  // refer to them.
  detail::ConnectionNames names{std::vector<std::string>{}};
  if (const Entry* e = top->get("connections"))
    names = detail::parse_connections(r, *e, cfg.connections);
  if (const Entry* e = top->get("pools")) detail::parse_pools(r, *e, names, cfg.pools);
  if (const Entry* e = top->get("routes")) detail::parse_routes(r, *e, names, cfg.routes);
  if (const Entry* e = top->get("schedules")) detail::parse_schedules(r, *e, names, cfg.schedules);
}

}  // namespace

LoadResult load_string(std::string_view yaml, std::string file_name) {
  std::filesystem::path source = std::filesystem::absolute(file_name).lexically_normal();
  Config cfg;
  cfg.source_file = source.string();
  detail::Reader r(file_name, source.parent_path());
  LoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    // A syntax error leaves no tree to check further.
    Location at{file_name, 0, 0};
    if (e.mark.line >= 0) at = Location{file_name, e.mark.line + 1, e.mark.column + 1};
    result.errors.push_back(Error{at.str(), "invalid YAML: " + e.msg,
                                  "check indentation, colons and closing brackets near here"});
    return result;
  }
  parse_document(r, root, file_name, cfg);
  result.errors = r.take_errors();
  if (!result.errors.empty()) return result;
  // SQLite's ":memory:" is a name, not a path.
  if (cfg.store.path != ":memory:") cfg.store.path = r.resolve_path(cfg.store.path);
  cfg.secrets = r.secrets();
  result.config = std::move(cfg);
  return result;
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    std::string why = in ? "it is a folder" : std::strerror(errno);
    return LoadResult{std::nullopt,
                      {Error{path, "cannot read the configuration file: " + why,
                             "pass the path of a YAML file with --config"}}};
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return load_string(text, path);
}

}  // namespace stockrelay::config
