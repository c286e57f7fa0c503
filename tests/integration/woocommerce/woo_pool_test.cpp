// Several WooCommerce shops sharing one stock pool, end to end: simulated
// shops, the real connector plugin, the hub, SQLite, webhooks and REST.
#include <catch2/catch.hpp>

#include <iostream>

#include <ctime>
#include <iomanip>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "engine/sku_audit.hpp"
#include "http/client.hpp"
#include "test_support.hpp"
#include "util.hpp"
#include "woo_hub.hpp"

using namespace woo_test;

namespace {

void seed(WooHub& w, const std::string& sku, int qty) {
  for (const auto& s : w.shops()) w.shop(s).add_simple(sku, qty);
}

bool logged(WooHub& w, const std::string& connection, const std::string& text) {
  std::lock_guard lock(w.hub().store_mutex());
  stockrelay::store::LogQuery q;
  q.connection = connection;
  q.limit = 5000;
  for (const auto& e : w.hub().store().log(q))
    if ((e.cause + " " + e.message + " " + e.kind).find(text) != std::string::npos) return true;
  return false;
}

std::optional<sr::Quantity> pool_level(WooHub& w, const std::string& sku) {
  for (const auto& l : w.hub().store().pool_levels("main"))
    if (l.sku == sku) return l.quantity;
  return std::nullopt;
}

}  // namespace

TEST_CASE("woocommerce pool: a sale in one shop reaches every other shop and a cancel restores") {
  WooHub w;
  seed(w, "A", 10);
  seed(w, "B", 5);
  w.start();
  w.settle();
  auto order = w.shop("shop-b").place_order({{"A", 3}});
  w.settle();
  CHECK(w.all_show("A", 7));
  CHECK(w.all_show("B", 5));
  CHECK(logged(w, "shop-a", "in shop-b"));  // the write names the order that caused it

  w.shop("shop-b").set_order_status(order, "cancelled");
  w.settle();
  CHECK(w.all_show("A", 10));
}

TEST_CASE("woocommerce pool: a manual change applies its difference everywhere, our writes do not echo") {
  WooHub w;
  seed(w, "A", 10);
  w.start();
  w.settle();
  w.shop("shop-c").set_stock("A", 25);
  w.settle();
  CHECK(w.all_show("A", 25));
  CHECK(logged(w, "shop-a", "manual change in shop-c"));

  // The product.updated webhooks our own writes caused come back: nothing moves.
  std::uint64_t writes = 0;
  for (const auto& s : w.shops()) writes += w.shop(s).counters().stock_writes;
  w.settle();
  w.settle();
  std::uint64_t after = 0;
  for (const auto& s : w.shops()) after += w.shop(s).counters().stock_writes;
  CHECK(after == writes);
  CHECK(pool_level(w, "A") == sr::Quantity::units(25));
}

TEST_CASE("woocommerce pool: sales in two shops within one sync window are both counted, even of the last unit") {
  WooSetup s;
  s.webhooks = false;  // nothing arrives before the next poll
  WooHub w(s);
  seed(w, "A", 10);
  seed(w, "LAST", 1);
  w.start();
  w.settle();
  w.shop("shop-a").place_order({{"A", 2}, {"LAST", 1}});
  w.shop("shop-b").place_order({{"A", 3}, {"LAST", 1}});
  w.settle();
  if (std::getenv("SR_DUMP")) {
    std::lock_guard lock(w.hub().store_mutex());
    stockrelay::store::LogQuery q;
    q.limit = 5000;
    for (const auto& e : w.hub().store().log(q))
      std::cout << e.at << " " << e.connection << " " << e.sku << " " << e.kind << " " << e.result << " "
                << (e.old_quantity ? e.old_quantity->to_string() : "-") << "->"
                << (e.new_quantity ? e.new_quantity->to_string() : "-") << " " << e.cause << " | " << e.message << "\n";
  }
  CHECK(w.all_show("A", 5));
  CHECK(w.all_show("LAST", 0));
  CHECK(pool_level(w, "LAST") == sr::Quantity::units(-1));  // oversold by one: the pool says so
}

TEST_CASE("woocommerce pool: missed webhooks are recovered by polling") {
  WooHub w;
  seed(w, "A", 10);
  w.start();
  w.settle();
  woo_sim::Faults f;
  f.webhook_drop_rate = 1.0;
  w.shop("shop-a").set_faults(f);
  w.shop("shop-a").place_order({{"A", 4}});
  w.shop("shop-a").wait_webhooks_idle(5000);
  CHECK(w.shop("shop-a").counters().webhooks_dropped > 0);
  w.settle();
  CHECK(w.all_show("A", 6));
}

TEST_CASE("woocommerce pool: an older copy of an order arriving after its cancel counts nothing again") {
  WooHub w;
  seed(w, "A", 10);
  w.start();
  w.settle();
  // The copy the shop held while the order took its stock (as a slow poll
  // would bring it) is kept.
  auto id = w.shop("shop-a").place_order({{"A", 2}});
  woo_sim::testing::Api api(w.shop("shop-a"));
  auto placed = api.get("/orders/" + std::to_string(id));
  REQUIRE(placed.status == 200);
  // Cancelled a second later: a newer modification time.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  w.shop("shop-a").set_order_status(id, "cancelled");
  w.settle();
  REQUIRE(w.all_show("A", 10));

  // The older copy arrives now, properly signed: it must not take the stock
  // again. (Made a few seconds older still, so that it is none of the copies
  // the hub may have seen already before the cancel: those a redelivery
  // changes nothing with in any case, their keys are journalled.)
  auto copy = nlohmann::json::parse(placed.body);
  for (const char* field : {"date_modified", "date_modified_gmt"}) {
    std::tm tm{};
    std::istringstream in(copy[field].get<std::string>());
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    REQUIRE(!in.fail());
    std::time_t t = timegm(&tm) - 5;
    std::ostringstream out;
    out << std::put_time(std::gmtime(&t), "%Y-%m-%dT%H:%M:%S");
    copy[field] = out.str();
  }
  stockrelay::http::Request r;
  r.method = "POST";
  r.url = w.hub().base_url() + "/hooks/shop-a";
  r.body = copy.dump();
  r.headers = {{"Content-Type", "application/json"},
               {"X-WC-Webhook-Topic", "order.updated"},
               {"X-WC-Webhook-Resource", "order"},
               {"X-WC-Webhook-Event", "updated"},
               {"X-WC-Webhook-ID", "2"},
               {"X-WC-Webhook-Source", w.shop("shop-a").base_url() + "/"},
               {"X-WC-Webhook-Signature", woo_sim::util::base64(woo_sim::util::hmac_sha256("whsec-shop-a", r.body))}};
  stockrelay::http::Client client("woo-pool-test", {});
  CHECK(client.send(r).status == 200);
  // Before any poll could read the order again and mend it.
  REQUIRE(w.hub().wait_quiet(20000));
  CHECK(w.all_show("A", 10));
  CHECK(logged(w, "shop-a", "older copy of the order"));
  w.settle();
  CHECK(w.all_show("A", 10));
  std::lock_guard lock(w.hub().store_mutex());
  CHECK(pool_level(w, "A") == sr::Quantity::units(10));
}

TEST_CASE("woocommerce pool: 5xx and 429 storms delay a change but do not lose it") {
  WooHub w;
  seed(w, "A", 10);
  w.start();
  w.settle();
  woo_sim::Faults f;
  f.fail_next = 4;
  f.rate_limit_next = 3;
  w.shop("shop-c").set_faults(f);
  w.shop("shop-a").place_order({{"A", 1}});
  w.settle(60000);
  CHECK(w.all_show("A", 9));
  CHECK(w.shop("shop-c").counters().errors_injected >= 7);
}

TEST_CASE("woocommerce pool: variations and parent-managed variations are synced by SKU") {
  WooHub w;
  for (const auto& s : w.shops()) {
    auto tee = w.shop(s).add_variable("TEE", "Tee");
    w.shop(s).add_variation(tee, "TEE-S", woo_sim::ManageMode::Own, 5);
    w.shop(s).add_variation(tee, "TEE-M", woo_sim::ManageMode::Own, 6);
    auto mug = w.shop(s).add_variable("MUG", "Mug", 8);  // the parent holds the stock
    w.shop(s).add_variation(mug, "MUG-RED", woo_sim::ManageMode::Parent);
    w.shop(s).add_variation(mug, "MUG-BLUE", woo_sim::ManageMode::Parent);
  }
  w.start();
  w.settle();
  w.shop("shop-a").place_order({{"TEE-S", 2}});
  w.shop("shop-b").place_order({{"MUG-RED", 1}, {"MUG-BLUE", 2}});
  w.settle();
  CHECK(w.all_show("TEE-S", 3));
  CHECK(w.all_show("TEE-M", 6));
  CHECK(w.all_show("MUG", 5));       // both sales counted on the parent's stock
  CHECK(w.all_show("MUG-RED", 5));   // as REST shows a parent-managed variation
}

TEST_CASE("woocommerce pool: a SKU on two products in one shop is excluded there and listed by check") {
  WooHub w;
  seed(w, "A", 10);
  seed(w, "B", 10);
  w.shop("shop-b").force_duplicate_sku("A", 4);  // an imported copy
  w.start();
  w.hub().poll_all(true);
  w.settle();
  w.shop("shop-a").place_order({{"A", 1}, {"B", 1}});
  w.settle();
  CHECK(w.shop("shop-c").stock("A") == 9);
  CHECK(w.all_show("B", 9));
  int dup_stock = 0;
  for (const auto& p : w.shop("shop-b").products())
    if (p.sku == "A") dup_stock += p.stock_quantity.value_or(0);
  CHECK(dup_stock == 14);  // neither copy written
  CHECK(logged(w, "shop-b", "excluded"));

  w.stop();
  std::string out;
  FILE* p = popen((std::string(STOCKRELAY_EXE) + " check --config " + w.config_path() + " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  CHECK_THAT(out, Catch::Contains("duplicate: 'A'") && Catch::Contains("shop-b"));
}

TEST_CASE("woocommerce pool: products without stock tracking are reported and never written") {
  WooHub w;
  seed(w, "A", 10);
  for (const auto& s : w.shops()) w.shop(s).add_simple("GIFT", std::nullopt);
  w.start();
  w.hub().poll_all(true);
  w.settle();
  w.shop("shop-a").place_order({{"GIFT", 1}, {"A", 1}});
  w.settle();
  CHECK(w.all_show("A", 9));
  for (const auto& s : w.shops()) CHECK_FALSE(w.shop(s).stock("GIFT"));
  std::lock_guard lock(w.hub().store_mutex());
  bool unmanaged = false;
  for (const auto& p : w.hub().store().products(std::string("shop-b")))
    if (p.sku == "GIFT") unmanaged = !p.managed;
  CHECK(unmanaged);
}

TEST_CASE("woocommerce pool: a shop joins with its catalogue, leaves, and the others carry on") {
  WooSetup s;
  s.members = {"shop-a", "shop-b"};
  WooHub w(s);
  seed(w, "A", 10);
  w.shop("shop-c").set_stock("A", 2);
  w.shop("shop-c").add_simple("ONLY-C", 7);
  w.start();
  w.settle();
  w.shop("shop-a").place_order({{"A", 1}});
  w.settle();
  REQUIRE(w.shop("shop-b").stock("A") == 9);

  auto r = w.hub().join_pool("main", "shop-c", nullptr, 60000);
  REQUIRE(r);
  CHECK(r->completed);
  CHECK(w.all_show("A", 9));
  CHECK(r->new_in_pool == std::vector<std::string>{"ONLY-C"});

  REQUIRE(w.hub().leave_pool("main", "shop-c"));
  w.shop("shop-a").place_order({{"A", 2}});
  w.settle();
  CHECK(w.shop("shop-b").stock("A") == 7);
  CHECK(w.shop("shop-c").stock("A") == 9);
}

namespace {

// The WooCommerce connector's catalogue as the store holds it: shard key -> value.
std::map<std::string, std::string> catalog_state(stockrelay::store::Store& store, const std::string& connection) {
  std::map<std::string, std::string> out;
  auto head = store.state_get(connection, "catalog");
  if (!head) return out;
  out["catalog"] = *head;
  int shards = nlohmann::json::parse(*head).value("shards", 0);
  for (int k = 0; k < shards; ++k)
    if (auto v = store.state_get(connection, "catalog." + std::to_string(k))) out["catalog." + std::to_string(k)] = *v;
  return out;
}

// id -> [sku, parent, holder] of every shard.
std::map<std::int64_t, nlohmann::json> catalog_ids(const std::map<std::string, std::string>& state) {
  std::map<std::int64_t, nlohmann::json> out;
  for (const auto& [key, value] : state) {
    if (key == "catalog") continue;
    nlohmann::json parsed = nlohmann::json::parse(value);
    for (const auto& item : parsed["items"])
      out[item[0].get<std::int64_t>()] = nlohmann::json::array({item[1], item[2], item[3]});
  }
  return out;
}

}  // namespace

TEST_CASE("woocommerce: the catalogue is kept in the store in shards, written as it changes and read after a restart") {
  WooSetup setup;
  setup.shops = {"shop-a", "shop-b"};
  setup.generate = 300;
  setup.webhooks = false;
  WooHub w(setup);
  auto& a = w.shop("shop-a");
  auto mug = a.add_variable("MUG", "Mug", 8);
  auto red = a.add_variation(mug, "MUG-RED", woo_sim::ManageMode::Parent);
  w.start();
  w.settle();

  std::map<std::string, std::string> before;
  {
    std::lock_guard lock(w.hub().store_mutex());
    before = catalog_state(w.hub().store(), "shop-a");
  }
  REQUIRE(before.count("catalog"));
  CHECK(nlohmann::json::parse(before["catalog"])["v"] == 2);
  auto ids = catalog_ids(before);
  CHECK(ids.size() == a.products().size());
  CHECK(ids[red] == nlohmann::json::array({"MUG-RED", mug, "MUG"}));
  w.stop();

  // While the hub is down: an id only the stored catalogue knows (a restart
  // that did not read the shards would write them all again without it),
  // and a new product in the shop.
  const std::int64_t ghost = 64 * 100000 + 7;
  {
    auto loaded = stockrelay::config::load_file(w.config_path());
    REQUIRE(loaded.errors.empty());
    auto store = stockrelay::store::open_sqlite(loaded.config->store.path, stockrelay::store::OpenMode::Owner);
    REQUIRE(store);
    auto shard = nlohmann::json::parse(before.at("catalog.7"));
    shard["items"].push_back(nlohmann::json::array({ghost, "GHOST", 0, ""}));
    REQUIRE((*store)->state_put("shop-a", "catalog.7", shard.dump(), before.at("catalog.7")));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto added = a.add_simple("NEW-1", 4);
  w.start();
  w.settle();
  std::map<std::string, std::string> after;
  {
    std::lock_guard lock(w.hub().store_mutex());
    after = catalog_state(w.hub().store(), "shop-a");
  }
  auto now = catalog_ids(after);
  CHECK(now[added] == nlohmann::json::array({"NEW-1", 0, ""}));
  CHECK(now.count(ghost) == 1);
  // Only the new product's shard was written again.
  for (const auto& [key, value] : before) {
    if (key == "catalog." + std::to_string(added % 64) || key == "catalog.7") continue;
    INFO(key);
    CHECK(after[key] == value);
  }
  // A reconcile reads everything and forgets what the shop does not have.
  w.hub().poll_all(true);
  REQUIRE(w.hub().wait_quiet(30000));
  {
    std::lock_guard lock(w.hub().store_mutex());
    now = catalog_ids(catalog_state(w.hub().store(), "shop-a"));
  }
  CHECK(now.count(ghost) == 0);
  CHECK(now.size() == a.products().size());
}
