// libwoocommerce.so: webhooks from the simulated store, delivered over real
// HTTP to a receiver and handed to the plugin; registration and health.
#include <algorithm>
#include <set>

#include "woo_fixture.hpp"

using namespace woo_test;

namespace {

std::vector<woo_sim::WebhookView> ours(WooShop& shop) {
  std::vector<woo_sim::WebhookView> out;
  for (const auto& w : shop.sim.webhooks())
    if (w.delivery_url == shop.webhook_url()) out.push_back(w);
  return out;
}

std::set<std::string> topics_of(const std::vector<woo_sim::WebhookView>& hooks) {
  std::set<std::string> t;
  for (const auto& w : hooks) t.insert(w.topic);
  return t;
}

const std::set<std::string> kAllTopics = {"order.created", "order.updated", "product.created", "product.updated",
                                          "product.deleted"};

std::vector<std::string> keys_of(const std::vector<sr::Event>& events) {
  std::vector<std::string> k;
  for (const auto& e : events) k.push_back(sr::key_of(e));
  return k;
}

}  // namespace

TEST_CASE("start() registers one active webhook per topic at webhook_url, and a restart adds none") {
  WooShop shop;
  shop.start(shop.with_webhooks());
  auto hooks = ours(shop);
  CHECK(hooks.size() == 5);
  CHECK(topics_of(hooks) == kAllTopics);
  for (const auto& w : hooks) CHECK(w.status == "active");
  CHECK(shop.host.logged("created webhook", SR_LOG_INFO));

  shop.start(shop.with_webhooks());  // a restart
  CHECK(ours(shop).size() == 5);
  CHECK(shop.host.violations().empty());
}

TEST_CASE("the store's ping is answered 200 and emits nothing") {
  WooShop shop;
  shop.start(shop.with_webhooks());
  shop.sim.wait_webhooks_idle(5000);
  auto pings = shop.hooks.pings();
  REQUIRE(pings.size() == 5);  // one per created webhook
  shop.host.clear_records();
  for (const auto& ping : pings) {
    auto r = shop.plugin->on_webhook(ping);
    CHECK(r.status == SR_OK);
    CHECK(r.response_status == 200);
  }
  CHECK(shop.host.events().empty());
}

TEST_CASE("order webhooks emit the order as the store holds it at send time") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.sim.add_simple("B", 5);
  shop.start(shop.with_webhooks());
  shop.host.clear_records();

  auto id = shop.sim.place_order({{"A", 2}, {"B", 1}}, "processing");
  auto calls = shop.pump();
  REQUIRE(!calls.empty());
  for (const auto& c : calls) CHECK(c.response_status == 200);
  auto events = shop.host.events();
  auto order = find_order(events, id);
  REQUIRE(order);
  CHECK(order->order.stock == sr::OrderStock::Held);
  CHECK(order->order.status == "processing");
  REQUIRE(order->order.lines.size() == 2);
  CHECK(order->order.lines[0].sku == "A");
  CHECK(order->order.lines[0].quantity == q(2));
  CHECK(order->order.lines[1].sku == "B");
  CHECK(!order->order.lines[0].id.empty());
  CHECK(order->order.lines[0].id != order->order.lines[1].id);
  CHECK(order->key.starts_with("order:" + std::to_string(id) + ":"));
  CHECK(order->order.lines[0].unit_price.has_value());
  // The sale changed the levels: product.updated brings them.
  CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(8));
  CHECK(find_sku<sr::StockLevel>(events, "B")->quantity == q(4));

  shop.host.clear_records();
  shop.sim.set_order_status(id, "cancelled");
  shop.pump();
  events = shop.host.events();
  order = find_order(events, id);
  REQUIRE(order);
  CHECK(order->order.stock == sr::OrderStock::Released);
  CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(10));
  CHECK(shop.host.violations().empty());
}

TEST_CASE("product webhooks: created, updated, unmanaged, trashed and deleted") {
  WooShop shop;
  shop.start(shop.with_webhooks());
  shop.host.clear_records();

  auto id = shop.sim.add_simple("N-1", 3, "New thing");
  shop.pump();
  auto events = shop.host.events();
  auto pc = find_sku<sr::ProductChange>(events, "N-1");
  REQUIRE(pc);
  CHECK(pc->remote_id == std::to_string(id));
  CHECK(pc->active);
  CHECK(pc->managed);
  CHECK(pc->name == "New thing");
  auto level = find_sku<sr::StockLevel>(events, "N-1");
  REQUIRE(level);
  CHECK(level->quantity == q(3));
  CHECK(level->version == shop.sim.product("N-1")->date_modified_gmt);
  CHECK(level->key == "level:N-1:" + level->version + ":3");

  shop.host.clear_records();
  shop.sim.set_stock("N-1", 7);
  shop.pump();
  CHECK(find_sku<sr::StockLevel>(shop.host.events(), "N-1")->quantity == q(7));

  shop.host.clear_records();
  shop.sim.set_stock("N-1", std::nullopt);  // manage_stock off
  shop.pump();
  events = shop.host.events();
  REQUIRE(find_sku<sr::ProductChange>(events, "N-1"));
  CHECK(!find_sku<sr::ProductChange>(events, "N-1")->managed);
  CHECK(!find_sku<sr::StockLevel>(events, "N-1"));

  SECTION("moved to the trash") {
    shop.host.clear_records();
    shop.rest("DELETE", "/products/" + std::to_string(id));
    shop.pump();
    auto gone = find_sku<sr::ProductChange>(shop.host.events(), "N-1");
    REQUIRE(gone);
    CHECK(!gone->active);
  }
  SECTION("deleted for good") {
    shop.host.clear_records();
    shop.rest("DELETE", "/products/" + std::to_string(id) + "?force=true");
    shop.pump();
    auto gone = find_sku<sr::ProductChange>(shop.host.events(), "N-1");
    REQUIRE(gone);
    CHECK(!gone->active);
    CHECK(gone->remote_id == std::to_string(id));
    CHECK(gone->key == "product:N-1:" + std::to_string(id) + ":deleted");
  }
  CHECK(shop.host.violations().empty());
}

TEST_CASE("a delivery with a bad or missing signature is refused with 401, logged, and emits nothing") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start(shop.with_webhooks());
  shop.sim.place_order({{"A", 1}}, "processing");
  auto deliveries = shop.collect();
  REQUIRE(!deliveries.empty());
  json d = deliveries.front();
  std::string topic = d["headers"]["x-wc-webhook-topic"];
  std::string delivery_id = d["headers"]["x-wc-webhook-delivery-id"];
  shop.host.clear_records();

  SECTION("the body was changed after signing") { d["body"] = d["body"].get<std::string>() + " "; }
  SECTION("signed with another secret") { d["headers"]["x-wc-webhook-signature"] = "c2lnbmVkIHdpdGggYW5vdGhlciBzZWNyZXQ="; }
  SECTION("no signature") { d["headers"].erase("x-wc-webhook-signature"); }
  SECTION("an empty signature") { d["headers"]["x-wc-webhook-signature"] = ""; }

  auto r = shop.plugin->on_webhook(d);
  CHECK(r.status == SR_INVALID);
  CHECK(r.response_status == 401);
  CHECK(shop.host.events().empty());
  CHECK(shop.host.logged(topic, SR_LOG_WARN));
  CHECK(shop.host.logged(delivery_id, SR_LOG_WARN));
  for (const auto& l : shop.host.logs()) CHECK(l.text.find(kWebhookSecret) == std::string::npos);
}

TEST_CASE("without a webhook_secret every signed delivery is refused") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start(shop.with_webhooks());
  shop.sim.place_order({{"A", 1}}, "processing");
  auto deliveries = shop.collect();
  REQUIRE(!deliveries.empty());
  shop.start({{"webhook_secret", nullptr}, {"webhook_url", nullptr}});
  shop.host.clear_records();
  auto r = shop.plugin->on_webhook(deliveries.front());
  CHECK(r.response_status == 401);
  CHECK(shop.host.events().empty());
  CHECK(shop.host.logged("no webhook_secret", SR_LOG_WARN));
}

namespace {

// A poll ends its keys with ":read<ms>" (each poll's reading is a new
// observation for the host); the state they name is the part before it.
std::string state_of(const std::string& key) {
  auto at = key.find(":read");
  return at == std::string::npos ? key : key.substr(0, at);
}

}  // namespace

TEST_CASE("repeated and reordered deliveries give the same keys, so nothing counts twice") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start(shop.with_webhooks());
  auto id = shop.sim.place_order({{"A", 2}}, "processing");
  auto first = shop.collect();   // built while the order was processing
  shop.sim.set_order_status(id, "cancelled");
  auto second = shop.collect();  // built after the cancel
  auto order_hook = [&](const std::vector<json>& ds) {
    for (const auto& d : ds)
      if (d["headers"]["x-wc-webhook-topic"].get<std::string>().starts_with("order.")) return d;
    FAIL("no order delivery");
    return json();
  };
  json processing = order_hook(first), cancelled = order_hook(second);

  shop.host.clear_records();
  for (const auto& d : {processing, cancelled}) REQUIRE(shop.plugin->on_webhook(d).status == SR_OK);
  auto in_order = shop.keys();
  REQUIRE(in_order.size() == 2);
  CHECK(in_order[0] != in_order[1]);

  shop.host.clear_records();
  for (const auto& d : {cancelled, processing, cancelled, processing, processing})
    REQUIRE(shop.plugin->on_webhook(d).status == SR_OK);
  auto replayed = shop.keys();
  std::set<std::string> distinct(replayed.begin(), replayed.end());
  CHECK(distinct == std::set<std::string>(in_order.begin(), in_order.end()));
  CHECK(replayed[0] == in_order[1]);

  // A poll of the current state names the newest delivery's state.
  std::vector<std::string> polled;
  for (const auto& k : keys_of(shop.poll())) polled.push_back(state_of(k));
  CHECK(std::find(polled.begin(), polled.end(), in_order[1]) != polled.end());
  CHECK(std::find(polled.begin(), polled.end(), in_order[0]) == polled.end());
}

TEST_CASE("the store's own duplicate and reordered deliveries change nothing") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.sim.add_simple("B", 10);
  shop.start(shop.with_webhooks());
  woo_sim::Faults f;
  f.webhook_duplicate_rate = 1.0;
  f.webhook_reorder_rate = 0.5;
  shop.sim.set_faults(f);
  shop.host.clear_records();
  auto id = shop.sim.place_order({{"A", 1}, {"B", 3}}, "processing");
  shop.sim.set_stock("B", 20);
  auto calls = shop.pump();
  for (const auto& c : calls) CHECK(c.response_status == 200);
  auto keys = shop.keys();
  std::set<std::string> distinct(keys.begin(), keys.end());
  CHECK(keys.size() > distinct.size());  // the duplicates arrived...
  // ...and are the same events: one state of the order, the newest levels.
  std::set<std::string> orders;
  for (const auto& k : distinct)
    if (k.starts_with("order:")) orders.insert(k);
  CHECK(orders.size() == 1);
  auto polled = keys_of(shop.poll());
  for (const auto& k : polled)
    if (k.starts_with("order:" + std::to_string(id)) || k.starts_with("level:")) CHECK(distinct.count(state_of(k)) == 1);
}

TEST_CASE("a webhook and a poll of the same state name the same state, each poll reads anew") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start(shop.with_webhooks());
  shop.host.clear_records();
  shop.sim.place_order({{"A", 4}}, "on-hold");
  shop.pump();
  auto hooked = shop.keys();
  REQUIRE(!hooked.empty());
  auto polled = keys_of(shop.poll());
  std::vector<std::string> states;
  for (const auto& k : polled) states.push_back(state_of(k));
  for (const auto& k : hooked) {
    INFO(k);
    // The product itself was reported by the webhook and did not change
    // since, apart from its stock: the poll reports its level, not it again.
    if (k.starts_with("product:")) CHECK(std::find(states.begin(), states.end(), k) == states.end());
    else CHECK(std::find(states.begin(), states.end(), k) != states.end());
  }
  // Orders and levels read by a poll are new readings each time, carrying
  // when they were read (the host tells an older copy of an order by it).
  shop.host.advance(1000);
  auto again = keys_of(shop.poll());
  int readings = 0;
  for (const auto& k : again) {
    if (!k.starts_with("level:") && !k.starts_with("order:")) continue;
    ++readings;
    CHECK(k.find(":read") != std::string::npos);
    CHECK(std::find(polled.begin(), polled.end(), k) == polled.end());
    CHECK(std::find(states.begin(), states.end(), state_of(k)) != states.end());
  }
  CHECK(readings >= 2);  // the order and its level
}

TEST_CASE("the echo of the hub's own write emits nothing: a change after it, or a rename with it, does") {
  WooShop shop;
  shop.sim.add_simple("A", 10, "Apple");
  shop.start(shop.with_webhooks());
  shop.poll();
  shop.pump();
  shop.host.clear_records();

  REQUIRE(shop.plugin->deliver({shop.set_stock("1", "A", 7)}) == SR_OK);
  REQUIRE(shop.host.results().size() == 1);
  CHECK(shop.host.results()[0].level == std::optional<sr::Quantity>(q(7)));
  auto calls = shop.pump();
  REQUIRE(!calls.empty());  // the store fired product.updated for our write
  for (const auto& c : calls) CHECK(c.response_status == 200);
  CHECK(!find_sku<sr::StockLevel>(shop.host.events(), "A"));
  CHECK(!find_sku<sr::ProductChange>(shop.host.events(), "A"));
  CHECK(shop.host.logged("SKU A shows what the hub's write left (7 at "));

  SECTION("a sale after the write is news") {
    shop.host.clear_records();
    shop.sim.place_order({{"A", 2}}, "processing");
    shop.pump();
    auto level = find_sku<sr::StockLevel>(shop.host.events(), "A");
    REQUIRE(level);
    CHECK(level->quantity == q(5));
  }
  SECTION("a rename together with a write is news, with the written level") {
    shop.host.clear_records();
    REQUIRE(shop.plugin->deliver({shop.set_stock("2", "A", 9)}) == SR_OK);
    shop.rest("PUT", "/products/" + std::to_string(shop.sim.product("A")->id), {{"name", "Red apple"}});
    shop.pump();
    auto pc = find_sku<sr::ProductChange>(shop.host.events(), "A");
    REQUIRE(pc);
    CHECK(pc->name == "Red apple");
    auto level = find_sku<sr::StockLevel>(shop.host.events(), "A");
    REQUIRE(level);
    CHECK(level->quantity == q(9));
  }
  CHECK(shop.host.violations().empty());
}

TEST_CASE("polls keep the webhooks alive: a disabled one is re-enabled, a missing one recreated, once a minute") {
  WooShop shop;
  shop.start(shop.with_webhooks());
  auto hooks = ours(shop);
  REQUIRE(hooks.size() == 5);
  auto disabled = *std::find_if(hooks.begin(), hooks.end(), [](const auto& w) { return w.topic == "order.updated"; });
  auto removed = *std::find_if(hooks.begin(), hooks.end(), [](const auto& w) { return w.topic == "product.updated"; });
  shop.sim.set_webhook_status(disabled.id, "disabled");
  shop.rest("DELETE", "/webhooks/" + std::to_string(removed.id) + "?force=true");

  shop.poll();  // within the minute after start(): not checked yet
  CHECK(ours(shop).size() == 4);

  shop.host.advance(61'000);
  shop.poll();
  hooks = ours(shop);
  CHECK(hooks.size() == 5);
  CHECK(topics_of(hooks) == kAllTopics);
  for (const auto& w : hooks) CHECK(w.status == "active");
  CHECK(shop.host.logged("webhook " + std::to_string(disabled.id) + " (order.updated) was disabled", SR_LOG_WARN));
  CHECK(shop.host.logged("created webhook", SR_LOG_INFO));

  // The recreated one delivers again.
  shop.sim.add_simple("Z", 1);
  shop.host.clear_records();
  shop.sim.set_stock("Z", 2);
  shop.pump();
  CHECK(find_sku<sr::StockLevel>(shop.host.events(), "Z")->quantity == q(2));
  CHECK(shop.host.violations().empty());
}

TEST_CASE("webhook registration without an answer does not fail start(), the next poll looks again") {
  WooShop shop;
  int refused = 0;
  shop.host.on_http([&](const json& req) -> sr::HttpResponse {
    // As when the store waits for its ping to a hub that is busy with this very call.
    if (req["url"].get<std::string>().find("/webhooks/batch") != std::string::npos && refused++ == 0)
      throw sr::retryable_error("timeout: Operation timed out after 5000 milliseconds");
    return shop.forward(req);
  });
  shop.start(shop.with_webhooks());
  CHECK(ours(shop).empty());
  CHECK(shop.host.logged("checked again at the next poll", SR_LOG_WARN));
  shop.poll();  // no need to wait a minute
  CHECK(ours(shop).size() == 5);
  CHECK(shop.host.logged("created webhook", SR_LOG_INFO));
  shop.host.clear_records();
  shop.poll();  // now within the minute again
  for (const auto& r : shop.host.http_requests()) CHECK(r["url"].get<std::string>().find("/webhooks") == std::string::npos);
}

TEST_CASE("a store that disabled its webhooks after failures gets them back, and polling fills the gap") {
  woo_sim::Options o = sim_options();
  o.webhook_failure_threshold = 1;
  WooShop shop(o);
  shop.sim.add_simple("A", 10);
  shop.start(shop.with_webhooks());
  // The hub answers 500 for a while: every delivery fails, and the store
  // disables the webhook (no retries, deliveries lost).
  for (int i = 0; i < 4; ++i) {
    shop.sim.set_stock("A", 20 + i);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto d = shop.hooks.pop(20)) d->respond(http::ServerResponse{500, "application/json", "{}", {}});
      else if (shop.sim.wait_webhooks_idle(0)) break;
    }
  }
  auto hooks = ours(shop);
  auto product_updated = std::find_if(hooks.begin(), hooks.end(), [](const auto& w) { return w.topic == "product.updated"; });
  REQUIRE(product_updated != hooks.end());
  CHECK(product_updated->status == "disabled");

  shop.host.advance(61'000);
  auto events = shop.poll();
  CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(23));
  for (const auto& w : ours(shop)) CHECK(w.status == "active");
}

TEST_CASE("webhooks for parent-managed variations count on the stock holder's SKU") {
  WooShop shop;
  auto v = shop.sim.add_variable("V", "Shirt", 20);
  auto v_s = shop.sim.add_variation(v, "V-S", woo_sim::ManageMode::Parent);
  shop.sim.add_variation(v, "V-M", woo_sim::ManageMode::Own, 5);
  shop.start(shop.with_webhooks());  // no poll yet: the catalogue is unknown
  shop.host.clear_records();

  auto id = shop.sim.place_order({{"V-S", 3}, {"V-M", 1}}, "processing");
  auto calls = shop.pump();
  for (const auto& c : calls) CHECK(c.response_status == 200);
  auto events = shop.host.events();
  auto order = find_order(events, id);
  REQUIRE(order);
  REQUIRE(order->order.lines.size() == 2);
  CHECK(order->order.lines[0].sku == "V");
  CHECK(order->order.lines[0].remote_variation_id == std::to_string(v_s));
  CHECK(order->order.lines[1].sku == "V-M");
  // The parent's save brings its level; the variation that uses it has none.
  CHECK(find_sku<sr::StockLevel>(events, "V")->quantity == q(17));
  CHECK(!find_sku<sr::StockLevel>(events, "V-S"));

  shop.host.clear_records();
  shop.sim.set_stock("V-M", 9);
  shop.pump();
  events = shop.host.events();
  auto level = find_sku<sr::StockLevel>(events, "V-M");
  REQUIRE(level);
  CHECK(level->quantity == q(9));
  CHECK(level->remote_id == std::to_string(v));
  CHECK(level->version == shop.sim.product("V-M")->date_modified_gmt);
  CHECK(shop.host.violations().empty());
}
