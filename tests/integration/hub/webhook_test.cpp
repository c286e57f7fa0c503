// The HTTP surface: webhooks into plugins, /healthz, /metrics, the admin API.
#include <catch2/catch.hpp>

#include "common/metrics.hpp"
#include "http/client.hpp"
#include "hub_fixture.hpp"

using namespace hub_test;
using stockrelay::http::Client;
using stockrelay::http::Request;

namespace {

struct Started {
  HubFixture f;
  Started() {
    for (const char* s : {"shop-a", "shop-b", "shop-c"}) REQUIRE(f.shop(s).create_product("A", q(10)).ok());
    f.start();
    f.sync();
  }
};

stockrelay::http::Response get(HubFixture& f, const std::string& path, const std::string& token = "") {
  Client c("test", {});
  Request r;
  r.url = f.hub().base_url() + path;
  if (!token.empty()) r.headers.push_back({"Authorization", "Bearer " + token});
  return c.send(r);
}

}  // namespace

TEST_CASE("a signed order webhook is ingested and reaches the other shops without a poll") {
  Started s;
  REQUIRE(s.f.shop("shop-a").place_order("w1", {{"A", q(2)}}).ok());
  CHECK(s.f.webhook("shop-a", "order.updated", "w1") == 200);
  REQUIRE(s.f.hub().wait_quiet(20000));
  CHECK(s.f.levels("A").at("shop-b") == q(8));
  CHECK(s.f.levels("A").at("shop-c") == q(8));
}

TEST_CASE("a webhook with a bad or missing signature is refused with 401 and nothing is ingested") {
  Started s;
  REQUIRE(s.f.shop("shop-a").place_order("w2", {{"A", q(2)}}).ok());
  CHECK(s.f.webhook("shop-a", "order.updated", "w2", "not-the-secret") == 401);
  CHECK(s.f.webhook("shop-a", "order.updated", "w2", "") == 401);
  REQUIRE(s.f.hub().wait_quiet(20000));
  CHECK(s.f.levels("A").at("shop-b") == q(10));
}

TEST_CASE("a webhook for an unknown connection gets 404") {
  Started s;
  CHECK(s.f.webhook("no-such-shop", "order.updated", "1") == 404);
}

TEST_CASE("a duplicate webhook delivery changes nothing twice") {
  Started s;
  REQUIRE(s.f.shop("shop-a").place_order("w3", {{"A", q(1)}}).ok());
  double before = stockrelay::Metrics::global().value("stockrelay_events_duplicate_total", {{"connection", "shop-a"}});
  CHECK(s.f.webhook("shop-a", "order.updated", "w3") == 200);
  CHECK(s.f.webhook("shop-a", "order.updated", "w3") == 200);
  REQUIRE(s.f.hub().wait_quiet(20000));
  s.f.sync();
  CHECK(s.f.levels("A").at("shop-b") == q(9));
  CHECK(s.f.levels("A").at("shop-a") == q(9));
  CHECK(stockrelay::Metrics::global().value("stockrelay_events_duplicate_total", {{"connection", "shop-a"}}) > before);
}

TEST_CASE("healthz answers and metrics count events, deliveries and webhooks per connection") {
  Started s;
  auto h = get(s.f, "/healthz");
  CHECK(h.status == 200);
  CHECK(h.body.find("\"ok\"") != std::string::npos);
  REQUIRE(s.f.shop("shop-b").place_order("m1", {{"A", q(1)}}).ok());
  s.f.sync();
  auto m = get(s.f, "/metrics");
  CHECK(m.status == 200);
  CHECK(m.body.find("stockrelay_events_ingested_total{connection=\"shop-b\"}") != std::string::npos);
  CHECK(m.body.find("stockrelay_commands_delivered_total{connection=\"shop-a\",command=\"set_stock\"}") != std::string::npos);
  CHECK(m.body.find("stockrelay_outbox_depth{connection=\"shop-c\"} 0") != std::string::npos);
}

TEST_CASE("the admin API needs the bearer token and lists connections, orders and the log") {
  Started s;
  CHECK(get(s.f, "/admin/connections").status == 401);
  CHECK(get(s.f, "/admin/connections", "wrong-token-value").status == 401);
  auto c = get(s.f, "/admin/connections", "test-admin-token-123");
  REQUIRE(c.status == 200);
  auto j = nlohmann::json::parse(c.body);
  REQUIRE(j.size() == 3);
  CHECK(j[0]["plugin"] == "memory");
  REQUIRE(s.f.shop("shop-c").place_order("z9", {{"A", q(1)}}).ok());
  s.f.sync();
  auto log = nlohmann::json::parse(get(s.f, "/admin/log?sku=A&connection=shop-c", "test-admin-token-123").body);
  bool sale = false;
  for (const auto& e : log) sale = sale || (e["kind"] == "sale" && e["order_id"] == "z9");
  CHECK(sale);
  CHECK(get(s.f, "/admin/nothing", "test-admin-token-123").status == 404);
}
