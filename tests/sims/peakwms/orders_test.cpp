// Sales orders over real HTTP (peakwms.md §7 item 5): reserve on create,
// release on cancel and delete, the second cancel's 400, picking and packing.
#include "test_support.hpp"

using namespace peakwms_sim;
using namespace peakwms_sim::testing;

TEST_CASE("orders: create reserves, cancel releases, a second cancel is 400 in state CANCELLED") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "V", "SKU-1");
  sim.goods_received(id, 10);
  auto created = api.post("/salesOrder", Api::order("O1", "P1", "V", 3));
  REQUIRE(created.status == 200);
  json order = body_of(created);
  CHECK(order.at("orderId") == "O1");
  CHECK(order.at("state") == kOrderCreated);
  CHECK(order.at("orderNumber") == "#O1");
  CHECK(sim.stock(id)->available_to_sell == 7);

  auto cancelled = api.put("/salesOrder/O1/cancel", json::object());
  REQUIRE(cancelled.status == 200);
  CHECK(body_of(cancelled).at("state") == kOrderCancelled);
  CHECK(sim.stock(id)->available_to_sell == 10);
  CHECK(message_of(api.put("/salesOrder/O1/cancel", json::object()), 400).find("in state CANCELLED") !=
        std::string::npos);
  CHECK(sim.stock(id)->reserved == 0);
  CHECK(sim.counters().orders_cancelled == 1);
}

TEST_CASE("orders: duplicate orderId, unknown product and bad quantity are 400 and reserve nothing") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "", "SKU-1");
  REQUIRE(api.post("/salesOrder", Api::order("O1", "P1", "", 1)).status == 200);
  CHECK(message_of(api.post("/salesOrder", Api::order("O1", "P1", "", 1)), 400).find("already exists") !=
        std::string::npos);
  CHECK(message_of(api.post("/salesOrder", Api::order("O2", "NOPE", "", 1)), 400).find("orderLines[0]") !=
        std::string::npos);
  message_of(api.post("/salesOrder", Api::order("O3", "P1", "", 0)), 400);
  CHECK(sim.stock(id)->reserved == 1);
  message_of(api.put("/salesOrder/NOPE/cancel", json::object()), 404);
}

TEST_CASE("orders: PUT replaces lines and moves the reservation, DELETE releases it") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto a = api.create_product("A", "", "SKU-A");
  auto b = api.create_product("B", "", "SKU-B");
  json order = body_of(api.post("/salesOrder", Api::order("O1", "A", "", 2)));
  auto wms_id = order.at("id").get<std::int64_t>();
  auto changed = api.put("/salesOrder", Api::order("O1", "B", "", 4));
  REQUIRE(changed.status == 200);
  CHECK(sim.stock(a)->reserved == 0);
  CHECK(sim.stock(b)->reserved == 4);
  REQUIRE(api.del("/salesOrder/" + std::to_string(wms_id)).status == 200);
  CHECK(sim.stock(b)->reserved == 0);
  CHECK_FALSE(sim.order_state(wms_id).has_value());
}

TEST_CASE("orders: picking takes stock out of on hand and reserved, packed orders cannot be cancelled") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "", "SKU-1");
  sim.goods_received(id, 5);
  auto wms_id = body_of(api.post("/salesOrder", Api::order("O1", "P1", "", 2))).at("id").get<std::int64_t>();
  CHECK_THROWS_AS(sim.pack_order(wms_id), std::invalid_argument);  // not picked yet
  sim.pick_order(wms_id);
  auto level = sim.stock(id);
  CHECK(level->on_hand == 3);
  CHECK(level->reserved == 0);
  CHECK(level->available_to_sell == 3);
  sim.pack_order(wms_id, "TRK1");
  CHECK(sim.order_state(wms_id) == kOrderPacked);
  CHECK(message_of(api.put("/salesOrder/O1/cancel", json::object()), 400).find("in state PACKED") !=
        std::string::npos);
  message_of(api.put("/salesOrder/O1", json{{"orderNumber", "x"}}), 400);
}

TEST_CASE("orders: picking more than on hand is refused and changes nothing") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "", "SKU-1");
  sim.goods_received(id, 1);
  auto wms_id = body_of(api.post("/salesOrder", Api::order("O1", "P1", "", 2))).at("id").get<std::int64_t>();
  CHECK_THROWS_AS(sim.pick_order(wms_id), std::invalid_argument);
  CHECK(sim.order_state(wms_id) == kOrderCreated);
  CHECK(sim.stock(id)->on_hand == 1);
  CHECK(sim.stock(id)->reserved == 2);
}
