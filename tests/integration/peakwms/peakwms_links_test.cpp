// A merchant whose goods sit in a PeakWMS warehouse and sell in two
// WooCommerce shops: PeakWMS is the master of stock; each shop product is
// uploaded to PeakWMS and linked there ("product integration", one per
// product per shop); only linked products get stock; copies and duplicate
// SKUs are conflicts; a product made inactive in one shop loses its link
// there only; `links refetch` links a product anew; `report
// inactive-with-stock` lists what a shop no longer sells while PeakWMS
// holds stock of it. The real libpeakwms.so and libwoocommerce.so over
// loopback HTTP, SQLite, the CLI as a process beside the running hub.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "peakwms_sim.hpp"
#include "woo_hub.hpp"

using namespace woo_test;
using nlohmann::json;

namespace {

struct Merchant {
  unsigned short port = sr_test::free_port();
  std::unique_ptr<peakwms_sim::Simulator> wms;
  std::unique_ptr<WooHub> w;

  explicit Merchant(bool webhooks = true) {
    peakwms_sim::Options o;
    o.integrations = 2;            // shop-a, shop-b
    o.match_by_item_number = true; // one PeakWMS product per item, one integration row per shop
    wms = std::make_unique<peakwms_sim::Simulator>(o);
    wms->start();
    WooSetup s;
    s.shops = {"shop-a", "shop-b"};
    s.members = {"warehouse", "shop-a", "shop-b"};
    s.hub_port = port;
    s.settings_yaml = ", product_id_meta: _product_no";
    s.connections_yaml = "  warehouse:\n    plugin: peakwms\n    settings:\n      base_url: \"" + wms->base_url() +
                         "\"\n      shops: {shop-a: {api_key: \"" + wms->api_key(0) + "\"}, shop-b: {api_key: \"" +
                         wms->api_key(1) + "\"}}\n";
    if (webhooks)
      s.connections_yaml += "      webhook_url: \"http://127.0.0.1:" + std::to_string(port) + "/hooks/warehouse\"\n";
    s.pool_yaml = "    master: warehouse\n";
    s.routes_yaml =
        "routes:\n  - name: web-orders-to-peakwms\n    on: [order]\n    from: [shop-a, shop-b]\n"
        "    do:\n      - command: create_order\n        to: [warehouse]\n";
    w = std::make_unique<WooHub>(s);
  }
  ~Merchant() {
    w.reset();
    wms->stop();
  }

  void settle() {
    w->settle(30000, [this] { wms->wait_webhooks_idle(10000); });
  }
  std::int64_t integration(const std::string& shop) const { return wms->integrations().at(shop == "shop-a" ? 0 : 1).id; }
  // The PeakWMS product `shop` knows `sku` as (its product id there), if any.
  std::optional<std::int64_t> wms_product(const std::string& shop, const std::string& sku,
                                          const std::string& shop_id = "") {
    auto p = w->shop(shop).product(sku);
    if (!p) return std::nullopt;
    return wms->product_id(integration(shop), shop_id.empty() ? std::to_string(p->id) : shop_id, "");
  }
  std::int64_t wms_id(const std::string& sku) {
    auto id = wms_product("shop-a", sku);
    if (!id) id = wms_product("shop-b", sku);
    REQUIRE(id);
    return *id;
  }
  std::optional<stockrelay::store::Link> link(const std::string& shop, const std::string& sku) {
    std::lock_guard lock(w->hub().store_mutex());
    auto tx = w->hub().store().begin();
    return tx->link(shop, sku);
  }
  // Settles until the link of `sku` in `shop` is in `state` (a webhook may
  // still be on its way when the hub first looks quiet); false after 20 s.
  bool settle_until(const std::string& shop, const std::string& sku, const std::string& state) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      settle();
      auto l = link(shop, sku);
      if (l && l->state == state) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  bool logged(const std::string& connection, const std::string& sku, const std::string& text) {
    stockrelay::store::LogQuery q;
    q.connection = connection;
    q.sku = sku;
    q.limit = 1000;
    for (const auto& e : w->hub().store().log(q))
      if (e.message.find(text) != std::string::npos) return true;
    return false;
  }
  int cli(const std::string& args, std::string& out) {
    return sr_test::run_command(std::string(STOCKRELAY_EXE) + " " + args + " --config " + w->config_path(), out);
  }
  // PeakWMS's own API, as a user in PeakWMS acts with a shop's key.
  json wms_api(const std::string& shop, const std::string& method, const std::string& path) {
    stockrelay::http::Client client("peakwms-test", {});
    stockrelay::http::Request r;
    r.method = method;
    r.url = wms->base_url() + path;
    r.headers.push_back({"Authorization", "Bearer " + wms->api_key(shop == "shop-a" ? 0 : 1)});
    auto resp = client.send(r);
    INFO(method << " " << path << " -> " << resp.status << " " << resp.body);
    REQUIRE(resp.status == 200);
    return json::parse(resp.body);
  }
};

}  // namespace

TEST_CASE("peakwms links: each shop product is uploaded and linked once per shop, and receipts reach every linked shop") {
  Merchant m;
  for (const auto& s : {"shop-a", "shop-b"}) {
    m.w->shop(s).add_simple("A-1", 3);
    m.w->shop(s).add_simple("B-2", 8);
  }
  m.w->start();
  m.settle();
  for (const auto& s : {"shop-a", "shop-b"})
    for (const auto& sku : {"A-1", "B-2"}) {
      INFO(s << " " << sku);
      auto l = m.link(s, sku);
      REQUIRE(l);
      CHECK(l->state == "linked");
      CHECK(l->via == "warehouse");
      CHECK(l->via_ref == std::to_string(m.wms_id(sku)));
      CHECK(m.wms_product(s, sku));  // the integration row of that shop
    }
  // One PeakWMS product per item, with one integration per shop.
  CHECK(m.wms->product_count() == 2);
  CHECK(*m.wms_product("shop-a", "A-1") == *m.wms_product("shop-b", "A-1"));
  // PeakWMS is the master: it holds nothing yet, so the shops show 0.
  CHECK(m.w->all_show("A-1", 0));

  // Goods received in the warehouse reach both shops.
  m.wms->goods_received(m.wms_id("A-1"), 7);
  m.settle();
  CHECK(m.w->all_show("A-1", 7));
  m.wms->count(m.wms_id("B-2"), 5);
  m.settle();
  CHECK(m.w->all_show("B-2", 5));
  // Nothing was uploaded twice.
  CHECK(m.wms->counters().products_created == 2);

  // The admin API shows the same links.
  stockrelay::http::Client client("admin-test", {});
  stockrelay::http::Request r;
  r.url = "http://127.0.0.1:" + std::to_string(m.port) + "/admin/links?connection=shop-b";
  r.headers.push_back({"Authorization", "Bearer test-admin-token-123"});
  auto resp = client.send(r);
  REQUIRE(resp.status == 200);
  auto links = json::parse(resp.body);
  REQUIRE(links.size() == 2);
  for (const auto& l : links) {
    CHECK(l["state"] == "linked");
    CHECK(l["via"] == "warehouse");
    CHECK(l["via_ref"] == std::to_string(m.wms_id(l["sku"].get<std::string>())));
  }
}

TEST_CASE("peakwms links: without a link a shop gets no stock for the product, and the log says why") {
  Merchant m;
  m.w->shop("shop-a").add_simple("A-1", 1);
  m.w->shop("shop-b").add_simple("A-1", 1, "", "draft");  // never sold in shop-b
  m.w->shop("shop-a").add_simple("D-4", 1);               // shop-b does not have it at all
  m.w->start();
  m.settle();
  REQUIRE(m.link("shop-a", "A-1")->state == "linked");
  auto b = m.link("shop-b", "A-1");
  REQUIRE(b);
  CHECK(b->state == "inactive");
  CHECK(!m.wms_product("shop-b", "A-1"));

  m.wms->goods_received(m.wms_id("A-1"), 6);
  m.wms->goods_received(m.wms_id("D-4"), 2);
  m.settle();
  CHECK(m.w->shop("shop-a").stock("A-1") == 6);
  CHECK(m.w->shop("shop-b").stock("A-1") == 1);  // untouched
  CHECK(m.w->shop("shop-a").stock("D-4") == 2);
  CHECK(m.logged("shop-b", "A-1", "is not linked in shop-b (the product is draft in shop-b): stock from warehouse is not sent there"));
  CHECK(!m.link("shop-b", "D-4"));  // shop-b has no such product: nothing to link, nothing written

  std::string out;
  CHECK(m.cli("links list --connection shop-b --missing", out) == 0);
  INFO(out);
  CHECK(out.find("A-1") != std::string::npos);
  CHECK(out.find("inactive") != std::string::npos);
  CHECK(out.find("the product is draft in shop-b") != std::string::npos);
  CHECK(out.find("0 of 1 linked in shop-b") != std::string::npos);
}

TEST_CASE("peakwms links: a copied product with the same shop product id is a conflict and the first link is kept") {
  Merchant m;
  auto& a = m.w->shop("shop-a");
  a.add_simple("A-1", 2, "Blue mug");
  a.set_meta("A-1", "_product_no", "1001");
  m.w->start();
  m.settle();
  REQUIRE(m.link("shop-a", "A-1")->state == "linked");
  const auto first = m.wms_product("shop-a", "A-1", "1001");
  REQUIRE(first);

  // The merchant copies the product: the copy keeps the product number.
  a.duplicate_product("A-1", "A-1-RED");
  CHECK(m.settle_until("shop-a", "A-1-RED", "conflict"));
  auto copy = m.link("shop-a", "A-1-RED");
  REQUIRE(copy);
  CHECK(copy->state == "conflict");
  CHECK(copy->reason.find("1001") != std::string::npos);
  CHECK(copy->reason.find("A-1") != std::string::npos);
  auto kept = m.link("shop-a", "A-1");
  CHECK(kept->state == "linked");
  // PeakWMS still has the first product under that id, not overwritten by the copy.
  CHECK(m.wms->product_count() == 1);
  auto variants = m.wms_api("shop-a", "GET", "/product/1001");
  REQUIRE(variants.size() == 1);
  CHECK(variants[0]["itemNumber"] == "A-1");
  CHECK(m.logged("shop-a", "A-1-RED", "copied product"));

  std::string out;
  CHECK(m.cli("links list --connection shop-a --conflicts", out) == 0);
  INFO(out);
  CHECK(out.find("copied product") != std::string::npos);
  CHECK(out.find("'A-1'*") != std::string::npos);
  CHECK(out.find("'A-1-RED'") != std::string::npos);

  // Given its own number, the copy is linked too.
  a.set_meta("A-1-RED", "_product_no", "1002");
  CHECK(m.settle_until("shop-a", "A-1-RED", "linked"));
  CHECK(m.link("shop-a", "A-1-RED")->state == "linked");
  CHECK(m.wms->product_count() == 2);
}

TEST_CASE("peakwms links: inactive in one shop ends that shop's link only, and refetch links it anew") {
  Merchant m;
  for (const auto& s : {"shop-a", "shop-b"}) m.w->shop(s).add_simple("A-1", 0);
  m.w->start();
  m.settle();
  const auto id = m.wms_id("A-1");
  m.wms->goods_received(id, 4);
  m.settle();
  REQUIRE(m.w->all_show("A-1", 4));

  m.w->shop("shop-a").set_status("A-1", "draft");
  CHECK(m.settle_until("shop-a", "A-1", "inactive"));
  CHECK(m.link("shop-b", "A-1")->state == "linked");
  CHECK(!m.wms_product("shop-a", "A-1"));  // shop-a's integration row is gone
  CHECK(m.wms_product("shop-b", "A-1"));   // shop-b's stays
  REQUIRE(m.wms->stock(id));               // the product stays in PeakWMS
  m.wms->goods_received(id, 3);
  m.settle();
  CHECK(m.w->shop("shop-b").stock("A-1") == 7);
  CHECK(m.w->shop("shop-a").stock("A-1") == 4);  // no longer linked: not written

  std::string out;
  // Refetch says plainly that the product is inactive.
  CHECK(m.cli("links refetch --connection shop-a A-1 --wait 20", out) == 1);
  INFO(out);
  CHECK(out.find("draft") != std::string::npos);
  CHECK(out.find("activate the product") != std::string::npos);

  // Active again: linked again, and the shop gets the warehouse's level.
  m.w->shop("shop-a").set_status("A-1", "publish");
  CHECK(m.settle_until("shop-a", "A-1", "linked"));
  CHECK(m.w->all_show("A-1", 7));

  // A user deletes shop-a's product integration in PeakWMS by mistake;
  // fetching the product again recreates it.
  m.wms_api("shop-a", "DELETE", "/product/" + std::to_string(id));
  REQUIRE(!m.wms_product("shop-a", "A-1"));
  CHECK(m.cli("links refetch --connection shop-a A-1 --wait 20", out) == 0);
  INFO(out);
  CHECK(out.find("is linked") != std::string::npos);
  CHECK(m.wms_product("shop-a", "A-1") == id);

  // A product the shop no longer has: said plainly.
  CHECK(m.cli("links refetch --connection shop-a NO-SUCH --wait 20", out) == 1);
  INFO(out);
  CHECK(out.find("there is no product with SKU 'NO-SUCH'") != std::string::npos);
}

TEST_CASE("peakwms links: the inactive-with-stock report lists exactly the inactive products PeakWMS holds stock of") {
  Merchant m;
  for (const auto& s : {"shop-a", "shop-b"}) {
    m.w->shop(s).add_simple("A-1", 0);
    m.w->shop(s).add_simple("B-2", 0);
    m.w->shop(s).add_simple("C-3", 0);
  }
  m.w->start();
  m.settle();
  m.wms->goods_received(m.wms_id("A-1"), 5);
  m.wms->goods_received(m.wms_id("B-2"), 2);
  m.settle();
  m.w->shop("shop-a").set_status("A-1", "draft");  // inactive, with stock: listed for shop-a
  m.w->shop("shop-b").set_status("C-3", "private"); // inactive, no stock: not listed
  m.w->shop("shop-b").set_status("B-2", "trash");   // inactive, with stock: listed for shop-b
  CHECK(m.settle_until("shop-a", "A-1", "inactive"));
  CHECK(m.settle_until("shop-b", "B-2", "inactive"));
  CHECK(m.settle_until("shop-b", "C-3", "inactive"));
  std::string out;
  REQUIRE(m.cli("report inactive-with-stock --csv", out) == 0);
  INFO(out);
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < out.size();) {
    auto nl = out.find('\n', at);
    lines.push_back(out.substr(at, nl - at));
    at = nl == std::string::npos ? out.size() : nl + 1;
  }
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "shop,sku,product_id,variation_id,status,master,quantity,master_read_at");
  const auto a_id = std::to_string(m.w->shop("shop-a").product("A-1")->id);
  CHECK(lines[1].rfind("shop-a,A-1," + a_id + ",,draft,warehouse,5,", 0) == 0);
  CHECK(lines[2].find("shop-b,B-2,") == 0);
  CHECK(lines[2].find(",warehouse,2,") != std::string::npos);
}

TEST_CASE("peakwms links: a shop order becomes one sales order that reserves, and its cancel releases") {
  Merchant m;
  for (const auto& s : {"shop-a", "shop-b"}) m.w->shop(s).add_simple("A-1", 0);
  m.w->start();
  m.settle();
  const auto id = m.wms_id("A-1");
  m.wms->goods_received(id, 10);
  m.settle();
  REQUIRE(m.w->all_show("A-1", 10));

  // Every webhook of shop-a arrives twice.
  woo_sim::Faults twice;
  twice.webhook_duplicate_rate = 1.0;
  m.w->shop("shop-a").set_faults(twice);
  auto order = m.w->shop("shop-a").place_order({{"A-1", 3}});
  m.settle();
  CHECK(m.wms->counters().orders_created == 1);
  CHECK(m.wms->stock(id)->reserved == 3);
  CHECK(m.wms->stock(id)->available_to_sell == 7);
  CHECK(m.w->all_show("A-1", 7));
  // The same order's webhook again (and the order's later updates) make no second sales order.
  m.w->shop("shop-a").set_order_status(order, "completed");
  m.settle();
  CHECK(m.wms->counters().orders_created == 1);

  auto second = m.w->shop("shop-b").place_order({{"A-1", 2}});
  m.settle();
  CHECK(m.wms->stock(id)->reserved == 5);
  m.w->shop("shop-b").set_order_status(second, "cancelled");
  m.settle();
  CHECK(m.wms->counters().orders_cancelled == 1);
  CHECK(m.wms->stock(id)->reserved == 3);
  CHECK(m.w->all_show("A-1", 7));
}
