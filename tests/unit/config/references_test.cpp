// Pools, routes and schedules may only name connections that exist, and a
// connection's SKUs may belong to one pool only.
#include "helpers.hpp"

using sr_test::load;
using sr_test::load_ok;
using sr_test::only_error;

namespace {
const std::string kConn = "connections: {shop-a: {plugin: memory}, shop-b: {plugin: memory}}\n";
}

TEST_CASE("every reference to an unknown connection names the known ones") {
  auto r = load(kConn + R"(pools:
  p: {members: [shop-a, shop-c]}
routes:
  - on: order
    from: [shopa]
    do: [{command: create_order, to: [erp]}]
schedules:
  - {connections: nightly, every: 1h}
)");
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].where == "cfg.yaml:3:25");
  CHECK(r.errors[0].what == "pools.p.members: unknown connection 'shop-c'");
  CHECK(r.errors[0].hint == "did you mean 'shop-a'? known connections: shop-a, shop-b");
  CHECK(r.errors[1].where == "cfg.yaml:6:12");
  CHECK(r.errors[1].what == "routes[0].from: unknown connection 'shopa'");
  CHECK(r.errors[2].where == "cfg.yaml:7:39");
  CHECK(r.errors[2].what == "routes[0].do[0].to: unknown connection 'erp'");
  CHECK(r.errors[2].hint == "known connections: shop-a, shop-b");
  CHECK(r.errors[3].where == "cfg.yaml:9:19");
  CHECK(r.errors[3].what == "schedules[0].connections: unknown connection 'nightly'");
}

TEST_CASE("a reference without any connections says none are defined") {
  auto e = only_error("schedules: [{connections: shop-a, every: 1h}]\n");
  CHECK(e.what == "schedules[0].connections: unknown connection 'shop-a'");
  CHECK(e.hint == "no connections are defined");
}

TEST_CASE("an unreadable connections section does not cascade into reference errors") {
  auto e = only_error("connections: [shop-a]\npools: {p: {members: [shop-a]}}\n");
  CHECK(e.what == "connections: expected a map, got a list");
}

TEST_CASE("a master must be one of the pool's members") {
  auto e = only_error(kConn + "pools: {p: {members: [shop-a], master: shop-b}}\n");
  CHECK(e.where == "cfg.yaml:2:40");
  CHECK(e.what == "pools.p.master: 'shop-b' is not a member of the pool");
  CHECK(e.hint == "pick one of: shop-a");
}

TEST_CASE("on_member_change apply with a master is an error") {
  auto e = only_error(kConn + "pools: {p: {members: [shop-a, shop-b], master: shop-a, "
                              "on_member_change: apply}}\n");
  CHECK(e.where == "cfg.yaml:2:74");
  CHECK(e.what == "pools.p.on_member_change: 'apply' is for pools without a master");
}

TEST_CASE("a member listed twice in a pool is an error") {
  auto e = only_error(kConn + "pools: {p: {members: [shop-a, shop-a]}}\n");
  CHECK(e.where == "cfg.yaml:2:31");
  CHECK(e.what == "pools.p.members: 'shop-a' is listed twice");
}

TEST_CASE("a connection in two pools that cover all SKUs is refused and the rule is explained") {
  auto e = only_error(kConn + "pools:\n  one: {members: [shop-a]}\n  two: {members: [shop-b, shop-a]}\n");
  CHECK(e.where == "cfg.yaml:4:27");
  CHECK(e.what == "pools.two.members: connection 'shop-a' is also in pool 'one' and their SKUs "
                  "overlap: all SKUs (no skus: list) in 'one', all SKUs (no skus: list) in 'two'");
  CHECK(e.hint == "a connection may be in several pools only when each pool lists explicit skus: "
                  "patterns (not '*') that no SKU matches twice");
}

TEST_CASE("a connection in two pools with overlapping SKU patterns is refused") {
  auto e = only_error(kConn + "pools:\n  one: {members: [shop-a], skus: [\"A-*\"]}\n"
                              "  two: {members: [shop-a], skus: [\"B-*\", \"*-1?\"]}\n");
  CHECK(e.where == "cfg.yaml:4:19");
  CHECK(e.what == "pools.two.members: connection 'shop-a' is also in pool 'one' and their SKUs "
                  "overlap: 'A-*' in 'one', '*-1?' in 'two'");
}

TEST_CASE("a connection may be in two pools whose explicit SKU patterns are disjoint") {
  auto c = load_ok(kConn + "pools:\n  one: {members: [shop-a], skus: [\"A-*\", \"C-??\"]}\n"
                           "  two: {members: [shop-a, shop-b], skus: [\"B-*\", \"C-?\"]}\n");
  CHECK(c.pools.size() == 2);
}
