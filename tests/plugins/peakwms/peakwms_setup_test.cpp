// Settings, describe, start-up (every key pinged) and the StockAdjust
// webhook registration that survives a restart.
#include "peakwms_fixture.hpp"

using namespace peakwms_test;

namespace {

std::string create_error(Warehouse& w, const json& extra) {
  json s = w.settings;
  for (const auto& [k, v] : extra.items()) {
    if (v.is_null()) s.erase(k);
    else s[k] = v;
  }
  sr_status rc = SR_OK;
  std::string error;
  auto d = w.host.try_create(peakwms_plugin(), s, rc, error);
  CHECK_FALSE(d);
  CHECK(rc == SR_INVALID);
  return error;
}

}  // namespace

TEST_CASE("settings errors name the setting") {
  Warehouse w;
  CHECK(create_error(w, {{"base_url", nullptr}}) == "settings: 'base_url' is required");
  CHECK(create_error(w, {{"base_url", "api.peakwms.com"}}) ==
        "settings: 'base_url' must be an http:// or https:// URL, not 'api.peakwms.com'");
  CHECK(create_error(w, {{"shops", nullptr}}) == "settings: 'shops' is required");
  CHECK(create_error(w, {{"shops", json::object()}}) ==
        "settings: 'shops' must map at least one shop connection's name to {api_key: \"...\"}");
  CHECK(create_error(w, {{"shops", {{"shop-a", "key"}}}}) ==
        "settings: 'shops.shop-a' must be an object {api_key: \"...\"}");
  CHECK(create_error(w, {{"shops", {{"shop-a", json::object()}}}}) == "settings: 'shops.shop-a.api_key' is required");
  CHECK(create_error(w, {{"shops", {{"shop-a", {{"api_key", ""}}}}}}) ==
        "settings: 'shops.shop-a.api_key' must not be empty");
  CHECK(create_error(w, {{"shops", {{"shop-a", {{"api_key", "k1"}, {"apikey", "k2"}}}}}}) ==
        "settings: unknown setting 'shops.shop-a.apikey'");
  CHECK(create_error(w, {{"shops", {{"shop-a", {{"api_key", "same-key"}}}, {"shop-b", {{"api_key", "same-key"}}}}}}) ==
        "settings: 'shops.shop-a.api_key' and 'shops.shop-b.api_key' are the same key; each shop needs the key of "
        "its own web-shop integration in PeakWMS");
  CHECK(create_error(w, {{"page_size", 5000}}) == "settings: 'page_size' must be an integer from 1 to 1000");
  CHECK(create_error(w, {{"rate_limit", {{"requests", 0}}}}) ==
        "settings: 'rate_limit.requests' must be an integer from 1 to 100000");
  CHECK(create_error(w, {{"rate_limit", {{"window", 60}}}}) == "settings: unknown setting 'rate_limit.window'");
  CHECK(create_error(w, {{"rate_limit", 240}}) == "settings: 'rate_limit' must be an object");
  CHECK(create_error(w, {{"webhook_token", "short"}}) ==
        "settings: 'webhook_token' must be at least 8 characters (it is the webhooks' only proof)");
  CHECK(create_error(w, {{"api_key", "k"}}) == "settings: unknown setting 'api_key'");
}

TEST_CASE("describe: capabilities, no host-side rate, a 3-minute poll and secret keys") {
  auto d = sr::description_from_json(json::parse(std::string(sr::from_sr(peakwms_plugin()->describe()))));
  CHECK(d.id == "peakwms");
  CHECK(d.capabilities ==
        std::vector<std::string>{"stock.in", "orders.out", "orders.cancel.out", "products.out", "poll", "webhooks"});
  CHECK(d.limits.requests_per_second == 0);
  CHECK(d.limits.poll_seconds == 180);
  const json& props = d.config_schema["properties"];
  CHECK(props["shops"]["additionalProperties"]["properties"]["api_key"]["x-secret"] == true);
  CHECK(props["webhook_token"]["x-secret"] == true);
  CHECK(d.config_schema["required"] == json::array({"base_url", "shops"}));
}

TEST_CASE("start pings every shop's key, and a refused key names its shop") {
  Warehouse w;
  SECTION("both keys good") {
    w.start();
    CHECK(w.requests("GET", "/ping") == 2);
    std::set<std::string> keys;
    for (const auto& r : w.host.http_requests())
      if (r["url"].get<std::string>().ends_with("/ping")) keys.insert(r["headers"]["Authorization"].get<std::string>());
    CHECK(keys == std::set<std::string>{"Bearer " + w.sim.api_key(kShopA), "Bearer " + w.sim.api_key(kShopB)});
  }
  SECTION("shop-b's key is wrong") {
    const std::string wrong = "0123456789abcdef-not-a-key";
    w.create({{"shops", {{"shop-a", {{"api_key", w.sim.api_key(kShopA)}}}, {"shop-b", {{"api_key", wrong}}}}}});
    CHECK(w.plugin->start() == SR_INVALID);
    const std::string error = w.plugin->last_error();
    CHECK_THAT(error, Catch::StartsWith("PeakWMS refused the API key of shop-b (401)"));
    CHECK_THAT(error, Catch::Contains("'shops.shop-b.api_key'"));
    CHECK_THAT(error, Catch::Contains(w.sim.base_url()));
    CHECK_THAT(error, !Catch::Contains(wrong));
    CHECK(w.requests("POST", "/webhook") == 0);  // nothing registered with a shop missing
  }
  for (const auto& l : w.host.logs()) {
    CHECK_THAT(l.text, !Catch::Contains(w.sim.api_key(kShopA)));
    CHECK_THAT(l.text, !Catch::Contains(kToken));
  }
}

TEST_CASE("the StockAdjust webhook is registered once per shop, across a restart, and moved when the URL changes") {
  Warehouse w;
  w.start();
  CHECK(w.requests("POST", "/webhook") == 2);
  for (const auto& r : w.host.http_requests()) {
    if (r["method"] != "POST" || !r["url"].get<std::string>().ends_with("/webhook")) continue;
    json body = json::parse(r["body"].get<std::string>());
    CHECK(body["name"] == 100);
    CHECK_THAT(body["url"].get<std::string>(), Catch::StartsWith(w.hooks.url("/hooks/warehouse?shop=shop-")));
    CHECK_THAT(body["url"].get<std::string>(), Catch::EndsWith(std::string("&token=") + kToken));
  }
  auto stored = w.host.state("webhook.shop-a");
  REQUIRE(stored);
  CHECK(json::parse(*stored).contains("id"));
  CHECK_THAT(*stored, !Catch::Contains(kToken));

  // A restart (a new instance, the same state): nothing registered twice.
  w.host.clear_records();
  w.start();
  CHECK(w.requests("POST", "/webhook") == 0);
  CHECK(w.requests("DELETE", "/webhook") == 0);

  // PeakWMS calls the registered URL: a product both shops have sends one per shop.
  w.run(upsert_cmd("u1", "shop-a", "A-1", "P-1"));
  w.run(upsert_cmd("u2", "shop-b", "A-1", "P-9"));
  w.sim.goods_received(w.wms_id(kShopA, "P-1"), 3);
  std::set<std::string> queries;
  w.harness.on_hand_over = [&](const json& env) { queries.insert(env["query"].get<std::string>()); };
  w.pump();
  CHECK(queries == std::set<std::string>{std::string("shop=shop-a&token=") + kToken,
                                         std::string("shop=shop-b&token=") + kToken});

  // A new address: the old webhooks go, new ones come, once.
  w.host.clear_records();
  w.start({{"webhook_url", w.hooks.url("/hooks/peak")}});
  CHECK(w.requests("DELETE", "/webhook/") == 2);
  CHECK(w.requests("POST", "/webhook") == 2);
  std::set<std::string> paths;
  w.harness.on_hand_over = [&](const json& env) { paths.insert(env["path"].get<std::string>()); };
  w.sim.goods_received(w.wms_id(kShopA, "P-1"), 1);
  w.pump();
  CHECK(paths == std::set<std::string>{"/hooks/peak"});

  // No address any more: the webhooks are removed.
  w.host.clear_records();
  w.start({{"webhook_url", nullptr}});
  CHECK(w.requests("DELETE", "/webhook/") == 2);
  CHECK(w.requests("POST", "/webhook") == 0);
}

TEST_CASE("webhooks without a token are accepted, with a warning at start") {
  Warehouse w;
  w.start({{"webhook_token", nullptr}});
  CHECK(w.host.logged("no 'webhook_token' is set", SR_LOG_WARN));
  w.run(upsert_cmd("u1", "shop-a", "A-1", "P-1"));
  json env{{"method", "POST"}, {"path", "/hooks/warehouse"}, {"query", "shop=shop-a"}, {"headers", json::object()},
           {"body", json{{"productId", "P-1"}, {"variantId", ""}, {"stockItemId", 1}, {"quantity", 0}}.dump()}};
  CHECK(w.plugin->on_webhook(env).status == SR_OK);
  w.host.clear_records();
  w.start();
  CHECK_FALSE(w.host.logged("no 'webhook_token' is set", SR_LOG_WARN));
}
