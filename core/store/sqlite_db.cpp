#include "store/sqlite_db.hpp"

#include <stdexcept>

#include "store/store.hpp"

namespace stockrelay::store {

namespace {

// Long statements (the schema) would drown the message; the start says which.
std::string abbreviate(std::string_view sql) {
  constexpr std::size_t kMax = 80;
  std::string s(sql.substr(0, kMax));
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  if (sql.size() > kMax) s += "...";
  return s;
}

}  // namespace

// ---- Query -----------------------------------------------------------------

Query::Query(Db& db, Slot& slot) : db_(db), slot_(slot) { slot_.in_use = true; }

Query::~Query() {
  reset();
  slot_.in_use = false;
}

void Query::reset() {
  // sqlite3_reset repeats the last step's error code; step() already
  // reported that error, so it is ignored here.
  sqlite3_reset(slot_.stmt);
  sqlite3_clear_bindings(slot_.stmt);
  bound_ = 0;
}

void Query::bind_one(int index, std::int64_t value) {
  if (sqlite3_bind_int64(slot_.stmt, index, value) != SQLITE_OK) db_.fail("binding a value");
}

void Query::bind_one(int index, std::string_view value) {
  // SQLITE_TRANSIENT copies: callers may bind temporaries before stepping.
  if (sqlite3_bind_text64(slot_.stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    db_.fail("binding a value");
  }
}

void Query::bind_one(int index, const std::optional<std::int64_t>& value) {
  int rc = value ? sqlite3_bind_int64(slot_.stmt, index, *value) : sqlite3_bind_null(slot_.stmt, index);
  if (rc != SQLITE_OK) db_.fail("binding a value");
}

bool Query::step() {
  int rc = sqlite3_step(slot_.stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(abbreviate(sqlite3_sql(slot_.stmt)));
}

void Query::run() {
  while (step()) {
  }
}

std::int64_t Query::integer(int col) const { return sqlite3_column_int64(slot_.stmt, col); }

std::optional<std::int64_t> Query::optional_integer(int col) const {
  if (sqlite3_column_type(slot_.stmt, col) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(slot_.stmt, col);
}

std::string Query::text(int col) const {
  const auto* p = sqlite3_column_text(slot_.stmt, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(slot_.stmt, col)));
}

// ---- Db --------------------------------------------------------------------

Result<std::unique_ptr<Db>> Db::open(const std::string& path, int flags) {
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    // sqlite3_open_v2 returns a handle even on failure; it carries the message.
    std::string why = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close_v2(handle);
    return Error{"store " + path, "cannot open: " + why, "check that the directory exists and is writable"};
  }
  sqlite3_extended_result_codes(handle, 1);
  return std::unique_ptr<Db>(new Db(handle, path));
}

Db::~Db() {
  for (auto& [sql, slot] : statements_) sqlite3_finalize(slot.stmt);
  // close_v2 cannot fail with our statements finalized; the WAL is
  // checkpointed by the last connection to close.
  sqlite3_close_v2(handle_);
}

void Db::exec(const char* sql) {
  if (sqlite3_exec(handle_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(abbreviate(sql));
}

Query Db::query(const std::string& sql) {
  auto [it, fresh] = statements_.try_emplace(sql);
  Query::Slot& slot = it->second;
  if (fresh) {
    // PERSISTENT: these statements live as long as the connection.
    int rc = sqlite3_prepare_v3(handle_, sql.c_str(), static_cast<int>(sql.size() + 1),
                                SQLITE_PREPARE_PERSISTENT, &slot.stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(slot.stmt);
      statements_.erase(it);
      fail(abbreviate(sql));
    }
  } else if (slot.in_use) {
    throw std::logic_error("store: statement already in use: " + abbreviate(sql));
  }
  return Query(*this, slot);
}

std::int64_t Db::changes() const { return sqlite3_changes64(handle_); }

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle_); }

bool Db::in_transaction() const { return sqlite3_get_autocommit(handle_) == 0; }

void Db::rollback() noexcept {
  // After some errors SQLite has already rolled back; ROLLBACK would then fail.
  if (in_transaction()) sqlite3_exec(handle_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Db::fail(std::string_view doing) const {
  throw StoreError("store " + path_ + ": " + sqlite3_errmsg(handle_) + " (" + std::string(doing) + ")");
}

}  // namespace stockrelay::store
