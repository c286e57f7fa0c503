// libwoocommerce.so: describe, settings, authentication and pacing.
#include "woo_fixture.hpp"

using namespace woo_test;

TEST_CASE("describe names the connector, its capabilities, limits and a settings schema with secrets marked") {
  const sr_connector_api* api = woo_plugin();
  auto d = sr::description_from_json(json::parse(std::string(sr::from_sr(api->describe()))));
  CHECK(d.id == "woocommerce");
  CHECK(d.capabilities == std::vector<std::string>{"orders.in", "stock.in", "products.in", "products.fetch", "stock.out", "notes.out",
                                                   "prices.out", "poll", "webhooks"});
  CHECK(d.limits.batch_size == 100);
  const auto& props = d.config_schema["properties"];
  for (const char* k : {"url", "consumer_key", "consumer_secret", "webhook_secret", "auth", "requests_per_second",
                        "webhook_url", "verify_before_write", "page_size"}) {
    INFO(k);
    CHECK(props.contains(k));
    CHECK(props[k].contains("description"));
  }
  CHECK(props["consumer_secret"]["x-secret"] == true);
  CHECK(props["webhook_secret"]["x-secret"] == true);
  CHECK(props["auth"]["enum"] == json::array({"basic", "query", "oauth1"}));
  CHECK(props["auth"]["default"] == "basic");
  CHECK(props["page_size"]["minimum"] == 1);
  CHECK(props["page_size"]["maximum"] == 100);
  CHECK(props["requests_per_second"]["minimum"] == 0);
  CHECK(props["verify_before_write"]["default"] == true);
  CHECK(d.config_schema["additionalProperties"] == false);
  CHECK(api->poll != nullptr);
  CHECK(api->on_webhook != nullptr);
  CHECK(api->deliver != nullptr);
}

TEST_CASE("create() refuses bad settings, naming the setting, without network") {
  sr::testing::FakeHost host;
  json good = {{"url", "https://shop.example/"}, {"consumer_key", "ck_1"}, {"consumer_secret", "cs_1"}};
  auto refused = [&](json s, const std::string& fragment) {
    sr_status rc = SR_OK;
    std::string error;
    auto d = host.try_create(woo_plugin(), s, rc, error);
    INFO(s.dump() << " -> " << error);
    CHECK(d == nullptr);
    CHECK(rc == SR_INVALID);
    CHECK(error.find(fragment) != std::string::npos);
  };
  refused(json::object(), "'url'");
  refused({{"url", "ftp://x"}, {"consumer_key", "k"}, {"consumer_secret", "s"}}, "'url'");
  auto without_secret = good;
  without_secret.erase("consumer_secret");
  refused(without_secret, "'consumer_secret'");
  auto s = good;
  s["auth"] = "digest";
  refused(s, "'auth'");
  s = good;
  s["page_size"] = 500;
  refused(s, "'page_size'");
  s = good;
  s["requests_per_second"] = -1;
  refused(s, "'requests_per_second'");
  s = good;
  s["webhook_url"] = "https://hub.example/hooks/a";
  refused(s, "webhook_secret");
  s = good;
  s["colour"] = "blue";
  refused(s, "'colour'");

  auto ok = host.create(woo_plugin(), good);
  CHECK(ok != nullptr);
  CHECK(host.http_requests().empty());
  CHECK(host.violations().empty());
}

TEST_CASE("start() checks the credentials against the store") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  SECTION("basic auth") { shop.start(); }
  SECTION("keys in the query string") { shop.start({{"auth", "query"}}); }
  SECTION("one-legged OAuth 1.0a with HMAC-SHA256") {
    // The store checks the timestamp against its own clock.
    shop.host.set_now(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count());
    shop.start({{"auth", "oauth1"}});
    auto events = shop.poll(sr::PollMode::Reconcile);
    CHECK(find_sku<sr::StockLevel>(events, "A")->quantity == q(10));
    for (const auto& r : shop.host.http_requests()) {
      std::string url = r["url"];
      CHECK(url.find("oauth_signature=") != std::string::npos);
      CHECK(url.find(shop.sim.consumer_secret()) == std::string::npos);
    }
  }
  CHECK(shop.sim.counters().unauthorized == 0);
  CHECK(shop.host.violations().empty());
}

TEST_CASE("a wrong secret fails start() with an error naming the store and WooCommerce's code, never the secret") {
  WooShop shop;
  const std::string wrong = "cs_wrong_0000000000000000000000000000000000";
  std::string mode = GENERATE("basic", "query");
  shop.create({{"consumer_secret", wrong}, {"auth", mode}});
  CHECK(shop.plugin->start() == SR_INVALID);
  std::string error = shop.plugin->last_error();
  INFO(error);
  CHECK(error.find(shop.sim.base_url()) != std::string::npos);
  CHECK(error.find("woocommerce_rest_authentication_error") != std::string::npos);
  CHECK(error.find("Consumer secret is invalid") != std::string::npos);
  CHECK(error.find(wrong) == std::string::npos);
  CHECK(error.find(shop.sim.consumer_secret()) == std::string::npos);
  for (const auto& l : shop.host.logs()) CHECK(l.text.find(wrong) == std::string::npos);

  SECTION("polls and deliveries fail the same way, as INVALID (not retried)") {
    CHECK(shop.plugin->poll() == SR_INVALID);
    CHECK(shop.plugin->last_error().find(shop.sim.base_url()) != std::string::npos);
    CHECK(shop.plugin->last_error().find(wrong) == std::string::npos);
    CHECK(shop.plugin->deliver({shop.set_stock("1", "A", 3)}) == SR_INVALID);
    CHECK(shop.plugin->last_error().find(wrong) == std::string::npos);
  }
}

TEST_CASE("server trouble is RETRY: HTML error pages, 429 from a host layer, no answer at all") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start();
  woo_sim::Faults f;
  SECTION("an HTML 500 page") {
    f.fail_next = 1;
    shop.sim.set_faults(f);
    CHECK(shop.plugin->poll() == SR_RETRY);
    CHECK(shop.plugin->last_error().find("answered 50") != std::string::npos);
  }
  SECTION("429") {
    f.rate_limit_next = 1;
    shop.sim.set_faults(f);
    CHECK(shop.plugin->poll() == SR_RETRY);
    CHECK(shop.plugin->last_error().find("429") != std::string::npos);
  }
  SECTION("the store is down") {
    shop.sim.stop();
    CHECK(shop.plugin->poll() == SR_RETRY);
    CHECK(shop.plugin->last_error().find(shop.sim.consumer_secret()) == std::string::npos);
  }
  // Nothing moved: the next poll starts from the beginning again.
  CHECK(!shop.host.state("orders.modified_gmt"));
}

TEST_CASE("requests_per_second paces the connector's own requests") {
  WooShop shop;
  for (int i = 0; i < 12; ++i) shop.sim.add_simple("P-" + std::to_string(i), i);
  // One product per page: a reconcile needs a dozen requests.
  shop.start({{"requests_per_second", 4}, {"page_size", 1}});
  auto began = std::chrono::steady_clock::now();
  shop.poll(sr::PollMode::Reconcile);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
  auto n = static_cast<long>(shop.host.http_requests().size());
  INFO(n << " requests in " << ms << " ms");
  CHECK(n >= 13);
  // Four per second after a burst of four (the start's request used one).
  CHECK(ms >= (n - 4) * 250 - 100);
  CHECK(shop.host.violations().empty());
}
