#include "store/migrations.hpp"

#include <string>

#include "store/rows.hpp"
#include "store/store.hpp"

namespace stockrelay::store {

namespace {

// Quantities are INTEGER milli-units (sr::Quantity::milli), times are Unix
// milliseconds. Ids that leave the store (journal seq, outbox id used as the
// command id, event_log id used as the --follow cursor) are AUTOINCREMENT so
// they are never reused, even after old rows are pruned. Tables keyed by
// names are WITHOUT ROWID: the primary key is the only lookup they need.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE journal (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  connection  TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  processed   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (connection, key)
);
CREATE INDEX journal_processed ON journal (processed, seq);

CREATE TABLE pool_levels (
  pool       TEXT    NOT NULL,
  sku        TEXT    NOT NULL,
  quantity   INTEGER NOT NULL,
  origin     TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (pool, sku)
) WITHOUT ROWID;

CREATE TABLE baselines (
  connection       TEXT    NOT NULL,
  sku              TEXT    NOT NULL,
  expected         INTEGER NOT NULL,
  last_written     INTEGER,
  last_observed    INTEGER,
  observed_version TEXT    NOT NULL,
  written_at       INTEGER NOT NULL,
  observed_at      INTEGER NOT NULL,
  PRIMARY KEY (connection, sku)
) WITHOUT ROWID;

CREATE TABLE order_lines (
  connection TEXT    NOT NULL,
  order_id   TEXT    NOT NULL,
  line_id    TEXT    NOT NULL,
  sku        TEXT    NOT NULL,
  counted    INTEGER NOT NULL,
  PRIMARY KEY (connection, order_id, line_id)
) WITHOUT ROWID;

CREATE TABLE deferred_levels (
  connection  TEXT    NOT NULL,
  sku         TEXT    NOT NULL,
  observed    INTEGER NOT NULL,
  version     TEXT    NOT NULL,
  observed_at INTEGER NOT NULL,
  due_at      INTEGER NOT NULL,
  PRIMARY KEY (connection, sku)
) WITHOUT ROWID;
CREATE INDEX deferred_levels_due ON deferred_levels (due_at);

CREATE TABLE links (
  connection          TEXT    NOT NULL,
  sku                 TEXT    NOT NULL,
  remote_id           TEXT    NOT NULL,
  remote_variation_id TEXT    NOT NULL,
  active              INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (connection, sku)
) WITHOUT ROWID;

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  target          TEXT    NOT NULL,
  command         TEXT    NOT NULL,
  coalesce_key    TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  source_ref      TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
  attempts        INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_error      TEXT    NOT NULL
);
CREATE INDEX outbox_due ON outbox (target, state, next_attempt_at);
-- enqueue() looks up the Pending item to coalesce with on every command; a
-- large backlog for one target must not make that a scan.
CREATE INDEX outbox_coalesce ON outbox (target, coalesce_key) WHERE coalesce_key <> '';

CREATE TABLE order_sync (
  source     TEXT    NOT NULL,
  order_id   TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('pending', 'synced', 'failed')),
  reason     TEXT    NOT NULL,
  attempts   INTEGER NOT NULL,
  remote_ref TEXT    NOT NULL,
  outbox_id  INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (source, order_id, target)
) WITHOUT ROWID;
CREATE INDEX order_sync_status ON order_sync (status, updated_at);
CREATE INDEX order_sync_source ON order_sync (source, updated_at);

CREATE TABLE state (
  connection TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (connection, key)
) WITHOUT ROWID;

CREATE TABLE event_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  level      TEXT    NOT NULL,
  connection TEXT    NOT NULL,
  sku        TEXT    NOT NULL,
  order_id   TEXT    NOT NULL,
  kind       TEXT    NOT NULL,
  old_qty    INTEGER,
  new_qty    INTEGER,
  cause      TEXT    NOT NULL,
  result     TEXT    NOT NULL,
  message    TEXT    NOT NULL
);
CREATE INDEX event_log_connection ON event_log (connection, id);
CREATE INDEX event_log_sku ON event_log (sku, id);
CREATE INDEX event_log_order ON event_log (order_id, id);
)sql";

// Version 2: the products each connection has (SKU audit, duplicate
// exclusion, join) and pool membership changed by operators.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE products (
  connection          TEXT    NOT NULL,
  remote_id           TEXT    NOT NULL,
  remote_variation_id TEXT    NOT NULL,
  sku                 TEXT    NOT NULL,
  name                TEXT    NOT NULL,
  managed             INTEGER NOT NULL,
  active              INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (connection, remote_id, remote_variation_id)
) WITHOUT ROWID;
CREATE INDEX products_sku ON products (connection, sku);

CREATE TABLE pool_members (
  pool       TEXT    NOT NULL,
  connection TEXT    NOT NULL,
  state      TEXT    NOT NULL CHECK (state IN ('joining', 'active', 'left')),
  since      INTEGER NOT NULL,
  message    TEXT    NOT NULL,
  PRIMARY KEY (pool, connection)
) WITHOUT ROWID;

CREATE INDEX outbox_target_created ON outbox (target, created_at);
)sql";

// Version 3: the second level a member may show after a write of ours that
// could not compare atomically (Baseline::expected_alt), the remote version
// that write gave it and whether it was compared atomically, and whether a
// deferred level holds our writes there.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE baselines ADD COLUMN expected_alt INTEGER;
ALTER TABLE baselines ADD COLUMN written_version TEXT NOT NULL DEFAULT '';
ALTER TABLE baselines ADD COLUMN written_compared INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deferred_levels ADD COLUMN holds INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 4: which copy of an order its line counts are from (its
// modification time and when it was read), so an older copy arriving late
// is not counted again.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE order_lines ADD COLUMN order_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 5: when a deferred level was read, so one read before a write of
// ours was acknowledged is known as stale when it is judged later.
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE deferred_levels ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 6: when our last write's state was made on the member's own clock
// (CommandResult::at), to tell a sale counted later that landed before it.
constexpr const char* kSchemaV6 = R"sql(
ALTER TABLE baselines ADD COLUMN written_remote_at INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 7: a waiting level's own time on the member's clock and whether a
// sale counted while it waited may be newer than it (it is read again
// rather than judged), how many times in a row that happened, and whether
// a reading showed the second level before it could be taken as proof.
constexpr const char* kSchemaV7 = R"sql(
ALTER TABLE deferred_levels ADD COLUMN at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deferred_levels ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
ALTER TABLE baselines ADD COLUMN rereads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE baselines ADD COLUMN alt_seen INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 8: outbox indexes over live items only. Done items stay in the
// outbox, so indexes over every item grew with its history: looking up the
// pending item to coalesce with, or whether a write is on its way, walked
// every command ever sent for that SKU. And claims took due items oldest
// first by sorting every due item of the target (thousands in a burst) to
// hand out one batch; an index of pending items in id order hands them out
// in order and stops at the batch's size.
constexpr const char* kSchemaV8 = R"sql(
DROP INDEX outbox_due;
DROP INDEX outbox_coalesce;
CREATE INDEX outbox_due ON outbox (target, next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_claim ON outbox (target, id) WHERE state = 'pending';
CREATE INDEX outbox_live ON outbox (target, coalesce_key) WHERE state IN ('pending', 'in_flight');
)sql";

// Version 9: an order's life in its target after the create: the delivery
// made there (its id) and the cancel of the source order passed on to it
// ('' none, 'wanted' waiting for the create, 'pending', 'done', 'failed',
// 'not_needed' when nothing was created there).
constexpr const char* kSchemaV9 = R"sql(
ALTER TABLE order_sync ADD COLUMN delivery_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE order_sync ADD COLUMN cancel TEXT NOT NULL DEFAULT '';
)sql";

// Version 10: product integrations a pool's master acknowledged (link
// state, where and why), and what a shop product is called towards back
// offices (its shop product id, EAN and status).
constexpr const char* kSchemaV10 = R"sql(
ALTER TABLE links ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN via_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN shop_product_id TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN ean TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN status TEXT NOT NULL DEFAULT '';
CREATE INDEX products_shop_id ON products (connection, shop_product_id);
)sql";

// Version 11: outbox lanes (commands of one lane keep their order; a claim
// takes the lanes in turn).
constexpr const char* kSchemaV11 = R"sql(
ALTER TABLE outbox ADD COLUMN lane TEXT NOT NULL DEFAULT '';
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
    {5, kSchemaV5},
    {6, kSchemaV6},
    {7, kSchemaV7},
    {8, kSchemaV8},
    {9, kSchemaV9},
    {10, kSchemaV10},
    {11, kSchemaV11},
};

bool has_table(Db& db, const char* name) {
  auto q = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  q.bind(std::string_view(name));
  return q.step();
}

bool is_empty(Db& db) {
  auto q = db.query("SELECT 1 FROM sqlite_master LIMIT 1");
  return !q.step();
}

Status apply_step(Db& db, const Migration& step) {
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    db.exec(step.sql);
    db.query("INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)")
        .bind(std::int64_t{step.version}, rows::wall_clock_ms())
        .run();
    db.exec("COMMIT");
    return Ok{};
  } catch (const StoreError& e) {
    db.rollback();
    return Error{"store " + db.path(), "migration to schema version " + std::to_string(step.version) +
                                           " failed: " + e.what(), ""};
  }
}

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

int schema_version(Db& db) {
  if (!has_table(db, "schema_version")) return 0;
  auto q = db.query("SELECT coalesce(max(version), 0) FROM schema_version");
  q.step();
  return static_cast<int>(q.integer(0));
}

Status prepare_schema(Db& db, std::span<const Migration> steps, bool apply) {
  const std::string where = "store " + db.path();
  const int have = schema_version(db);
  const int want = steps.empty() ? 0 : steps.back().version;
  if (have == 0 && !is_empty(db)) {
    return Error{where, "is an SQLite database but not a stockrelay store", "point store.path at another file"};
  }
  if (have > want) {
    return Error{where,
                 "was written by a newer stockrelay (schema version " + std::to_string(have) +
                     "; this build knows versions up to " + std::to_string(want) + ")",
                 "upgrade stockrelay, or point store.path at another file"};
  }
  if (have == want) return Ok{};
  if (!apply) {
    if (have == 0) return Error{"", "no store at " + db.path(), "has `stockrelay run` been started with this config?"};
    return Error{where,
                 "has schema version " + std::to_string(have) + ", older than this build's " + std::to_string(want),
                 "start `stockrelay run` once to upgrade it"};
  }
  for (const Migration& step : steps) {
    if (step.version <= have) continue;
    if (Status s = apply_step(db, step); !s) return s;
  }
  return Ok{};
}

}  // namespace stockrelay::store
