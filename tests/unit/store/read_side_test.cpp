#include "store_test_util.hpp"

using namespace store_test;

namespace {

OrderSync sync(std::string source, std::string order_id, SyncStatus status, Millis updated_at) {
  OrderSync o;
  o.source = std::move(source);
  o.order_id = std::move(order_id);
  o.target = "erp";
  o.status = status;
  o.updated_at = updated_at;
  return o;
}

LogEntry entry(std::string connection, std::string sku, std::string order_id) {
  LogEntry e;
  e.at = 1;
  e.connection = std::move(connection);
  e.sku = std::move(sku);
  e.order_id = std::move(order_id);
  e.kind = "change";
  return e;
}

}  // namespace

TEST_CASE("order sync status round trips") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  auto tx = store->begin();
  tx->put_order_sync(sync("shop-a", "1001", SyncStatus::Pending, 10));
  OrderSync failed = sync("shop-a", "1001", SyncStatus::Failed, 20);
  failed.reason = "totals differ by 0.01 EUR";
  failed.attempts = 3;
  failed.remote_ref = "doc-77";
  failed.outbox_id = 5;
  failed.delivery_ref = "dlv-3";
  failed.cancel = "wanted";
  tx->put_order_sync(failed);  // same source + order + target: replaces

  auto back = tx->order_sync("shop-a", "1001", "erp");
  REQUIRE(back);
  CHECK(back->status == SyncStatus::Failed);
  CHECK(back->reason == "totals differ by 0.01 EUR");
  CHECK(back->attempts == 3);
  CHECK(back->remote_ref == "doc-77");
  CHECK(back->outbox_id == 5);
  CHECK(back->updated_at == 20);
  CHECK(back->delivery_ref == "dlv-3");
  CHECK(back->cancel == "wanted");
  CHECK_FALSE(tx->order_sync("shop-a", "1001", "other-target").has_value());
  tx->commit();
  CHECK(store->orders(OrderQuery{}).size() == 1);
}

TEST_CASE("orders are listed newest first, filtered by failure and source") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  {
    auto tx = store->begin();
    tx->put_order_sync(sync("shop-a", "1", SyncStatus::Synced, 10));
    tx->put_order_sync(sync("shop-a", "2", SyncStatus::Failed, 30));
    tx->put_order_sync(sync("shop-b", "3", SyncStatus::Failed, 20));
    tx->put_order_sync(sync("shop-b", "4", SyncStatus::Pending, 40));
    tx->commit();
  }
  auto all = store->orders(OrderQuery{});
  REQUIRE(all.size() == 4);
  CHECK(all[0].order_id == "4");
  CHECK(all[3].order_id == "1");

  OrderQuery failed;
  failed.failed_only = true;
  auto f = store->orders(failed);
  REQUIRE(f.size() == 2);
  CHECK(f[0].order_id == "2");
  CHECK(f[1].order_id == "3");

  failed.source = "shop-b";
  auto fb = store->orders(failed);
  REQUIRE(fb.size() == 1);
  CHECK(fb[0].order_id == "3");

  OrderQuery limited;
  limited.limit = 1;
  REQUIRE(store->orders(limited).size() == 1);
  CHECK(store->orders(limited)[0].order_id == "4");
}

TEST_CASE("the log returns the newest entries after a cursor, oldest first, filtered") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  {
    auto tx = store->begin();
    tx->append_log(entry("shop-a", "SKU-1", "o1"));  // id 1
    tx->append_log(entry("shop-b", "SKU-1", ""));    // 2
    tx->append_log(entry("shop-a", "SKU-2", "o2"));  // 3
    tx->append_log(entry("shop-a", "SKU-1", ""));    // 4
    LogEntry full{0, 99, "warn", "shop-b", "SKU-2", "o2", "manual", qty("5"), qty("3.5"), "manual change", "ok",
                  "applied to pool"};
    tx->append_log(full);  // 5
    tx->commit();
  }
  auto ids = [](const std::vector<LogEntry>& v) {
    std::vector<std::int64_t> out;
    for (const auto& e : v) out.push_back(e.id);
    return out;
  };

  LogQuery q;
  CHECK(ids(store->log(q)) == std::vector<std::int64_t>{1, 2, 3, 4, 5});
  q.limit = 2;
  CHECK(ids(store->log(q)) == std::vector<std::int64_t>{4, 5});
  q.limit = 200;
  q.after_id = 3;
  CHECK(ids(store->log(q)) == std::vector<std::int64_t>{4, 5});
  q.after_id = 5;
  CHECK(store->log(q).empty());

  LogQuery by_connection;
  by_connection.connection = "shop-a";
  CHECK(ids(store->log(by_connection)) == std::vector<std::int64_t>{1, 3, 4});
  by_connection.sku = "SKU-1";
  CHECK(ids(store->log(by_connection)) == std::vector<std::int64_t>{1, 4});
  by_connection.after_id = 1;
  CHECK(ids(store->log(by_connection)) == std::vector<std::int64_t>{4});

  LogQuery by_order;
  by_order.order_id = "o2";
  auto o2 = store->log(by_order);
  CHECK(ids(o2) == std::vector<std::int64_t>{3, 5});
  const LogEntry& e = o2.back();
  CHECK(e.at == 99);
  CHECK(e.level == "warn");
  CHECK(e.kind == "manual");
  CHECK(e.old_quantity == std::optional<sr::Quantity>(qty("5")));
  CHECK(e.new_quantity == std::optional<sr::Quantity>(qty("3.5")));
  CHECK(e.cause == "manual change");
  CHECK(e.result == "ok");
  CHECK(e.message == "applied to pool");
  CHECK_FALSE(o2.front().old_quantity.has_value());
}

TEST_CASE("links are kept per connection and SKU, and listed per connection") {
  TempDir dir;
  auto store = open_store(dir.file("store.db"));
  {
    auto tx = store->begin();
    tx->put_link({"shop-b", "SKU-2", "p-2", "", true, 1});
    tx->put_link({"shop-a", "SKU-1", "p-1", "v-1", true, 1});
    tx->put_link({"shop-b", "SKU-1", "p-9", "", true, 1});
    // The shop product went inactive: the link says so rather than vanishing.
    tx->put_link({"shop-b", "SKU-1", "p-9", "", false, 2});
    auto l = tx->link("shop-b", "SKU-1");
    REQUIRE(l);
    CHECK_FALSE(l->active);
    CHECK(l->updated_at == 2);
    CHECK_FALSE(tx->link("shop-a", "SKU-2").has_value());
    tx->commit();
  }
  auto all = store->links(std::nullopt);
  REQUIRE(all.size() == 3);
  CHECK(all[0].connection == "shop-a");
  CHECK(all[0].remote_id == "p-1");
  CHECK(all[0].remote_variation_id == "v-1");
  CHECK(all[0].active);
  CHECK(all[1].sku == "SKU-1");
  CHECK(all[2].sku == "SKU-2");

  auto b = store->links(std::string("shop-b"));
  REQUIRE(b.size() == 2);
  CHECK(b[0].connection == "shop-b");
  CHECK(b[1].connection == "shop-b");
}
