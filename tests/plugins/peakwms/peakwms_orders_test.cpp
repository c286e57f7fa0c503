// Sales orders: create reserves (and the new availableToSell is emitted at
// once, PeakWMS sends no StockAdjust for it), a repeat makes no second
// order, unknown SKUs fail naming them, cancel releases and is safe to
// repeat, and PeakWMS's own refusals reach the merchant.
#include "peakwms_fixture.hpp"

using namespace peakwms_test;

namespace {

// A, B for both shops, with stock on hand.
void catalogue(Warehouse& w) {
  w.start();
  auto r = w.run_batch({upsert_cmd("u1", "shop-a", "A-1", "P-1"), upsert_cmd("u2", "shop-a", "B-2", "P-2"),
                        upsert_cmd("u3", "shop-b", "A-1", "P-71")});
  for (const auto& x : r) REQUIRE(x.outcome == sr::Outcome::Ok);
  w.sim.goods_received(w.wms_id(kShopA, "P-1"), 10);
  w.sim.goods_received(w.wms_id(kShopA, "P-2"), 4);
  w.pump();
  w.host.clear_records();
}

}  // namespace

TEST_CASE("a web order becomes a sales order that reserves, and the new levels are emitted") {
  Warehouse w;
  catalogue(w);
  w.start();  // a new instance: the SKU index is read on the first order
  auto r = w.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 2}, {"B-2", 1}})));
  INFO(r.message);
  REQUIRE(r.outcome == sr::Outcome::Ok);
  const std::int64_t order = std::stoll(r.remote_ref);
  CHECK(w.sim.order_state(order) == peakwms_sim::kOrderCreated);
  auto a = w.stock(w.wms_id(kShopA, "P-1"));
  CHECK(a.reserved == 2);
  CHECK(a.available_to_sell == 8);
  CHECK(w.stock(w.wms_id(kShopA, "P-2")).available_to_sell == 3);

  auto events = w.host.events();
  REQUIRE(level_of(events, "A-1"));
  CHECK(level_of(events, "A-1")->quantity == q(8));
  CHECK(level_of(events, "B-2")->quantity == q(3));

  // What PeakWMS received: the shop's ids on each line, the customer.
  json sent;
  for (const auto& req : w.host.http_requests())
    if (req["method"] == "POST" && req["url"].get<std::string>().ends_with("/salesOrder")) sent = json::parse(req["body"].get<std::string>());
  CHECK(sent["orderId"] == "1001");
  CHECK(sent["orderNumber"] == "#1001");
  CHECK(sent["orderDateTime"] == "2026-11-18T11:06:40");
  CHECK(sent["shippingAddress"]["customerName"] == "Mette Hansen");
  CHECK(sent["billingAddress"]["email"] == "mette@example.com");
  REQUIRE(sent["orderLines"].size() == 2);
  CHECK(sent["orderLines"][0] == json{{"orderLineId", "1"}, {"productId", "P-1"}, {"variantId", ""},
                                      {"quantityRequested", 2}, {"salesPricePiece", 125.0}});
}

TEST_CASE("an order through the other shop uses that shop's key and product ids") {
  Warehouse w;
  catalogue(w);
  auto r = w.run(create_cmd("c1", "shop-b", web_order("1001", {{"A-1", 3}})));
  INFO(r.message);
  REQUIRE(r.outcome == sr::Outcome::Ok);
  CHECK(w.stock(w.wms_id(kShopB, "P-71")).reserved == 3);
  // shop-a's order 1001 is another order.
  auto other = w.run(create_cmd("c2", "shop-a", web_order("1001", {{"A-1", 1}})));
  REQUIRE(other.outcome == sr::Outcome::Ok);
  CHECK(other.remote_ref != r.remote_ref);
  CHECK(w.sim.counters().orders_created == 2);
}

TEST_CASE("a create repeated after a lost answer makes one order") {
  Warehouse w;
  catalogue(w);
  auto cmd = create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 2}}));
  // The POST reaches PeakWMS but its answer never comes back.
  w.host.on_http([&](const json& req) {
    if (req["method"] == "POST" && req["url"].get<std::string>().ends_with("/salesOrder")) {
      w.forward(req);
      throw sr::retryable_error("timeout: Operation timed out after 30000 milliseconds");
    }
    return w.forward(req);
  });
  auto lost = w.run(cmd);
  CHECK(lost.outcome == sr::Outcome::Retry);
  CHECK_THAT(lost.message, Catch::Contains("got no answer"));
  w.host.on_http([&](const json& req) { return w.forward(req); });

  auto again = w.run(cmd);
  INFO(again.message);
  CHECK(again.outcome == sr::Outcome::Ok);
  CHECK_THAT(again.message, Catch::Contains("already in PeakWMS as sales order " + again.remote_ref));
  CHECK(w.sim.order_state(std::stoll(again.remote_ref)) == peakwms_sim::kOrderCreated);
  CHECK(w.sim.counters().orders_created == 1);
  CHECK(w.stock(w.wms_id(kShopA, "P-1")).reserved == 2);
}

TEST_CASE("an order with an unknown SKU fails naming it, and nothing is created") {
  Warehouse w;
  catalogue(w);
  const std::string dash = "B\xE2\x80\x93" "2";  // B–2 with an en dash
  auto r = w.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 1}, {dash, 1}, {"Z-9", 2}})));
  CHECK(r.outcome == sr::Outcome::Failed);
  CHECK(r.unknown_skus == std::vector<std::string>{dash, "Z-9"});
  CHECK_THAT(r.message, Catch::Contains("unknown SKU '" + dash + "', 'Z-9' in PeakWMS for shop-a"));
  CHECK_THAT(r.message, Catch::Contains("nothing was sent"));
  CHECK(w.sim.counters().orders_created == 0);
  CHECK(w.stock(w.wms_id(kShopA, "P-1")).reserved == 0);
  // shop-b never uploaded B-2: it is unknown there, though shop-a has it.
  auto b = w.run(create_cmd("c2", "shop-b", web_order("1002", {{"B-2", 1}})));
  CHECK(b.unknown_skus == std::vector<std::string>{"B-2"});
}

TEST_CASE("a SKU added in PeakWMS after the index was read is found") {
  Warehouse w;
  catalogue(w);
  REQUIRE(w.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 1}}))).outcome == sr::Outcome::Ok);
  // The shop's integration gets C-3 outside the hub (PeakWMS's own import).
  w.api(kShopA, "POST", "/product", json{{"productId", "P-3"}, {"variantId", ""}, {"itemNumber", "C-3"}, {"description", "C"}});
  auto r = w.run(create_cmd("c2", "shop-a", web_order("1002", {{"C-3", 1}})));
  INFO(r.message);
  CHECK(r.outcome == sr::Outcome::Ok);
}

TEST_CASE("a fractional quantity fails naming the line") {
  Warehouse w;
  catalogue(w);
  auto o = web_order("1001", {{"A-1", 1}, {"B-2", 1}});
  o.lines[1].quantity = sr::Quantity::from_milli(1500);
  auto r = w.run(create_cmd("c1", "shop-a", o));
  CHECK(r.outcome == sr::Outcome::Failed);
  CHECK(r.message == "shop-a order #1001: line 2 (SKU 'B-2') has quantity 1.5; PeakWMS order lines take whole units");
  CHECK(w.sim.counters().orders_created == 0);
}

TEST_CASE("cancel releases the reservation, and a second cancel and an unknown order are ok") {
  Warehouse w;
  catalogue(w);
  auto created = w.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 2}})));
  REQUIRE(created.outcome == sr::Outcome::Ok);
  auto cancelled = w.run(cancel_cmd("k1", "shop-a", "1001", created.remote_ref));
  INFO(cancelled.message);
  REQUIRE(cancelled.outcome == sr::Outcome::Ok);
  CHECK(cancelled.remote_ref == created.remote_ref);
  CHECK(w.sim.order_state(std::stoll(created.remote_ref)) == peakwms_sim::kOrderCancelled);
  CHECK(w.stock(w.wms_id(kShopA, "P-1")).reserved == 0);
  REQUIRE(level_of(w.host.events(), "A-1"));
  CHECK(level_of(w.host.events(), "A-1")->quantity == q(10));

  auto twice = w.run(cancel_cmd("k2", "shop-a", "1001", created.remote_ref));
  CHECK(twice.outcome == sr::Outcome::Ok);
  CHECK_THAT(twice.message, Catch::Contains("already cancelled"));
  auto none = w.run(cancel_cmd("k3", "shop-a", "4242"));
  CHECK(none.outcome == sr::Outcome::Ok);
  CHECK_THAT(none.message, Catch::Contains("no such order in PeakWMS"));
  CHECK(w.sim.counters().orders_cancelled == 1);
}

TEST_CASE("cancelling a picked order fails with PeakWMS's message") {
  Warehouse w;
  catalogue(w);
  auto created = w.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 2}})));
  REQUIRE(created.outcome == sr::Outcome::Ok);
  w.sim.pick_order(std::stoll(created.remote_ref));
  auto r = w.run(cancel_cmd("k1", "shop-a", "1001", created.remote_ref));
  CHECK(r.outcome == sr::Outcome::Failed);
  CHECK_THAT(r.message, Catch::Contains("cannot be cancelled because it is in state PICKED"));
  CHECK(w.sim.order_state(std::stoll(created.remote_ref)) == peakwms_sim::kOrderPicked);
}

TEST_CASE("one failing command does not fail the others in its batch") {
  Warehouse w;
  catalogue(w);
  sr::Command adjust{"s1", json::object(), sr::AdjustStock{"A-1", q(-1), sr::DeltaCause::Sale, "order 9"}};
  auto r = w.run_batch({create_cmd("c1", "shop-a", web_order("1001", {{"Z-9", 1}})),
                        create_cmd("c2", "shop-a", web_order("1002", {{"A-1", 1}})), adjust,
                        create_cmd("c3", "shop-x", web_order("1003", {{"A-1", 1}})),
                        create_cmd("c4", "shop-b", web_order("1004", {{"A-1", 2}}))});
  CHECK(r[0].outcome == sr::Outcome::Failed);
  CHECK(r[1].outcome == sr::Outcome::Ok);
  CHECK(r[2].outcome == sr::Outcome::Unsupported);
  CHECK(r[3].outcome == sr::Outcome::Failed);
  CHECK(r[3].message == "no API key for shop shop-x in settings.shops");
  CHECK(r[4].outcome == sr::Outcome::Ok);
  CHECK(w.stock(w.wms_id(kShopA, "P-1")).reserved == 3);
  // A-1 reserved through both shops, read once at the end of the batch.
  CHECK(of_kind<sr::StockLevel>(w.host.events()).size() == 1);
  CHECK(level_of(w.host.events(), "A-1")->quantity == q(7));
}

TEST_CASE("a 500 while creating is a retry, and the retry makes the order") {
  Warehouse w;
  catalogue(w);
  w.poll();  // the SKU index is read
  peakwms_sim::Faults f;
  f.fail_next = 1;
  w.sim.set_faults(f);
  auto cmd = create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 1}}));
  auto failed = w.run(cmd);
  CHECK(failed.outcome == sr::Outcome::Retry);
  CHECK_THAT(failed.message, Catch::Contains("POST /salesOrder for shop-a answered 500"));
  CHECK(w.sim.counters().orders_created == 0);
  auto ok = w.run(cmd);
  CHECK(ok.outcome == sr::Outcome::Ok);
  CHECK(w.sim.counters().orders_created == 1);
}
