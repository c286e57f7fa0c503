// Thin RAII over sqlite3* and sqlite3_stmt*.
//
// Prepared statements are cached per connection: parsing SQL costs more than
// running a small INSERT, and ingest must sustain tens of thousands of rows a
// second. Every SQLite failure becomes a StoreError naming the store file.
// A Db is not synchronised; its owner guards it (see sqlite_store.hpp).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/error.hpp"

namespace stockrelay::store {

class Db;

// One use of a cached prepared statement: bind positionally, step, read
// columns. The destructor resets the statement, so no read snapshot outlives
// the Query and the statement is ready for its next use.
class Query {
 public:
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Binds the arguments to the next parameters in order: ?1, ?2, ... across
  // calls, so a variable number of filters can be bound one by one.
  template <class... A>
  Query& bind(const A&... args) {
    (bind_one(++bound_, args), ...);
    return *this;
  }

  bool step();   // true while a row is available
  void run();    // steps to the end, for statements that return no rows
  void reset();  // ready to bind and run again (one Query for a batch of rows)

  std::int64_t integer(int col) const;
  std::optional<std::int64_t> optional_integer(int col) const;  // NULL -> nullopt
  std::string text(int col) const;                              // NULL -> ""
  const Db& db() const { return db_; }

 private:
  friend class Db;
  struct Slot {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  Query(Db& db, Slot& slot);

  void bind_one(int index, std::int64_t value);
  void bind_one(int index, std::string_view value);
  void bind_one(int index, const std::optional<std::int64_t>& value);

  Db& db_;
  Slot& slot_;
  int bound_ = 0;
};

class Db {
 public:
  // `flags` are sqlite3_open_v2 flags. Errors name the path.
  static Result<std::unique_ptr<Db>> open(const std::string& path, int flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);  // statements without result rows, not cached
  // The cached statement for `sql`. One Query per statement at a time: a
  // second concurrent use of the same SQL is a programming error (logic_error).
  Query query(const std::string& sql);

  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  bool in_transaction() const;
  // Ends an open transaction without its writes; for unwinding, so it never throws.
  void rollback() noexcept;
  const std::string& path() const { return path_; }

  // Throws StoreError with the path, SQLite's message and what was being done.
  [[noreturn]] void fail(std::string_view doing) const;

 private:
  Db(sqlite3* handle, std::string path) : handle_(handle), path_(std::move(path)) {}

  sqlite3* handle_;
  std::string path_;
  std::unordered_map<std::string, Query::Slot> statements_;  // nodes are stable
};

}  // namespace stockrelay::store
