#include <stdexcept>

#include "store_test_util.hpp"

using namespace store_test;

TEST_CASE("a newer pending level for the same SKU and target replaces the older one") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  const std::int64_t first = tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":5}"));
  OutboxItem newer = command("shop-b", "stock:SKU-1", "{\"q\":3}");
  newer.source_ref = "shop-a order 2";
  CHECK(tx->enqueue(newer) == first);

  // Another target, another key, or no key at all: separate commands.
  const std::int64_t other_target = tx->enqueue(command("shop-c", "stock:SKU-1", "{\"q\":3}"));
  const std::int64_t other_key = tx->enqueue(command("shop-b", "stock:SKU-2", "{\"q\":1}"));
  const std::int64_t no_key_1 = tx->enqueue(command("shop-b", "", "{\"note\":1}"));
  const std::int64_t no_key_2 = tx->enqueue(command("shop-b", "", "{\"note\":2}"));
  CHECK(other_target != first);
  CHECK(other_key != first);
  CHECK(no_key_1 != no_key_2);
  tx->commit();

  auto items = store->outbox(std::string("shop-b"), false, 10);
  REQUIRE(items.size() == 4);
  CHECK(items[0].id == first);
  CHECK(items[0].payload == "{\"q\":3}");
  CHECK(items[0].source_ref == "shop-a order 2");
  CHECK(items[0].state == OutboxState::Pending);
  CHECK(store->outbox_depth("shop-b") == 4);
  CHECK(store->outbox_depth("shop-c") == 1);
}

TEST_CASE("an in-flight command is not replaced by coalescing") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  const std::int64_t sent = tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":5}"));
  REQUIRE(tx->claim_due("shop-b", 0, 10).size() == 1);

  const std::int64_t next = tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":4}"));
  CHECK(next != sent);
  CHECK(tx->outbox_item(sent)->payload == "{\"q\":5}");
  CHECK(tx->outbox_item(sent)->state == OutboxState::InFlight);
  CHECK(tx->outbox_item(next)->state == OutboxState::Pending);

  // Further levels coalesce into the new Pending command, not the InFlight one.
  CHECK(tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":2}")) == next);
  CHECK(tx->outbox_item(next)->payload == "{\"q\":2}");
  CHECK(tx->outbox_item(sent)->payload == "{\"q\":5}");
}

TEST_CASE("claiming takes due pending commands oldest first and marks them in flight") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  const std::int64_t a = tx->enqueue(command("shop-b", "", "a", 0));
  const std::int64_t later = tx->enqueue(command("shop-b", "", "later", 100));
  const std::int64_t c = tx->enqueue(command("shop-b", "", "c", 50));
  tx->enqueue(command("shop-c", "", "elsewhere", 0));
  const std::int64_t d = tx->enqueue(command("shop-b", "", "d", 0));

  auto first = tx->claim_due("shop-b", 50, 2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].id == a);
  CHECK(first[1].id == c);
  CHECK(first[0].state == OutboxState::InFlight);
  CHECK(tx->outbox_item(a)->state == OutboxState::InFlight);

  auto second = tx->claim_due("shop-b", 50, 10);
  REQUIRE(second.size() == 1);
  CHECK(second[0].id == d);
  CHECK(tx->claim_due("shop-b", 99, 10).empty());

  auto due_later = tx->claim_due("shop-b", 100, 10);
  REQUIRE(due_later.size() == 1);
  CHECK(due_later[0].id == later);
  CHECK(due_later[0].payload == "later");
  CHECK(due_later[0].created_at == 10);
  CHECK(store->outbox_depth("shop-b") == 0);  // claims are not committed yet: the reader sees none of it
}

TEST_CASE("outbox retries and failures count attempts, and an operator requeue starts over") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  const std::int64_t id = tx->enqueue(command("erp", "", "{}"));
  REQUIRE(tx->claim_due("erp", 0, 1).size() == 1);

  tx->outbox_retry(id, 500, "timeout");
  auto item = tx->outbox_item(id);
  CHECK(item->state == OutboxState::Pending);
  CHECK(item->attempts == 1);
  CHECK(item->next_attempt_at == 500);
  CHECK(item->last_error == "timeout");
  CHECK(tx->claim_due("erp", 499, 10).empty());
  REQUIRE(tx->claim_due("erp", 500, 10).size() == 1);

  tx->outbox_failed(id, "400 unknown SKU");
  item = tx->outbox_item(id);
  CHECK(item->state == OutboxState::Failed);
  CHECK(item->attempts == 2);
  CHECK(item->last_error == "400 unknown SKU");
  CHECK(tx->claim_due("erp", 10'000, 10).empty());
  CHECK_FALSE(tx->outbox_busy("erp", ""));

  tx->outbox_set_payload(id, R"({"fixed":true})");  // an order retried with its SKUs fixed
  CHECK(tx->outbox_item(id)->payload == R"({"fixed":true})");
  tx->outbox_requeue(id, 900);
  item = tx->outbox_item(id);
  CHECK(item->state == OutboxState::Pending);
  CHECK(item->attempts == 0);
  CHECK(item->next_attempt_at == 900);
  CHECK(item->last_error == "400 unknown SKU");

  REQUIRE(tx->claim_due("erp", 900, 10).size() == 1);
  tx->outbox_done(id);
  CHECK(tx->outbox_item(id)->state == OutboxState::Done);
  tx->outbox_requeue(id, 1000);  // a Done command is never sent again
  CHECK(tx->outbox_item(id)->state == OutboxState::Done);
  tx->outbox_set_payload(id, "{}");  // nor rewritten
  CHECK(tx->outbox_item(id)->payload == R"({"fixed":true})");
  tx->commit();

  CHECK(store->outbox(std::nullopt, false, 10).empty());
  CHECK(store->outbox(std::nullopt, true, 10).size() == 1);
  CHECK(store->outbox_depth("erp") == 0);
}

TEST_CASE("outbox updates of an unknown command are refused") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  CHECK_FALSE(tx->outbox_item(42).has_value());
  CHECK_THROWS_AS(tx->outbox_done(42), std::invalid_argument);
  CHECK_THROWS_AS(tx->outbox_retry(42, 0, "x"), std::invalid_argument);
  CHECK_THROWS_AS(tx->outbox_failed(42, "x"), std::invalid_argument);
  CHECK_THROWS_AS(tx->outbox_requeue(42, 0), std::invalid_argument);
}

TEST_CASE("a coalesce key is busy while its command is pending or in flight") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  CHECK_FALSE(tx->outbox_busy("shop-b", "stock:SKU-1"));
  const std::int64_t id = tx->enqueue(command("shop-b", "stock:SKU-1", "{}"));
  CHECK(tx->outbox_busy("shop-b", "stock:SKU-1"));
  CHECK_FALSE(tx->outbox_busy("shop-c", "stock:SKU-1"));
  tx->claim_due("shop-b", 0, 10);
  CHECK(tx->outbox_busy("shop-b", "stock:SKU-1"));
  tx->outbox_done(id);
  CHECK_FALSE(tx->outbox_busy("shop-b", "stock:SKU-1"));
}

TEST_CASE("a set_stock waits while an unexplained level of its SKU holds writes to that target") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  const std::int64_t held = tx->enqueue(command("shop-b", "set_stock:SKU-1", "{}"));
  const std::int64_t other = tx->enqueue(command("shop-b", "set_stock:SKU-2", "{}"));
  const std::int64_t elsewhere = tx->enqueue(command("shop-c", "set_stock:SKU-1", "{}"));
  DeferredLevel d{"shop-b", "SKU-1", qty("3"), "v1", 10, 20};
  d.holds = true;
  tx->put_deferred(d);
  REQUIRE(tx->deferred("shop-b", "SKU-1")->holds);

  auto first = tx->claim_due("shop-b", 50, 10);
  REQUIRE(first.size() == 1);
  CHECK(first[0].id == other);  // another SKU goes
  CHECK(tx->claim_due("shop-c", 50, 10).front().id == elsewhere);  // and so does another target
  // Held, it is pending but not on its way.
  CHECK(tx->outbox_busy("shop-b", "set_stock:SKU-1"));
  CHECK_FALSE(tx->outbox_busy("shop-b", "set_stock:SKU-1", true));

  // A level seen while a write is on its way does not hold.
  d.holds = false;
  tx->put_deferred(d);
  auto now = tx->claim_due("shop-b", 50, 10);
  REQUIRE(now.size() == 1);
  CHECK(now[0].id == held);
  CHECK(tx->outbox_busy("shop-b", "set_stock:SKU-1", true));
}

TEST_CASE("in-flight commands return to pending after a crash") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  std::int64_t a = 0;
  std::int64_t b = 0;
  {
    auto store = open_store(path);
    auto tx = store->begin();
    a = tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":1}"));
    b = tx->enqueue(command("shop-b", "stock:SKU-2", "{\"q\":2}"));
    tx->enqueue(command("shop-c", "", "{}", 1'000'000));  // stays pending throughout
    REQUIRE(tx->claim_due("shop-b", 0, 10).size() == 2);
    tx->commit();
  }  // the hub dies with both commands in flight

  auto store = open_store(path);
  auto before = store->outbox(std::string("shop-b"), false, 10);
  REQUIRE(before.size() == 2);
  CHECK(before[0].state == OutboxState::InFlight);

  CHECK(store->recover_in_flight() == 2);
  CHECK(store->recover_in_flight() == 0);
  auto tx = store->begin();
  auto again = tx->claim_due("shop-b", 0, 10);
  REQUIRE(again.size() == 2);
  CHECK(again[0].id == a);
  CHECK(again[1].id == b);
  CHECK(again[0].attempts == 0);
}

TEST_CASE("the outbox listing shows the newest items oldest first") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(tx->enqueue(command(i % 2 ? "shop-c" : "shop-b", "", std::to_string(i))));
  tx->commit();

  auto newest = store->outbox(std::nullopt, false, 3);
  REQUIRE(newest.size() == 3);
  CHECK(newest[0].id == ids[2]);
  CHECK(newest[2].id == ids[4]);
  auto shop_c = store->outbox(std::string("shop-c"), false, 10);
  REQUIRE(shop_c.size() == 2);
  CHECK(shop_c[0].payload == "1");
  CHECK(shop_c[1].payload == "3");
}

TEST_CASE("after a requeue beside a newer pending command, coalescing updates the newest") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  const std::int64_t old_id = tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":9}"));
  tx->claim_due("shop-b", 0, 10);
  tx->outbox_failed(old_id, "500");
  const std::int64_t new_id = tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":8}"));
  tx->outbox_requeue(old_id, 0);  // now two Pending commands share the key

  // The newest is sent last, so it must carry the newest level.
  CHECK(tx->enqueue(command("shop-b", "stock:SKU-1", "{\"q\":7}")) == new_id);
  CHECK(tx->outbox_item(new_id)->payload == "{\"q\":7}");
  CHECK(tx->outbox_item(old_id)->payload == "{\"q\":9}");
}

TEST_CASE("claiming takes the lanes in turn, each lane's commands in the order they were made") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  std::vector<std::int64_t> a, b;
  for (int i = 0; i < 5; ++i) {
    auto c = command("warehouse", "", "{\"a\":" + std::to_string(i) + "}", 100);
    c.lane = "shop:shop-a";
    a.push_back(tx->enqueue(c));
  }
  for (int i = 0; i < 3; ++i) {
    auto c = command("warehouse", "", "{\"b\":" + std::to_string(i) + "}", 100);
    c.lane = "shop:shop-b";
    b.push_back(tx->enqueue(c));
  }
  auto first = tx->claim_due("warehouse", 1000, 4);
  REQUIRE(first.size() == 4);
  CHECK(first[0].id == a[0]);
  CHECK(first[1].id == b[0]);
  CHECK(first[2].id == a[1]);
  CHECK(first[3].id == b[1]);
  CHECK(first[1].lane == "shop:shop-b");
  auto rest = tx->claim_due("warehouse", 1000, 10);
  REQUIRE(rest.size() == 4);
  CHECK(rest[0].id == a[2]);
  CHECK(rest[1].id == b[2]);
  CHECK(rest[2].id == a[3]);
  CHECK(rest[3].id == a[4]);

  // One lane (every stock write): plain oldest first.
  std::vector<std::int64_t> s;
  for (int i = 0; i < 4; ++i) s.push_back(tx->enqueue(command("shop-a", "set_stock:S" + std::to_string(i), "{}", 100)));
  auto one = tx->claim_due("shop-a", 1000, 3);
  REQUIRE(one.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(one[i].id == s[i]);
}
