// The SQLite store (internal; the engine sees only store.hpp's interface).
//
// Two connections:
//  - the writer, for ingest, state_put, recover_in_flight and the
//    Transaction. SQLite allows one writer at a time anyway, so a mutex
//    serialises them; an open Transaction holds that mutex until it commits
//    or is destroyed, which is what makes it "one Transaction at a time".
//  - the reader (SQLITE_OPEN_READONLY), for the read side used by the CLI and
//    the HTTP admin API. In WAL mode it reads the last committed state while
//    the writer works, so admin requests neither wait for an engine step nor
//    see its uncommitted writes. It has its own mutex, as one connection
//    serves requests from several threads.
// OpenMode::ReadOnly opens the reader only.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "store/store_lock.hpp"

namespace stockrelay::store {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::optional<StoreLock> hub_lock, std::unique_ptr<Db> writer, std::unique_ptr<Db> reader);

  IngestOutcome ingest(std::span<const JournalEntry> entries) override;
  std::vector<JournalRecord> unprocessed(std::size_t limit) override;
  std::unique_ptr<Transaction> begin() override;
  std::size_t recover_in_flight() override;
  std::optional<std::string> state_get(const std::string& connection, const std::string& key) override;
  bool state_put(const std::string& connection, const std::string& key, const std::string& value,
                 const std::optional<std::string>& expected) override;
  std::vector<OrderSync> orders(const OrderQuery&) override;
  std::vector<LogEntry> log(const LogQuery&) override;
  std::vector<OutboxItem> outbox(const std::optional<std::string>& target, bool include_done,
                                 std::size_t limit) override;
  std::vector<Link> links(const std::optional<std::string>& connection) override;
  std::vector<Product> products(const std::optional<std::string>& connection) override;
  std::vector<PoolMember> pool_members() override;
  std::vector<PoolLevel> pool_levels(const std::string& pool) override;
  std::vector<Baseline> baselines(const std::string& connection) override;
  std::pair<std::size_t, std::size_t> outbox_progress(const std::string& target, Millis since) override;
  std::size_t outbox_depth(const std::string& target) override;
  std::size_t outbox_due(const std::string& target, Millis now, std::size_t limit) override;
  std::int64_t journal_count() override;

 private:
  friend class SqliteTransaction;

  // The writer mutex, after refusing what would deadlock or cannot work.
  std::unique_lock<std::mutex> lock_writer(const char* doing);

  // Declared first so it is released last, after both connections closed.
  std::optional<StoreLock> hub_lock_;
  std::unique_ptr<Db> writer_;  // null when opened ReadOnly
  std::unique_ptr<Db> reader_;
  std::mutex write_mu_;
  std::mutex read_mu_;
  // The thread holding the open Transaction (default id: none).
  std::atomic<std::thread::id> tx_thread_{};
};

class SqliteTransaction final : public Transaction {
 public:
  // Runs BEGIN IMMEDIATE: the write lock is taken now, so the step cannot
  // fail half-way with SQLITE_BUSY when it first writes.
  SqliteTransaction(SqliteStore& store, std::unique_lock<std::mutex> guard);
  ~SqliteTransaction() override;

  std::optional<PoolLevel> pool_level(const std::string& pool, const std::string& sku) override;
  void put_pool_level(const PoolLevel&) override;
  std::optional<Baseline> baseline(const std::string& connection, const std::string& sku) override;
  void put_baseline(const Baseline&) override;
  std::vector<OrderLineCount> order_lines(const std::string& connection, const std::string& order_id) override;
  void put_order_line(const OrderLineCount&) override;
  void mark_order_seen(const std::string& connection, const std::string& order_id, std::int64_t order_at,
                       std::int64_t read_at) override;
  void put_deferred(const DeferredLevel&) override;
  void delete_deferred(const std::string& connection, const std::string& sku) override;
  std::vector<DeferredLevel> due_deferred(Millis now, std::size_t limit) override;
  std::optional<DeferredLevel> deferred(const std::string& connection, const std::string& sku) override;
  void put_link(const Link&) override;
  std::optional<Link> link(const std::string& connection, const std::string& sku) override;
  void put_product(const Product&) override;
  std::vector<Product> products_with_sku(const std::string& connection, const std::string& sku) override;
  std::optional<Product> product(const std::string& connection, const std::string& remote_id,
                                 const std::string& remote_variation_id) override;
  std::vector<Product> active_products(const std::string& connection) override;
  std::vector<Product> products_with_shop_id(const std::string& connection, const std::string& shop_product_id) override;
  void put_pool_member(const PoolMember&) override;
  std::size_t outbox_cancel(const std::string& target, const std::string& key_prefix, const std::string& why) override;
  std::int64_t enqueue(const OutboxItem& item) override;
  std::vector<OutboxItem> claim_due(const std::string& target, Millis now, std::size_t limit) override;
  std::optional<OutboxItem> outbox_item(std::int64_t id) override;
  void outbox_done(std::int64_t id) override;
  void outbox_retry(std::int64_t id, Millis next_attempt_at, const std::string& error) override;
  void outbox_failed(std::int64_t id, const std::string& error) override;
  void outbox_requeue(std::int64_t id, Millis now) override;
  void outbox_set_payload(std::int64_t id, const std::string& payload) override;
  bool outbox_busy(const std::string& target, const std::string& coalesce_key, bool in_flight_only = false) override;
  void put_order_sync(const OrderSync&) override;
  std::optional<OrderSync> order_sync(const std::string& source, const std::string& order_id,
                                      const std::string& target) override;
  void append_log(const LogEntry&) override;
  void mark_processed(std::int64_t seq) override;
  void commit() override;

 private:
  Db& db();  // the writer; logic_error once committed
  // Outbox updates name an item by id; an unknown id is a caller's bug.
  void require_changed(std::int64_t id);

  SqliteStore& store_;
  std::unique_lock<std::mutex> guard_;
  bool open_ = true;
};

}  // namespace stockrelay::store
