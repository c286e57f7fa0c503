// Shared fixtures for the store tests: real SQLite files in a fresh temporary
// directory that is removed afterwards.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>

#include "sr_test_support.hpp"
#include "store/store.hpp"

namespace store_test {

using namespace stockrelay;
using namespace stockrelay::store;

using TempDir = sr_test::TempDir;

inline std::unique_ptr<Store> open_store(const std::string& path, OpenMode mode = OpenMode::Owner) {
  auto r = open_sqlite(path, mode);
  INFO((r.ok() ? std::string() : r.error().message()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

inline JournalEntry event(std::string connection, std::string key, std::string payload = "{}") {
  JournalEntry e;
  e.connection = std::move(connection);
  e.key = std::move(key);
  e.kind = "order";
  e.payload = std::move(payload);
  e.received_at = 1000;
  return e;
}

inline OutboxItem command(std::string target, std::string coalesce_key, std::string payload,
                          Millis next_attempt_at = 0) {
  OutboxItem o;
  o.target = std::move(target);
  o.command = "set_stock";
  o.coalesce_key = std::move(coalesce_key);
  o.payload = std::move(payload);
  o.source_ref = "test";
  o.next_attempt_at = next_attempt_at;
  o.created_at = 10;
  return o;
}

inline sr::Quantity qty(const char* s) { return *sr::Quantity::parse(s); }

}  // namespace store_test
