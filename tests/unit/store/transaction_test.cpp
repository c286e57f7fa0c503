#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "store_test_util.hpp"

using namespace store_test;

namespace {

PoolLevel level(const char* sku, const char* quantity) { return PoolLevel{"pool", sku, qty(quantity), "shop-a", 77}; }

Baseline full_baseline() {
  Baseline b;
  b.connection = "shop-a";
  b.sku = "SKU-1";
  b.expected = qty("7.5");
  b.last_written = qty("8");
  b.last_observed = qty("-0.125");
  b.observed_version = "v42";
  b.written_at = 100;
  b.observed_at = 200;
  b.expected_alt = qty("5.5");
  b.written_version = "v41";
  b.written_compared = true;
  return b;
}

void write_everything(Transaction& tx) {
  tx.put_pool_level(level("SKU-1", "12.345"));
  tx.put_baseline(full_baseline());
  tx.put_order_line({"shop-a", "o1", "line-2", "SKU-1", qty("2")});
  tx.put_order_line({"shop-a", "o1", "line-1", "SKU-2", qty("0.5")});
  tx.put_deferred({"shop-a", "SKU-1", qty("3"), "v7", 300, 400});
  tx.put_link({"shop-a", "SKU-1", "p-1", "var-1", true, 500});
  tx.put_order_sync({"shop-a", "o1", "erp", SyncStatus::Pending, "", 0, "", 0, 600, "", ""});
  tx.enqueue(command("shop-b", "stock:SKU-1", "{\"q\":12}"));
  tx.append_log(LogEntry{0, 700, "info", "shop-a", "SKU-1", "o1", "order", qty("14"), qty("12"), "order o1", "ok", ""});
}

}  // namespace

TEST_CASE("writes of an uncommitted transaction vanish") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  {
    auto store = open_store(path);
    store->ingest(std::vector<JournalEntry>{event("shop-a", "k1")});
    const std::int64_t seq = store->unprocessed(1).at(0).seq;
    {
      auto tx = store->begin();
      write_everything(*tx);
      tx->mark_processed(seq);
      CHECK(tx->pool_level("pool", "SKU-1").has_value());  // visible inside the transaction
    }  // destroyed without commit()

    auto tx = store->begin();
    CHECK_FALSE(tx->pool_level("pool", "SKU-1").has_value());
    CHECK_FALSE(tx->baseline("shop-a", "SKU-1").has_value());
    CHECK(tx->order_lines("shop-a", "o1").empty());
    CHECK_FALSE(tx->deferred("shop-a", "SKU-1").has_value());
    CHECK_FALSE(tx->link("shop-a", "SKU-1").has_value());
    CHECK_FALSE(tx->order_sync("shop-a", "o1", "erp").has_value());
    CHECK_FALSE(tx->outbox_busy("shop-b", "stock:SKU-1"));
    CHECK(store->unprocessed(10).size() == 1);
  }
  auto store = open_store(path);
  CHECK(store->outbox(std::nullopt, true, 10).empty());
  CHECK(store->log(LogQuery{}).empty());
  CHECK(store->unprocessed(10).size() == 1);
}

TEST_CASE("committed writes survive reopening the store, quantities exact") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  {
    auto store = open_store(path);
    auto tx = store->begin();
    write_everything(*tx);
    tx->commit();
  }
  auto store = open_store(path);
  auto tx = store->begin();

  auto pool = tx->pool_level("pool", "SKU-1");
  REQUIRE(pool);
  CHECK(pool->quantity == qty("12.345"));
  CHECK(pool->origin == "shop-a");
  CHECK(pool->updated_at == 77);

  auto b = tx->baseline("shop-a", "SKU-1");
  REQUIRE(b);
  CHECK(b->expected == qty("7.5"));
  CHECK(b->last_written == std::optional<sr::Quantity>(qty("8")));
  CHECK(b->last_observed == std::optional<sr::Quantity>(qty("-0.125")));
  CHECK(b->observed_version == "v42");
  CHECK(b->written_at == 100);
  CHECK(b->observed_at == 200);
  CHECK(b->expected_alt == std::optional<sr::Quantity>(qty("5.5")));
  CHECK(b->written_version == "v41");
  CHECK(b->written_compared);
  // The reader's view of the same row.
  auto all = store->baselines("shop-a");
  REQUIRE(all.size() == 1);
  CHECK(all[0].expected_alt == std::optional<sr::Quantity>(qty("5.5")));
  CHECK(all[0].observed_at == 200);
  CHECK(all[0].written_version == "v41");
  CHECK(all[0].written_compared);

  auto lines = tx->order_lines("shop-a", "o1");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].line_id == "line-1");
  CHECK(lines[0].sku == "SKU-2");
  CHECK(lines[0].counted == qty("0.5"));
  CHECK(lines[1].line_id == "line-2");
  CHECK(lines[1].counted == qty("2"));

  CHECK(tx->deferred("shop-a", "SKU-1").has_value());
  CHECK(tx->link("shop-a", "SKU-1").has_value());
  CHECK(tx->order_sync("shop-a", "o1", "erp").has_value());
  CHECK(tx->outbox_busy("shop-b", "stock:SKU-1"));
  CHECK(store->log(LogQuery{}).size() == 1);
}

TEST_CASE("a baseline without writes or observations keeps them absent") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  Baseline b = full_baseline();
  b.last_written.reset();
  b.last_observed.reset();
  b.expected_alt.reset();
  tx->put_baseline(b);
  auto back = tx->baseline("shop-a", "SKU-1");
  REQUIRE(back);
  CHECK_FALSE(back->last_written.has_value());
  CHECK_FALSE(back->last_observed.has_value());
  CHECK_FALSE(back->expected_alt.has_value());
}

TEST_CASE("putting a row again replaces it") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  tx->put_pool_level(level("SKU-1", "5"));
  tx->put_pool_level(level("SKU-1", "4"));
  CHECK(tx->pool_level("pool", "SKU-1")->quantity == qty("4"));

  tx->put_order_line({"shop-a", "o1", "1", "SKU-1", qty("2")});
  tx->put_order_line({"shop-a", "o1", "1", "SKU-1", qty("0")});  // cancelled: no longer counted
  auto lines = tx->order_lines("shop-a", "o1");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].counted == qty("0"));
}

TEST_CASE("deferred levels are due in due-time order and can be dropped") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  tx->put_deferred({"shop-a", "SKU-1", qty("3"), "v1", 10, 300});
  tx->put_deferred({"shop-b", "SKU-1", qty("4"), "v1", 10, 100});
  tx->put_deferred({"shop-a", "SKU-2", qty("5"), "v1", 10, 900});
  // One per connection + SKU: a newer observation replaces the older.
  tx->put_deferred({"shop-a", "SKU-1", qty("2"), "v2", 20, 200});

  auto due = tx->due_deferred(300, 10);
  REQUIRE(due.size() == 2);
  CHECK(due[0].connection == "shop-b");
  CHECK(due[1].connection == "shop-a");
  CHECK(due[1].observed == qty("2"));
  CHECK(due[1].version == "v2");
  CHECK(due[1].observed_at == 20);
  CHECK(due[1].due_at == 200);
  CHECK(tx->due_deferred(300, 1).size() == 1);

  tx->delete_deferred("shop-a", "SKU-1");
  CHECK_FALSE(tx->deferred("shop-a", "SKU-1").has_value());
  CHECK(tx->deferred("shop-a", "SKU-2").has_value());
  CHECK(tx->due_deferred(300, 10).size() == 1);
}

TEST_CASE("the read side does not see a transaction's writes before commit") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  tx->put_link({"shop-a", "SKU-1", "p-1", "", true, 1});
  CHECK(store->links(std::nullopt).empty());
  tx->commit();
  CHECK(store->links(std::nullopt).size() == 1);
}

TEST_CASE("a second transaction waits until the first one ends") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto first = store->begin();
  first->put_pool_level(level("SKU-1", "1"));

  std::atomic<bool> begun{false};
  std::optional<sr::Quantity> seen;
  std::thread other([&] {
    auto second = store->begin();
    begun = true;
    auto p = second->pool_level("pool", "SKU-1");
    if (p) seen = p->quantity;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(begun.load());
  first->commit();
  other.join();
  CHECK(begun.load());
  CHECK(seen == std::optional<sr::Quantity>(qty("1")));  // it saw the committed write
}

TEST_CASE("a thread holding a transaction cannot call the store's writes") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  std::vector<JournalEntry> batch{event("shop-a", "k1")};
  {
    auto tx = store->begin();
    CHECK_THROWS_AS(store->ingest(batch), std::logic_error);
    CHECK_THROWS_AS(store->begin(), std::logic_error);
    CHECK_THROWS_AS(store->state_put("shop-a", "k", "v", std::nullopt), std::logic_error);
    CHECK_THROWS_AS(store->recover_in_flight(), std::logic_error);
    CHECK(store->journal_count() == 0);  // reads are fine
    tx->commit();
    // Committed: the store is free again although `tx` still exists.
    CHECK(store->ingest(batch).inserted == 1);
  }
  CHECK(store->ingest(batch).duplicates == 1);
}

TEST_CASE("a committed transaction cannot be used again") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  tx->commit();
  CHECK_THROWS_AS(tx->put_pool_level(level("SKU-1", "1")), std::logic_error);
  CHECK_THROWS_AS(tx->commit(), std::logic_error);
}
