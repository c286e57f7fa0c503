// The checks every connector table passes before the host uses it, whether it
// came from a shared library (load) or from memory (adopt). Refusals are
// values: a bad plugin never takes the host down.
#pragma once

#include <string>

#include "common/error.hpp"
#include "stockrelay/abi.h"
#include "stockrelay/payload.hpp"

namespace stockrelay::loader {

struct CheckedTable {
  sr::Description description;
  std::string describe_json;
};

// Checks version, size, required slots, describe() and the agreement of
// capabilities with optional slots, in that order. Calls the plugin's
// describe(). `where` becomes Error::where (the library's path).
Result<CheckedTable> check_table(const sr_connector_api* api, const std::string& where);

}  // namespace stockrelay::loader
