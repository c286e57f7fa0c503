// libwoocommerce.so: polling orders and products from the simulated store.
#include <algorithm>
#include <map>
#include <set>

#include "woo_fixture.hpp"

using namespace woo_test;

namespace {

std::ptrdiff_t index_of(const std::vector<sr::Event>& events, const std::string& key_prefix) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (sr::key_of(events[i]).starts_with(key_prefix)) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

const sr::OrderLine* line_of(const sr::OrderEvent& o, const std::string& sku) {
  for (const auto& l : o.order.lines)
    if (l.sku == sku) return &l;
  return nullptr;
}

}  // namespace

TEST_CASE("an incremental poll emits orders before the levels they changed, then stores its cursors") {
  WooShop shop;
  shop.sim.add_simple("A", 10, "Alpha");
  shop.sim.add_simple("B", 5);
  shop.start();
  auto id = shop.sim.place_order({{"A", 2}}, "processing");

  auto events = shop.poll();
  auto order = find_order(events, id);
  REQUIRE(order);
  CHECK(order->order.stock == sr::OrderStock::Held);
  CHECK(line_of(*order, "A")->quantity == q(2));
  auto level = find_sku<sr::StockLevel>(events, "A");
  REQUIRE(level);
  CHECK(level->quantity == q(8));
  CHECK(index_of(events, "order:") < index_of(events, "level:A:"));
  CHECK(find_sku<sr::ProductChange>(events, "A")->name == "Alpha");

  // Cursors are stored only after the events they cover were emitted.
  auto calls = shop.host.calls();
  std::ptrdiff_t last_emit = -1, orders_put = -1, products_put = -1;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].service == "emit") last_emit = static_cast<std::ptrdiff_t>(i);
    if (calls[i].service == "state_put" && calls[i].detail.starts_with("orders.modified_gmt=")) orders_put = static_cast<std::ptrdiff_t>(i);
    if (calls[i].service == "state_put" && calls[i].detail.starts_with("products.modified_gmt=")) products_put = static_cast<std::ptrdiff_t>(i);
  }
  CHECK(orders_put > index_of(events, "order:"));
  CHECK(products_put > orders_put);
  CHECK(products_put > last_emit);
  // The newest order's time, or a second before the store's clock if that is earlier (Date header).
  auto cursor = shop.host.state("orders.modified_gmt");
  REQUIRE(cursor);
  CHECK(*cursor <= shop.modified_of_order(id));
  CHECK(*cursor >= shift_gmt(shop.modified_of_order(id), -1));

  // The next poll re-reads only the overlap: nothing new, same keys.
  auto first_keys = shop.keys();
  auto again = shop.poll();
  for (const auto& e : again) {
    INFO(sr::key_of(e));
    CHECK(std::find(first_keys.begin(), first_keys.end(), sr::key_of(e)) != first_keys.end());
  }
  CHECK(shop.host.violations().empty());
}

TEST_CASE("the cursor re-reads a few seconds before itself and never moves backwards") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start();
  auto id = shop.sim.place_order({{"A", 1}}, "processing");
  std::string modified = shop.modified_of_order(id);

  SECTION("an order modified within the overlap before the cursor is read again") {
    shop.host.set_state("orders.modified_gmt", shift_gmt(modified, 3));
    CHECK(find_order(shop.poll(), id));
    CHECK(shop.host.state("orders.modified_gmt") == shift_gmt(modified, 3));  // not moved back to the order's time
    auto req = shop.host.http_requests().front();
    CHECK(req["url"].get<std::string>().find("modified_after=" + shift_gmt(modified, -2).replace(13, 1, "%3A").replace(18, 1, "%3A")) !=
          std::string::npos);
  }
  SECTION("an order older than the overlap is not") {
    shop.host.set_state("orders.modified_gmt", shift_gmt(modified, 30));
    CHECK(!find_order(shop.poll(), id));
  }
  SECTION("a cursor in the future stays") {
    shop.host.set_state("orders.modified_gmt", "2999-01-01T00:00:00");
    shop.poll();
    CHECK(shop.host.state("orders.modified_gmt") == "2999-01-01T00:00:00");
  }
  SECTION("a damaged cursor reads from the start") {
    shop.host.set_state("orders.modified_gmt", "yesterday");
    CHECK(find_order(shop.poll(), id));
    CHECK(shop.host.logged("not a GMT time", SR_LOG_WARN));
    CHECK(*shop.host.state("orders.modified_gmt") <= modified);
    CHECK(*shop.host.state("orders.modified_gmt") >= shift_gmt(modified, -1));
  }
}

TEST_CASE("the cursor never passes the store's clock at the start of the poll (Date header)") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start();
  auto id = shop.sim.place_order({{"A", 1}}, "processing");
  std::string modified = shop.modified_of_order(id);
  // A store whose clock said "10 seconds before the order" when the poll
  // began: an order saved while the pages were read could be older than the
  // newest one seen, so the cursor stays at the store's clock.
  std::string clock = shift_gmt(modified, -10);
  std::tm tm{};
  ::strptime(clock.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  shop.host.on_http([&](const json& req) {
    auto r = shop.forward(req);
    r.headers.emplace("date", date);
    return r;
  });
  CHECK(find_order(shop.poll(), id));
  CHECK(shop.host.state("orders.modified_gmt") == shift_gmt(modified, -11));
  CHECK(find_order(shop.poll(), id));  // so it is read again
}

TEST_CASE("what webhooks missed, polling finds") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.sim.add_simple("B", 10);
  shop.start(shop.with_webhooks());
  shop.poll();  // cursors now
  woo_sim::Faults f;
  f.webhook_drop_rate = 1.0;
  shop.sim.set_faults(f);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new second for the store's clock
  auto id = shop.sim.place_order({{"A", 3}}, "processing");
  shop.sim.set_stock("B", 4);
  shop.host.clear_records();
  shop.pump(1000);
  CHECK(shop.host.events().empty());
  CHECK(shop.sim.counters().webhooks_dropped > 0);

  auto events = shop.poll();
  auto order = find_order(events, id);
  REQUIRE(order);
  CHECK(order->order.stock == sr::OrderStock::Held);
  CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(7));
  CHECK(find_sku<sr::StockLevel>(events, "B")->quantity == q(4));
  CHECK(index_of(events, "order:") < index_of(events, "level:A:"));
}

TEST_CASE("order statuses map to what WooCommerce did with the stock") {
  WooShop shop;
  shop.sim.add_simple("A", 100);
  shop.start();
  auto processing = shop.sim.place_order({{"A", 2}}, "processing");
  auto on_hold = shop.sim.place_order({{"A", 1}}, "on-hold");
  auto completed = shop.sim.place_order({{"A", 1}}, "completed");
  auto pending = shop.sim.place_order({{"A", 1}}, "pending");
  auto cancelled = shop.sim.place_order({{"A", 2}}, "processing");
  shop.sim.set_order_status(cancelled, "cancelled");
  auto refunded = shop.sim.place_order({{"A", 2}}, "processing");
  shop.sim.set_order_status(refunded, "refunded");
  auto restocked = shop.sim.place_order({{"A", 3}}, "processing");
  shop.sim.refund(restocked, {{"A", 1}}, true);
  auto not_restocked = shop.sim.place_order({{"A", 3}}, "processing");
  shop.sim.refund(not_restocked, {{"A", 1}}, false);
  auto back_to_pending = shop.sim.place_order({{"A", 1}}, "processing");
  shop.sim.set_order_status(back_to_pending, "pending");
  auto failed = shop.sim.place_order({{"A", 1}}, "pending");
  shop.sim.set_order_status(failed, "failed");

  auto events = shop.poll();
  auto check = [&](std::int64_t id, sr::OrderStock stock, int restock) {
    auto o = find_order(events, id);
    REQUIRE(o);
    INFO("order " << id << " " << o->order.status);
    CHECK(o->order.stock == stock);
    REQUIRE(o->order.lines.size() == 1);
    CHECK(o->order.lines[0].restocked == q(restock));
    // A polled copy carries when it was read (the host's clock), in its key too.
    CHECK(o->read_at > 0);
    CHECK(o->key == "order:" + std::to_string(id) + ":" + shop.modified_of_order(id) + ":" + o->order.status +
                        (restock ? ":r" + std::to_string(restock) : "") + ":read" + std::to_string(o->read_at));
  };
  check(processing, sr::OrderStock::Held, 0);
  check(on_hold, sr::OrderStock::Held, 0);
  check(completed, sr::OrderStock::Held, 0);
  check(pending, sr::OrderStock::None, 0);
  check(cancelled, sr::OrderStock::Released, 0);
  check(refunded, sr::OrderStock::Held, 0);  // "refunded" gives no stock back
  check(restocked, sr::OrderStock::Held, 1);
  check(not_restocked, sr::OrderStock::Held, 0);
  check(back_to_pending, sr::OrderStock::Released, 0);
  check(failed, sr::OrderStock::None, 0);

  // What the hub would count as sold matches what the store took.
  int counted = 0;
  for (const auto& o : of_kind<sr::OrderEvent>(events))
    if (o.order.stock == sr::OrderStock::Held)
      for (const auto& l : o.order.lines) counted += static_cast<int>((l.quantity - l.restocked).whole());
  CHECK(100 - counted == *shop.sim.stock("A"));
  CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(100 - counted));
}

TEST_CASE("variations: own stock, no stock, and stock kept by the parent (counted on the parent's SKU)") {
  WooShop shop;
  auto v = shop.sim.add_variable("V", "Shirt", 20);  // the parent manages stock
  auto v_s = shop.sim.add_variation(v, "V-S", woo_sim::ManageMode::Parent);
  auto v_m = shop.sim.add_variation(v, "V-M", woo_sim::ManageMode::Own, 5);
  // Not tracking stock itself under a parent that does: WooCommerce uses the parent's.
  auto v_l = shop.sim.add_variation(v, "V-L", woo_sim::ManageMode::None);
  auto w = shop.sim.add_variable("W", "Cap");  // stock on the variations only
  shop.sim.add_variation(w, "W-1", woo_sim::ManageMode::Own, 3);
  shop.sim.add_variation(w, "W-2", woo_sim::ManageMode::None);
  shop.start();

  auto events = shop.poll(sr::PollMode::Reconcile);
  auto pc = [&](const std::string& sku) {
    auto p = find_sku<sr::ProductChange>(events, sku);
    INFO(sku);
    REQUIRE(p);
    return *p;
  };
  CHECK(pc("V").managed);
  CHECK(!pc("V-S").managed);
  CHECK(pc("V-S").remote_id == std::to_string(v));
  CHECK(pc("V-S").remote_variation_id == std::to_string(v_s));
  CHECK(pc("V-M").managed);
  CHECK(pc("V-M").remote_variation_id == std::to_string(v_m));
  CHECK(!pc("V-L").managed);
  CHECK(!pc("W").managed);
  CHECK(!pc("W-2").managed);
  CHECK(pc("W-1").managed);
  CHECK(find_sku<sr::StockLevel>(events, "V")->quantity == q(20));
  CHECK(find_sku<sr::StockLevel>(events, "V-M")->quantity == q(5));
  CHECK(find_sku<sr::StockLevel>(events, "W-1")->quantity == q(3));
  CHECK(!find_sku<sr::StockLevel>(events, "V-S"));
  CHECK(!find_sku<sr::StockLevel>(events, "V-L"));
  CHECK(!find_sku<sr::StockLevel>(events, "W-2"));
  CHECK(!find_sku<sr::StockLevel>(events, "W"));
  CHECK(shop.host.logged("V-S (variation " + std::to_string(v_s) + ") -> V", SR_LOG_INFO));
  CHECK(shop.host.logged("V-L (variation " + std::to_string(v_l) + ") -> V", SR_LOG_INFO));
  CHECK(shop.host.logged("W-2", SR_LOG_WARN));  // manage_stock off
  // A variable parent without stock of its own is normal: not in the list.
  CHECK(shop.host.logged("1 product(s) do not manage stock (manage_stock off) and are not synced: W-2", SR_LOG_WARN));

  auto check_order = [&](const char* what) {
    INFO(what);
    auto id = shop.sim.place_order({{"V-S", 2}, {"V-M", 1}}, "processing");
    auto polled = shop.poll();
    auto order = find_order(polled, id);
    REQUIRE(order);
    REQUIRE(order->order.lines.size() == 2);
    CHECK(order->order.lines[0].sku == "V");  // the stock holder
    CHECK(order->order.lines[0].remote_variation_id == std::to_string(v_s));
    CHECK(order->order.lines[1].sku == "V-M");
    CHECK(find_sku<sr::StockLevel>(polled, "V")->quantity == sr::Quantity::units(*shop.sim.stock("V")));
    CHECK(!find_sku<sr::StockLevel>(polled, "V-S"));
  };
  check_order("with the catalogue known from the reconcile");
  // A fresh connection that never read the catalogue learns it from the order.
  shop.host.erase_state("catalog");
  shop.start();
  check_order("learnt from the order's lines");
  CHECK(shop.host.violations().empty());
}

TEST_CASE("manage_stock off, missing SKUs and SKUs used twice are reported, never synced") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.sim.add_simple("U", std::nullopt);
  shop.sim.add_simple("U2", std::nullopt);
  auto nosku = shop.sim.add_simple("", 4, "No SKU");
  auto d1 = shop.sim.add_simple("D", 3);
  auto d2 = shop.sim.force_duplicate_sku("D", 7);
  shop.start();
  auto events = shop.poll(sr::PollMode::Reconcile);

  CHECK(find_sku<sr::StockLevel>(events, "A"));
  CHECK(!find_sku<sr::ProductChange>(events, "U")->managed);
  CHECK(!find_sku<sr::StockLevel>(events, "U"));
  int d_products = 0;
  for (const auto& p : of_kind<sr::ProductChange>(events)) d_products += p.sku == "D";
  CHECK(d_products == 2);
  CHECK(!find_sku<sr::StockLevel>(events, "D"));
  CHECK(shop.host.logged("SKU D is used by products " + std::to_string(d1) + " and " + std::to_string(d2), SR_LOG_WARN));
  CHECK(shop.host.logged("2 product(s) do not manage stock (manage_stock off) and are not synced: U, U2", SR_LOG_WARN));
  CHECK(shop.host.logged("1 product(s)/variation(s) have no SKU and are skipped: ids " + std::to_string(nosku), SR_LOG_WARN));
  int warnings = 0;
  for (const auto& l : shop.host.logs()) warnings += l.level == SR_LOG_WARN && l.text.find("do not manage stock") != std::string::npos;
  CHECK(warnings == 1);  // one line per poll

  // An incremental poll of one of them still knows the SKU is doubled.
  shop.poll();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  shop.sim.set_stock("D", 9);
  shop.host.clear_records();
  events = shop.poll();
  CHECK(!find_sku<sr::ProductChange>(events, "D"));  // only its stock changed
  CHECK(!find_sku<sr::StockLevel>(events, "D"));
  CHECK(shop.host.logged("SKU D is used by products " + std::to_string(d1) + " and " + std::to_string(d2), SR_LOG_WARN));
}

TEST_CASE("a product event only when more than the stock changed: a failed hand-over or a reconcile reports again") {
  WooShop shop;
  shop.sim.add_simple("A", 10, "Apple");
  shop.sim.add_simple("B", 5, "Banana");
  shop.start();
  auto events = shop.poll();
  REQUIRE(find_sku<sr::ProductChange>(events, "A"));
  REQUIRE(find_sku<sr::ProductChange>(events, "B"));

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  shop.sim.set_stock("A", 3);
  shop.rest("PUT", "/products/" + std::to_string(shop.sim.product("B")->id), {{"name", "Blue banana"}});
  events = shop.poll();
  CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(3));
  CHECK(!find_sku<sr::ProductChange>(events, "A"));  // its stock alone: the level says it
  REQUIRE(find_sku<sr::ProductChange>(events, "B"));
  CHECK(find_sku<sr::ProductChange>(events, "B")->name == "Blue banana");

  // Events that did not reach the host are reported again by the next read.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  shop.rest("PUT", "/products/" + std::to_string(shop.sim.product("A")->id), {{"name", "Green apple"}});
  shop.host.fail_emits(SR_FAILED);
  CHECK(shop.plugin->poll() == SR_RETRY);
  events = shop.poll();
  REQUIRE(find_sku<sr::ProductChange>(events, "A"));
  CHECK(find_sku<sr::ProductChange>(events, "A")->name == "Green apple");

  events = shop.poll(sr::PollMode::Reconcile);
  CHECK(find_sku<sr::ProductChange>(events, "A"));
  CHECK(find_sku<sr::ProductChange>(events, "B"));
}

TEST_CASE("a poll for orders only reads the orders changed since the cursor, no products") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start();
  shop.poll();  // cursors
  auto id = shop.sim.place_order({{"A", 2}}, "processing");
  shop.host.clear_records();
  auto events = shop.poll(sr::PollMode::Orders);
  CHECK(find_order(events, id));
  CHECK(!find_sku<sr::StockLevel>(events, "A"));
  REQUIRE(!shop.host.http_requests().empty());
  for (const auto& r : shop.host.http_requests()) {
    INFO(r.dump());
    CHECK(r.value("url", std::string()).find("/products") == std::string::npos);
  }
  // The next incremental poll reads the level the order left.
  events = shop.poll();
  REQUIRE(find_sku<sr::StockLevel>(events, "A"));
  CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(8));
}

TEST_CASE("a reconcile reads the whole catalogue page by page: 1,234 SKUs") {
  WooShop shop;
  shop.sim.generate_catalog(1234);
  shop.start();
  auto events = shop.poll(sr::PollMode::Reconcile);
  auto all = shop.sim.products();

  std::map<std::int64_t, woo_sim::ProductView> by_id;
  for (const auto& p : all) by_id[p.id] = p;
  std::size_t with_sku = 0, top_level = 0;
  std::set<std::string> expected_levels;
  for (const auto& p : all) {
    if (p.type != "variation") ++top_level;
    if (p.sku.empty()) continue;
    ++with_sku;
    if (!p.manage_stock) continue;
    if (p.type == "variation") {
      const auto& parent = by_id[p.parent_id];
      if (parent.manage_stock && parent.stock_quantity == p.stock_quantity) continue;  // the parent's stock
    }
    expected_levels.insert(p.sku);
  }
  auto products = of_kind<sr::ProductChange>(events);
  auto levels = of_kind<sr::StockLevel>(events);
  CHECK(products.size() == with_sku);
  CHECK(with_sku >= 1234);
  std::set<std::string> level_skus;
  for (const auto& l : levels) {
    level_skus.insert(l.sku);
    INFO(l.sku);
    CHECK(l.quantity == sr::Quantity::units(*shop.sim.stock(l.sku)));
    CHECK(l.version == shop.sim.product(l.sku)->date_modified_gmt);
  }
  CHECK(level_skus == expected_levels);
  CHECK(level_skus.size() == levels.size());

  // Every page of the list was read (100 a page), nothing twice.
  std::size_t product_pages = 0;
  for (const auto& r : shop.host.http_requests()) {
    std::string url = r["url"];
    if (url.find("/wp-json/wc/v3/products?") != std::string::npos) ++product_pages;
    CHECK(url.find("per_page=100") != std::string::npos);
  }
  CHECK(product_pages == (top_level + 99) / 100);
  // At most 500 events per emit().
  for (const auto& c : shop.host.calls())
    if (c.service == "emit") CHECK(std::count(c.detail.begin(), c.detail.end(), ',') < 500);
  CHECK(shop.host.violations().empty());
  CHECK(shop.host.refusals().empty());
}

TEST_CASE("a reconcile never moves the cursors back, and an incremental poll reads only what changed") {
  WooShop shop;
  for (int i = 0; i < 30; ++i) shop.sim.add_simple("P-" + std::to_string(i), i);
  shop.start({{"page_size", 7}});
  shop.poll(sr::PollMode::Reconcile);
  auto cursor = shop.host.state("products.modified_gmt");
  REQUIRE(cursor);
  shop.host.set_state("products.modified_gmt", "2999-01-01T00:00:00");
  shop.poll(sr::PollMode::Reconcile);
  CHECK(shop.host.state("products.modified_gmt") == "2999-01-01T00:00:00");

  shop.host.set_state("products.modified_gmt", *cursor);
  auto before = shop.keys();
  std::this_thread::sleep_for(std::chrono::milliseconds(5200));  // past the overlap
  shop.sim.set_stock("P-3", 33);
  auto events = shop.poll();
  // The overlap re-reads what was modified in the cursor's last seconds
  // (same keys as before), plus what changed since.
  for (const auto& e : events) {
    if (sr::key_of(e).starts_with("level:P-3:") || sr::key_of(e).starts_with("product:P-3:")) continue;
    INFO(sr::key_of(e));
    CHECK(std::find(before.begin(), before.end(), sr::key_of(e)) != before.end());
  }
  CHECK(find_sku<sr::StockLevel>(events, "P-3")->quantity == q(33));
  // Now the cursor is past the others: only P-3 is read again.
  events = shop.poll();
  auto levels = of_kind<sr::StockLevel>(events);
  REQUIRE(levels.size() == 1);
  CHECK(levels[0].sku == "P-3");
}

TEST_CASE("an incremental poll reads the variations of a changed variable product") {
  WooShop shop;
  auto v = shop.sim.add_variable("V", "Shirt");
  shop.sim.add_variation(v, "V-S", woo_sim::ManageMode::Own, 4);
  shop.sim.add_variation(v, "V-M", woo_sim::ManageMode::Own, 6);
  shop.start();
  shop.poll();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  shop.sim.set_stock("V-M", 1);  // saving a variation saves its parent too
  auto events = shop.poll();
  CHECK(find_sku<sr::StockLevel>(events, "V-M")->quantity == q(1));
  CHECK(find_sku<sr::StockLevel>(events, "V-S")->quantity == q(4));
}

TEST_CASE("a SKU used twice gets no level even when the second product is on a later page") {
  WooShop shop;
  for (int i = 0; i < 30; ++i) shop.sim.add_simple("P-" + std::to_string(i), i);
  auto d2 = shop.sim.force_duplicate_sku("P-2", 7);  // the newest id: read pages after P-2
  shop.start({{"page_size", 7}});
  auto events = shop.poll(sr::PollMode::Reconcile);

  int p2_products = 0;
  for (const auto& p : of_kind<sr::ProductChange>(events)) p2_products += p.sku == "P-2";
  CHECK(p2_products == 2);
  CHECK(!find_sku<sr::StockLevel>(events, "P-2"));
  CHECK(find_sku<sr::StockLevel>(events, "P-3")->quantity == q(3));
  CHECK(of_kind<sr::StockLevel>(events).size() == 29);
  CHECK(shop.host.logged("SKU P-2 is used by products " + std::to_string(shop.sim.product("P-2")->id) + " and " +
                             std::to_string(d2),
                         SR_LOG_WARN));
  // Each product's change comes before its level.
  for (const auto& l : of_kind<sr::StockLevel>(events)) {
    INFO(l.sku);
    CHECK(index_of(events, "product:" + l.sku + ":") < index_of(events, "level:" + l.sku + ":"));
  }
  CHECK(shop.host.violations().empty());
}

namespace {

// The ids stored in the catalogue's shards: id -> [sku, parent, holder].
std::map<std::int64_t, json> stored_catalog(const WooShop& shop) {
  std::map<std::int64_t, json> out;
  auto head = shop.host.state("catalog");
  REQUIRE(head);
  auto h = json::parse(*head);
  REQUIRE(h["v"] == 2);
  int shards = h["shards"];
  for (int k = 0; k < shards; ++k) {
    auto doc = shop.host.state("catalog." + std::to_string(k));
    if (!doc) continue;
    json parsed = json::parse(*doc);
    for (const auto& item : parsed["items"]) {
      std::int64_t id = item[0];
      CHECK(id % shards == k);
      out[id] = json::array({item[1], item[2], item[3]});
    }
  }
  return out;
}

// Whether the connector read one product on its own (GET /products/{id}).
bool fetched_product(const WooShop& shop, std::int64_t id) {
  const std::string path = "/products/" + std::to_string(id);
  for (const auto& r : shop.host.http_requests()) {
    std::string url = r["url"];
    if (url.ends_with(path) || url.find(path + "?") != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> catalog_puts(const WooShop& shop) {
  std::vector<std::string> out;
  for (const auto& c : shop.host.calls())
    if (c.service == "state_put" && c.detail.starts_with("catalog")) out.push_back(c.detail.substr(0, c.detail.find('=')));
  return out;
}

}  // namespace

TEST_CASE("the catalogue is stored in shards, a change rewrites only its shard, and a restart reads it back") {
  WooShop shop;
  auto v = shop.sim.add_variable("V", "Shirt", 20);
  auto v_s = shop.sim.add_variation(v, "V-S", woo_sim::ManageMode::Parent);
  for (int i = 0; i < 150; ++i) shop.sim.add_simple("P-" + std::to_string(i), i, "Product \"" + std::to_string(i) + "\"");
  shop.start();
  shop.poll(sr::PollMode::Reconcile);

  auto stored = stored_catalog(shop);
  CHECK(stored.size() == 152);
  CHECK(stored[v_s] == json::array({"V-S", v, "V"}));
  CHECK(stored[v] == json::array({"V", 0, ""}));
  CHECK(stored[shop.sim.product("P-7")->id] == json::array({"P-7", 0, ""}));

  // One new product: one shard written again, nothing else.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto n = shop.sim.add_simple("NEW", 3);
  shop.poll();
  CHECK(catalog_puts(shop) == std::vector<std::string>{"catalog." + std::to_string(n % 64)});
  CHECK(stored_catalog(shop)[n] == json::array({"NEW", 0, ""}));
  // Nothing changed: nothing written.
  shop.poll();
  CHECK(catalog_puts(shop).empty());

  // A new instance (a restart) knows the stock holder without asking the store.
  shop.start();
  shop.host.clear_records();
  auto id = shop.sim.place_order({{"V-S", 2}}, "processing");
  auto events = shop.poll();
  auto order = find_order(events, id);
  REQUIRE(order);
  CHECK(order->order.lines[0].sku == "V");
  CHECK(!fetched_product(shop, v));
  CHECK(!fetched_product(shop, v_s));
  CHECK(shop.host.violations().empty());
}

TEST_CASE("a catalogue stored in the first format (one JSON value) is read and replaced by shards") {
  WooShop shop;
  auto v = shop.sim.add_variable("V", "Shirt", 20);
  auto v_s = shop.sim.add_variation(v, "V-S", woo_sim::ManageMode::Parent);
  json items = json::object();
  items[std::to_string(v)] = json::array({"V", 0, ""});
  items[std::to_string(v_s)] = json::array({"V-S", v, "V"});
  items["999999"] = json::array({"GONE", 0, ""});  // no longer in the store
  shop.host.set_state("catalog", json{{"v", 1}, {"items", items}}.dump());
  shop.start();
  CHECK(shop.host.logged("connected (3 products and variations known)", SR_LOG_INFO));

  // The order is read before the products: its line counts on the holder
  // the stored catalogue names, without asking the store.
  auto id = shop.sim.place_order({{"V-S", 1}}, "processing");
  auto events = shop.poll();
  auto order = find_order(events, id);
  REQUIRE(order);
  CHECK(order->order.lines[0].sku == "V");
  CHECK(!fetched_product(shop, v));
  auto stored = stored_catalog(shop);
  CHECK(stored[v_s] == json::array({"V-S", v, "V"}));
  CHECK(stored.count(999999) == 1);  // an incremental read drops nothing
  shop.poll(sr::PollMode::Reconcile);
  CHECK(stored_catalog(shop).count(999999) == 0);  // a full read does
  CHECK(shop.host.violations().empty());
}

TEST_CASE("a damaged catalogue shard is reported, and the catalogue is written again whole") {
  WooShop shop;
  shop.sim.add_simple("A", 1);
  shop.sim.add_simple("B", 2);
  shop.start();
  shop.poll(sr::PollMode::Reconcile);
  shop.host.set_state("catalog.5", "{not json");
  shop.start();
  CHECK(shop.host.logged("state 'catalog' is damaged", SR_LOG_WARN));
  shop.poll();
  auto stored = stored_catalog(shop);
  CHECK(stored.size() == 2);
  CHECK(json::parse(*shop.host.state("catalog.5"))["v"] == 2);
}
