// A merchant with Sitoo POS and two WooCommerce shops: Sitoo is the master
// of stock; web orders reach Sitoo and reserve there (optionally delivered
// at once); every change in Sitoo reaches every shop; manual edits in a
// shop never reach Sitoo; every order's sync status is visible and a failed
// one can be pushed again.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include <stockrelay/text.hpp>
#include "sitoo_sim.hpp"
#include "woo_hub.hpp"

using namespace woo_test;
using nlohmann::json;

namespace {

struct Options {
  bool events = true;           // Sitoo sends its events to the hub
  bool deliver = false;         // route option: deliver after the sync
  std::string on_member_change{};  // "", "keep", "overwrite"
};

// The hub, two shops and one Sitoo account; the SKUs exist everywhere.
struct Merchant {
  unsigned short port = sr_test::free_port();
  std::unique_ptr<sitoo_sim::Simulator> sitoo;
  std::unique_ptr<WooHub> w;

  explicit Merchant(Options o = {}) {
    sitoo_sim::Options so;
    if (o.events) so.events_url = "http://127.0.0.1:" + std::to_string(port) + "/hooks/sitoo";
    so.events_user = "hub-events";
    so.events_password = "events-secret-99";
    so.event_batch_window_ms = 5;
    so.event_retry_delays_ms = {100};
    sitoo = std::make_unique<sitoo_sim::Simulator>(so);
    sitoo->start();
    WooSetup s;
    s.shops = {"shop-a", "shop-b"};
    s.members = {"sitoo", "shop-a", "shop-b"};
    s.hub_port = port;
    s.connections_yaml = "  sitoo:\n    plugin: sitoo\n    settings: {base_url: \"" + sitoo->base_url() +
                         "\", api_id: \"" + sitoo->api_id() + "\", api_password: \"" + sitoo->password() +
                         "\", warehouse_id: " + std::to_string(sitoo->warehouse_id()) +
                         ", events_user: hub-events, events_password: events-secret-99}\n";
    s.pool_yaml = "    master: sitoo\n";
    if (!o.on_member_change.empty()) s.pool_yaml += "    on_member_change: " + o.on_member_change + "\n";
    s.routes_yaml = std::string("routes:\n  - name: web-orders-to-sitoo\n    on: [order]\n    from: [shop-a, shop-b]\n") +
                    "    do:\n      - command: create_order\n        to: [sitoo]\n" +
                    (o.deliver ? "        options: {deliver: true}\n" : "");
    w = std::make_unique<WooHub>(s);
  }
  ~Merchant() {
    w.reset();
    sitoo->stop();
  }

  void product(const std::string& sku, int sitoo_stock, int shop_stock) {
    sitoo->add_product(sku, sitoo_stock);
    for (const auto& s : w->shops()) w->shop(s).add_simple(sku, shop_stock);
  }
  void settle() {
    w->settle(30000, [this] { sitoo->wait_events_idle(10000); });
  }
  int available(const std::string& sku) { return static_cast<int>(sitoo->stock(sku)->available); }

  std::optional<stockrelay::store::OrderSync> sync(const std::string& source, std::int64_t order) {
    std::lock_guard lock(w->hub().store_mutex());
    auto tx = w->hub().store().begin();
    return tx->order_sync(source, std::to_string(order), "sitoo");
  }
  json sitoo_orders() {
    // Every order in Sitoo, as the back office lists them.
    return sitoo_api("GET", "/sites/1/orders.json?num=1000&fields=orderid,externalid,orderstateid")["items"];
  }
  json sitoo_api(const std::string& method, const std::string& path, const json& body = nullptr);
  bool note_on(const std::string& shop, std::int64_t order, const std::string& text) {
    for (const auto& n : w->shop(shop).notes(order))
      if (n.note.find(text) != std::string::npos) return true;
    return false;
  }
};

json Merchant::sitoo_api(const std::string& method, const std::string& path, const json& body) {
  stockrelay::http::Client client("sitoo-test", {});
  stockrelay::http::Request r;
  r.method = method;
  r.url = sitoo->base_url() + path;
  r.headers.push_back({"Authorization", "Basic " + sr::base64(sitoo->api_id() + ":" + sitoo->password())});
  if (!body.is_null()) {
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = body.dump();
  }
  auto resp = client.send(r);
  INFO(method << " " << path << " -> " << resp.status << " " << resp.body);
  REQUIRE(resp.status == 200);
  return json::parse(resp.body);
}

}  // namespace

TEST_CASE("sitoo master: the shops take Sitoo's available quantity, and a change in Sitoo reaches them at once") {
  Merchant m;
  m.product("A-1", 12, 5);
  m.product("B-2", 4, 9);
  m.w->start();
  m.settle();
  CHECK(m.w->all_show("A-1", 12));
  CHECK(m.w->all_show("B-2", 4));

  // A till sale in Sitoo: its event reaches the hub, which writes both shops
  // without waiting for a poll.
  m.sitoo->pos_sale(m.sitoo->warehouse_id(), "A-1", 3);
  m.sitoo->wait_events_idle(10000);
  REQUIRE(m.w->hub().wait_quiet(10000));
  CHECK(m.w->all_show("A-1", 9));
  m.sitoo->goods_received(m.sitoo->warehouse_id(), "B-2", 6);
  m.settle();
  CHECK(m.w->all_show("B-2", 10));
}

TEST_CASE("sitoo master: without events, the next poll brings Sitoo's changes") {
  Merchant m(Options{false});
  m.product("A-1", 12, 12);
  m.w->start();
  m.settle();
  m.sitoo->manual_count(m.sitoo->warehouse_id(), "A-1", 20);
  m.settle();  // polls every connection
  CHECK(m.w->all_show("A-1", 20));
}

TEST_CASE("sitoo master: a web order reserves in Sitoo, once, and no shop counts it twice") {
  Merchant m;
  m.product("A-1", 12, 12);
  m.w->start();
  m.settle();
  auto order = m.w->shop("shop-a").place_order({{"A-1", 2}});
  m.settle();
  CHECK(m.sitoo->stock("A-1")->reserved == 2);
  CHECK(m.sitoo->stock("A-1")->total == 12);
  CHECK(m.w->all_show("A-1", 10));  // Sitoo's available, in both shops
  auto sync = m.sync("shop-a", order);
  REQUIRE(sync);
  CHECK(sync->status == stockrelay::store::SyncStatus::Synced);
  CHECK_FALSE(sync->remote_ref.empty());
  CHECK(m.note_on("shop-a", order, "stockrelay: synced to sitoo as " + sync->remote_ref));
  CHECK(m.sitoo->counters().orders_created == 1);

  // The shop cancels: the Sitoo order is cancelled and its reservation released.
  m.w->shop("shop-a").set_order_status(order, "cancelled");
  m.settle();
  CHECK(m.sitoo->stock("A-1")->reserved == 0);
  CHECK(m.w->all_show("A-1", 12));
  CHECK(m.sync("shop-a", order)->cancel == "done");
  CHECK(m.note_on("shop-a", order, "stockrelay: cancelled in sitoo"));
  CHECK(m.sitoo->counters().orders_created == 1);
}

TEST_CASE("sitoo master: deliver after sync turns the reservation into a stock decrease") {
  Merchant m(Options{true, true});
  m.product("A-1", 12, 12);
  m.w->start();
  m.settle();
  auto order = m.w->shop("shop-b").place_order({{"A-1", 3}});
  m.settle();
  CHECK(m.sitoo->stock("A-1")->total == 9);
  CHECK(m.sitoo->stock("A-1")->reserved == 0);
  CHECK(m.w->all_show("A-1", 9));
  auto sync = m.sync("shop-b", order);
  REQUIRE(sync);
  CHECK_FALSE(sync->delivery_ref.empty());
  CHECK(m.note_on("shop-b", order, "stockrelay: delivered in sitoo"));
  CHECK(m.sitoo->counters().deliveries_created == 1);

  // The admin API shows the same status.
  stockrelay::http::Client client("admin-test", {});
  stockrelay::http::Request r;
  r.url = m.w->hub().base_url() + "/admin/orders?source=shop-b";
  r.headers.push_back({"Authorization", "Bearer test-admin-token-123"});
  auto resp = client.send(r);
  REQUIRE(resp.status == 200);
  auto listed = json::parse(resp.body);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["order_id"] == std::to_string(order));
  CHECK(listed[0]["target"] == "sitoo");
  CHECK(listed[0]["status"] == "synced");
  CHECK(listed[0]["remote_ref"] == sync->remote_ref);
  CHECK(listed[0]["delivery_ref"] == sync->delivery_ref);
}

TEST_CASE("sitoo master: an order with a look-alike SKU fails with both spellings, and succeeds once fixed") {
  Merchant m;
  m.product("A-1", 12, 12);
  const std::string dash = "B\xE2\x80\x93" "2";  // en dash in the shop, hyphen in Sitoo
  m.sitoo->add_product("B-2", 5);
  m.w->shop("shop-a").add_simple(dash, 5);
  m.w->shop("shop-b").add_simple("B-2", 5);
  m.w->start();
  m.settle();
  auto order = m.w->shop("shop-a").place_order({{"A-1", 1}, {dash, 1}});
  m.settle();
  auto sync = m.sync("shop-a", order);
  REQUIRE(sync);
  CHECK(sync->status == stockrelay::store::SyncStatus::Failed);
  CHECK_THAT(sync->reason, Catch::Contains("unknown SKU '" + dash + "'"));
  CHECK_THAT(sync->reason, Catch::Contains("look-alike SKU: the order has 'B<U+2013 EN DASH>2', sitoo has 'B-2'"));
  CHECK(m.note_on("shop-a", order, "stockrelay: sync to sitoo failed"));
  CHECK(m.sitoo->counters().orders_created == 0);  // nothing partial
  CHECK(m.sitoo->stock("A-1")->reserved == 0);

  // The merchant fixes the SKU in the shop and pushes the order again.
  m.w->shop("shop-a").set_sku(dash, "B-2");
  m.settle();
  CHECK(m.w->hub().retry_failed_orders(std::string("shop-a"), std::to_string(order)) == 1);
  m.settle();
  sync = m.sync("shop-a", order);
  CHECK(sync->status == stockrelay::store::SyncStatus::Synced);
  CHECK(m.sitoo->stock("B-2")->reserved == 1);
  CHECK(m.sitoo->stock("A-1")->reserved == 1);
  CHECK(m.sitoo->counters().orders_created == 1);
  CHECK(m.note_on("shop-a", order, "stockrelay: synced to sitoo"));
}

TEST_CASE("sitoo master: a manual edit in a shop never reaches Sitoo and is overwritten") {
  Merchant m;
  m.product("A-1", 12, 12);
  m.w->start();
  m.settle();
  auto writes = m.sitoo->counters().writes;
  m.w->shop("shop-b").set_stock("A-1", 30);
  m.settle();
  CHECK(m.w->all_show("A-1", 12));
  CHECK(m.available("A-1") == 12);
  CHECK(m.sitoo->counters().writes == writes);
}

TEST_CASE("sitoo master: with on_member_change keep, a manual edit stays until Sitoo's level changes") {
  Merchant m(Options{true, false, "keep"});
  m.product("A-1", 12, 12);
  m.w->start();
  m.settle();
  m.w->shop("shop-b").set_stock("A-1", 30);
  m.settle();
  CHECK(m.w->shop("shop-b").stock("A-1") == 30);
  CHECK(m.w->shop("shop-a").stock("A-1") == 12);
  m.sitoo->pos_sale(m.sitoo->warehouse_id(), "A-1", 1);
  m.settle();
  CHECK(m.w->all_show("A-1", 11));
  CHECK(m.sitoo->counters().transactions_posted == 0);
}
