// Stock rows, availableToSell, the stock action journal and the test-only
// warehouse moves over real HTTP (peakwms.md §7 items 5, 9).
#include "test_support.hpp"

using namespace peakwms_sim;
using namespace peakwms_sim::testing;

TEST_CASE("stock: goods received and counted move on hand, rows by productId and variantId") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto red = api.create_product("P1", "red", "SKU-R");
  api.create_product("P1", "blue", "SKU-B");
  sim.goods_received(red, 10);
  sim.count(red, 7);
  json rows = body_of(api.get("/stock/P1?variantId=red"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("id") == red);
  CHECK(rows[0].at("itemNumber") == "SKU-R");
  CHECK(rows[0].at("quantity") == 7);
  CHECK(rows[0].at("reservedQuantity") == 0);
  CHECK(rows[0].at("availableQuantity") == 7);
  CHECK(rows[0].contains("ean"));
  CHECK(rows[0].contains("locationCode"));
  CHECK(body_of(api.get("/stock/P1")).size() == 2);
  CHECK(body_of(api.get("/stock/keySet?PageSize=1")).at("totalRecords") == 2);
  CHECK_THROWS_AS(sim.count(red, -1), std::invalid_argument);
  CHECK_THROWS_AS(sim.goods_received(red, 0), std::invalid_argument);
  CHECK_THROWS_AS(sim.goods_received(999, 1), std::invalid_argument);
}

TEST_CASE("stock: availableToSell = on hand - reserved and never negative") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "", "SKU-1");
  sim.goods_received(id, 2);
  REQUIRE(api.post("/salesOrder", Api::order("O1", "P1", "", 5)).status == 200);
  auto level = sim.stock(id);
  REQUIRE(level);
  CHECK(level->on_hand == 2);
  CHECK(level->reserved == 5);
  CHECK(level->available_to_sell == 0);
  json p = body_of(api.get("/product/P1"))[0];
  CHECK(p.at("availableToSell") == 0);
  CHECK(p.at("availableInStock") == 2);
  CHECK(p.at("orderedByCustomers") == 5);
  CHECK(body_of(api.get("/stock/P1"))[0].at("availableQuantity") == 0);
}

TEST_CASE("stockAction: one journal row per change with delta and total, filtered by time window") {
  Simulator sim;
  sim.set_clock(1'790'000'000);  // 2026-09-21T14:13:20 UTC
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "", "SKU-1");
  sim.goods_received(id, 10);
  sim.set_clock(1'790'000'100);
  sim.count(id, 4);
  sim.count(id, 4);  // no change, no row
  json all = body_of(api.get("/stockAction?lastId=0&pageSize=10"));
  REQUIRE(all.at("data").size() == 2);
  CHECK(all["data"][0].at("quantityAdjusted") == 10);
  CHECK(all["data"][0].at("totalQuantity") == 10);
  CHECK(all["data"][0].at("itemNumber") == "SKU-1");
  CHECK(all["data"][1].at("quantityAdjusted") == -6);
  CHECK(all["data"][1].at("totalQuantity") == 4);
  CHECK(all["data"][0].at("adjustmentTime") == "2026-09-21T14:13:20");
  json window = body_of(api.get("/stockAction?fromTime=2026-09-21T14:14:00&toTime=2026-09-21T14:20:00"));
  REQUIRE(window.at("data").size() == 1);
  CHECK(window["data"][0].at("totalQuantity") == 4);
  message_of(api.get("/stockAction?fromTime=yesterday"), 400);
}

TEST_CASE("__sim: warehouse moves and stock over HTTP without a key") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "", "SKU-1");
  http::Client client("peakwms-sim-test", no_retries());
  http::Request r;
  r.method = "POST";
  r.url = sim.server_url() + "/__sim/stock";
  r.body = json{{"action", "receive"}, {"id", id}, {"quantity", 6}}.dump();
  json level = body_of(client.send(r));
  CHECK(level.at("onHand") == 6);
  r.body = json{{"action", "count"}, {"id", id}, {"quantity", 2}}.dump();
  CHECK(body_of(client.send(r)).at("onHand") == 2);
  r.body = json{{"action", "steal"}, {"id", id}, {"quantity", 2}}.dump();
  CHECK(client.send(r).status == 400);
  CHECK(sim.stock(id)->on_hand == 2);

  auto order = body_of(api.post("/salesOrder", Api::order("O1", "P1", "", 2))).at("id").get<std::int64_t>();
  r.url = sim.server_url() + "/__sim/order";
  r.body = json{{"action", "pick"}, {"id", order}}.dump();
  CHECK(body_of(client.send(r)).at("state") == kOrderPicked);
  r.body = json{{"action", "pack"}, {"id", order}, {"trackingNumber", "T1"}}.dump();
  CHECK(body_of(client.send(r)).at("state") == kOrderPacked);
  r.body = json{{"action", "pack"}, {"id", order}}.dump();
  CHECK(client.send(r).status == 400);  // already packed
  CHECK(sim.stock(id)->on_hand == 0);
}
