// Orders out: create (reserve), deliver, cancel, each safe to repeat, and
// failures with the reason a merchant can act on.
#include "sitoo_fixture.hpp"

using namespace sitoo_test;

TEST_CASE("a web order becomes a Sitoo order that reserves its stock") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.sim.add_product("B-2", 4);
  acc.start();
  auto r = acc.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 2}, {"B-2", 1}})));
  INFO(r.message);
  REQUIRE(r.outcome == sr::Outcome::Ok);
  CHECK_FALSE(r.remote_ref.empty());
  CHECK(acc.stock("A-1").total == 12);
  CHECK(acc.stock("A-1").reserved == 2);
  CHECK(acc.stock("A-1").available == 10);
  CHECK(acc.stock("B-2").available == 3);

  auto o = acc.api("GET", "/sites/1/orders/" + r.remote_ref + ".json");
  CHECK(o["externalid"] == "shop-a-1001");
  CHECK(o["warehouseid"] == 1);
  CHECK(o["ordertypeid"] == 10);
  CHECK(o["email"] == "anna@example.com");
  CHECK(o["namefirst"] == "Anna");
  CHECK(o["namelast"] == "Svensson");
  REQUIRE(o["orderitems"].size() == 2);
  CHECK(o["orderitems"][0]["sku"] == "A-1");
  CHECK(o["orderitems"][0]["quantity"] == 2);
  CHECK(o["orderitems"][0]["moneyrowprice"] == "250.00");

  // The reservation does not move datelastmodified, so the connector reads
  // the order's SKUs at once and emits what the shops must mirror.
  auto events = acc.host.events();
  REQUIRE(level_of(events, "A-1"));
  CHECK(level_of(events, "A-1")->quantity == q(10));
  CHECK(level_of(events, "B-2")->quantity == q(3));
}

TEST_CASE("a retry after a crash between create and record creates no second order") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  auto cmd = create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 2}}));
  auto first = acc.run(cmd);
  REQUIRE(first.outcome == sr::Outcome::Ok);
  // The hub stopped before it recorded the result: a new instance gets the
  // same command again.
  acc.start();
  auto again = acc.run(cmd);
  CHECK(again.outcome == sr::Outcome::Ok);
  CHECK(again.remote_ref == first.remote_ref);
  CHECK_THAT(again.message, Catch::Contains("already in Sitoo as order " + first.remote_ref));
  CHECK(acc.sim.counters().orders_created == 1);
  CHECK(acc.orders_with("shop-a-1001").size() == 1);
  CHECK(acc.stock("A-1").reserved == 2);
}

TEST_CASE("a create whose answer was lost is found by its externalid on the next attempt") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  auto cmd = create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 1}}));
  // The POST reaches Sitoo but its answer comes after the client gave up.
  int posts = 0;
  acc.host.on_http([&](const json& req) {
    if (req["method"] == "POST") {
      ++posts;
      acc.forward(req);
      throw sr::retryable_error("timeout: Operation timed out after 30000 milliseconds");
    }
    return acc.forward(req);
  });
  auto lost = acc.run(cmd);
  CHECK(lost.outcome == sr::Outcome::Retry);
  CHECK_THAT(lost.message, Catch::Contains("got no answer"));
  acc.host.on_http([&](const json& req) { return acc.forward(req); });
  auto found = acc.run(cmd);
  CHECK(found.outcome == sr::Outcome::Ok);
  CHECK(posts == 1);
  CHECK(acc.sim.counters().orders_created == 1);
  CHECK(acc.stock("A-1").reserved == 1);
}

TEST_CASE("an unknown or look-alike SKU fails the whole order, naming the SKU") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.sim.add_product("B-2", 4);
  acc.start();
  const std::string en_dash_sku = "B\xE2\x80\x93" "2";
  auto r = acc.run(create_cmd("c1", "shop-a", web_order("1002", {{"A-1", 1}, {en_dash_sku, 1}, {"Z-9", 1}})));
  CHECK(r.outcome == sr::Outcome::Failed);
  CHECK_THAT(r.message, Catch::Contains("unknown SKU '" + en_dash_sku + "', 'Z-9' in Sitoo warehouse 1"));
  CHECK(r.unknown_skus == std::vector<std::string>{en_dash_sku, "Z-9"});
  // No partial order: nothing created, nothing reserved.
  CHECK(acc.sim.counters().orders_created == 0);
  CHECK(acc.stock("A-1").reserved == 0);

  // Fixed in the shop: the retry goes through.
  auto fixed = acc.run(create_cmd("c2", "shop-a", web_order("1002", {{"A-1", 1}, {"B-2", 1}})));
  CHECK(fixed.outcome == sr::Outcome::Ok);
  CHECK(acc.stock("B-2").reserved == 1);
}

TEST_CASE("lines Sitoo cannot take fail with the line named") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  auto o = web_order("1003", {{"A-1", 1}});
  o.lines[0].quantity = sr::Quantity::from_milli(1500);
  auto r = acc.run(create_cmd("c1", "shop-a", o));
  CHECK(r.outcome == sr::Outcome::Failed);
  CHECK_THAT(r.message, Catch::Contains("line 1 (SKU 'A-1') has quantity 1.5; Sitoo order rows take whole units"));
  auto nosku = web_order("1004", {{"", 1}});
  auto r2 = acc.run(create_cmd("c2", "shop-a", nosku));
  CHECK_THAT(r2.message, Catch::Contains("line 1 ('Item ') has no SKU"));
  // A line refunded with restock is not sent.
  auto part = web_order("1005", {{"A-1", 3}});
  part.lines[0].restocked = q(1);
  CHECK(acc.run(create_cmd("c3", "shop-a", part)).outcome == sr::Outcome::Ok);
  CHECK(acc.stock("A-1").reserved == 2);
  CHECK(acc.sim.counters().orders_created == 1);
}

TEST_CASE("deliver turns the reservation into a stock decrease, once") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.sim.add_product("B-2", 4);
  acc.start();
  auto created = acc.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 2}, {"B-2", 1}})));
  REQUIRE(created.outcome == sr::Outcome::Ok);
  auto d = acc.run(deliver_cmd("c2", "shop-a", "1001", created.remote_ref));
  INFO(d.message);
  REQUIRE(d.outcome == sr::Outcome::Ok);
  CHECK_FALSE(d.remote_ref.empty());  // the delivery id
  CHECK(acc.stock("A-1").total == 10);
  CHECK(acc.stock("A-1").reserved == 0);
  CHECK(acc.stock("A-1").available == 10);
  CHECK(acc.stock("B-2").total == 3);
  CHECK(level_of(acc.host.events(), "A-1")->quantity == q(10));

  // Again (a retry after a lost answer): nothing left to deliver.
  auto again = acc.run(deliver_cmd("c3", "shop-a", "1001", created.remote_ref));
  CHECK(again.outcome == sr::Outcome::Ok);
  CHECK_THAT(again.message, Catch::Contains("already delivered"));
  CHECK(again.remote_ref == d.remote_ref);
  CHECK(acc.sim.counters().deliveries_created == 1);
  CHECK(acc.stock("A-1").total == 10);

  // Found by externalid when the hub has no reference.
  auto by_source = acc.run(deliver_cmd("c4", "shop-a", "1001", ""));
  CHECK(by_source.outcome == sr::Outcome::Ok);
  CHECK(acc.sim.counters().deliveries_created == 1);
}

TEST_CASE("cancel releases the reservation and is safe to repeat") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  auto created = acc.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 4}})));
  REQUIRE(created.outcome == sr::Outcome::Ok);
  CHECK(acc.stock("A-1").available == 8);
  auto k = acc.run(cancel_cmd("c2", "shop-a", "1001", created.remote_ref));
  INFO(k.message);
  CHECK(k.outcome == sr::Outcome::Ok);
  CHECK(acc.stock("A-1").reserved == 0);
  CHECK(acc.stock("A-1").available == 12);
  CHECK(level_of(acc.host.events(), "A-1")->quantity == q(12));
  CHECK(acc.orders_with("shop-a-1001")[0]["orderstateid"] == 20);

  auto again = acc.run(cancel_cmd("c3", "shop-a", "1001", created.remote_ref));
  CHECK(again.outcome == sr::Outcome::Ok);
  CHECK_THAT(again.message, Catch::Contains("already cancelled"));
  auto never = acc.run(cancel_cmd("c4", "shop-a", "999", ""));
  CHECK(never.outcome == sr::Outcome::Ok);
  CHECK_THAT(never.message, Catch::Contains("nothing to cancel"));
  // A cancelled order cannot be delivered.
  auto d = acc.run(deliver_cmd("c5", "shop-a", "1001", created.remote_ref));
  CHECK(d.outcome == sr::Outcome::Failed);
  CHECK_THAT(d.message, Catch::Contains("is cancelled"));
}

TEST_CASE("stock commands are refused: Sitoo is the master") {
  SitooAccount acc;
  acc.start();
  sr::Command set{"s1", json::object(), sr::SetStock{"A-1", q(3), std::nullopt, std::nullopt, ""}};
  auto r = acc.run(set);
  CHECK(r.outcome == sr::Outcome::Unsupported);
  CHECK_THAT(r.message, Catch::Contains("master of stock"));
  CHECK(acc.sim.counters().writes == 0);
}

TEST_CASE("429 and 5xx while creating: retried, one order in the end") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  auto cmd = create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 1}}));
  sitoo_sim::Faults f;
  f.rate_limit_next = 2;
  acc.sim.set_faults(f);
  CHECK(acc.run(cmd).outcome == sr::Outcome::Retry);
  CHECK(acc.run(cmd).outcome == sr::Outcome::Retry);
  f = {};
  f.fail_next = 1;
  acc.sim.set_faults(f);
  auto failed = acc.run(cmd);
  CHECK(failed.outcome == sr::Outcome::Retry);
  CHECK_THAT(failed.message, Catch::Contains("answered 500"));
  auto ok = acc.run(cmd);
  CHECK(ok.outcome == sr::Outcome::Ok);
  CHECK(acc.sim.counters().orders_created == 1);
}

TEST_CASE("credentials Sitoo refuses fail the order with the reason, without the password") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.start();
  acc.create({{"api_password", "rotated-password-77"}});  // the merchant changed it in Sitoo
  auto r = acc.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 1}})));
  CHECK(r.outcome == sr::Outcome::Failed);
  CHECK_THAT(r.message, Catch::Contains("refused GET /sites/1/orders.json"));
  CHECK_THAT(r.message, Catch::Contains("check api_id and api_password"));
  CHECK_THAT(r.message, !Catch::Contains("rotated-password-77"));
  CHECK(acc.sim.counters().orders_created == 0);
}

TEST_CASE("an order Sitoo refuses fails with Sitoo's own text") {
  SitooAccount acc;
  auto virtual_wh = acc.sim.add_warehouse("Web stock", sitoo_sim::kWarehouseVirtual);
  acc.sim.add_product("A-1", 12);
  acc.start();
  auto created = acc.run(create_cmd("c1", "shop-a", web_order("1001", {{"A-1", 1}})));
  REQUIRE(created.outcome == sr::Outcome::Ok);
  // A delivery from a Virtual warehouse is refused by Sitoo: its errortext is the reason.
  acc.create({{"warehouse_id", virtual_wh}});
  auto d = acc.run(deliver_cmd("c2", "shop-a", "1001", created.remote_ref));
  CHECK(d.outcome == sr::Outcome::Failed);
  CHECK_THAT(d.message, Catch::Contains("Sitoo refused the delivery of order " + created.remote_ref + ": 400"));
}
