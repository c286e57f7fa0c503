#include "store/sqlite_store.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "store/migrations.hpp"
#include "store/rows.hpp"

namespace stockrelay::store {

namespace {

// Long enough to ride out a checkpoint or an operator's CLI write; a lock
// held longer than this is a real problem and surfaces as an error.
constexpr const char* kBusyTimeout = "PRAGMA busy_timeout = 5000";

void configure_writer(Db& db) {
  db.exec(kBusyTimeout);
  // Reading the journal mode touches the file header, so this is also where
  // a file that is not a database is caught.
  auto mode = db.query("PRAGMA journal_mode = WAL");
  if (!mode.step() || mode.text(0) != "wal") {
    throw StoreError("store " + db.path() + ": cannot switch to WAL journal mode (is it on a network file system?)");
  }
  // WAL + synchronous=NORMAL: a commit appends to the WAL without fsync; the
  // WAL is synced at checkpoints. A process crash loses nothing committed
  // (the OS has the pages). A power loss can lose the last few commits, in
  // commit order, but never corrupts the file: recovery replays the valid
  // WAL prefix. That is safe for us because a lost commit takes its effects
  // with it together (a cursor never survives the journal rows it covers),
  // sources redeliver what was not journalled, and commands are delivered at
  // least once anyway. FULL would fsync every commit and cap ingest at the
  // disk's sync rate.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
}

Error no_store(const std::string& path) {
  return Error{"", "no store at " + path, "has `stockrelay run` been started with this config?"};
}

Result<std::unique_ptr<Store>> open_connections(const std::string& path, OpenMode mode,
                                                std::optional<StoreLock> hub_lock) {
  std::unique_ptr<Db> writer;
  if (mode != OpenMode::ReadOnly) {
    // Only the hub creates the file; an operator command needs an existing store.
    int create = mode == OpenMode::Owner ? SQLITE_OPEN_CREATE : 0;
    auto opened = Db::open(path, SQLITE_OPEN_READWRITE | create | SQLITE_OPEN_NOMUTEX);
    if (!opened) return opened.error();
    writer = std::move(opened.value());
    configure_writer(*writer);
    if (Status s = prepare_schema(*writer, schema_migrations(), mode == OpenMode::Owner); !s) return s.error();
  }
  auto opened = Db::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
  if (!opened) return opened.error();
  std::unique_ptr<Db> reader = std::move(opened.value());
  reader->exec(kBusyTimeout);
  if (!writer) {
    if (Status s = prepare_schema(*reader, schema_migrations(), false); !s) return s.error();
  }
  return std::unique_ptr<Store>(new SqliteStore(std::move(hub_lock), std::move(writer), std::move(reader)));
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path, OpenMode mode) {
  std::optional<StoreLock> hub_lock;
  if (mode == OpenMode::Owner) {
    // Before touching the database: two hubs must not even migrate together.
    auto lock = StoreLock::acquire(path);
    if (!lock) return lock.error();
    hub_lock.emplace(std::move(lock.value()));
  } else if (std::error_code ec; !std::filesystem::exists(path, ec)) {
    return no_store(path);
  }
  try {
    return open_connections(path, mode, std::move(hub_lock));
  } catch (const StoreError& e) {
    return Error{"", e.what(), "is store.path the right file? Restore it from a backup, or point store.path elsewhere"};
  }
}

// ---- SqliteStore ---------------------------------------------------------------

SqliteStore::SqliteStore(std::optional<StoreLock> hub_lock, std::unique_ptr<Db> writer, std::unique_ptr<Db> reader)
    : hub_lock_(std::move(hub_lock)), writer_(std::move(writer)), reader_(std::move(reader)) {}

std::unique_lock<std::mutex> SqliteStore::lock_writer(const char* doing) {
  if (!writer_) throw std::logic_error(std::string("store opened read-only: cannot ") + doing);
  if (tx_thread_.load() == std::this_thread::get_id()) {
    throw std::logic_error(std::string("store: cannot ") + doing +
                           " while this thread holds an open Transaction (it would wait for itself)");
  }
  return std::unique_lock<std::mutex>(write_mu_);
}

IngestOutcome SqliteStore::ingest(std::span<const JournalEntry> entries) {
  auto guard = lock_writer("ingest");
  IngestOutcome out;
  Db& db = *writer_;
  db.exec("BEGIN IMMEDIATE");
  try {
    auto insert = db.query(
        "INSERT OR IGNORE INTO journal (connection, key, kind, payload, received_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const JournalEntry& e : entries) {
      insert.bind(e.connection, e.key, e.kind, e.payload, e.received_at).run();
      // OR IGNORE skips a known connection+key; changes() tells which happened.
      if (db.changes() > 0) {
        ++out.inserted;
      } else {
        ++out.duplicates;
      }
      insert.reset();
    }
    db.exec("COMMIT");
  } catch (...) {
    db.rollback();
    throw;
  }
  return out;
}

std::vector<JournalRecord> SqliteStore::unprocessed(std::size_t limit) {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(
      "SELECT seq, connection, key, kind, payload, received_at FROM journal WHERE processed = 0 ORDER BY seq "
      "LIMIT ?1");
  q.bind(rows::limit(limit));
  std::vector<JournalRecord> out;
  while (q.step()) {
    JournalRecord r;
    r.seq = q.integer(0);
    r.connection = q.text(1);
    r.key = q.text(2);
    r.kind = q.text(3);
    r.payload = q.text(4);
    r.received_at = q.integer(5);
    out.push_back(std::move(r));
  }
  return out;
}

std::unique_ptr<Transaction> SqliteStore::begin() {
  auto guard = lock_writer("begin a transaction");
  return std::make_unique<SqliteTransaction>(*this, std::move(guard));
}

std::size_t SqliteStore::recover_in_flight() {
  auto guard = lock_writer("recover in-flight commands");
  writer_->query("UPDATE outbox SET state = 'pending', updated_at = ?1 WHERE state = 'in_flight'")
      .bind(rows::wall_clock_ms())
      .run();
  return static_cast<std::size_t>(writer_->changes());
}

std::optional<std::string> SqliteStore::state_get(const std::string& connection, const std::string& key) {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query("SELECT value FROM state WHERE connection = ?1 AND key = ?2");
  q.bind(connection, key);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

bool SqliteStore::state_put(const std::string& connection, const std::string& key, const std::string& value,
                            const std::optional<std::string>& expected) {
  auto guard = lock_writer("write connection state");
  // Each branch is one statement, so the comparison and the write are atomic
  // against every other writer, in this process or another.
  if (!expected) {
    writer_->query(
               "INSERT INTO state (connection, key, value) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (connection, key) DO UPDATE SET value = excluded.value")
        .bind(connection, key, value)
        .run();
    return true;
  }
  writer_->query("UPDATE state SET value = ?3 WHERE connection = ?1 AND key = ?2 AND value = ?4")
      .bind(connection, key, value, *expected)
      .run();
  return writer_->changes() == 1;
}

std::vector<OrderSync> SqliteStore::orders(const OrderQuery& query) {
  std::string sql = std::string("SELECT ") + rows::kOrderSyncColumns + " FROM order_sync WHERE 1";
  if (query.failed_only) sql += " AND status = 'failed'";
  if (query.source) sql += " AND source = ?";
  // Newest first: the orders an operator is asking about are the recent ones.
  sql += " ORDER BY updated_at DESC, source, order_id, target LIMIT ?";
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(sql);
  if (query.source) q.bind(*query.source);
  q.bind(rows::limit(query.limit));
  std::vector<OrderSync> out;
  while (q.step()) out.push_back(rows::order_sync(q));
  return out;
}

std::vector<LogEntry> SqliteStore::log(const LogQuery& query) {
  std::string sql = std::string("SELECT ") + rows::kLogColumns + " FROM event_log WHERE id > ?";
  if (query.connection) sql += " AND connection = ?";
  if (query.sku) sql += " AND sku = ?";
  if (query.order_id) sql += " AND order_id = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(sql);
  q.bind(query.after_id);
  for (const auto* filter : {&query.connection, &query.sku, &query.order_id}) {
    if (*filter) q.bind(**filter);
  }
  q.bind(rows::limit(query.limit));
  std::vector<LogEntry> out;
  while (q.step()) out.push_back(rows::log_entry(q));
  std::reverse(out.begin(), out.end());  // newest `limit`, shown oldest first
  return out;
}

std::vector<OutboxItem> SqliteStore::outbox(const std::optional<std::string>& target, bool include_done,
                                            std::size_t limit) {
  std::string sql = std::string("SELECT ") + rows::kOutboxColumns + " FROM outbox WHERE 1";
  if (target) sql += " AND target = ?";
  if (!include_done) sql += " AND state <> 'done'";
  sql += " ORDER BY id DESC LIMIT ?";
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(sql);
  if (target) q.bind(*target);
  q.bind(rows::limit(limit));
  std::vector<OutboxItem> out;
  while (q.step()) out.push_back(rows::outbox_item(q));
  std::reverse(out.begin(), out.end());  // like log(): newest `limit`, oldest first
  return out;
}

std::vector<Link> SqliteStore::links(const std::optional<std::string>& connection) {
  std::string sql = std::string("SELECT ") + rows::kLinkColumns + " FROM links";
  if (connection) sql += " WHERE connection = ?";
  sql += " ORDER BY connection, sku";
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(sql);
  if (connection) q.bind(*connection);
  std::vector<Link> out;
  while (q.step()) out.push_back(rows::link(q));
  return out;
}

std::vector<Product> SqliteStore::products(const std::optional<std::string>& connection) {
  std::string sql = std::string("SELECT ") + rows::kProductColumns + " FROM products";
  if (connection) sql += " WHERE connection = ?";
  sql += " ORDER BY connection, sku, remote_id, remote_variation_id";
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(sql);
  if (connection) q.bind(*connection);
  std::vector<Product> out;
  while (q.step()) out.push_back(rows::product(q));
  return out;
}

std::vector<PoolMember> SqliteStore::pool_members() {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(std::string("SELECT ") + rows::kPoolMemberColumns + " FROM pool_members ORDER BY pool, connection");
  std::vector<PoolMember> out;
  while (q.step()) out.push_back(rows::pool_member(q));
  return out;
}

std::vector<PoolLevel> SqliteStore::pool_levels(const std::string& pool) {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query("SELECT pool, sku, quantity, origin, updated_at FROM pool_levels WHERE pool = ?1 ORDER BY sku");
  q.bind(pool);
  std::vector<PoolLevel> out;
  while (q.step())
    out.push_back(PoolLevel{q.text(0), q.text(1), sr::Quantity::from_milli(q.integer(2)), q.text(3), q.integer(4)});
  return out;
}

std::vector<Baseline> SqliteStore::baselines(const std::string& connection) {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(std::string("SELECT ") + rows::kBaselineColumns +
                          " FROM baselines WHERE connection = ?1 ORDER BY sku");
  q.bind(connection);
  std::vector<Baseline> out;
  while (q.step()) out.push_back(rows::baseline(q));
  return out;
}

std::pair<std::size_t, std::size_t> SqliteStore::outbox_progress(const std::string& target, Millis since) {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(
      "SELECT coalesce(sum(state IN ('done', 'failed')), 0), count(*) FROM outbox WHERE target = ?1 AND created_at >= ?2");
  q.bind(target, since);
  q.step();
  return {static_cast<std::size_t>(q.integer(0)), static_cast<std::size_t>(q.integer(1))};
}

std::size_t SqliteStore::outbox_depth(const std::string& target) {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query("SELECT count(*) FROM outbox WHERE target = ?1 AND state IN ('pending', 'in_flight')");
  q.bind(target);
  q.step();
  return static_cast<std::size_t>(q.integer(0));
}

std::size_t SqliteStore::outbox_due(const std::string& target, Millis now, std::size_t limit) {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query(std::string("SELECT count(*) FROM (SELECT 1 FROM outbox INDEXED BY outbox_due WHERE ") +
                          rows::kOutboxDueWhere + " LIMIT ?3)");
  q.bind(target, now, rows::limit(limit));
  q.step();
  return static_cast<std::size_t>(q.integer(0));
}

std::int64_t SqliteStore::journal_count() {
  std::lock_guard guard(read_mu_);
  auto q = reader_->query("SELECT count(*) FROM journal");
  q.step();
  return q.integer(0);
}

}  // namespace stockrelay::store
