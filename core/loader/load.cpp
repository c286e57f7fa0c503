#include "loader/load.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "loader/check.hpp"

namespace stockrelay::loader {
namespace {

namespace fs = std::filesystem;
using Library = boost::dll::shared_library;

// Every library ever opened stays open: loaded plugins by canonical path, and
// refused ones too, because their static constructors have run and may have
// left threads or registrations behind that point into their code.
// Deliberately leaked so nothing is unloaded during static destruction either.
struct Libraries {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const Plugin>> loaded;
  std::vector<std::shared_ptr<Library>> refused;
};

Libraries& libraries() {
  static auto* all = new Libraries;
  return *all;
}

Error refuse(const std::string& where, std::string what, std::string hint = {}) {
  return Error{where, std::move(what), std::move(hint)};
}

Result<std::string> canonical_file(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::canonical(path, ec);
  if (ec) return refuse(path, "cannot open the connector library: " + ec.message());
  if (!fs::is_regular_file(p, ec)) return refuse(p.string(), "not a regular file");
  return p.string();
}

Result<std::shared_ptr<Library>> open_library(const std::string& path) {
  boost::dll::fs::error_code ec;
  // rtld_now: a missing dependency or symbol fails here, with dlerror()'s
  // text, instead of in the middle of a sync. rtld_local: the plugin's
  // symbols never satisfy another plugin's references.
  auto lib = std::make_shared<Library>(path, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec || !lib->is_loaded()) {
    // Boost.DLL leaves dlerror() unread on the error_code path.
    const char* detail = dlerror();
    return refuse(path, std::string("cannot load the library: ") + (detail ? detail : ec.message()),
                  "install its missing dependencies, or rebuild it with stockrelay_add_connector()");
  }
  return lib;
}

// Finds and calls the entry symbol.
Result<const sr_connector_api*> entry_table(Library& lib, const std::string& path) {
  if (!lib.has(SR_ENTRY_SYMBOL_V1))
    return refuse(path, "no entry symbol " SR_ENTRY_SYMBOL_V1 ": not a stockrelay connector for ABI 1",
                  "connectors export it with STOCKRELAY_CONNECTOR() and are built with stockrelay_add_connector()");
  auto entry = lib.get<std::remove_pointer_t<sr_entry_v1_fn>>(SR_ENTRY_SYMBOL_V1);
  const sr_connector_api* api = nullptr;
  try {
    api = entry(SR_ABI_MAJOR, SR_ABI_MINOR);
  } catch (...) {
    return refuse(path, "the entry function " SR_ENTRY_SYMBOL_V1 " threw a C++ exception across the C boundary");
  }
  if (api == nullptr) return refuse(path, "the entry function " SR_ENTRY_SYMBOL_V1 " returned no connector table");
  return api;
}

std::shared_ptr<const Plugin> make_plugin(std::string path, const sr_connector_api* api, CheckedTable checked,
                                          std::shared_ptr<void> library) {
  auto p = std::make_shared<Plugin>();
  p->path = std::move(path);
  p->api = api;
  p->description = std::move(checked.description);
  p->describe_json = std::move(checked.describe_json);
  p->library = std::move(library);
  return p;
}

}  // namespace

Result<std::shared_ptr<const Plugin>> load(const std::string& path) {
  auto file = canonical_file(path);
  if (!file) return file.error();

  Libraries& libs = libraries();
  std::lock_guard lock(libs.mutex);
  if (auto it = libs.loaded.find(*file); it != libs.loaded.end()) return it->second;

  auto lib = open_library(*file);
  if (!lib) return lib.error();
  auto api = entry_table(**lib, *file);
  auto checked = api ? check_table(*api, *file) : Result<CheckedTable>(api.error());
  if (!checked) {
    libs.refused.push_back(*lib);
    return checked.error();
  }
  auto plugin = make_plugin(*file, *api, std::move(*checked), *lib);
  libs.loaded.emplace(*file, plugin);
  return plugin;
}

Result<std::shared_ptr<const Plugin>> adopt(const sr_connector_api* api, std::string name) {
  auto checked = check_table(api, name);
  if (!checked) return checked.error();
  return make_plugin(std::move(name), api, std::move(*checked), nullptr);
}

}  // namespace stockrelay::loader
