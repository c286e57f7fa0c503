// One log row of the engine's, as the operator reads it (`stockrelay log`).
#pragma once

#include <string>

#include "store/store.hpp"

namespace stockrelay::engine {

inline store::LogEntry log_entry(store::Millis now, std::string level, std::string connection, std::string sku,
                                 std::string order_id, std::string kind, std::string cause, std::string result,
                                 std::string message) {
  store::LogEntry e;
  e.at = now;
  e.level = std::move(level);
  e.connection = std::move(connection);
  e.sku = std::move(sku);
  e.order_id = std::move(order_id);
  e.kind = std::move(kind);
  e.cause = std::move(cause);
  e.result = std::move(result);
  e.message = std::move(message);
  return e;
}

}  // namespace stockrelay::engine
