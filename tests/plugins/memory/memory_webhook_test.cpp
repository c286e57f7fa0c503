// libmemory.so: signed webhooks, through the real C table.
#include "memory_fixture.hpp"

using namespace memory_test;

namespace {

constexpr const char* kSecret = "s3cret";

nlohmann::json hook(const std::string& body, const std::string& signature) {
  nlohmann::json headers = {{"content-type", "application/json"}};
  if (!signature.empty()) headers["x-memory-signature"] = signature;
  return {{"method", "POST"}, {"path", "/hooks/memory"}, {"query", ""}, {"headers", headers}, {"body", body}};
}

nlohmann::json signed_hook(const std::string& topic, const std::string& id) {
  std::string body = nlohmann::json{{"topic", topic}, {"id", id}}.dump();
  return hook(body, sign(kSecret, body));
}

}  // namespace

TEST_CASE("a signed order webhook emits the order as the shop holds it now") {
  MemoryConnector m(nlohmann::json{{"webhook_secret", kSecret}});
  REQUIRE(m.shop.place_order("1001", {{"A", q("2")}}).ok());
  REQUIRE(m.shop.cancel_order("1001").ok());  // the webhook for the sale arrives after the cancel

  auto r = m.plugin->on_webhook(signed_hook("order.updated", "1001"));
  CHECK(r.status == SR_OK);
  CHECK(r.response_status == 200);
  auto events = m.host.events();
  REQUIRE(events.size() == 1);
  const auto& order = as<sr::OrderEvent>(events[0]).order;
  CHECK(order.stock == sr::OrderStock::Released);
  CHECK(order.status == "cancelled");
  CHECK(m.host.violations().empty());
}

TEST_CASE("a product webhook emits the current level under the key a poll uses for it") {
  MemoryConnector m(nlohmann::json{{"webhook_secret", kSecret}});
  REQUIRE(m.shop.manual_set("A", q("3")).ok());
  REQUIRE(m.plugin->on_webhook(signed_hook("product.updated", "A")).status == SR_OK);
  auto hooked = m.host.events();
  REQUIRE(hooked.size() == 1);
  CHECK(as<sr::StockLevel>(hooked[0]).quantity == q("3"));
  auto polled = m.poll();
  CHECK(std::find_if(polled.begin(), polled.end(), [&](const sr::Event& e) {
          return sr::key_of(e) == sr::key_of(hooked[0]);
        }) != polled.end());
}

TEST_CASE("a webhook with a wrong signature is refused with 401 and emits nothing") {
  MemoryConnector m(nlohmann::json{{"webhook_secret", kSecret}});
  std::string body = R"({"topic":"order.updated","id":"1001"})";
  REQUIRE(m.shop.place_order("1001", {{"A", q("1")}}).ok());

  SECTION("signed with another secret") {
    auto r = m.plugin->on_webhook(hook(body, sign("guess", body)));
    CHECK(r.status == SR_INVALID);
    CHECK(r.response_status == 401);
  }
  SECTION("the body was changed after signing") {
    auto r = m.plugin->on_webhook(hook(body + " ", sign(kSecret, body)));
    CHECK(r.response_status == 401);
  }
  SECTION("the signature is in upper-case hex") {
    std::string upper = sign(kSecret, body);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(m.plugin->on_webhook(hook(body, upper)).response_status == 401);
  }
  SECTION("no signature header") {
    auto r = m.plugin->on_webhook(hook(body, ""));
    CHECK(r.status == SR_INVALID);
    CHECK(r.response_status == 401);
    CHECK(m.host.logged("no x-memory-signature", SR_LOG_WARN));
  }
  CHECK(m.host.events().empty());
}

TEST_CASE("without a webhook_secret every webhook is refused with 401, and the log says why") {
  MemoryConnector m;
  auto r = m.plugin->on_webhook(signed_hook("product.updated", "A"));
  CHECK(r.status == SR_INVALID);
  CHECK(r.response_status == 401);
  CHECK(m.host.logged("no webhook_secret", SR_LOG_WARN));
  CHECK(m.host.events().empty());
}

TEST_CASE("a signed webhook the shop cannot answer gets 400 or 404 and emits nothing") {
  MemoryConnector m(nlohmann::json{{"webhook_secret", kSecret}});
  CHECK(m.plugin->on_webhook(signed_hook("coupon.created", "1")).response_status == 400);
  CHECK(m.plugin->on_webhook(signed_hook("order.updated", "999")).response_status == 404);
  std::string junk = "not json";
  auto r = m.plugin->on_webhook(hook(junk, sign(kSecret, junk)));
  CHECK(r.status == SR_INVALID);
  CHECK(r.response_status == 400);
  CHECK(m.host.events().empty());
}
