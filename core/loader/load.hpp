// Loading connector plugins: one shared library per connector, checked
// against abi.h before the host uses it.
#pragma once

#include <memory>
#include <string>

#include "common/error.hpp"
#include "loader/plugin.hpp"

namespace stockrelay::loader {

// Loads the connector library at `path` (rtld_now | rtld_local, one symbol:
// stockrelay_connector_v1) and checks it (check.hpp). A refusal is an Error
// whose `where` is the file and whose `what` names the reason. The same file
// loaded twice yields the same Plugin (cached by canonical path).
// Thread-safe; loads are serialised, as dlopen is not safe to run
// concurrently on every platform.
Result<std::shared_ptr<const Plugin>> load(const std::string& path);

// Checks an in-memory table exactly as load() would, without a library: lets
// engine tests use plain functions as plugins. `name` stands in for the path.
Result<std::shared_ptr<const Plugin>> adopt(const sr_connector_api* api, std::string name);

}  // namespace stockrelay::loader
