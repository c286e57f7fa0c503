// The loader turns a valid file into exactly the Config it describes.
#include "helpers.hpp"

using namespace stockrelay::config;
using sr_test::load_ok;

namespace {

const char* kFull = R"(store: { backend: sqlite, path: ./data/hub.db }
server: { enabled: false, listen: "0.0.0.0:9090", admin_token: tok-123, max_body_bytes: 2048, request_timeout_ms: 500 }
engine: { settle_ms: 100, retry_base_ms: 10, retry_max_ms: 1000, max_attempts: 3, default_poll_seconds: 30 }
plugins: { paths: [./plugins, /opt/sr/plugins] }
connections:
  shop-a:
    plugin: memory
    settings: { catalogue: ./catalogue.json, seed: {A-1: 5}, emit_interval_ms: 250 }
  shop-b:
    plugin: ./lib/libcustom.so
    enabled: false
  erp:
    plugin: memory
pools:
  main:
    members: [shop-a, shop-b]
    master: shop-a
    skus: ["A-*", "B-?"]
    exclude_skus: [A-9]
    buffer: 1.5
    on_member_change: keep
routes:
  - name: orders-to-erp
    on: order
    from: [shop-a]
    where:
      status: { in: [processing, completed] }
      sku: "A-*"
      order.channel: web
      note: { exists: false, not_equals: x }
    do:
      - command: create_order
        to: erp
        options: {deliver: true}
      - command: set_stock
        to: [shop-b]
        transforms: [ {sku_prefix: "X-"}, {sku_suffix: "-B"}, {sku_strip_prefix: "WEB-"}, {sku_regex: {pattern: "^(.*)-OLD$", replace: "$1"}}, {sku_map: {A: B}}, {buffer: 2}, {cap: 100}, {floor: 0} ]
schedules:
  - name: nightly
    connections: erp
    action: reconcile
    daily: "02:30"
  - connections: [shop-a, shop-b]
    every: 15m
)";

}  // namespace

TEST_CASE("a full valid config loads into exactly the values it states") {
  sr_test::TempDir dir;
  std::string file = dir.write("stockrelay.yaml", kFull);
  auto result = load_file(file);
  for (const auto& e : result.errors) UNSCOPED_INFO(e.message());
  REQUIRE(result.errors.empty());
  const Config& c = *result.config;
  std::string base = dir.path().lexically_normal().string();

  CHECK(c.source_file == file);
  CHECK(c.store.backend == "sqlite");
  CHECK(c.store.path == base + "/data/hub.db");
  CHECK_FALSE(c.server.enabled);
  CHECK(c.server.listen == "0.0.0.0:9090");
  CHECK(c.server.admin_token == "tok-123");
  CHECK(c.server.max_body_bytes == 2048);
  CHECK(c.server.request_timeout_ms == 500);
  CHECK(c.engine.settle_ms == 100);
  CHECK(c.engine.retry_base_ms == 10);
  CHECK(c.engine.retry_max_ms == 1000);
  CHECK(c.engine.max_attempts == 3);
  CHECK(c.engine.default_poll_seconds == 30);
  CHECK(c.plugin_paths == std::vector<std::string>{base + "/plugins", "/opt/sr/plugins"});

  REQUIRE(c.connections.size() == 3);
  const ConnectionConfig* a = c.connection("shop-a");
  REQUIRE(a);
  CHECK(a->plugin == "memory");
  CHECK(a->enabled);
  CHECK(a->settings == nlohmann::json::parse(
                           R"({"catalogue":"./catalogue.json","seed":{"A-1":5},"emit_interval_ms":250})"));
  CHECK(a->loc.str() == file + ":6:3");
  CHECK(a->setting_locations.at("/seed/A-1").str() == file + ":8:58");
  CHECK(c.connection("shop-b")->plugin == base + "/lib/libcustom.so");
  CHECK_FALSE(c.connection("shop-b")->enabled);
  CHECK(c.connection("nope") == nullptr);

  REQUIRE(c.pools.size() == 1);
  const PoolConfig* p = c.pool("main");
  REQUIRE(p);
  CHECK(p->members == std::vector<std::string>{"shop-a", "shop-b"});
  CHECK(p->master == "shop-a");
  CHECK(p->skus == std::vector<std::string>{"A-*", "B-?"});
  CHECK(p->exclude_skus == std::vector<std::string>{"A-9"});
  CHECK(p->buffer == sr::Quantity::from_milli(1500));
  CHECK(p->on_member_change == MemberChange::Keep);

  REQUIRE(c.routes.size() == 1);
  const RouteConfig& r = c.routes[0];
  CHECK(r.name == "orders-to-erp");
  CHECK(r.on == std::vector<std::string>{"order"});
  CHECK(r.from == std::vector<std::string>{"shop-a"});
  REQUIRE(r.where.size() == 5);
  CHECK(r.where[0].field == "status");
  CHECK(r.where[0].op == Where::Op::In);
  CHECK(r.where[0].values == std::vector<std::string>{"processing", "completed"});
  CHECK(r.where[1].field == "sku");
  CHECK(r.where[1].op == Where::Op::Matches);
  CHECK(r.where[1].values == std::vector<std::string>{"A-*"});
  CHECK(r.where[2].field == "order.channel");
  CHECK(r.where[2].op == Where::Op::Equals);
  CHECK(r.where[3].op == Where::Op::Exists);
  CHECK(r.where[3].values == std::vector<std::string>{"false"});
  CHECK(r.where[4].op == Where::Op::NotEquals);
  CHECK(r.where[4].values == std::vector<std::string>{"x"});

  REQUIRE(r.actions.size() == 2);
  CHECK(r.actions[0].command == "create_order");
  CHECK(r.actions[0].to == std::vector<std::string>{"erp"});
  CHECK(r.actions[0].options == nlohmann::json{{"deliver", true}});
  const auto& t = r.actions[1].transforms;
  REQUIRE(t.size() == 8);
  CHECK((t[0].kind == Transform::Kind::SkuPrefix && t[0].text == "X-"));
  CHECK((t[1].kind == Transform::Kind::SkuSuffix && t[1].text == "-B"));
  CHECK((t[2].kind == Transform::Kind::SkuStripPrefix && t[2].text == "WEB-"));
  CHECK((t[3].kind == Transform::Kind::SkuRegex && t[3].text == "^(.*)-OLD$" &&
         t[3].replacement == "$1"));
  CHECK(t[4].kind == Transform::Kind::SkuMap);
  CHECK(t[4].sku_map == std::map<std::string, std::string>{{"A", "B"}});
  CHECK((t[5].kind == Transform::Kind::Buffer && t[5].amount == sr::Quantity::units(2)));
  CHECK((t[6].kind == Transform::Kind::Cap && t[6].amount == sr::Quantity::units(100)));
  CHECK((t[7].kind == Transform::Kind::Floor && t[7].amount == sr::Quantity()));

  REQUIRE(c.schedules.size() == 2);
  CHECK(c.schedules[0].name == "nightly");
  CHECK(c.schedules[0].connections == std::vector<std::string>{"erp"});
  CHECK(c.schedules[0].action == "reconcile");
  CHECK(c.schedules[0].daily_minute == 150);
  CHECK_FALSE(c.schedules[0].every_seconds);
  CHECK(c.schedules[1].name == "schedule-2");
  CHECK(c.schedules[1].action == "poll");
  CHECK(c.schedules[1].every_seconds == 900);
  CHECK_FALSE(c.schedules[1].daily_minute);

  // The admin token is a secret even though it was written inline.
  CHECK(c.secrets == std::vector<std::string>{"tok-123"});
}

TEST_CASE("omitted sections and keys take their documented defaults") {
  auto c = load_ok("connections:\n  shop-a: {plugin: memory}\n"
                   "pools:\n  shared: {members: [shop-a]}\n"
                   "routes:\n  - on: [stock_level, order]\n    do: [{command: set_stock, to: shop-a}]\n");
  CHECK(c.store.path == (std::filesystem::current_path() / "stockrelay.db").string());
  CHECK(c.server.enabled);
  CHECK(c.server.listen == "127.0.0.1:8080");
  CHECK(c.server.max_body_bytes == 1048576);
  CHECK(c.engine.settle_ms == 2000);
  CHECK(c.engine.max_attempts == 20);
  CHECK(c.connections[0].settings == nlohmann::json::object());
  CHECK(c.pools[0].skus.empty());
  CHECK(c.pools[0].buffer == sr::Quantity());
  CHECK(c.pools[0].on_member_change == MemberChange::Apply);
  CHECK(c.routes[0].name == "route-1");
  CHECK(c.routes[0].on == std::vector<std::string>{"stock_level", "order"});
  CHECK(c.routes[0].from.empty());
  CHECK(c.secrets.empty());
}

TEST_CASE("a pool with a master overwrites member changes unless told otherwise") {
  auto c = load_ok("connections: {a: {plugin: memory}, b: {plugin: memory}}\n"
                   "pools: {p: {members: [a, b], master: a}}\n");
  CHECK(c.pools[0].on_member_change == MemberChange::Overwrite);
}

TEST_CASE("an in-memory SQLite store keeps its special name") {
  auto c = load_ok("store: {path: \":memory:\"}\n");
  CHECK(c.store.path == ":memory:");
}

TEST_CASE("settings become JSON with YAML 1.2 scalar types and quoted strings kept") {
  auto c = load_ok(R"(connections:
  shop-a:
    plugin: memory
    settings:
      int: 42
      neg: -7
      float: 2.5
      yes: true
      no: false
      none: ~
      empty:
      quoted_int: "42"
      single: '007'
      plain: hello world
      list: [1, two]
      nested: {a: {b: 1}}
)");
  const auto& s = c.connections[0].settings;
  CHECK(s == nlohmann::json::parse(R"({"int":42,"neg":-7,"float":2.5,"yes":true,"no":false,
      "none":null,"empty":null,"quoted_int":"42","single":"007","plain":"hello world",
      "list":[1,"two"],"nested":{"a":{"b":1}}})"));
  CHECK(s["int"].is_number_integer());
  CHECK(s["float"].is_number_float());
  const auto& locs = c.connections[0].setting_locations;
  CHECK(locs.at("").str() == "cfg.yaml:5:7");
  CHECK(locs.at("/int").str() == "cfg.yaml:5:12");
  CHECK(locs.at("/empty").str() == "cfg.yaml:11:7");  // an empty value points at its key
  CHECK(locs.at("/list/1").str() == "cfg.yaml:15:17");
  CHECK(locs.at("/nested/a/b").str() == "cfg.yaml:16:23");
}

TEST_CASE("the example configs load without errors") {
  for (const char* name : {"minimal.yaml", "shared-pool.yaml"}) {
    INFO(name);
    auto r = load_file(std::string(SR_EXAMPLES_DIR) + "/" + name);
    for (const auto& e : r.errors) UNSCOPED_INFO(e.message());
    CHECK(r.errors.empty());
  }
}
