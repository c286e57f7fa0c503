#include <stdexcept>

#include "store/rows.hpp"
#include "store/sqlite_store.hpp"

namespace stockrelay::store {
namespace {

// How far past `limit` a claim looks for other lanes' items (rows read in
// id order through outbox_claim before the lanes are taken in turn).
constexpr std::size_t kClaimLookAhead = 20;

}  // namespace

SqliteTransaction::SqliteTransaction(SqliteStore& store, std::unique_lock<std::mutex> guard)
    : store_(store), guard_(std::move(guard)) {
  store_.writer_->exec("BEGIN IMMEDIATE");
  store_.tx_thread_ = std::this_thread::get_id();
}

SqliteTransaction::~SqliteTransaction() {
  if (open_) {
    store_.writer_->rollback();
    store_.tx_thread_ = std::thread::id{};
  }
}

Db& SqliteTransaction::db() {
  if (!open_) throw std::logic_error("store: Transaction used after commit()");
  return *store_.writer_;
}

void SqliteTransaction::commit() {
  // If COMMIT fails the transaction stays open and the destructor rolls back.
  db().exec("COMMIT");
  open_ = false;
  store_.tx_thread_ = std::thread::id{};
  guard_.unlock();  // the next step may begin while this object still lives
}

// ---- ledger ------------------------------------------------------------------

std::optional<PoolLevel> SqliteTransaction::pool_level(const std::string& pool, const std::string& sku) {
  auto q = db().query("SELECT quantity, origin, updated_at FROM pool_levels WHERE pool = ?1 AND sku = ?2");
  q.bind(pool, sku);
  if (!q.step()) return std::nullopt;
  return PoolLevel{pool, sku, sr::Quantity::from_milli(q.integer(0)), q.text(1), q.integer(2)};
}

void SqliteTransaction::put_pool_level(const PoolLevel& p) {
  db().query("INSERT OR REPLACE INTO pool_levels (pool, sku, quantity, origin, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(p.pool, p.sku, p.quantity.milli(), p.origin, p.updated_at)
      .run();
}

std::optional<Baseline> SqliteTransaction::baseline(const std::string& connection, const std::string& sku) {
  auto q = db().query(std::string("SELECT ") + rows::kBaselineColumns +
                      " FROM baselines WHERE connection = ?1 AND sku = ?2");
  q.bind(connection, sku);
  if (!q.step()) return std::nullopt;
  return rows::baseline(q);
}

void SqliteTransaction::put_baseline(const Baseline& b) {
  db().query(
          "INSERT OR REPLACE INTO baselines (connection, sku, expected, last_written, last_observed, "
          "observed_version, written_at, observed_at, expected_alt, written_version, "
          "written_compared, written_remote_at, rereads, alt_seen) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
      .bind(b.connection, b.sku, b.expected.milli(), rows::milli(b.last_written), rows::milli(b.last_observed),
            b.observed_version, b.written_at, b.observed_at, rows::milli(b.expected_alt), b.written_version,
            static_cast<std::int64_t>(b.written_compared ? 1 : 0), b.written_remote_at,
            static_cast<std::int64_t>(b.rereads), static_cast<std::int64_t>(b.alt_seen ? 1 : 0))
      .run();
}

std::vector<OrderLineCount> SqliteTransaction::order_lines(const std::string& connection,
                                                           const std::string& order_id) {
  auto q = db().query(
      "SELECT line_id, sku, counted, order_at, read_at FROM order_lines WHERE connection = ?1 AND order_id = ?2 "
      "ORDER BY line_id");
  q.bind(connection, order_id);
  std::vector<OrderLineCount> out;
  while (q.step()) {
    out.push_back(OrderLineCount{connection, order_id, q.text(0), q.text(1), sr::Quantity::from_milli(q.integer(2)),
                                 q.integer(3), q.integer(4)});
  }
  return out;
}

void SqliteTransaction::put_order_line(const OrderLineCount& l) {
  db().query(
          "INSERT OR REPLACE INTO order_lines (connection, order_id, line_id, sku, counted, order_at, read_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(l.connection, l.order_id, l.line_id, l.sku, l.counted.milli(), l.order_at, l.read_at)
      .run();
}

void SqliteTransaction::mark_order_seen(const std::string& connection, const std::string& order_id,
                                        std::int64_t order_at, std::int64_t read_at) {
  db().query("UPDATE order_lines SET order_at = ?3, read_at = ?4 WHERE connection = ?1 AND order_id = ?2")
      .bind(connection, order_id, order_at, read_at)
      .run();
}

void SqliteTransaction::put_deferred(const DeferredLevel& d) {
  db().query(
          "INSERT OR REPLACE INTO deferred_levels (connection, sku, observed, version, observed_at, due_at, holds, "
          "read_at, at, stale) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
      .bind(d.connection, d.sku, d.observed.milli(), d.version, d.observed_at, d.due_at,
            static_cast<std::int64_t>(d.holds ? 1 : 0), d.read_at, d.at, static_cast<std::int64_t>(d.stale ? 1 : 0))
      .run();
}

void SqliteTransaction::delete_deferred(const std::string& connection, const std::string& sku) {
  db().query("DELETE FROM deferred_levels WHERE connection = ?1 AND sku = ?2").bind(connection, sku).run();
}

std::vector<DeferredLevel> SqliteTransaction::due_deferred(Millis now, std::size_t limit) {
  auto q = db().query(std::string("SELECT ") + rows::kDeferredColumns +
                      " FROM deferred_levels WHERE due_at <= ?1 ORDER BY due_at, connection, sku LIMIT ?2");
  q.bind(now, rows::limit(limit));
  std::vector<DeferredLevel> out;
  while (q.step()) out.push_back(rows::deferred_level(q));
  return out;
}

std::optional<DeferredLevel> SqliteTransaction::deferred(const std::string& connection, const std::string& sku) {
  auto q = db().query(std::string("SELECT ") + rows::kDeferredColumns +
                      " FROM deferred_levels WHERE connection = ?1 AND sku = ?2");
  q.bind(connection, sku);
  if (!q.step()) return std::nullopt;
  return rows::deferred_level(q);
}

void SqliteTransaction::put_link(const Link& l) {
  db().query(
          "INSERT OR REPLACE INTO links (connection, sku, remote_id, remote_variation_id, active, updated_at, state, "
          "via, via_ref, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
      .bind(l.connection, l.sku, l.remote_id, l.remote_variation_id, std::int64_t{l.active ? 1 : 0}, l.updated_at,
            l.state, l.via, l.via_ref, l.reason)
      .run();
}

std::optional<Link> SqliteTransaction::link(const std::string& connection, const std::string& sku) {
  auto q = db().query(std::string("SELECT ") + rows::kLinkColumns + " FROM links WHERE connection = ?1 AND sku = ?2");
  q.bind(connection, sku);
  if (!q.step()) return std::nullopt;
  return rows::link(q);
}

void SqliteTransaction::put_product(const Product& p) {
  db().query(
          "INSERT OR REPLACE INTO products (connection, remote_id, remote_variation_id, sku, name, managed, active, "
          "updated_at, shop_product_id, ean, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
      .bind(p.connection, p.remote_id, p.remote_variation_id, p.sku, p.name, std::int64_t{p.managed ? 1 : 0},
            std::int64_t{p.active ? 1 : 0}, p.updated_at, p.shop_product_id, p.ean, p.status)
      .run();
}

std::optional<Product> SqliteTransaction::product(const std::string& connection, const std::string& remote_id,
                                                  const std::string& remote_variation_id) {
  auto q = db().query(std::string("SELECT ") + rows::kProductColumns +
                      " FROM products WHERE connection = ?1 AND remote_id = ?2 AND remote_variation_id = ?3");
  q.bind(connection, remote_id, remote_variation_id);
  if (!q.step()) return std::nullopt;
  return rows::product(q);
}

std::vector<Product> SqliteTransaction::active_products(const std::string& connection) {
  auto q = db().query(std::string("SELECT ") + rows::kProductColumns +
                      " FROM products WHERE connection = ?1 AND active = 1 ORDER BY sku, remote_id, remote_variation_id");
  q.bind(connection);
  std::vector<Product> out;
  while (q.step()) out.push_back(rows::product(q));
  return out;
}

std::vector<Product> SqliteTransaction::products_with_shop_id(const std::string& connection,
                                                              const std::string& shop_product_id) {
  auto q = db().query(std::string("SELECT ") + rows::kProductColumns +
                      " FROM products INDEXED BY products_shop_id WHERE connection = ?1 AND shop_product_id = ?2 "
                      "AND active = 1 ORDER BY updated_at, remote_id, remote_variation_id");
  q.bind(connection, shop_product_id);
  std::vector<Product> out;
  while (q.step()) out.push_back(rows::product(q));
  return out;
}

std::vector<Product> SqliteTransaction::products_with_sku(const std::string& connection, const std::string& sku) {
  // INDEXED BY: without statistics SQLite prefers the primary key (it
  // gives the ORDER BY for free) and walks every product of the connection,
  // once per level event: 10,000 SKUs made each one a 10,000-row scan.
  auto q = db().query(std::string("SELECT ") + rows::kProductColumns +
                      " FROM products INDEXED BY products_sku WHERE connection = ?1 AND sku = ?2 AND active = 1 "
                      "ORDER BY remote_id, remote_variation_id");
  q.bind(connection, sku);
  std::vector<Product> out;
  while (q.step()) out.push_back(rows::product(q));
  return out;
}

void SqliteTransaction::put_pool_member(const PoolMember& m) {
  db().query("INSERT OR REPLACE INTO pool_members (pool, connection, state, since, message) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(m.pool, m.connection, std::string_view(to_string(m.state)), m.since, m.message)
      .run();
}

// ---- outbox ----------------------------------------------------------------------

std::size_t SqliteTransaction::outbox_cancel(const std::string& target, const std::string& key_prefix,
                                             const std::string& why) {
  auto q = db().query(
      "UPDATE outbox SET state = 'done', last_error = ?3, updated_at = ?4 WHERE target = ?1 AND state = 'pending' "
      "AND substr(coalesce_key, 1, length(?2)) = ?2");
  q.bind(target, key_prefix, why, rows::wall_clock_ms());
  q.run();
  return static_cast<std::size_t>(db().changes());
}

std::int64_t SqliteTransaction::enqueue(const OutboxItem& item) {
  Db& db = this->db();
  const Millis now = rows::wall_clock_ms();
  if (!item.coalesce_key.empty()) {
    // Only a Pending item is replaced: an InFlight one may already be at the
    // target, so the new level must follow it as a command of its own. The
    // newest Pending one is taken because an operator requeue can leave two,
    // and the newest is sent last, so it must carry the newest payload. It
    // keeps its place in the queue, attempts and backoff.
    std::optional<std::int64_t> pending;
    {
      // Through outbox_live, which holds only live items (SQLite takes a
      // partial index only when the query repeats its condition).
      auto q = db.query(
          "SELECT id FROM outbox INDEXED BY outbox_live WHERE target = ?1 AND coalesce_key = ?2 "
          "AND state IN ('pending', 'in_flight') AND state = 'pending' ORDER BY id DESC LIMIT 1");
      q.bind(item.target, item.coalesce_key);
      if (q.step()) pending = q.integer(0);
    }
    if (pending) {
      db.query("UPDATE outbox SET payload = ?2, source_ref = ?3, updated_at = ?4 WHERE id = ?1")
          .bind(*pending, item.payload, item.source_ref, now)
          .run();
      return *pending;
    }
  }
  db.query(
        "INSERT INTO outbox (target, command, coalesce_key, payload, source_ref, state, attempts, "
        "next_attempt_at, created_at, updated_at, last_error, lane) "
        "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?7, ?8, '', ?9)")
      .bind(item.target, item.command, item.coalesce_key, item.payload, item.source_ref, item.next_attempt_at,
            item.created_at, now, item.lane)
      .run();
  return db.last_insert_rowid();
}

std::vector<OutboxItem> SqliteTransaction::claim_due(const std::string& target, Millis now, std::size_t limit) {
  Db& db = this->db();
  std::vector<OutboxItem> out;
  {
    // Pending items in id order (outbox_claim), a bounded look ahead; of
    // those, each lane's oldest first and the lanes in turn. With one lane
    // that is plain id order.
    auto q = db.query(std::string("SELECT ") + rows::kOutboxColumns + " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY lane "
                      "ORDER BY id) AS lane_rank FROM (SELECT * FROM outbox INDEXED BY outbox_claim WHERE " +
                      rows::kOutboxDueWhere + " ORDER BY id LIMIT ?4)) ORDER BY lane_rank, id LIMIT ?3");
    q.bind(target, now, rows::limit(limit), rows::limit(limit * kClaimLookAhead));
    while (q.step()) out.push_back(rows::outbox_item(q));
  }
  auto mark = db.query("UPDATE outbox SET state = 'in_flight', updated_at = ?2 WHERE id = ?1");
  const Millis changed_at = rows::wall_clock_ms();
  for (OutboxItem& item : out) {
    mark.bind(item.id, changed_at).run();
    mark.reset();
    item.state = OutboxState::InFlight;
  }
  return out;
}

std::optional<OutboxItem> SqliteTransaction::outbox_item(std::int64_t id) {
  auto q = db().query(std::string("SELECT ") + rows::kOutboxColumns + " FROM outbox WHERE id = ?1");
  q.bind(id);
  if (!q.step()) return std::nullopt;
  return rows::outbox_item(q);
}

void SqliteTransaction::require_changed(std::int64_t id) {
  if (db().changes() == 0) throw std::invalid_argument("store: no outbox item " + std::to_string(id));
}

void SqliteTransaction::outbox_done(std::int64_t id) {
  db().query("UPDATE outbox SET state = 'done', updated_at = ?2 WHERE id = ?1").bind(id, rows::wall_clock_ms()).run();
  require_changed(id);
}

void SqliteTransaction::outbox_retry(std::int64_t id, Millis next_attempt_at, const std::string& error) {
  db().query(
          "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3, "
          "updated_at = ?4 WHERE id = ?1")
      .bind(id, next_attempt_at, error, rows::wall_clock_ms())
      .run();
  require_changed(id);
}

void SqliteTransaction::outbox_failed(std::int64_t id, const std::string& error) {
  db().query(
          "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2, updated_at = ?3 "
          "WHERE id = ?1")
      .bind(id, error, rows::wall_clock_ms())
      .run();
  require_changed(id);
}

void SqliteTransaction::outbox_requeue(std::int64_t id, Millis now) {
  // Only a Failed item goes back: requeuing a Done one would send it twice.
  // last_error stays, so the operator still sees why it failed before.
  auto item = outbox_item(id);
  if (!item) throw std::invalid_argument("store: no outbox item " + std::to_string(id));
  if (item->state != OutboxState::Failed) return;
  db().query("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, updated_at = ?3 WHERE id = ?1")
      .bind(id, now, rows::wall_clock_ms())
      .run();
}

void SqliteTransaction::outbox_set_payload(std::int64_t id, const std::string& payload) {
  db().query("UPDATE outbox SET payload = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'failed'")
      .bind(id, payload, rows::wall_clock_ms())
      .run();
}

bool SqliteTransaction::outbox_busy(const std::string& target, const std::string& coalesce_key, bool in_flight_only) {
  if (coalesce_key.empty()) return false;  // unkeyed commands are never coalesced
  auto q = db().query(
      "SELECT 1 FROM outbox INDEXED BY outbox_live WHERE target = ?1 AND coalesce_key = ?2 "
      "AND state IN ('pending', 'in_flight') AND state IN ('in_flight', ?3) LIMIT 1");
  q.bind(target, coalesce_key, std::string_view(in_flight_only ? "in_flight" : "pending"));
  return q.step();
}

// ---- order status, log, journal ---------------------------------------------------

void SqliteTransaction::put_order_sync(const OrderSync& o) {
  db().query(std::string("INSERT OR REPLACE INTO order_sync (") + rows::kOrderSyncColumns +
             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
      .bind(o.source, o.order_id, o.target, std::string_view(to_string(o.status)), o.reason,
            std::int64_t{o.attempts}, o.remote_ref, o.outbox_id, o.updated_at, o.delivery_ref, o.cancel)
      .run();
}

std::optional<OrderSync> SqliteTransaction::order_sync(const std::string& source, const std::string& order_id,
                                                       const std::string& target) {
  auto q = db().query(std::string("SELECT ") + rows::kOrderSyncColumns +
                      " FROM order_sync WHERE source = ?1 AND order_id = ?2 AND target = ?3");
  q.bind(source, order_id, target);
  if (!q.step()) return std::nullopt;
  return rows::order_sync(q);
}

void SqliteTransaction::append_log(const LogEntry& e) {
  db().query(
          "INSERT INTO event_log (at, level, connection, sku, order_id, kind, old_qty, new_qty, cause, result, "
          "message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
      .bind(e.at, e.level, e.connection, e.sku, e.order_id, e.kind, rows::milli(e.old_quantity),
            rows::milli(e.new_quantity), e.cause, e.result, e.message)
      .run();
}

void SqliteTransaction::mark_processed(std::int64_t seq) {
  db().query("UPDATE journal SET processed = 1 WHERE seq = ?1").bind(seq).run();
}

}  // namespace stockrelay::store
