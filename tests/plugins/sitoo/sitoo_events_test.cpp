// Sitoo's Events SPI as hints: a change in Sitoo reaches the hub at once;
// duplicates are read once; an array the connector cannot handle yet is
// refused with 503, so Sitoo blocks its queue and sends it again.
#include "sitoo_fixture.hpp"

using namespace sitoo_test;

TEST_CASE("a POS sale, goods received and a delivery reach the hub through events") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.sim.add_product("B-2", 4);
  acc.start();
  acc.poll();
  acc.host.clear_records();

  acc.sim.pos_sale(acc.sim.warehouse_id(), "A-1", 2);
  acc.sim.goods_received(acc.sim.warehouse_id(), "B-2", 6);
  auto calls = acc.pump();
  REQUIRE_FALSE(calls.empty());
  for (const auto& c : calls) CHECK(c.status == SR_OK);
  auto events = acc.host.events();
  CHECK(level_of(events, "A-1")->quantity == q(10));
  CHECK(level_of(events, "B-2")->quantity == q(10));

  // An order placed and delivered in Sitoo: reservation, then stock decrease.
  acc.host.clear_records();
  auto id = acc.api("POST", "/sites/1/orders.json", sitoo_order("A-1", 3));
  acc.pump();
  CHECK(level_of(acc.host.events(), "A-1")->quantity == q(7));
  acc.host.clear_records();
  json delivery_row{{"orderitemid", 0}, {"quantity", 3}};
  acc.api("POST", "/sites/1/orders/" + id.dump() + "/orderdeliveries.json",
          json{{"warehouseid", 1}, {"orderdeliveryitems", json::array({delivery_row})}});
  acc.pump();
  CHECK(level_of(acc.host.events(), "A-1")->quantity == q(7));
  CHECK(acc.stock("A-1").total == 7);
}

TEST_CASE("events from another warehouse are ignored") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  auto other = acc.sim.add_warehouse("Outlet");
  acc.start();
  acc.poll();
  acc.host.clear_records();
  acc.sim.goods_received(other, "A-1", 5);
  acc.pump();
  CHECK_FALSE(level_of(acc.host.events(), "A-1"));
}

TEST_CASE("a duplicate event array is read once") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  acc.poll();
  acc.host.clear_records();
  sitoo_sim::Faults f;
  f.duplicate_events_next = 1;
  acc.sim.set_faults(f);
  acc.sim.pos_sale(acc.sim.warehouse_id(), "A-1", 1);
  auto calls = acc.pump();
  CHECK(calls.size() == 2);  // the array and its duplicate
  CHECK(acc.sim.counters().event_duplicates >= 1);
  CHECK(of_kind<sr::StockLevel>(acc.host.events()).size() == 1);
  CHECK(acc.sim.counters().warehouse_item_reads == 2);  // the first poll and the one event
}

TEST_CASE("an event array the connector cannot handle yet blocks Sitoo's queue until it can") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  acc.poll();
  acc.host.clear_records();
  sitoo_sim::Faults f;
  f.fail_next = 1;  // the connector's read of the transaction fails once
  acc.sim.set_faults(f);
  acc.sim.pos_sale(acc.sim.warehouse_id(), "A-1", 4);
  auto calls = acc.pump();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].status == SR_RETRY);  // the host answers 503: Sitoo sends it again
  CHECK(calls[1].status == SR_OK);
  CHECK(acc.sim.counters().event_retries == 1);
  CHECK(acc.sim.counters().events_dropped == 0);
  CHECK(level_of(acc.host.events(), "A-1")->quantity == q(8));
}

TEST_CASE("events without the callback credentials are refused") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  json env{{"method", "POST"}, {"path", "/hooks/sitoo"}, {"query", ""},
           {"headers", {{"authorization", "Basic " + sr::base64("sitoo-events:guess")}}},
           {"body", R"([{"event_id":"e1","event_type":"warehouse-transaction","data":{"warehouse_id":1,"warehouse_transaction_id":1}}])"}};
  auto call = acc.plugin->on_webhook(env);
  CHECK(call.status == SR_INVALID);
  CHECK(call.response_status == 401);
  env["headers"]["authorization"] = "Basic " + sr::base64(std::string(kEventsUser) + ":" + kEventsPassword);
  env["body"] = "not json";
  auto bad = acc.plugin->on_webhook(env);
  CHECK(bad.response_status == 400);
  env["body"] = "[]";
  CHECK(acc.plugin->on_webhook(env).status == SR_OK);
}
