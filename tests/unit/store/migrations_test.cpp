#include "store/migrations.hpp"

#include "store/sqlite_db.hpp"
#include "store_test_util.hpp"

using namespace store_test;

namespace {

std::unique_ptr<Db> raw(const std::string& path) {
  auto db = Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(db.ok());
  return std::move(db).value();
}

bool has_table(Db& db, const std::string& name) {
  auto q = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  q.bind(name);
  return q.step();
}

// A store file written at schema `version` holding `rows` (SQL inserts),
// then opened, and so migrated, by this build.
std::unique_ptr<Store> migrated_from(const TempDir& dir, int version, const char* rows) {
  const std::string path = dir.file("store.db");
  {
    auto db = raw(path);
    REQUIRE(prepare_schema(*db, schema_migrations().first(static_cast<std::size_t>(version)), true).ok());
    db->exec(rows);
  }
  return open_store(path);
}

}  // namespace

TEST_CASE("the schema history is numbered 1, 2, 3, ... without gaps") {
  auto steps = schema_migrations();
  REQUIRE_FALSE(steps.empty());
  for (std::size_t i = 0; i < steps.size(); ++i) CHECK(steps[i].version == static_cast<int>(i + 1));
}

TEST_CASE("migrations are applied once") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  open_store(path)->ingest(std::vector<JournalEntry>{event("shop-a", "k1")});
  open_store(path);  // a restart must neither re-run a step nor lose data
  auto store = open_store(path);
  CHECK(store->journal_count() == 1);
  store.reset();

  auto db = raw(path);
  auto q = db->query("SELECT count(*), count(DISTINCT version), max(version) FROM schema_version");
  REQUIRE(q.step());
  const auto steps = static_cast<std::int64_t>(schema_migrations().size());
  CHECK(q.integer(0) == steps);
  CHECK(q.integer(1) == steps);
  CHECK(q.integer(2) == schema_migrations().back().version);
}

TEST_CASE("only the missing steps run, each in its own transaction") {
  TempDir dir;
  auto db = raw(dir.file("store.db"));
  const Migration v1[] = {{1, "CREATE TABLE a (x)"}};
  REQUIRE(prepare_schema(*db, v1, true).ok());
  CHECK(schema_version(*db) == 1);

  // Step 1 would fail if it ran again ("table a already exists"); step 3 fails
  // half-way and must leave nothing behind.
  const Migration v3[] = {{1, "CREATE TABLE a (x)"},
                          {2, "CREATE TABLE b (x)"},
                          {3, "CREATE TABLE c (x); THIS IS NOT SQL"}};
  Status s = prepare_schema(*db, v3, true);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error().message(), Catch::Contains("migration to schema version 3 failed"));
  CHECK(schema_version(*db) == 2);
  CHECK(has_table(*db, "b"));
  CHECK_FALSE(has_table(*db, "c"));
  CHECK_FALSE(db->in_transaction());
}

TEST_CASE("without apply an older store is reported, not migrated") {
  TempDir dir;
  auto db = raw(dir.file("store.db"));
  const Migration v2[] = {{1, "CREATE TABLE a (x)"}, {2, "CREATE TABLE b (x)"}};

  Status empty = prepare_schema(*db, v2, false);
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().message(), Catch::StartsWith("no store at"));

  REQUIRE(prepare_schema(*db, std::span(v2, 1), true).ok());
  Status older = prepare_schema(*db, v2, false);
  REQUIRE_FALSE(older.ok());
  CHECK_THAT(older.error().message(), Catch::Contains("schema version 1, older than this build's 2"));
  CHECK(schema_version(*db) == 1);
  CHECK_FALSE(has_table(*db, "b"));
}

TEST_CASE("a store of schema version 2 keeps its baselines when it is migrated to the current schema") {
  TempDir dir;
  auto store = migrated_from(dir, 2,
                             "INSERT INTO baselines (connection, sku, expected, last_written, last_observed, observed_version, "
                             "written_at, observed_at) VALUES ('shop-a', 'SKU-1', 7000, 8000, NULL, 'v1', 10, 20)");
  auto tx = store->begin();
  auto b = tx->baseline("shop-a", "SKU-1");
  REQUIRE(b);
  CHECK(b->expected == sr::Quantity::units(7));
  CHECK(b->last_written == std::optional<sr::Quantity>(sr::Quantity::units(8)));
  CHECK_FALSE(b->expected_alt.has_value());
  CHECK(b->written_version.empty());
  CHECK_FALSE(b->written_compared);
  CHECK(b->written_remote_at == 0);  // not known: no sale is taken for replaced
  b->written_remote_at = 12000;
  tx->put_baseline(*b);
  CHECK(tx->baseline("shop-a", "SKU-1")->written_remote_at == 12000);
}

TEST_CASE("a store of schema version 3 keeps its order line counts when it is migrated to the current schema") {
  TempDir dir;
  auto store = migrated_from(dir, 3,
                             "INSERT INTO order_lines (connection, order_id, line_id, sku, counted) "
                             "VALUES ('shop-a', '100', '1', 'SKU-1', 2000)");
  auto tx = store->begin();
  auto lines = tx->order_lines("shop-a", "100");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].counted == sr::Quantity::units(2));
  CHECK(lines[0].order_at == 0);  // unknown: no copy is taken for older than it
  CHECK(lines[0].read_at == 0);
  tx->mark_order_seen("shop-a", "100", 5000, 7100);
  lines = tx->order_lines("shop-a", "100");
  CHECK(lines[0].order_at == 5000);
  CHECK(lines[0].read_at == 7100);
  CHECK(lines[0].counted == sr::Quantity::units(2));
}

TEST_CASE("a store of schema version 4 keeps its waiting levels when it is migrated to the current schema") {
  TempDir dir;
  auto store = migrated_from(dir, 4,
                             "INSERT INTO deferred_levels (connection, sku, observed, version, observed_at, due_at, holds) "
                             "VALUES ('shop-a', 'SKU-1', 7000, 'v9', 100, 300, 1)");
  auto tx = store->begin();
  auto d = tx->deferred("shop-a", "SKU-1");
  REQUIRE(d);
  CHECK(d->observed == sr::Quantity::units(7));
  CHECK(d->holds);
  CHECK(d->read_at == 0);  // not known: never taken for stale
  d->read_at = 250;
  tx->put_deferred(*d);
  CHECK(tx->deferred("shop-a", "SKU-1")->read_at == 250);
}

TEST_CASE("a store of schema version 6 keeps its waiting levels and baselines when it is migrated to the current schema") {
  TempDir dir;
  auto store = migrated_from(dir, 6,
                             "INSERT INTO deferred_levels (connection, sku, observed, version, observed_at, due_at, holds, "
                             "read_at) VALUES ('shop-a', 'SKU-1', 7000, 'v9', 100, 300, 1, 90);"
                             "INSERT INTO baselines (connection, sku, expected, last_written, last_observed, observed_version, "
                             "written_at, observed_at) VALUES ('shop-a', 'SKU-1', 7000, 8000, NULL, 'v1', 10, 20)");
  auto tx = store->begin();
  auto d = tx->deferred("shop-a", "SKU-1");
  REQUIRE(d);
  CHECK(d->read_at == 90);
  CHECK(d->at == 0);  // not known: never taken for older than a sale
  CHECK_FALSE(d->stale);
  d->at = 5000;
  d->stale = true;
  tx->put_deferred(*d);
  CHECK(tx->deferred("shop-a", "SKU-1")->at == 5000);
  CHECK(tx->deferred("shop-a", "SKU-1")->stale);
  auto b = tx->baseline("shop-a", "SKU-1");
  REQUIRE(b);
  CHECK(b->expected == sr::Quantity::units(7));
  CHECK(b->rereads == 0);
  CHECK_FALSE(b->alt_seen);
  b->rereads = 2;
  b->alt_seen = true;
  tx->put_baseline(*b);
  CHECK(tx->baseline("shop-a", "SKU-1")->rereads == 2);
  CHECK(tx->baseline("shop-a", "SKU-1")->alt_seen);
}

TEST_CASE("a store of schema version 7 keeps its outbox working through the live-item indexes of version 8") {
  TempDir dir;
  auto store = migrated_from(
      dir, 7,
      "INSERT INTO outbox (target, command, coalesce_key, payload, source_ref, state, attempts, next_attempt_at, "
      "created_at, updated_at, last_error) VALUES "
      "('shop-b', 'set_stock', 'set_stock:A', '{\"q\":1}', 'x', 'done', 1, 0, 0, 0, ''),"
      "('shop-b', 'set_stock', 'set_stock:A', '{\"q\":2}', 'x', 'pending', 0, 0, 0, 0, ''),"
      "('shop-b', 'set_stock', 'set_stock:B', '{\"q\":3}', 'x', 'in_flight', 0, 0, 0, 0, ''),"
      "('shop-b', 'add_note', '', '{\"n\":1}', 'x', 'pending', 0, 500, 0, 0, ''),"
      "('shop-b', 'set_stock', 'set_stock:C', '{\"q\":4}', 'x', 'pending', 0, 0, 0, 0, '')");
  CHECK(store->outbox_depth("shop-b") == 4);
  CHECK(store->outbox_due("shop-b", 100, 10) == 2);  // the note is due at 500
  auto tx = store->begin();
  CHECK(tx->outbox_busy("shop-b", "set_stock:B", true));   // in flight
  CHECK_FALSE(tx->outbox_busy("shop-b", "set_stock:A", true));  // only pending (and done)
  CHECK(tx->outbox_busy("shop-b", "set_stock:A", false));
  // The pending item of A takes the new level; the done one stays as it was.
  CHECK(tx->enqueue(command("shop-b", "set_stock:A", "{\"q\":9}")) == 2);
  CHECK(tx->outbox_item(2)->payload == "{\"q\":9}");
  CHECK(tx->outbox_item(1)->payload == "{\"q\":1}");
  auto claimed = tx->claim_due("shop-b", 1000, 10);
  REQUIRE(claimed.size() == 3);
  CHECK(claimed[0].id == 2);  // oldest first
  CHECK(claimed[1].id == 4);
  CHECK(claimed[2].id == 5);
  CHECK(tx->outbox_busy("shop-b", "set_stock:C", true));  // claimed: in flight now
  CHECK_FALSE(tx->outbox_busy("shop-b", "set_stock:D", false));
}
