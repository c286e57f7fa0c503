// stockrelay plugins list | inspect | install | probe
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "loader/install.hpp"
#include "loader/probe.hpp"

namespace stockrelay::cli {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

int list(const std::vector<std::string>& args) {
  std::string config_path;
  std::vector<std::string> paths;
  bool json = false;
  po::options_description o("plugins list options");
  o.add_options()("config,c", po::value(&config_path), "also search the configuration's plugins.paths")(
      "path,p", po::value(&paths)->composing(), "another folder to search (repeatable)")(
      "json", po::bool_switch(&json), "print JSON");
  po::variables_map vm;
  if (auto rc = parse("stockrelay plugins list [--config FILE] [--path DIR]...", o, args, vm)) return *rc;
  std::optional<config::Config> cfg;
  if (!config_path.empty()) {
    cfg = load_config(config_path);
    if (!cfg) return kConfig;
  }
  auto reg = registry_for(cfg ? &*cfg : nullptr, paths);
  auto entries = reg.scan();
  nlohmann::json out = nlohmann::json::array();
  int refused = 0;
  if (!json) std::cout << "ID                VERSION   ABI  CAPABILITIES                                PATH\n";
  for (const auto& e : entries) {
    if (!e.plugin) {
      ++refused;
      if (json) out.push_back({{"path", e.path}, {"error", e.plugin.error().message()}});
      else std::cerr << "refused: " << e.plugin.error().message() << "\n";
      continue;
    }
    const auto& p = **e.plugin;
    const auto& d = p.description;
    if (json) {
      out.push_back({{"id", d.id}, {"version", d.version}, {"abi", p.abi()}, {"capabilities", d.capabilities},
                     {"path", p.path}});
    } else {
      auto pad = [](std::string s, std::size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' '); };
      std::cout << pad(d.id, 18) << pad(d.version, 10) << pad(p.abi(), 5) << pad(join(d.capabilities), 44) << p.path << "\n";
    }
  }
  if (json) std::cout << out.dump(2) << "\n";
  if (entries.empty() && !json) {
    std::cout << "(no plugins found in:";
    for (const auto& p : reg.search_paths()) std::cout << " " << p;
    std::cout << ")\n";
  }
  return refused ? kFailed : kOk;
}

int inspect(const std::vector<std::string>& args) {
  std::string file;
  po::options_description o("plugins inspect options");
  o.add_options()("file", po::value(&file)->required(), "the connector library (.so)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse("stockrelay plugins inspect FILE", o, args, vm, &pos)) return *rc;
  auto r = loader::probe_in_child(file, self_exe());
  if (!r) {
    std::cerr << "error: " << r.error().message() << "\n";
    return kFailed;
  }
  std::cout << r->dump(2) << "\n";
  return kOk;
}

int install(const std::vector<std::string>& args) {
  std::string file, dir;
  po::options_description o("plugins install options");
  o.add_options()("file", po::value(&file)->required(), "the connector library (lib<name>.so)")(
      "dir", po::value(&dir), "plugin folder (default: the plugins folder beside the stockrelay executable)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse("stockrelay plugins install FILE [--dir DIR]", o, args, vm, &pos)) return *rc;
  if (dir.empty()) dir = (std::filesystem::path(self_exe()).parent_path() / "plugins").string();
  auto r = loader::install(file, dir, self_exe());
  if (!r) {
    std::cerr << "error: " << r.error().message() << "\n";
    return kFailed;
  }
  std::cout << "installed " << r->id << " " << r->version << " (ABI " << r->abi << ") as " << r->file
            << "\nsha256 " << r->sha256 << "\n";
  return kOk;
}

// Internal: what `inspect` and `install` run in a child process.
int probe(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "usage: stockrelay plugins probe FILE (internal; prints one JSON line)\n";
    return kUsage;
  }
  auto j = loader::probe(args[0]);
  std::cout << j.dump() << std::endl;
  return j.value("ok", false) ? kOk : kFailed;
}

}  // namespace

std::vector<Command> plugin_commands() {
  return {{"plugins list", "list the connector plugins found (id, version, ABI, capabilities, path)", list},
          {"plugins inspect", "describe a plugin file (probed in a child process)", inspect},
          {"plugins install", "check a plugin file and copy it into the plugin folder", install},
          {"plugins probe", "internal: load a plugin and print its description as JSON", probe}};
}

}  // namespace stockrelay::cli
