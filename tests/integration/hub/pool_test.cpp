// A shared stock pool of three memory shops, end to end.
#include <catch2/catch.hpp>

#include "hub_fixture.hpp"

using namespace hub_test;

namespace {

void seed(HubFixture& f, long qty) {
  for (const char* s : {"shop-a", "shop-b", "shop-c"}) {
    REQUIRE(f.shop(s).create_product("A", q(qty)).ok());
    REQUIRE(f.shop(s).create_product("B", q(qty)).ok());
  }
}

bool all_equal(const std::map<std::string, sr::Quantity>& levels, long expected) {
  if (levels.size() != 3) return false;
  for (const auto& [shop, l] : levels)
    if (l != q(expected)) return false;
  return true;
}

}  // namespace

TEST_CASE("a sale in one shop reaches every other shop") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  REQUIRE(f.shop("shop-b").place_order("1001", {{"A", q(3)}}).ok());
  f.sync();
  CHECK(all_equal(f.levels("A"), 7));
  CHECK(all_equal(f.levels("B"), 10));
}

TEST_CASE("a cancelled order gives its stock back in every shop") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  REQUIRE(f.shop("shop-a").place_order("1", {{"A", q(2)}, {"B", q(1)}}).ok());
  f.sync();
  REQUIRE(all_equal(f.levels("A"), 8));
  REQUIRE(f.shop("shop-a").cancel_order("1").ok());
  f.sync();
  CHECK(all_equal(f.levels("A"), 10));
  CHECK(all_equal(f.levels("B"), 10));
}

TEST_CASE("a manual change in one shop applies its difference to the pool and the other shops") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  REQUIRE(f.shop("shop-c").manual_set("A", q(25)).ok());
  f.sync();
  CHECK(all_equal(f.levels("A"), 25));
  // The log says what happened, where and why.
  std::lock_guard lock(f.hub().store_mutex());
  stockrelay::store::LogQuery lq;
  lq.sku = "A";
  bool found = false;
  for (const auto& e : f.hub().store().log(lq))
    if (e.kind == "manual" && e.connection == "shop-c" && e.result == "applied") found = true;
  CHECK(found);
}

TEST_CASE("the hub's own writes do not echo back as changes") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  REQUIRE(f.shop("shop-a").place_order("1", {{"A", q(1)}}).ok());
  f.sync();
  // Reconcile reads every level again, our writes included: nothing moves.
  f.hub().poll_all(true);
  REQUIRE(f.hub().wait_quiet(20000));
  f.sync();
  CHECK(all_equal(f.levels("A"), 9));
  std::lock_guard lock(f.hub().store_mutex());
  stockrelay::store::LogQuery lq;
  lq.sku = "A";
  for (const auto& e : f.hub().store().log(lq)) CHECK(e.kind != "manual");
}

TEST_CASE("sales in two shops within one sync window are both counted") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  REQUIRE(f.shop("shop-a").place_order("a1", {{"A", q(1)}}).ok());
  REQUIRE(f.shop("shop-b").place_order("b1", {{"A", q(1)}}).ok());
  REQUIRE(f.shop("shop-c").place_order("c1", {{"A", q(2)}}).ok());
  f.sync();
  CHECK(all_equal(f.levels("A"), 6));
}

TEST_CASE("a shop answering RETRY gets the change once it recovers") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  f.shop("shop-c").set_retry_next(3);
  REQUIRE(f.shop("shop-a").place_order("1", {{"A", q(4)}}).ok());
  f.sync();
  CHECK(all_equal(f.levels("A"), 6));
}

TEST_CASE("a SKU a shop refuses is recorded as failed with the reason: the other SKUs go through") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  f.shop("shop-c").set_fail_skus({"B"});
  REQUIRE(f.shop("shop-a").place_order("1", {{"A", q(1)}, {"B", q(1)}}).ok());
  f.hub().poll_all(false);
  REQUIRE(f.hub().wait_quiet(20000));
  CHECK(f.levels("A").at("shop-c") == q(9));
  CHECK(f.levels("B").at("shop-c") == q(10));
  std::lock_guard lock(f.hub().store_mutex());
  stockrelay::store::LogQuery lq;
  lq.connection = "shop-c";
  lq.sku = "B";
  bool failed = false;
  for (const auto& e : f.hub().store().log(lq))
    if (e.level == "error" && e.message.find("unknown SKU") != std::string::npos) failed = true;
  CHECK(failed);
}

TEST_CASE("a restart loses nothing: changes made while the hub was down arrive afterwards") {
  HubFixture f;
  seed(f, 10);
  f.start();
  f.sync();
  f.stop();
  REQUIRE(f.shop("shop-b").place_order("1", {{"A", q(5)}}).ok());
  REQUIRE(f.shop("shop-c").manual_set("B", q(4)).ok());
  f.start();
  f.sync();
  CHECK(all_equal(f.levels("A"), 5));
  CHECK(all_equal(f.levels("B"), 4));
}
