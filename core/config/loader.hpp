// Reads stockrelay.yaml into the typed Config (config.hpp).
//
// The loader reports every problem it finds, not just the first, each with
// where ("file:line:column", 1-based), what is wrong and what to do. Secrets
// written as ${env:NAME} or ${file:PATH} are substituted here and never
// appear in an error. The reference for the format is docs/config.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "config/config.hpp"

namespace stockrelay::config {

struct LoadResult {
  std::optional<Config> config;  // set only when `errors` is empty
  Errors errors;                 // in document order
};

// Reads and checks the file at `path`. Errors name `path` as written.
LoadResult load_file(const std::string& path);

// Checks `yaml` as if it were the file `file_name`: errors name it, and
// relative paths (store, plugins, .so files, ${file:}) resolve against its
// folder.
LoadResult load_string(std::string_view yaml, std::string file_name);

}  // namespace stockrelay::config
