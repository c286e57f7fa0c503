// Turns a plugin's emitted stockrelay.events/1 batch into journal entries.
// Pure and fast (simdjson): the boundary and the journal are the hot path.
// An item without a known kind, a key or (for stock events) a SKU is
// refused with a message naming the connection and the item; the valid
// items of the batch are kept.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace stockrelay::hub {

struct ParsedBatch {
  std::vector<store::JournalEntry> entries;
  std::vector<std::string> errors;  // one per refused item, or one for the whole document
};

class EventParser {
 public:
  EventParser();
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  ParsedBatch parse(const std::string& connection, std::string_view document, store::Millis now);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace stockrelay::hub
