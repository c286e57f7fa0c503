// Settings, start-up checks and the externalid rule.
#include "sitoo_fixture.hpp"

using namespace sitoo_test;

namespace {

bool sitoo_external_ok(const std::string& id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

std::string create_error(SitooAccount& acc, const json& extra) {
  json s = acc.settings;
  for (const auto& [k, v] : extra.items()) {
    if (v.is_null()) s.erase(k);
    else s[k] = v;
  }
  sr_status rc = SR_OK;
  std::string error;
  auto d = acc.host.try_create(sitoo_plugin(), s, rc, error);
  CHECK_FALSE(d);
  CHECK(rc == SR_INVALID);
  return error;
}

}  // namespace

TEST_CASE("settings errors name the setting") {
  SitooAccount acc;
  CHECK(create_error(acc, {{"warehouse_id", nullptr}}) == "settings: 'warehouse_id' is required");
  CHECK(create_error(acc, {{"warehouse_id", "main"}}) == "settings: 'warehouse_id' must be an integer from 1 to 2147483647");
  CHECK(create_error(acc, {{"api_password", ""}}) == "settings: 'api_password' must not be empty");
  CHECK(create_error(acc, {{"base_url", "api.mysitoo.com"}}) ==
        "settings: 'base_url' must be an http:// or https:// URL, not 'api.mysitoo.com'");
  CHECK(create_error(acc, {{"events_user", nullptr}}) ==
        "settings: 'events_password' needs 'events_user' (the callbacks' HTTP Basic user name)");
  CHECK(create_error(acc, {{"warehouse", 1}}) == "settings: unknown setting 'warehouse'");
}

TEST_CASE("start checks the credentials and the warehouse, and never logs the password") {
  SitooAccount acc;
  SECTION("a warehouse that does not exist") {
    acc.create({{"warehouse_id", 77}});
    CHECK(acc.plugin->start() == SR_INVALID);
    CHECK_THAT(acc.plugin->last_error(), Catch::Contains("has no warehouse 77 in site 1"));
  }
  SECTION("a wrong password") {
    acc.create({{"api_password", "wrong-password-123"}});
    CHECK(acc.plugin->start() == SR_INVALID);
    CHECK_THAT(acc.plugin->last_error(), Catch::Contains("check api_id and api_password"));
    CHECK_THAT(acc.plugin->last_error(), !Catch::Contains("wrong-password-123"));
  }
  SECTION("the right ones") {
    acc.start();
    CHECK(acc.host.logged("warehouse 1 ('Main warehouse')"));
  }
  for (const auto& l : acc.host.logs()) CHECK_THAT(l.text, !Catch::Contains(acc.sim.password()));
}

TEST_CASE("the externalid is stable, fits Sitoo's rule and tells sources apart") {
  SitooAccount acc;
  acc.sim.add_product("A-1", 50);
  acc.start();
  auto external_of = [&](const std::string& source, const std::string& order, const std::string& cmd) {
    auto r = acc.run(create_cmd(cmd, source, web_order(order, {{"A-1", 1}})));
    INFO(r.message);
    REQUIRE(r.outcome == sr::Outcome::Ok);
    auto o = acc.api("GET", "/sites/1/orders/" + r.remote_ref + ".json");
    return o["externalid"].get<std::string>();
  };
  CHECK(external_of("shop-a", "1001", "c1") == "shop-a-1001");
  CHECK(external_of("shop-b", "1001", "c2") == "shop-b-1001");
  // Not all digits, too long, or characters Sitoo refuses: the allowed
  // characters cut short, then a hash of the pair.
  std::vector<std::string> odd;
  int n = 10;
  for (auto [conn, order] : std::vector<std::pair<std::string, std::string>>{
           {"shop", "a-1001"}, {"shop-a", "ORD/2026/17"}, {"shop-a", "ORD-2026-17"}, {std::string(38, 'x'), "123"}}) {
    std::string id = external_of(conn, order, "c" + std::to_string(++n));
    INFO(conn << " / " << order << " -> " << id);
    CHECK(sitoo_external_ok(id));
    CHECK(id.find("-h") != std::string::npos);
    odd.push_back(id);
  }
  CHECK(odd[0] != "shop-a-1001");
  CHECK(odd[1] != odd[2]);
  // The same pair again finds the order it made.
  auto again = acc.run(create_cmd("c20", "shop-a", web_order("ORD/2026/17", {{"A-1", 1}})));
  CHECK_THAT(again.message, Catch::Contains("already in Sitoo"));
  CHECK(acc.sim.counters().orders_created == 6);
}
