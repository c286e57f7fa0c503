#include "loader/registry.hpp"

#include <algorithm>
#include <filesystem>

#include <boost/dll/runtime_symbol_info.hpp>

#include "loader/load.hpp"

namespace stockrelay::loader {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

bool is_plugin_file_name(const std::string& name) {
  return name.size() > 6 && name.rfind("lib", 0) == 0 && ends_with(name, ".so");
}

Registry::Registry(std::vector<std::string> search_paths) : paths_(std::move(search_paths)) {
  boost::dll::fs::error_code ec;
  auto exe_dir = boost::dll::program_location(ec).parent_path();
  if (!ec) {
    paths_.push_back((exe_dir / ".." / "lib" / "stockrelay" / "plugins").lexically_normal().string());
    paths_.push_back((exe_dir / "plugins").string());
  }
}

std::vector<std::string> Registry::libraries() const {
  std::vector<std::string> all;
  for (const auto& dir : paths_) {
    std::error_code ec;
    std::vector<std::string> here;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (is_plugin_file_name(it->path().filename().string()) && it->is_regular_file(ec)) here.push_back(it->path().string());
    std::sort(here.begin(), here.end());
    for (auto& f : here)  // a folder listed twice is scanned once
      if (std::find(all.begin(), all.end(), f) == all.end()) all.push_back(std::move(f));
  }
  return all;
}

std::vector<Registry::Entry> Registry::scan() const {
  std::vector<Entry> entries;
  for (const auto& file : libraries()) entries.push_back(Entry{file, load(file)});
  return entries;
}

Result<std::shared_ptr<const Plugin>> Registry::find(const std::string& id_or_path) const {
  if (ends_with(id_or_path, ".so")) return load(id_or_path);

  const std::string conventional = "lib" + id_or_path + ".so";
  std::vector<std::string> files = libraries();
  std::stable_partition(files.begin(), files.end(),
                        [&](const std::string& f) { return fs::path(f).filename() == conventional; });
  int refused = 0;
  for (const auto& file : files) {
    auto plugin = load(file);
    if (!plugin) ++refused;
    else if ((*plugin)->description.id == id_or_path) return plugin;
  }
  std::string hint = "install it with `stockrelay plugins install FILE`, or add its folder to the plugin search paths";
  if (refused > 0)
    hint += "; " + std::to_string(refused) + " librar" + (refused == 1 ? "y" : "ies") +
            " in these folders could not be loaded (`stockrelay plugins list` says why)";
  return Error{"connector " + id_or_path, "no connector with this id in " + joined(paths_), hint};
}

}  // namespace stockrelay::loader
