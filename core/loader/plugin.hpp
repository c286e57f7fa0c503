// A loaded, checked connector: its table, its parsed self-description and the
// library that holds its code.
#pragma once

#include <memory>
#include <string>

#include "stockrelay/abi.h"
#include "stockrelay/payload.hpp"

namespace stockrelay::loader {

// The function slots of sr_connector_api, by name.
enum class Slot { describe, create, start, poll, on_webhook, deliver, stop, destroy, last_error };

const char* slot_name(Slot);

// True if `api` provides `slot`: the slot lies inside the table's struct_size
// and is not NULL. A plugin built for an older minor has a shorter table, and
// the memory past its struct_size is not ours to read, so slots there count
// as absent (abi.h rule 2). Every call through an optional slot, and every
// slot appended after 1.0, must be guarded by this.
bool slot_present(const sr_connector_api& api, Slot slot);

struct Plugin {
  std::string path;                // absolute, canonical; for adopted tables, the name given
  const sr_connector_api* api = nullptr;  // the plugin's table; static in the plugin
  sr::Description description;     // parsed describe()
  std::string describe_json;       // describe() as the plugin returned it
  // Keeps the shared library mapped. Libraries are never unloaded while the
  // process lives: instances, threads and thread_local destructors of a
  // plugin may still point into its code (sdk-anchors.md section 4).
  std::shared_ptr<void> library;

  bool has(Slot slot) const { return slot_present(*api, slot); }
  // "1.0": the ABI version of the plugin's table.
  std::string abi() const;
};

}  // namespace stockrelay::loader
