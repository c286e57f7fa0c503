// Each kind of mistake in a single section is reported with where, what and
// a useful hint.
#include <regex>

#include "helpers.hpp"

using sr_test::load;
using sr_test::only_error;

namespace {
const std::string kConn = "connections: {shop-a: {plugin: memory}, shop-b: {plugin: memory}}\n";
}

TEST_CASE("an unknown key names file, line, column and suggests the right key") {
  auto e = only_error(kConn + "pools:\n  main:\n    memebers: [shop-a]\n");
  CHECK(e.where == "cfg.yaml:4:5");
  CHECK(e.what == "pools.main: unknown key 'memebers'");
  CHECK(e.hint == "did you mean 'members'?");
}

TEST_CASE("an unknown key with no close match lists the allowed keys") {
  auto e = only_error("store:\n  colour: blue\n");
  CHECK(e.where == "cfg.yaml:2:3");
  CHECK(e.what == "store: unknown key 'colour'");
  CHECK(e.hint == "allowed keys: backend, path");
}

TEST_CASE("an unknown top-level key is suggested its section") {
  auto e = only_error("conections: {}\n");
  CHECK(e.where == "cfg.yaml:1:1");
  CHECK(e.what == "unknown key 'conections'");
  CHECK(e.hint == "did you mean 'connections'?");
}

TEST_CASE("all errors are reported at once, in document order") {
  auto r = load("server: {max_body_bytes: lots}\nengine: {max_attempts: 0}\nextra: 1\n");
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].where == "cfg.yaml:1:26");
  CHECK(r.errors[0].what == "server.max_body_bytes: expected an integer, got 'lots'");
  CHECK(r.errors[1].where == "cfg.yaml:2:24");
  CHECK(r.errors[1].what == "engine.max_attempts: must be at least 1, got '0'");
  CHECK(r.errors[2].where == "cfg.yaml:3:1");
  CHECK_FALSE(r.config);
}

TEST_CASE("a duplicate key is an error, not a silent override") {
  auto e = only_error("store:\n  path: a.db\n  path: b.db\n");
  CHECK(e.where == "cfg.yaml:3:3");
  CHECK(e.what == "store: duplicate key 'path'");
  CHECK(e.hint == "it is already written at line 2; keep one");
}

TEST_CASE("a map where a list is expected is a type error") {
  auto e = only_error("plugins:\n  paths: {a: b}\n");
  CHECK(e.where == "cfg.yaml:2:10");
  CHECK(e.what == "plugins.paths: expected a list, got a map");
}

TEST_CASE("a list where a value is expected is a type error") {
  auto e = only_error("server: {listen: [a, b]}\n");
  CHECK(e.where == "cfg.yaml:1:18");
  CHECK(e.what == "server.listen: expected a single value, got a list");
}

TEST_CASE("a non-integer max_body_bytes is rejected") {
  auto e = only_error("server:\n  max_body_bytes: 1.5\n");
  CHECK(e.where == "cfg.yaml:2:19");
  CHECK(e.what == "server.max_body_bytes: expected an integer, got '1.5'");
}

TEST_CASE("a boolean must be true or false") {
  auto e = only_error("server: {enabled: yes}\n");
  CHECK(e.what == "server.enabled: expected true or false, got 'yes'");
}

TEST_CASE("a retry cap below the first backoff is rejected") {
  auto e = only_error("engine: {retry_base_ms: 500, retry_max_ms: 100}\n");
  CHECK(e.where == "cfg.yaml:1:44");
  CHECK(e.what == "engine.retry_max_ms (100) is smaller than engine.retry_base_ms (500)");
}

TEST_CASE("an unknown store backend is named with the known ones") {
  auto e = only_error("store: {backend: mysql}\n");
  CHECK(e.what == "store.backend: unknown backend 'mysql'");
  CHECK(e.hint == "known backends: sqlite");
}

TEST_CASE("a bad buffer quantity is rejected") {
  auto bad = only_error(kConn + "pools: {p: {members: [shop-a], buffer: 1.2345}}\n");
  CHECK(bad.where == "cfg.yaml:2:40");
  CHECK(bad.what == "pools.p.buffer: expected a decimal quantity, got '1.2345'");
  auto negative = only_error(kConn + "pools: {p: {members: [shop-a], buffer: -1}}\n");
  CHECK(negative.what == "pools.p.buffer: must not be negative, got '-1'");
}

TEST_CASE("missing required keys are named at their parent") {
  auto r = load(R"(connections:
  shop-a: {enabled: true}
pools:
  p: {skus: ["*"]}
routes:
  - name: r1
  - on: order
    do:
      - {to: [shop-a]}
      - {command: deliver}
)");
  REQUIRE(r.errors.size() == 6);
  CHECK(r.errors[0].where == "cfg.yaml:2:3");
  CHECK(r.errors[0].what == "connections.shop-a: missing required key 'plugin'");
  CHECK(r.errors[1].where == "cfg.yaml:4:3");
  CHECK(r.errors[1].what == "pools.p: missing required key 'members'");
  CHECK(r.errors[2].where == "cfg.yaml:6:5");
  CHECK(r.errors[2].what == "routes[0]: missing required key 'on'");
  CHECK(r.errors[3].what == "routes[0]: missing required key 'do'");
  CHECK(r.errors[4].where == "cfg.yaml:9:9");
  CHECK(r.errors[4].what == "routes[1].do[0]: missing required key 'command'");
  CHECK(r.errors[5].where == "cfg.yaml:10:9");
  CHECK(r.errors[5].what == "routes[1].do[1]: missing required key 'to'");
}

TEST_CASE("an invalid connection name is rejected") {
  auto e = only_error("connections:\n  shop a: {plugin: memory}\n");
  CHECK(e.where == "cfg.yaml:2:3");
  CHECK(e.what == "connections: invalid connection name 'shop a'");
  CHECK(e.hint == "names use only letters, digits, '-' and '_'");
}

TEST_CASE("an invalid regex in sku_regex reports the compiler's reason") {
  std::string reason;
  try {
    std::regex check("(", std::regex::ECMAScript);
  } catch (const std::regex_error& ex) {
    reason = ex.what();
  }
  REQUIRE_FALSE(reason.empty());
  auto e = only_error(kConn + "routes:\n  - on: stock_level\n    do:\n      - command: set_stock\n"
                              "        to: shop-b\n"
                              "        transforms: [{sku_regex: {pattern: \"(\", replace: x}}]\n");
  CHECK(e.where == "cfg.yaml:7:44");
  CHECK(e.what == "routes[0].do[0].transforms[0].sku_regex.pattern: invalid regular expression "
                  "'(': " + reason);
}

TEST_CASE("level transforms are only allowed on set_stock") {
  auto e = only_error(kConn + "routes:\n  - on: order\n    do: [{command: create_order, to: shop-b, "
                              "transforms: [{cap: 5}]}]\n");
  CHECK(e.where == "cfg.yaml:4:60");
  CHECK(e.what == "routes[0].do[0].transforms[0].cap: 'cap' only applies to set_stock, not create_order");
}

TEST_CASE("an unknown transform is suggested the right one") {
  auto e = only_error(kConn + "routes:\n  - on: stock_level\n    do: [{command: set_stock, to: shop-b, "
                              "transforms: [{sku_prefx: X}]}]\n");
  CHECK(e.what == "routes[0].do[0].transforms[0]: unknown key 'sku_prefx'");
  CHECK(e.hint == "did you mean 'sku_prefix'?");
}

TEST_CASE("a transform item with two keys is rejected") {
  auto e = only_error(kConn + "routes:\n  - on: stock_level\n    do: [{command: set_stock, to: shop-b, "
                              "transforms: [{cap: 5, floor: 1}]}]\n");
  CHECK(e.where == "cfg.yaml:4:56");
  CHECK(e.what == "routes[0].do[0].transforms[0]: expected one transform, got a map");
}

TEST_CASE("duplicate route and schedule names are rejected") {
  auto r = load(kConn + R"(routes:
  - {name: sync, on: order, do: [{command: create_order, to: shop-a}]}
  - {name: sync, on: order, do: [{command: create_order, to: shop-b}]}
schedules:
  - {name: n, connections: shop-a, every: 1h}
  - {name: n, connections: shop-b, every: 2h}
)");
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].where == "cfg.yaml:4:12");
  CHECK(r.errors[0].what == "routes[1].name: duplicate route name 'sync'");
  CHECK(r.errors[0].hint == "it is already used at line 3");
  CHECK(r.errors[1].where == "cfg.yaml:7:12");
  CHECK(r.errors[1].what == "schedules[1].name: duplicate schedule name 'n'");
}

TEST_CASE("unknown commands and event kinds are suggested known ones") {
  auto r = load(kConn + "routes:\n  - on: [order, stock_levl, refund]\n"
                        "    do: [{command: set_stok, to: shop-a}]\n");
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].where == "cfg.yaml:3:17");
  CHECK(r.errors[0].what == "routes[0].on: unknown event kind 'stock_levl'");
  CHECK(r.errors[0].hint == "did you mean 'stock_level'?");
  CHECK(r.errors[1].what == "routes[0].on: unknown event kind 'refund'");
  CHECK(r.errors[1].hint == "event kinds: order, stock_level, stock_delta, product");
  CHECK(r.errors[2].where == "cfg.yaml:4:20");
  CHECK(r.errors[2].what == "routes[0].do[0].command: unknown command 'set_stok'");
  CHECK(r.errors[2].hint == "did you mean 'set_stock'?");
}

TEST_CASE("where conditions reject unknown operators, empty conditions and lists") {
  auto r = load(kConn + R"(routes:
  - on: order
    where:
      status: {eq: x}
      total: {}
      sku: [a, b]
      a..b: x
    do: [{command: create_order, to: shop-a}]
)");
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].what == "routes[0].where.status: unknown key 'eq'");
  CHECK(r.errors[1].what == "routes[0].where.total: no condition given");
  CHECK(r.errors[2].what == "routes[0].where.sku: expected a value or a map of operators, got a list");
  CHECK(r.errors[2].hint == "to accept several values write {in: [a, b]}");
  CHECK(r.errors[3].where == "cfg.yaml:8:7");
  CHECK(r.errors[3].what == "routes[0].where: invalid field path 'a..b'");
}

TEST_CASE("bad durations and times of day are rejected") {
  auto r = load(kConn + R"(schedules:
  - {connections: shop-a, every: 15x}
  - {connections: shop-a, every: 0m}
  - {connections: shop-a, daily: "24:00"}
  - {connections: shop-a, daily: "2:30"}
  - {connections: shop-a}
  - {connections: shop-a, every: 1h, daily: "01:00"}
  - {connections: shop-a, every: 1h, action: sync}
)");
  REQUIRE(r.errors.size() == 7);
  CHECK(r.errors[0].where == "cfg.yaml:3:34");
  CHECK(r.errors[0].what == "schedules[0].every: invalid duration '15x'");
  CHECK(r.errors[1].what == "schedules[1].every: invalid duration '0m'");
  CHECK(r.errors[2].what == "schedules[2].daily: invalid time '24:00'");
  CHECK(r.errors[3].what == "schedules[3].daily: invalid time '2:30'");
  CHECK(r.errors[4].where == "cfg.yaml:7:5");
  CHECK(r.errors[4].what == "schedules[4]: missing every or daily");
  CHECK(r.errors[5].what == "schedules[5]: both every and daily are given");
  CHECK(r.errors[6].what == "schedules[6].action: unknown action 'sync'");
}

TEST_CASE("listen must be host:port with a port from 0 to 65535") {
  auto check = [](const std::string& listen, const std::string& why) {
    INFO(listen);
    auto e = only_error("server: {listen: \"" + listen + "\"}\n");
    CHECK(e.where == "cfg.yaml:1:18");
    CHECK(e.what == "server.listen: '" + listen + "' is not host:port: " + why);
    CHECK(e.hint == "write host:port, e.g. 127.0.0.1:8080 (port 0 picks a free port)");
  };
  check("localhost", "no ':port'");
  check(":8080", "no host before ':'");
  check("127.0.0.1:65536", "the port must be a number from 0 to 65535");
  check("127.0.0.1:http", "the port must be a number from 0 to 65535");
  check("::1:8080", "an IPv6 host must be written in brackets, e.g. [::1]:8080");
  check("bad host:80", "'bad host' is not a host name or IP address");
  for (const char* ok : {"0.0.0.0:0", "[::1]:65535", "hub.example.com:443"})
    CHECK(sr_test::load_ok(std::string("server: {listen: \"") + ok + "\"}\n").server.listen == ok);
}

TEST_CASE("invalid YAML is reported with its position") {
  auto e = only_error("store: {path: [a,\nserver: {}\n");
  CHECK(e.where == "cfg.yaml:3:1");
  CHECK(e.what == "invalid YAML: end of sequence flow not found");
}

TEST_CASE("an empty file is reported, not taken as an empty config") {
  auto e = only_error("# nothing here\n");
  CHECK(e.where == "cfg.yaml:1:1");
  CHECK(e.what == "the configuration is empty");
}

TEST_CASE("a missing config file is reported with the OS reason") {
  auto r = stockrelay::config::load_file("/nonexistent/stockrelay.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].where == "/nonexistent/stockrelay.yaml");
  CHECK(r.errors[0].what == "cannot read the configuration file: No such file or directory");
}

TEST_CASE("an invalid pool name and an unknown on_member_change are rejected") {
  auto r = load(kConn + "pools:\n  'my pool': {members: [shop-a], on_member_change: overwrit}\n");
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].where == "cfg.yaml:3:3");
  CHECK(r.errors[0].what == "pools: invalid pool name 'my pool'");
  CHECK(r.errors[1].what == "pools.my pool.on_member_change: unknown value 'overwrit'");
  CHECK(r.errors[1].hint == "did you mean 'overwrite'?");
}

TEST_CASE("settings, options, routes and do must have the right shape") {
  auto r = load(R"(connections:
  shop-a: {plugin: memory, settings: [a]}
routes:
  - on: order
    do: []
  - on: order
    do: [{command: deliver, to: shop-a, options: on, transforms: {cap: 1}}]
)");
  REQUIRE(r.errors.size() == 4);
  CHECK(r.errors[0].where == "cfg.yaml:2:38");
  CHECK(r.errors[0].what == "connections.shop-a.settings: expected a map, got a list");
  CHECK(r.errors[1].where == "cfg.yaml:5:9");
  CHECK(r.errors[1].what == "routes[0].do: no actions");
  CHECK(r.errors[2].what == "routes[1].do[0].options: expected a map, got 'on'");
  CHECK(r.errors[3].what == "routes[1].do[0].transforms: expected a list, got a map");
  auto e = only_error("routes: {a: b}\n");
  CHECK(e.what == "routes: expected a list, got a map");
}

TEST_CASE("a where shorthand with ? is a glob match") {
  auto c = sr_test::load_ok(kConn + "routes:\n  - on: product\n    where: {sku: \"A-?\"}\n"
                                    "    do: [{command: set_price, to: shop-b}]\n");
  CHECK(c.routes[0].where[0].op == stockrelay::config::Where::Op::Matches);
}
