// Warehouse levels in by polling: available = total - reserved, only what
// changed since the cursor, and the reservations datelastmodified misses.
#include "sitoo_fixture.hpp"

using namespace sitoo_test;

TEST_CASE("the first poll reads every item and emits its available quantity") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.sim.add_product("B-2", 0);
  acc.sim.add_product("C/3", 5);
  // A web order placed in Sitoo itself reserves 2 of A-1.
  acc.api("POST", "/sites/1/orders.json", sitoo_order("A-1", 2));
  acc.start();
  auto events = acc.poll();
  auto levels = of_kind<sr::StockLevel>(events);
  REQUIRE(levels.size() == 3);
  CHECK(level_of(events, "A-1")->quantity == q(10));
  CHECK(level_of(events, "B-2")->quantity == q(0));
  CHECK(level_of(events, "C/3")->quantity == q(5));
  for (const auto& l : levels) {
    CHECK(l.managed);
    CHECK_FALSE(l.remote_id.empty());  // the warehouse item
    CHECK(l.read_at > 0);
  }
  CHECK(acc.host.state("warehouseitems.datelastmodified"));
  CHECK(acc.host.state("orders.orderid") == "1");
  // Nothing changed: nothing emitted.
  CHECK(of_kind<sr::StockLevel>(acc.poll()).empty());
}

TEST_CASE("an incremental poll emits what transactions changed, in order") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.sim.add_product("B-2", 4);
  acc.start();
  auto first = acc.poll();
  std::string v1 = level_of(first, "A-1")->version;

  acc.sim.pos_sale(acc.sim.warehouse_id(), "A-1", 3);
  auto after_sale = acc.poll();
  REQUIRE(of_kind<sr::StockLevel>(after_sale).size() == 1);
  auto a = *level_of(after_sale, "A-1");
  CHECK(a.quantity == q(9));
  CHECK(a.version > v1);  // readings are ordered: text order is time order

  acc.sim.goods_received(acc.sim.warehouse_id(), "B-2", 10);
  acc.sim.manual_count(acc.sim.warehouse_id(), "A-1", 7);
  auto after_more = acc.poll();
  CHECK(of_kind<sr::StockLevel>(after_more).size() == 2);
  CHECK(level_of(after_more, "B-2")->quantity == q(14));
  CHECK(level_of(after_more, "A-1")->quantity == q(7));
  CHECK(level_of(after_more, "A-1")->version > a.version);
}

TEST_CASE("a reservation made in Sitoo reaches the next poll although datelastmodified stays") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 12);
  acc.sim.add_product("B-2", 4);
  acc.start();
  acc.poll();
  auto before = acc.stock("A-1").datelastmodified;
  acc.api("POST", "/sites/1/orders.json", sitoo_order("A-1", 5));
  REQUIRE(acc.stock("A-1").datelastmodified == before);  // Sitoo's documented gap
  auto events = acc.poll();
  REQUIRE(level_of(events, "A-1"));
  CHECK(level_of(events, "A-1")->quantity == q(7));
  CHECK_FALSE(level_of(events, "B-2"));
  CHECK(acc.host.state("orders.orderid") == "1");
}

TEST_CASE("a reconcile emits every level again, and a 429 burst loses nothing") {
  SitooAccount acc;
  acc.sim.generate_catalog(2500, "SKU");  // more than two pages of 1000
  acc.start();
  CHECK(of_kind<sr::StockLevel>(acc.poll()).size() == 2500);
  CHECK(of_kind<sr::StockLevel>(acc.poll(sr::PollMode::Reconcile)).size() == 2500);

  acc.sim.pos_sale(acc.sim.warehouse_id(), "SKU-00042", 1);
  auto cursor = acc.host.state("warehouseitems.datelastmodified");
  sitoo_sim::Faults f;
  f.rate_limit_next = 3;
  acc.sim.set_faults(f);
  // The host would retry the 429 itself; this one has no retries, so the
  // connector sees it: the poll asks to be retried and keeps its cursor.
  for (int i = 0; i < 3; ++i) {
    acc.host.clear_records();
    CHECK(acc.plugin->poll(sr::PollMode::Incremental) == SR_RETRY);
  }
  CHECK(acc.host.state("warehouseitems.datelastmodified") == cursor);
  auto events = acc.poll();
  REQUIRE(level_of(events, "SKU-00042"));
  CHECK(level_of(events, "SKU-00042")->quantity == q(static_cast<int>(acc.stock("SKU-00042").available)));
  CHECK(acc.sim.counters().rate_limited == 3);
}
