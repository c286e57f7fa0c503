// ${env:NAME} and ${file:PATH} are substituted at load, recorded as secrets,
// and never shown in an error.
#include <cstdlib>

#include "helpers.hpp"

using namespace stockrelay::config;
using sr_test::load;
using sr_test::load_ok;
using sr_test::only_error;

TEST_CASE("env references are substituted whole or inside a value and recorded as secrets") {
  ::setenv("SR_TEST_TOKEN", "s3cr3t-token", 1);
  ::setenv("SR_TEST_USER", "alice", 1);
  auto c = load_ok(R"(server: {admin_token: "${env:SR_TEST_TOKEN}"}
connections:
  shop-a:
    plugin: memory
    settings:
      auth: "Bearer ${env:SR_TEST_TOKEN}"
      user: ${env:SR_TEST_USER}@example.com
      plain: no secret here
)");
  CHECK(c.server.admin_token == "s3cr3t-token");
  const auto& conn = c.connections[0];
  CHECK(conn.settings["auth"] == "Bearer s3cr3t-token");
  CHECK(conn.settings["user"] == "alice@example.com");
  CHECK(conn.secrets == std::vector<std::string>{"s3cr3t-token", "alice"});
  CHECK(c.secrets == std::vector<std::string>{"s3cr3t-token", "alice"});
}

TEST_CASE("a substituted setting stays a string even when it looks like a number") {
  ::setenv("SR_TEST_PIN", "007", 1);
  auto c = load_ok("connections: {shop-a: {plugin: memory, settings: {pin: \"${env:SR_TEST_PIN}\"}}}\n");
  CHECK(c.connections[0].settings["pin"] == "007");
}

TEST_CASE("a substituted value is parsed like a written one in typed fields") {
  ::setenv("SR_TEST_BODY", "4096", 1);
  auto c = load_ok("server: {max_body_bytes: \"${env:SR_TEST_BODY}\"}\n");
  CHECK(c.server.max_body_bytes == 4096);
}

TEST_CASE("file references read the file relative to the config and trim the final newline") {
  sr_test::TempDir dir;
  dir.write("secrets/key.txt", "key-from-file\n");
  std::string abs = dir.write("abs.txt", "abs-value\r\n");
  std::string file = dir.write("stockrelay.yaml",
                               "connections:\n  shop-a:\n    plugin: memory\n    settings:\n"
                               "      key: ${file:secrets/key.txt}\n"
                               "      other: x-${file:" + abs + "}-y\n");
  auto r = load_file(file);
  for (const auto& e : r.errors) UNSCOPED_INFO(e.message());
  REQUIRE(r.errors.empty());
  const auto& conn = r.config->connections[0];
  CHECK(conn.settings["key"] == "key-from-file");
  CHECK(conn.settings["other"] == "x-abs-value-y");
  CHECK(conn.secrets == std::vector<std::string>{"key-from-file", "abs-value"});
}

TEST_CASE("a missing environment variable is an error at the value") {
  ::unsetenv("SR_TEST_MISSING");
  auto e = only_error("connections:\n  shop-a:\n    plugin: memory\n"
                      "    settings: {token: \"${env:SR_TEST_MISSING}\"}\n");
  CHECK(e.where == "cfg.yaml:4:23");
  CHECK(e.what == "connections.shop-a.settings.token: environment variable 'SR_TEST_MISSING' "
                  "(from ${env:SR_TEST_MISSING}) is not set");
  CHECK(e.hint == "export SR_TEST_MISSING before starting stockrelay");
}

TEST_CASE("an unreadable secret file is an error naming the resolved path") {
  sr_test::TempDir dir;
  std::string file = dir.write("stockrelay.yaml", "server:\n  admin_token: ${file:nope.txt}\n");
  auto r = load_file(file);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].where == file + ":2:16");
  CHECK(r.errors[0].what == "server.admin_token: cannot read secret file '" +
                                (dir.path() / "nope.txt").string() +
                                "' (from ${file:nope.txt}): No such file or directory");
}

TEST_CASE("malformed references are errors, other ${...} text is kept") {
  auto r = load("server: {admin_token: \"${env:SR_TEST_TOKEN\"}\n"
                "connections: {a: {plugin: memory, settings: {t: \"${env:1X}\", tpl: \"${order.id}\"}}}\n");
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].what == "server.admin_token: '${env:' is not closed with '}'");
  CHECK(r.errors[1].what == "connections.a.settings.t: '${env:1X}' does not name an environment "
                            "variable");
  auto c = load_ok("connections: {a: {plugin: memory, settings: {tpl: \"${order.id}\"}}}\n");
  CHECK(c.connections[0].settings["tpl"] == "${order.id}");
}

TEST_CASE("a secret never appears in an error message") {
  const std::string secret = "hunter2-VERY-secret";
  ::setenv("SR_TEST_SECRET", secret.c_str(), 1);
  sr_test::TempDir dir;
  dir.write("secret.txt", secret + "\n");
  std::string file = dir.write("stockrelay.yaml", R"(server:
  listen: ${env:SR_TEST_SECRET}
  max_body_bytes: ${file:secret.txt}
  enabled: ${env:SR_TEST_SECRET}
pools:
  p: {members: ["${env:SR_TEST_SECRET}"], buffer: "${env:SR_TEST_SECRET}", on_member_change: "${env:SR_TEST_SECRET}"}
schedules:
  - {connections: x, every: "${env:SR_TEST_SECRET}"}
)");
  auto r = load_file(file);
  REQUIRE(r.errors.size() == 8);
  for (const auto& e : r.errors) {
    INFO(e.message());
    CHECK(e.message().find("hunter2") == std::string::npos);
  }
  CHECK(r.errors[0].what == "server.listen: the value of '${env:SR_TEST_SECRET}' is not host:port: "
                            "no ':port'");
  CHECK(r.errors[1].what == "server.max_body_bytes: expected an integer, got the value of "
                            "'${file:secret.txt}'");
  CHECK(r.errors[2].what == "server.enabled: expected true or false, got the value of "
                            "'${env:SR_TEST_SECRET}'");
  CHECK(r.errors[3].what == "pools.p.members: unknown connection the value of '${env:SR_TEST_SECRET}'");
}
