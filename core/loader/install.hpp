// Installing a connector library into a plugin folder, after probing it in a
// child process, with a record of exactly what was installed.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace stockrelay::loader {

struct InstallRecord {
  std::string id;          // describe().id
  std::string version;     // describe().version
  std::string file;        // the installed copy: <plugin_dir>/<file name>
  std::string sha256;      // of the installed bytes, lower-case hex
  std::string abi;         // "1.0", from the library's table
  nlohmann::json describe; // the library's describe() document
};

// Copies `file` (which must be named lib<name>.so, or the registry would not
// find it) into `plugin_dir` and records it in <plugin_dir>/installed.json:
//   {"schema":"stockrelay.installed/1",
//    "plugins":{"libx.so":{"id","version","sha256","abi","describe"}}}
// The copy is probed (probe_in_child with `self_exe`) before it replaces
// anything, so what was checked is byte for byte what gets installed. A file
// of the same name is replaced (an upgrade); a different file with the same
// connector id is refused. Errors name the file and the reason.
Result<InstallRecord> install(const std::string& file, const std::string& plugin_dir, const std::string& self_exe);

}  // namespace stockrelay::loader
