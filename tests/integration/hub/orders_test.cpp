// Orders routed to a back office: sync status, notes back, retry.
#include <catch2/catch.hpp>

#include "hub_fixture.hpp"

using namespace hub_test;
using stockrelay::store::SyncStatus;

namespace {

HubSetup erp_setup() {
  HubSetup s;
  s.shops = {"shop-a", "erp"};
  s.pool = false;
  s.extra_yaml =
      "routes:\n"
      "  - name: orders-to-erp\n"
      "    on: order\n"
      "    from: [shop-a]\n"
      "    do:\n"
      "      - command: create_order\n"
      "        to: [erp]\n"
      "        options: {deliver: true}\n";
  return s;
}

std::vector<stockrelay::store::OrderSync> orders(HubFixture& f, bool failed_only = false) {
  std::lock_guard lock(f.hub().store_mutex());
  stockrelay::store::OrderQuery q;
  q.failed_only = failed_only;
  return f.hub().store().orders(q);
}

}  // namespace

TEST_CASE("a web order becomes one document in the back office, delivered, with a note on the web order") {
  HubFixture f(erp_setup());
  REQUIRE(f.shop("shop-a").create_product("A", q(5)).ok());
  REQUIRE(f.shop("erp").create_product("A", q(5)).ok());
  f.start();
  REQUIRE(f.shop("shop-a").place_order("501", {{"A", q(2)}}).ok());
  f.sync();
  auto docs = f.shop("erp").created_orders();
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].source_connection == "shop-a");
  CHECK(docs[0].source_order_id == "501");
  CHECK(docs[0].delivered);
  auto o = orders(f);
  REQUIRE(o.size() == 1);
  CHECK(o[0].status == SyncStatus::Synced);
  CHECK(o[0].remote_ref == docs[0].remote_ref);
  CHECK_FALSE(o[0].delivery_ref.empty());
  auto notes = f.shop("shop-a").notes();
  REQUIRE(notes.size() == 2);  // synced, then delivered
  CHECK(notes[0].order_id == "501");
  CHECK(notes[0].note.find("synced to erp as " + docs[0].remote_ref) != std::string::npos);
  CHECK(notes[1].order_id == "501");
  CHECK(notes[1].note.find("delivered in erp") != std::string::npos);
  // The same order seen again (an update) is not sent twice.
  REQUIRE(f.shop("shop-a").refund_line("501", "1", q(1), false).ok());
  f.sync();
  CHECK(f.shop("erp").created_orders().size() == 1);
}

TEST_CASE("an order that keeps failing is marked failed with the reason, and an operator retry sends it once") {
  HubFixture f(erp_setup());
  REQUIRE(f.shop("shop-a").create_product("A", q(5)).ok());
  f.start();
  f.shop("erp").set_retry_next(100);
  REQUIRE(f.shop("shop-a").place_order("777", {{"A", q(1)}}).ok());
  f.hub().poll_all(false);
  REQUIRE(f.hub().wait_quiet(30000));
  auto failed = orders(f, true);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].order_id == "777");
  CHECK(failed[0].reason.find("gave up after 6 attempts") != std::string::npos);
  auto notes = f.shop("shop-a").notes();
  REQUIRE_FALSE(notes.empty());
  CHECK(notes.back().note.find("failed") != std::string::npos);
  CHECK(f.shop("erp").created_orders().empty());

  f.shop("erp").set_retry_next(0);
  CHECK(f.hub().retry_failed_orders(std::nullopt, std::string("777")) == 1);
  REQUIRE(f.hub().wait_quiet(20000));
  CHECK(orders(f, true).empty());
  CHECK(f.shop("erp").created_orders().size() == 1);
}
