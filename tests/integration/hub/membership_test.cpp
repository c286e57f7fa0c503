// Pool membership at run time: a shop joins an existing pool (an import), a
// SKU that appears later takes the first shop's quantity, a shop leaves and
// comes back; from the hub, the admin API and the CLI.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "engine/sku_audit.hpp"
#include "hub_fixture.hpp"
#include "http/client.hpp"

using namespace hub_test;

namespace {

HubSetup two_in_pool() {
  HubSetup s;
  s.members = {"shop-a", "shop-b"};  // shop-c is configured but not in the pool yet
  return s;
}

bool logged(HubFixture& f, const std::string& connection, const std::string& cause_part) {
  std::lock_guard lock(f.hub().store_mutex());
  stockrelay::store::LogQuery q;
  q.connection = connection;
  q.limit = 1000;
  for (const auto& e : f.hub().store().log(q))
    if (e.cause.find(cause_part) != std::string::npos) return true;
  return false;
}

nlohmann::json admin_get(HubFixture& f, const std::string& what) {
  stockrelay::http::Client c("test", {});
  stockrelay::http::Request r;
  r.url = f.hub().base_url() + "/admin/" + what;
  r.headers.push_back({"Authorization", "Bearer test-admin-token-123"});
  auto res = c.send(r);
  REQUIRE(res.status == 200);
  return nlohmann::json::parse(res.body);
}

}  // namespace

TEST_CASE("joining a shop imports it: linked by SKU, it takes the pool's quantities") {
  HubFixture f(two_in_pool());
  for (const char* s : {"shop-a", "shop-b"}) {
    REQUIRE(f.shop(s).create_product("A", q(10)).ok());
    REQUIRE(f.shop(s).create_product("B", q(5)).ok());
  }
  REQUIRE(f.shop("shop-c").create_product("A", q(3)).ok());   // differs from the pool: takes the pool's
  REQUIRE(f.shop("shop-c").create_product("C", q(8)).ok());   // new to the pool: its quantity counts
  f.start();
  f.sync();
  REQUIRE(f.shop("shop-a").place_order("1", {{"A", q(3)}}).ok());
  f.sync();
  REQUIRE(f.levels("A").at("shop-b") == q(7));
  CHECK(f.levels("A").at("shop-c") == q(3));  // not a member: untouched

  std::vector<stockrelay::hub::JoinProgress> seen;
  auto report = f.hub().join_pool("main", "shop-c", [&](const auto& p) { seen.push_back(p); }, 30000);
  REQUIRE(report);
  CHECK(report->completed);
  CHECK(report->linked == 2);  // A and C
  CHECK(report->written == 1);  // A: 3 -> 7
  CHECK(report->failed == 0);
  CHECK(report->new_in_pool == std::vector<std::string>{"C"});
  CHECK(report->pool_only == std::vector<std::string>{"B"});
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back().phase == "done");
  CHECK(seen.back().done == seen.back().total);
  CHECK(f.levels("A").at("shop-c") == q(7));
  CHECK(f.levels("C").at("shop-c") == q(8));
  CHECK(logged(f, "shop-c", "join of shop-c"));

  // From now on it is a member like the others.
  REQUIRE(f.shop("shop-c").place_order("c1", {{"A", q(2)}}).ok());
  f.sync();
  CHECK(f.levels("A") == std::map<std::string, Quantity>{{"shop-a", q(5)}, {"shop-b", q(5)}, {"shop-c", q(5)}});

  // Membership survives a restart (it is in the store, not in the config).
  f.stop();
  f.start();
  REQUIRE(f.shop("shop-b").place_order("b1", {{"A", q(1)}}).ok());
  f.sync();
  CHECK(f.levels("A").at("shop-c") == q(4));
}

TEST_CASE("a SKU that appears later takes the quantity of the shop where it appeared first") {
  HubFixture f;
  for (const char* s : {"shop-a", "shop-b", "shop-c"}) REQUIRE(f.shop(s).create_product("A", q(1)).ok());
  f.start();
  f.sync();
  REQUIRE(f.shop("shop-b").create_product("NEW", q(4)).ok());
  f.sync();
  REQUIRE(f.shop("shop-a").create_product("NEW", q(9)).ok());
  REQUIRE(f.shop("shop-c").create_product("NEW", q(0)).ok());
  f.sync();
  CHECK(f.levels("NEW") == std::map<std::string, Quantity>{{"shop-a", q(4)}, {"shop-b", q(4)}, {"shop-c", q(4)}});
  std::lock_guard lock(f.hub().store_mutex());
  auto levels = f.hub().store().pool_levels("main");
  auto it = std::find_if(levels.begin(), levels.end(), [](const auto& l) { return l.sku == "NEW"; });
  REQUIRE(it != levels.end());
  CHECK(it->origin == "shop-b");
}

TEST_CASE("leaving a pool stops sync for that shop without touching the others") {
  HubFixture f;
  for (const char* s : {"shop-a", "shop-b", "shop-c"}) REQUIRE(f.shop(s).create_product("A", q(10)).ok());
  f.start();
  f.sync();
  REQUIRE(f.hub().leave_pool("main", "shop-c"));
  REQUIRE(f.shop("shop-a").place_order("1", {{"A", q(2)}}).ok());
  f.sync();
  CHECK(f.levels("A") == std::map<std::string, Quantity>{{"shop-a", q(8)}, {"shop-b", q(8)}, {"shop-c", q(10)}});
  // Its own sales and edits no longer reach the pool.
  REQUIRE(f.shop("shop-c").place_order("c1", {{"A", q(4)}}).ok());
  REQUIRE(f.shop("shop-c").manual_set("A", q(50)).ok());
  f.sync();
  CHECK(f.levels("A") == std::map<std::string, Quantity>{{"shop-a", q(8)}, {"shop-b", q(8)}, {"shop-c", q(50)}});
  CHECK(logged(f, "shop-c", "leave of shop-c"));

  // Coming back is a join: it takes the pool's quantity again.
  auto report = f.hub().join_pool("main", "shop-c", nullptr, 30000);
  REQUIRE(report);
  CHECK(report->completed);
  CHECK(f.levels("A") == std::map<std::string, Quantity>{{"shop-a", q(8)}, {"shop-b", q(8)}, {"shop-c", q(8)}});

  // Unknown names are refused with the names that exist.
  auto bad = f.hub().leave_pool("nope", "shop-c");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Contains("no pool 'nope'") && Catch::Contains("main"));
  CHECK_FALSE(f.hub().join_pool("main", "shop-x", nullptr, 1000));
}

TEST_CASE("a join reports look-alike SKUs between the joining shop and the pool") {
  HubFixture f(two_in_pool());
  for (const char* s : {"shop-a", "shop-b"}) REQUIRE(f.shop(s).create_product("TEE-RED-M", q(6)).ok());
  REQUIRE(f.shop("shop-c").create_product("TEE\u2013RED-M", q(2)).ok());  // en dash
  f.start();
  f.hub().poll_all(true);  // the catalogues, so the store knows the products
  REQUIRE(f.hub().wait_quiet(20000));
  auto report = f.hub().join_pool("main", "shop-c", nullptr, 30000);
  REQUIRE(report);
  REQUIRE(report->findings.size() == 1);
  CHECK(report->findings[0].kind == stockrelay::engine::SkuFinding::Kind::LookAlike);
  CHECK_THAT(stockrelay::engine::describe(report->findings[0]),
             Catch::Contains("TEE<U+2013 EN DASH>RED-M") && Catch::Contains("shop-c"));
  // Never merged: each spelling is its own SKU with its own quantity.
  CHECK(f.levels("TEE-RED-M").at("shop-a") == q(6));
  CHECK(f.levels("TEE\u2013RED-M").at("shop-c") == q(2));
}

TEST_CASE("the admin API starts a join and shows its progress and the members") {
  HubFixture f(two_in_pool());
  for (const char* s : {"shop-a", "shop-b", "shop-c"}) REQUIRE(f.shop(s).create_product("A", q(4)).ok());
  f.start();
  f.sync();
  stockrelay::http::Client c("test", {});
  stockrelay::http::Request r;
  r.method = "POST";
  r.url = f.hub().base_url() + "/admin/pools/main/join/shop-c";
  r.headers.push_back({"Authorization", "Bearer test-admin-token-123"});
  REQUIRE(c.send(r).status == 202);
  nlohmann::json member;
  for (int i = 0; i < 200; ++i) {
    auto pools = admin_get(f, "pools");
    REQUIRE(pools.size() == 1);
    for (const auto& m : pools[0]["members"])
      if (m["connection"] == "shop-c") member = m;
    // The 202 comes once the member is recorded: it is listed from then on.
    REQUIRE(member.is_object());
    if (member.value("state", "") == "active") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(member["state"] == "active");
  REQUIRE(member.contains("join"));
  CHECK(member["join"]["phase"] == "done");
  CHECK(member["join"]["done"] == member["join"]["total"]);
  CHECK_THAT(member.value("message", ""), Catch::Contains("SKUs linked"));

  // A wrong name is a 400 naming it; no token is a 401.
  r.url = f.hub().base_url() + "/admin/pools/main/leave/shop-x";
  auto bad = c.send(r);
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Catch::Contains("shop-x"));
  r.headers.clear();
  CHECK(c.send(r).status == 401);
}

TEST_CASE("stockrelay pool join, status and leave on the command line, and the audit in check") {
  HubFixture f(two_in_pool());
  for (const char* s : {"shop-a", "shop-b"}) REQUIRE(f.shop(s).create_product("A", q(4)).ok());
  REQUIRE(f.shop("shop-c").create_product("A", q(1)).ok());
  REQUIRE(f.shop("shop-c").create_product("a", q(1)).ok());  // case-only look-alike within the shop
  f.start();
  f.sync();
  f.stop();
  std::string exe = STOCKRELAY_EXE, cfg = " --config " + f.config_path(), out;

  CHECK(run_command(exe + " pool join main shop-c" + cfg, out) == 0);
  CHECK_THAT(out, Catch::Contains("shop-c joined pool main") && Catch::Contains("look-alike"));
  CHECK_THAT(out, Catch::Contains("new to the pool"));
  CHECK(f.levels("A").at("shop-c") == q(4));

  CHECK(run_command(exe + " pool status" + cfg, out) == 0);
  CHECK_THAT(out, Catch::Contains("shop-c  active"));

  CHECK(run_command(exe + " check" + cfg, out) == 0);
  CHECK_THAT(out, Catch::Contains("SKU audit") && Catch::Contains("look-alike") && Catch::Contains("letter case"));
  CHECK(run_command(exe + " check --strict" + cfg, out) == 1);

  CHECK(run_command(exe + " pool leave main shop-c" + cfg, out) == 0);
  CHECK(run_command(exe + " pool status" + cfg, out) == 0);
  CHECK_THAT(out, Catch::Contains("shop-c  left"));

  CHECK(run_command(exe + " pool join nope shop-c" + cfg, out) == 2);
  CHECK_THAT(out, Catch::Contains("no pool 'nope'") && Catch::Contains("main"));
  CHECK(run_command(exe + " pool join main" + cfg, out) == 2);
}
