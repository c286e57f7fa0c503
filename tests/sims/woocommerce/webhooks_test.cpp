// Webhooks over real HTTP to a local receiver: ping, the seven headers, the
// signature, payloads built at send time, collapse, no retries, disabling
// (woocommerce.md §12 item 11, §10).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "test_support.hpp"

using namespace woo_sim;
using namespace woo_sim::testing;

namespace {

std::string sign(const std::string& secret, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &len);
  return stockrelay::http::base64_encode(std::string(reinterpret_cast<char*>(digest), len));
}

struct Shop {
  explicit Shop(Options o = quick_options()) : sim(std::move(o)) { sim.start(); }
  Simulator sim;
};

std::int64_t create_hook(Api& api, const std::string& topic, const std::string& url, const std::string& secret = "s3cret",
                         const std::string& status = "active") {
  auto r = api.post("/webhooks", {{"name", topic}, {"topic", topic}, {"delivery_url", url}, {"secret", secret}, {"status", status}});
  REQUIRE(r.status == 201);
  return body_of(r)["id"].get<std::int64_t>();
}

// Makes n separate deliveries (waiting for each, so none collapse).
void changes(Simulator& sim, const std::string& sku, int n) {
  for (int i = 0; i < n; ++i) {
    sim.set_stock(sku, 100 + i);
    REQUIRE(sim.wait_webhooks_idle(5000));
  }
}

}  // namespace

TEST_CASE("webhooks: create pings webhook_id=N form-encoded without X-WC headers before answering") {
  Shop shop;
  Receiver rx;
  Api api(shop.sim);
  auto id = create_hook(api, "product.updated", rx.url());
  auto got = rx.received();  // the 201 came after the ping
  REQUIRE(got.size() == 1);
  CHECK(got[0].body == "webhook_id=" + std::to_string(id));
  CHECK(got[0].header("content-type") == "application/x-www-form-urlencoded");
  for (const auto& h : got[0].headers) CHECK_FALSE(h.name.starts_with("x-wc-"));
  CHECK(shop.sim.counters().webhooks_sent == 0);  // a ping is not a delivery
  // A ping that fails does not stop the create.
  Receiver failing(500);
  CHECK(create_hook(api, "product.updated", failing.url()) > id);
}

TEST_CASE("webhooks: delivery carries the seven headers and a verifiable HMAC-SHA256 signature over the raw body") {
  Shop shop;
  auto pid = shop.sim.add_simple("SIG", 5, "Signed / product \u00e9");
  Receiver rx;
  Api api(shop.sim);
  auto hook = create_hook(api, "product.updated", rx.url("/in"), "s3cr&amp;t");
  shop.sim.set_stock("SIG", 4);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto got = rx.deliveries();
  REQUIRE(got.size() == 1);
  const auto& d = got[0];
  CHECK(d.path == "/in");
  CHECK(d.header("content-type") == "application/json");
  CHECK(d.header("x-wc-webhook-source") == shop.sim.base_url() + "/");
  CHECK(d.header("x-wc-webhook-topic") == "product.updated");
  CHECK(d.header("x-wc-webhook-resource") == "product");
  CHECK(d.header("x-wc-webhook-event") == "updated");
  CHECK(d.header("x-wc-webhook-id") == std::to_string(hook));
  CHECK(d.header("x-wc-webhook-delivery-id").size() >= 16);
  // The secret is HTML-entity-decoded before signing.
  CHECK(d.header("x-wc-webhook-signature") == sign("s3cr&t", d.body));
  CHECK(d.header("x-wc-webhook-signature") != sign("s3cr&amp;t", d.body));
  // The body is exactly what GET /products/{id} answers (PHP-style escapes included).
  CHECK(d.body == api.get("/products/" + std::to_string(pid)).body);
  CHECK(d.body.find("\\/") != std::string::npos);
  CHECK(d.body.find("\\u00e9") != std::string::npos);
  CHECK(body_of(api.get("/products/" + std::to_string(pid)))["stock_quantity"] == 4);
  CHECK(shop.sim.counters().webhooks_sent == 1);
}

TEST_CASE("webhooks: a burst of changes collapses into one delivery with the state at send time") {
  Options o;
  o.webhook_delay_ms = 300;
  Shop shop(o);
  shop.sim.add_simple("BURST", 1);
  shop.sim.add_simple("OTHER", 1);
  Receiver rx;
  Api api(shop.sim);
  create_hook(api, "product.updated", rx.url());
  shop.sim.set_stock("BURST", 2);
  shop.sim.set_stock("BURST", 3);
  CHECK(api.put("/products/" + std::to_string(shop.sim.product("BURST")->id), {{"stock_quantity", 9}}).status == 200);
  shop.sim.set_stock("OTHER", 5);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto got = rx.deliveries();
  REQUIRE(got.size() == 2);
  int burst = 0;
  for (const auto& d : got) {
    auto j = json::parse(d.body);
    if (j["sku"] == "BURST") {
      ++burst;
      CHECK(j["stock_quantity"] == 9);
    }
  }
  CHECK(burst == 1);
}

TEST_CASE("webhooks: a failed delivery is not retried and counts a failure, success resets the counter") {
  Shop shop;
  shop.sim.add_simple("F", 1);
  Receiver rx(500);
  Api api(shop.sim);
  create_hook(api, "product.updated", rx.url());
  rx.clear();
  changes(shop.sim, "F", 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(rx.received().size() == 1);
  CHECK(shop.sim.webhooks()[0].failure_count == 1);
  changes(shop.sim, "F", 1);
  CHECK(shop.sim.webhooks()[0].failure_count == 2);
  CHECK(shop.sim.counters().webhooks_failed == 2);
  rx.set_status(302);  // 200..302 count as success
  changes(shop.sim, "F", 1);
  CHECK(shop.sim.webhooks()[0].failure_count == 0);
  CHECK(shop.sim.webhooks()[0].status == "active");
}

TEST_CASE("webhooks: the 7th consecutive failure disables the webhook (default threshold 5)") {
  Shop shop;
  shop.sim.add_simple("D", 1);
  Receiver rx(404);
  Api api(shop.sim);
  auto hook = create_hook(api, "product.updated", rx.url());
  changes(shop.sim, "D", 6);
  CHECK(shop.sim.webhooks()[0].failure_count == 6);
  CHECK(shop.sim.webhooks()[0].status == "active");
  changes(shop.sim, "D", 1);
  CHECK(shop.sim.webhooks()[0].status == "disabled");
  CHECK(body_of(api.get("/webhooks/" + std::to_string(hook)))["status"] == "disabled");
  rx.clear();
  changes(shop.sim, "D", 2);
  CHECK(rx.received().empty());
  // Re-enabled through REST, deliveries resume.
  rx.set_status(200);
  CHECK(body_of(api.put("/webhooks/" + std::to_string(hook), {{"status", "active"}}))["status"] == "active");
  changes(shop.sim, "D", 1);
  CHECK(rx.deliveries().size() == 1);
  CHECK(shop.sim.webhooks()[0].failure_count == 0);
}

TEST_CASE("webhooks: the threshold is configurable, transport errors count as failures") {
  Options o = quick_options();
  o.webhook_failure_threshold = 1;
  Shop shop(o);
  shop.sim.add_simple("T", 1);
  Api api(shop.sim);
  std::string dead_url;
  {
    Receiver gone;
    dead_url = gone.url();
  }
  create_hook(api, "product.updated", dead_url);
  changes(shop.sim, "T", 2);
  CHECK(shop.sim.webhooks()[0].failure_count == 2);
  CHECK(shop.sim.webhooks()[0].status == "active");
  changes(shop.sim, "T", 1);
  CHECK(shop.sim.webhooks()[0].status == "disabled");
  CHECK(shop.sim.counters().webhooks_failed == 3);
}

TEST_CASE("webhooks: a variation update fires product.updated with the variation's own payload and the parent's") {
  Shop shop;
  auto parent = shop.sim.add_variable("JKT", "Jacket");
  auto var = shop.sim.add_variation(parent, "JKT-L", ManageMode::Own, 2);
  Receiver rx;
  Api api(shop.sim);
  create_hook(api, "product.updated", rx.url());
  CHECK(api.put("/products/" + std::to_string(parent) + "/variations/" + std::to_string(var), {{"stock_quantity", 1}}).status ==
        200);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto got = rx.deliveries();
  REQUIRE(got.size() == 2);
  bool saw_variation = false;
  for (const auto& d : got) {
    auto j = json::parse(d.body);
    if (j["id"] == var) {
      saw_variation = true;
      CHECK(j["type"] == "variation");
      CHECK(j["parent_id"] == parent);
      CHECK(j["stock_quantity"] == 1);
      CHECK(d.body == api.get("/products/" + std::to_string(var)).body);
    } else {
      CHECK(j["id"] == parent);
    }
  }
  CHECK(saw_variation);
}

TEST_CASE("webhooks: orders fire order.created and order.updated, their stock changes fire product.updated") {
  Shop shop;
  shop.sim.add_simple("ORD", 4);
  Receiver rx;
  Api api(shop.sim);
  create_hook(api, "order.created", rx.url("/created"));
  create_hook(api, "order.updated", rx.url("/updated"));
  create_hook(api, "product.updated", rx.url("/product"));
  rx.clear();
  auto o = body_of(api.post("/orders", {{"set_paid", true}, {"line_items", {{{"sku", "ORD"}, {"quantity", 1}}}}}));
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  std::map<std::string, int> by_path;
  for (const auto& d : rx.deliveries()) ++by_path[d.path];
  CHECK(by_path["/created"] == 1);
  CHECK(by_path["/product"] == 1);
  rx.clear();
  shop.sim.set_order_status(o["id"].get<std::int64_t>(), "completed");
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto got = rx.deliveries();
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/updated");
  CHECK(json::parse(got[0].body)["status"] == "completed");
  CHECK(got[0].header("x-wc-webhook-resource") == "order");
}

TEST_CASE("webhooks: product.deleted sends {\"id\":N}, paused webhooks send nothing") {
  Shop shop;
  auto pid = shop.sim.add_simple("DEL", 1);
  shop.sim.add_simple("PAUSE", 1);
  Receiver rx;
  Api api(shop.sim);
  create_hook(api, "product.deleted", rx.url("/deleted"));
  auto paused = create_hook(api, "product.updated", rx.url("/paused"), "x", "paused");
  rx.clear();
  CHECK(api.del("/products/" + std::to_string(pid) + "?force=true").status == 200);
  shop.sim.set_stock("PAUSE", 3);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto got = rx.deliveries();
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/deleted");
  CHECK(got[0].body == "{\"id\":" + std::to_string(pid) + "}");
  CHECK(got[0].header("x-wc-webhook-event") == "deleted");

  // Activating a webhook created inactive pings first, then deliveries flow.
  rx.clear();
  CHECK(api.put("/webhooks/" + std::to_string(paused), {{"status", "active"}}).status == 200);
  shop.sim.set_stock("PAUSE", 4);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto after = rx.received();
  REQUIRE(after.size() == 2);
  CHECK(after[0].body == "webhook_id=" + std::to_string(paused));
  CHECK(after[1].header("x-wc-webhook-topic") == "product.updated");
}

TEST_CASE("webhooks: REST resource CRUD and validation") {
  Shop shop;
  Receiver rx;
  Api api(shop.sim);
  auto id = create_hook(api, "order.updated", rx.url());
  auto one = body_of(api.get("/webhooks/" + std::to_string(id)));
  CHECK(one["topic"] == "order.updated");
  CHECK(one["resource"] == "order");
  CHECK(one["event"] == "updated");
  CHECK(one["status"] == "active");
  CHECK_FALSE(one.contains("secret"));
  auto list = api.get("/webhooks");
  CHECK(list.header("x-wp-total") == "1");
  CHECK(error_code(api.post("/webhooks", {{"topic", "nonsense"}, {"delivery_url", rx.url()}}), 400) ==
        "woocommerce_rest_webhook_invalid_topic");
  CHECK(error_code(api.post("/webhooks", {{"topic", "order.created"}, {"delivery_url", "ftp://x"}}), 400) ==
        "woocommerce_rest_webhook_invalid_delivery_url");
  CHECK(error_code(api.put("/webhooks/" + std::to_string(id), {{"status", "sleeping"}}), 400) == "rest_invalid_param");
  CHECK(error_code(api.del("/webhooks/" + std::to_string(id)), 501) == "woocommerce_rest_trash_not_supported");
  CHECK(api.del("/webhooks/" + std::to_string(id) + "?force=true").status == 200);
  CHECK(error_code(api.get("/webhooks/" + std::to_string(id)), 404) == "woocommerce_rest_shop_webhook_invalid_id");
  CHECK(shop.sim.webhooks().empty());
}
