// Where connector plugins are found: a list of folders searched in order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "loader/plugin.hpp"

namespace stockrelay::loader {

// lib<name>.so: the only files the registry looks at.
bool is_plugin_file_name(const std::string& file_name);

class Registry {
 public:
  // `search_paths` (from the config, searched first), then the folders of an
  // installed stockrelay: <dir of the executable>/../lib/stockrelay/plugins
  // and <dir of the executable>/plugins. Folders that do not exist are skipped.
  explicit Registry(std::vector<std::string> search_paths);

  // A value ending in ".so" is a path to a library; anything else is a
  // connector id (describe().id), looked up in the search paths: first the
  // files named lib<id>.so (the convention), then every other library, since
  // a file name need not match the id. Within each pass, search order wins.
  Result<std::shared_ptr<const Plugin>> find(const std::string& id_or_path) const;

  struct Entry {
    std::string path;
    Result<std::shared_ptr<const Plugin>> plugin;  // or why it was refused
  };
  // Loads every lib*.so in the search paths, in search order, each folder
  // sorted by name. Runs plugin code in this process: for untrusted files
  // use probe_in_child() instead.
  std::vector<Entry> scan() const;

  const std::vector<std::string>& search_paths() const { return paths_; }

 private:
  std::vector<std::string> libraries() const;

  std::vector<std::string> paths_;
};

}  // namespace stockrelay::loader
