// Webhooks over real HTTP (peakwms.md §7 item 6): registration, StockAdjust
// with delta and new total to every URL registered for 100, PickOrderPacked
// to the order's integration, nothing after DELETE /webhook/{id}.
#include "test_support.hpp"

using namespace peakwms_sim;
using namespace peakwms_sim::testing;

namespace {
json register_hook(Api& api, int name, const std::string& url) {
  auto r = api.post("/webhook", json{{"name", name}, {"url", url}});
  REQUIRE(r.status == 200);
  return body_of(r);
}
}  // namespace

TEST_CASE("webhooks: registration answers {id,name,url}, bad names and URLs are 400") {
  Simulator sim;
  sim.start();
  Api api(sim);
  json hook = register_hook(api, kWebhookStockAdjust, "https://shop.test/hook?name=100");
  CHECK(hook.at("id").get<std::int64_t>() >= 1);
  CHECK(hook.at("name") == 100);
  CHECK(hook.at("url") == "https://shop.test/hook?name=100");
  message_of(api.post("/webhook", json{{"name", 99}, {"url", "https://x.test"}}), 400);
  message_of(api.post("/webhook", json{{"name", 100}, {"url", "ftp://x.test"}}), 400);
  message_of(api.del("/webhook/999"), 404);
}

TEST_CASE("webhooks: StockAdjust with delta and new total to every URL registered for 100 by that shop") {
  Options o;
  o.integrations = 2;
  Simulator sim(o);
  sim.start();
  Receiver receiver;
  Api shop1(sim, 0), shop2(sim, 1);
  register_hook(shop1, kWebhookStockAdjust, receiver.url("/a?name=100"));
  register_hook(shop1, kWebhookStockAdjust, receiver.url("/b?name=100"));
  register_hook(shop1, kWebhookPickOrderPacked, receiver.url("/packed"));
  register_hook(shop2, kWebhookStockAdjust, receiver.url("/other"));
  auto id = shop1.create_product("P1", "V1", "SKU-1");
  sim.goods_received(id, 5);
  sim.count(id, 3);
  REQUIRE(sim.wait_webhooks_idle(10000));
  auto got = receiver.wait_for(4);
  REQUIRE(got.size() == 4);  // two changes x two URLs; shop2 does not know the product
  int to_a = 0;
  for (const auto& req : got) {
    CHECK(req.path != "/other");
    CHECK(req.path != "/packed");
    if (req.path == "/a") ++to_a;
  }
  CHECK(to_a == 2);
  json first = json::parse(got[0].body);
  CHECK(first.at("productId") == "P1");
  CHECK(first.at("variantId") == "V1");
  CHECK(first.at("adjustedQuantity") == 5);
  CHECK(first.at("quantity") == 5);
  CHECK(first.at("stockItemId") == id);
  json last = json::parse(got[3].body);
  CHECK(last.at("adjustedQuantity") == -2);
  CHECK(last.at("quantity") == 3);
  CHECK(sim.counters().webhook_posts == 4);
}

TEST_CASE("webhooks: PickOrderPacked when an order is packed, nothing after the webhook is deleted") {
  Simulator sim;
  sim.start();
  Receiver receiver;
  Api api(sim);
  json packed_hook = register_hook(api, kWebhookPickOrderPacked, receiver.url("/packed?name=102"));
  auto id = api.create_product("P1", "", "SKU-1");
  sim.goods_received(id, 5);
  auto wms_id = body_of(api.post("/salesOrder", Api::order("O1", "P1", "", 2))).at("id").get<std::int64_t>();
  sim.pick_order(wms_id);
  sim.pack_order(wms_id, "TRK-9");
  auto got = receiver.wait_for(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].path == "/packed");
  json body = json::parse(got[0].body);
  CHECK(body.at("orderId") == "O1");
  CHECK(body.at("pickOrderId") == wms_id);
  CHECK(body.at("paymentCaptured") == true);
  CHECK(body.at("trackingNumber") == "TRK-9");
  REQUIRE(body.at("orderLines").size() == 1);
  CHECK(body["orderLines"][0].at("orderLineId") == "O1-1");
  CHECK(body["orderLines"][0].at("quantity") == 2);

  REQUIRE(api.del("/webhook/" + packed_hook.at("id").dump()).status == 200);
  auto second = body_of(api.post("/salesOrder", Api::order("O2", "P1", "", 1))).at("id").get<std::int64_t>();
  sim.pick_order(second);
  sim.pack_order(second);
  REQUIRE(sim.wait_webhooks_idle(10000));
  CHECK(receiver.received().size() == 1);
}

TEST_CASE("webhooks: a failing receiver is counted, not retried") {
  Simulator sim;
  sim.start();
  Receiver receiver(500);
  Api api(sim);
  register_hook(api, kWebhookStockAdjust, receiver.url());
  auto id = api.create_product("P1", "", "SKU-1");
  sim.goods_received(id, 1);
  REQUIRE(sim.wait_webhooks_idle(10000));
  CHECK(receiver.received().size() == 1);
  CHECK(sim.counters().webhook_failures == 1);
}
