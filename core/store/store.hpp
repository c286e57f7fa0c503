// The store: everything stockrelay must remember across restarts.
//
// The engine talks to this interface only, so a PostgreSQL backend can be
// added later without touching the engine. The embedded default is SQLite
// (open_sqlite below; sqlite_store.hpp). All writes of one engine step go
// through one Transaction and become durable together on commit(); a
// Transaction destroyed without commit() rolls back.
//
// One Transaction at a time per Store: begin() on another thread waits until
// the open one is committed or destroyed. A Transaction is used and destroyed
// on the thread that began it; while it is open, that thread must not call the
// Store's own writes (ingest, state_put, recover_in_flight, begin): they would
// wait for themselves, so they throw std::logic_error instead. The read
// methods (the "read side" below, unprocessed, state_get) may be called from
// any thread at any time, also while a Transaction is open; they see only
// committed data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "stockrelay/quantity.hpp"

namespace stockrelay::store {

// Thrown by Store and Transaction methods when SQLite itself fails (disk
// full, I/O error, busy past the timeout, a corrupt page). The message names
// the store file. The caller abandons the step; its open Transaction rolls
// back when destroyed, so nothing half-done remains.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Millis = std::int64_t;  // Unix time in milliseconds

// ---- journal: every event, stored once --------------------------------------

struct JournalEntry {
  std::string connection;
  std::string key;       // idempotency key chosen by the plugin; unique per connection
  std::string kind;      // order | stock_level | stock_delta | product
  std::string payload;   // the item's JSON, as emitted
  Millis received_at = 0;
};

struct JournalRecord : JournalEntry {
  std::int64_t seq = 0;  // ingest order; processing follows it
};

struct IngestOutcome {
  std::size_t inserted = 0;
  std::size_t duplicates = 0;  // same connection + key seen before: a no-op
};

// ---- ledger ----------------------------------------------------------------

// The pool's quantity of one SKU. For a shared pool this is the truth; for a
// master pool it mirrors the master.
struct PoolLevel {
  std::string pool;
  std::string sku;
  sr::Quantity quantity;
  std::string origin;     // connection where the SKU first appeared (first-appearance-wins)
  Millis updated_at = 0;
};

// What the hub believes one connection shows for one SKU, and why.
struct Baseline {
  std::string connection;
  std::string sku;
  sr::Quantity expected;                    // the level the member should show now
  std::optional<sr::Quantity> last_written; // last absolute level the hub wrote there
  std::optional<sr::Quantity> last_observed;
  std::string observed_version;             // remote version of the newest accepted observation
  Millis written_at = 0;                    // when last_written was acknowledged
  Millis observed_at = 0;
  // After a write of ours that compared by a read before writing (it could
  // not refuse atomically), with sales or restores counted in the member
  // while it was on its way: they were either replaced by the write
  // (`expected`) or landed after it (this level). The next fresh reading
  // tells which; sales and restores move both.
  std::optional<sr::Quantity> expected_alt;
  std::string written_version;              // remote version our last acknowledged write gave it
  bool written_compared = false;            // that write was compared and made in one step (no sale replaced)
  Millis written_remote_at = 0;             // when that write's state was made, on the member's clock (0: not known)
  // Waiting levels read again in a row instead of being judged, because
  // sales counted while they waited may be newer than the reading (see
  // DeferredLevel::stale); reset when a level there is judged.
  int rereads = 0;
  // A reading showed `expected_alt` before the member's orders were read
  // (it is taken as shown only then); a later reading that shows neither
  // level after a manual change still tells which one it was.
  bool alt_seen = false;
};

// How much of one order line is currently counted as taken from stock.
struct OrderLineCount {
  std::string connection;
  std::string order_id;
  std::string line_id;
  std::string sku;
  sr::Quantity counted;
  // The copy of the order this count is from: its modification time and
  // when the connector read it (sr::OrderEvent at / read_at; 0: unknown).
  // An older copy arriving later is not counted again.
  std::int64_t order_at = 0;
  std::int64_t read_at = 0;
};

// A level the hub could not explain yet; re-evaluated after `due_at`, once the
// connection's orders had the chance to explain it (DESIGN: look for the cause).
struct DeferredLevel {
  std::string connection;
  std::string sku;
  sr::Quantity observed;
  std::string version;
  Millis observed_at = 0;
  Millis due_at = 0;
  // Unexplained (not merely seen while a write was on its way): writes of
  // ours of this SKU to that connection wait until it is judged, because an
  // absolute write would erase what it shows before its cause is known.
  bool holds = false;
  // When the remote was read (StockLevel::read_at; 0: not known).
  Millis read_at = 0;
  // The reading's own time on the member's clock (StockLevel::at, whole
  // seconds for WooCommerce; 0: not known).
  Millis at = 0;
  // A sale or restore counted in the member while it waited was made in the
  // same second as the reading or later, or our last write there was: the
  // reading may predate it, so it cannot be judged against a level that
  // includes it.
  bool stale = false;
};

// The "product integration": a SKU in the hub linked to a remote product.
//
// In a pool whose master takes product uploads (capability products.out, a
// warehouse such as PeakWMS) a member's link is made only when the master
// acknowledged the upload of that product from that member (`state`
// "linked", `via` the master, `via_ref` its id there); the member gets stock
// for the SKU only while linked. Elsewhere links are recorded as observed
// (`state` "").
struct Link {
  std::string connection;
  std::string sku;
  std::string remote_id;
  std::string remote_variation_id;
  bool active = true;
  Millis updated_at = 0;
  // "" (observed) | pending (upload queued) | linked | missing (never
  // uploaded) | conflict | inactive | failed (the upload was refused)
  std::string state{};
  std::string via{};       // the connection that holds the integration
  std::string via_ref{};   // its id of the product
  std::string reason{};    // why it is not linked, in the merchant's words
};

// One product (or variation) a connection has: what the SKU audit, the
// duplicate exclusion and the join read. A SKU on two active products of one
// connection is ambiguous there and is not synced to or from it.
struct Product {
  std::string connection;
  std::string remote_id;
  std::string remote_variation_id;
  std::string sku;
  std::string name;
  bool managed = true;   // the remote tracks stock for it
  bool active = true;
  Millis updated_at = 0;
  std::string shop_product_id{};  // sr::ProductChange::shop_product_id
  std::string ean{};
  std::string status{};           // the remote's word ("draft", "trash")
};

// A connection's membership of a pool, once an operator joined or left it.
// Members named in the config without a row are active.
enum class MemberState { Joining, Active, Left };
const char* to_string(MemberState);
std::optional<MemberState> member_state_from(std::string_view);

struct PoolMember {
  std::string pool;
  std::string connection;
  MemberState state = MemberState::Active;
  Millis since = 0;
  std::string message;   // e.g. the join's summary
};

// ---- outbox ------------------------------------------------------------------

enum class OutboxState { Pending, InFlight, Done, Failed };
const char* to_string(OutboxState);

struct OutboxItem {
  std::int64_t id = 0;
  std::string target;        // connection name
  std::string command;       // set_stock | adjust_stock | create_order | deliver | add_note | set_price
  std::string coalesce_key;  // non-empty: a newer Pending item with the same target+key replaces this one
  std::string payload;       // the command's JSON
  std::string source_ref;    // what caused it ("shop-a order 123", "shop-b manual change")
  OutboxState state = OutboxState::Pending;
  int attempts = 0;
  Millis next_attempt_at = 0;
  Millis created_at = 0;
  std::string last_error;
  // Commands of one lane go to their target in the order they were made;
  // a claim takes the lanes' oldest in turn (several shops' uploads to one
  // warehouse, each shop with a rate limit of its own). "" is one lane.
  std::string lane{};
};

// ---- order sync status ---------------------------------------------------------

enum class SyncStatus { Pending, Synced, Failed };
const char* to_string(SyncStatus);

struct OrderSync {
  std::string source;       // connection the order came from
  std::string order_id;
  std::string target;       // connection it is sent to
  SyncStatus status = SyncStatus::Pending;
  std::string reason;       // why it failed
  int attempts = 0;
  std::string remote_ref;   // id of the document created in the target
  std::int64_t outbox_id = 0;  // the command a retry sends again (the create, or the delivery that failed)
  Millis updated_at = 0;
  std::string delivery_ref;    // the delivery made in the target, once delivered
  // The source order's cancel, passed on to the target: "" (not cancelled),
  // "wanted" (waits for the create to finish), "pending", "done", "failed",
  // "not_needed" (nothing was created there).
  std::string cancel;
};

struct OrderQuery {
  bool failed_only = false;
  std::optional<std::string> source;
  std::size_t limit = 100;
};

// ---- event log -------------------------------------------------------------------

struct LogEntry {
  std::int64_t id = 0;
  Millis at = 0;
  std::string level = "info";   // info | warn | error
  std::string connection;
  std::string sku;
  std::string order_id;
  std::string kind;             // change | order | delivery | manual | join | error | ...
  std::optional<sr::Quantity> old_quantity;
  std::optional<sr::Quantity> new_quantity;
  std::string cause;            // "order 123 in shop-b", "manual change", "join"
  std::string result;           // ok | retry | failed | skipped | ...
  std::string message;
};

struct LogQuery {
  std::optional<std::string> connection;
  std::optional<std::string> sku;
  std::optional<std::string> order_id;
  std::int64_t after_id = 0;    // for --follow
  std::size_t limit = 200;      // newest `limit` entries after after_id, returned oldest first
};

// ---- the interface -------------------------------------------------------------

class Transaction {
 public:
  virtual ~Transaction() = default;

  virtual std::optional<PoolLevel> pool_level(const std::string& pool, const std::string& sku) = 0;
  virtual void put_pool_level(const PoolLevel&) = 0;

  virtual std::optional<Baseline> baseline(const std::string& connection, const std::string& sku) = 0;
  virtual void put_baseline(const Baseline&) = 0;

  virtual std::vector<OrderLineCount> order_lines(const std::string& connection, const std::string& order_id) = 0;
  virtual void put_order_line(const OrderLineCount&) = 0;
  // Every stored line of the order is now from the copy modified at
  // `order_at` and read at `read_at`.
  virtual void mark_order_seen(const std::string& connection, const std::string& order_id, std::int64_t order_at,
                               std::int64_t read_at) = 0;

  virtual void put_deferred(const DeferredLevel&) = 0;          // one per connection+SKU; replaces
  virtual void delete_deferred(const std::string& connection, const std::string& sku) = 0;
  virtual std::vector<DeferredLevel> due_deferred(Millis now, std::size_t limit) = 0;
  virtual std::optional<DeferredLevel> deferred(const std::string& connection, const std::string& sku) = 0;

  virtual void put_link(const Link&) = 0;
  virtual std::optional<Link> link(const std::string& connection, const std::string& sku) = 0;

  // Keyed by connection + remote ids; replaces. A changed SKU moves the row.
  virtual void put_product(const Product&) = 0;
  // Active products of `connection` carrying exactly this SKU.
  virtual std::vector<Product> products_with_sku(const std::string& connection, const std::string& sku) = 0;
  // The product a remote id names in `connection` (active or not).
  virtual std::optional<Product> product(const std::string& connection, const std::string& remote_id,
                                         const std::string& remote_variation_id) = 0;
  // Every active product of `connection` (look-alike search when an order fails on an unknown SKU).
  virtual std::vector<Product> active_products(const std::string& connection) = 0;
  // Active products of `connection` whose shop_product_id is this one
  // (a copied product carries its original's).
  virtual std::vector<Product> products_with_shop_id(const std::string& connection,
                                                     const std::string& shop_product_id) = 0;

  virtual void put_pool_member(const PoolMember&) = 0;
  // Pending commands for `target` with this coalesce-key prefix end as Done
  // with `why` (a member leaving a pool). Returns how many.
  virtual std::size_t outbox_cancel(const std::string& target, const std::string& key_prefix,
                                    const std::string& why) = 0;

  // Adds a command. If `item.coalesce_key` is non-empty and a Pending item with
  // the same target and key exists, that item takes the new payload and
  // source_ref instead (the newest level wins) and its id is returned.
  virtual std::int64_t enqueue(const OutboxItem& item) = 0;
  // Pending items for `target` due at `now`, marked InFlight: each lane's
  // oldest first, the lanes in turn (one lane: oldest first). A set_stock
  // whose SKU has a holding deferred level there waits.
  virtual std::vector<OutboxItem> claim_due(const std::string& target, Millis now, std::size_t limit) = 0;
  virtual std::optional<OutboxItem> outbox_item(std::int64_t id) = 0;
  virtual void outbox_done(std::int64_t id) = 0;
  virtual void outbox_retry(std::int64_t id, Millis next_attempt_at, const std::string& error) = 0;  // attempts+1, back to Pending
  virtual void outbox_failed(std::int64_t id, const std::string& error) = 0;                        // attempts+1
  virtual void outbox_requeue(std::int64_t id, Millis now) = 0;  // Failed -> Pending, attempts reset (operator retry)
  // A Failed item's command as it will go out again (an order retried after its SKUs were fixed).
  virtual void outbox_set_payload(std::int64_t id, const std::string& payload) = 0;
  // Does `target` have a Pending or InFlight item with this coalesce key?
  // (`in_flight_only`: an InFlight one.)
  virtual bool outbox_busy(const std::string& target, const std::string& coalesce_key, bool in_flight_only = false) = 0;

  virtual void put_order_sync(const OrderSync&) = 0;
  virtual std::optional<OrderSync> order_sync(const std::string& source, const std::string& order_id,
                                              const std::string& target) = 0;

  virtual void append_log(const LogEntry&) = 0;
  virtual void mark_processed(std::int64_t seq) = 0;

  virtual void commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores each entry once (unique per connection + key), in one transaction.
  virtual IngestOutcome ingest(std::span<const JournalEntry> entries) = 0;
  // Not yet processed journal records, in seq order.
  virtual std::vector<JournalRecord> unprocessed(std::size_t limit) = 0;

  virtual std::unique_ptr<Transaction> begin() = 0;

  // After a crash, InFlight items go back to Pending (delivery is at least
  // once; commands carry ids so connectors can make them idempotent).
  virtual std::size_t recover_in_flight() = 0;

  // Key-value state per connection with compare-and-set (plugin cursors).
  virtual std::optional<std::string> state_get(const std::string& connection, const std::string& key) = 0;
  // expected == nullopt: unconditional (also creates the key). Otherwise writes
  // only if the key exists and its value equals *expected; an absent key never
  // matches, not even expected == "". Returns false when the comparison failed.
  virtual bool state_put(const std::string& connection, const std::string& key, const std::string& value,
                         const std::optional<std::string>& expected) = 0;

  // Read side for the CLI and the admin API.
  virtual std::vector<OrderSync> orders(const OrderQuery&) = 0;
  virtual std::vector<LogEntry> log(const LogQuery&) = 0;
  virtual std::vector<OutboxItem> outbox(const std::optional<std::string>& target, bool include_done,
                                         std::size_t limit) = 0;
  virtual std::vector<Link> links(const std::optional<std::string>& connection) = 0;
  virtual std::vector<Product> products(const std::optional<std::string>& connection) = 0;
  virtual std::vector<PoolMember> pool_members() = 0;
  virtual std::vector<PoolLevel> pool_levels(const std::string& pool) = 0;
  virtual std::vector<Baseline> baselines(const std::string& connection) = 0;
  // Outbox items for `target` created at or after `since`: {done or failed, all}.
  virtual std::pair<std::size_t, std::size_t> outbox_progress(const std::string& target, Millis since) = 0;
  virtual std::size_t outbox_depth(const std::string& target) = 0;  // Pending + InFlight
  // How many items Transaction::claim_due(target, now, limit) would claim
  // now (before coalescing), without claiming them.
  virtual std::size_t outbox_due(const std::string& target, Millis now, std::size_t limit) = 0;
  virtual std::int64_t journal_count() = 0;
};

enum class OpenMode {
  Owner,     // the hub: takes the exclusive lock; a second hub is refused
  ReadOnly,  // CLI inspection (orders list, log): no lock, no writes
  Operator   // short CLI writes (orders retry) beside a running hub: no hub lock,
             // SQLite's own locking with a busy timeout keeps them safe
};

// Opens (creating and migrating if needed) the SQLite store at `path`.
Result<std::unique_ptr<Store>> open_sqlite(const std::string& path, OpenMode mode);

}  // namespace stockrelay::store
