// Connection settings are checked against the plugin's JSON Schema, located
// at the YAML that wrote them.
#include <cstdlib>

#include "config/schema.hpp"
#include "helpers.hpp"

using namespace stockrelay::config;
using nlohmann::json;

namespace {

// A connection loaded from YAML, so settings carry real locations.
ConnectionConfig connection(const std::string& settings_yaml) {
  auto c = sr_test::load_ok("connections:\n  shop-a:\n    plugin: memory\n    settings:\n" +
                            settings_yaml);
  return c.connections.at(0);
}

const json kSchema = json::parse(R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["url"],
  "properties": {
    "url": {"type": "string", "format": "uri", "description": "shop address"},
    "token": {"type": "string", "x-secret": true, "minLength": 8},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "mode": {"enum": ["live", "test"], "default": "live"},
    "version": {"const": 3},
    "code": {"type": "string", "pattern": "^[A-Z]{3}$", "maxLength": 3},
    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2},
    "batch": {"type": ["integer", "null"], "default": 50},
    "retry": {"type": "object", "default": {},
              "properties": {"max": {"type": "integer", "default": 3}}},
    "extra": {"type": "object", "additionalProperties": {"type": "boolean"}}
  }
})");

}  // namespace

TEST_CASE("valid settings pass and missing properties get their defaults") {
  auto conn = connection("      url: https://shop.example.com/api\n      retry: {}\n");
  auto errors = validate_settings(conn, kSchema, "woo");
  for (const auto& e : errors) UNSCOPED_INFO(e.message());
  CHECK(errors.empty());
  CHECK(conn.settings == json::parse(R"({"url":"https://shop.example.com/api","mode":"live",
                                        "batch":50,"retry":{"max":3}})"));
}

TEST_CASE("a nested default object receives its own defaults") {
  auto conn = connection("      url: https://a.example\n");
  CHECK(validate_settings(conn, kSchema, "woo").empty());
  CHECK(conn.settings["retry"] == json{{"max", 3}});
}

TEST_CASE("a wrong type names connection, JSON pointer and the YAML location") {
  auto conn = connection("      url: 42\n");
  auto errors = validate_settings(conn, kSchema, "woo");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].where == "cfg.yaml:5:12");
  CHECK(errors[0].what == "connection 'shop-a': settings/url: expected a string, got integer");
}

TEST_CASE("every schema keyword of the subset reports its own violation") {
  auto conn = connection(R"(      url: not a uri
      port: 70000
      ratio: 1
      mode: staging
      version: 2
      code: abcd
      tags: [1, b, c]
      batch: 1.5
      extra: {on: yes}
      urll: x
)");
  auto errors = validate_settings(conn, kSchema, "woo");
  std::vector<std::string> what;
  for (const auto& e : errors) what.push_back(e.what);
  const std::string p = "connection 'shop-a': settings/";
  CHECK(what == std::vector<std::string>{
                    p + "url: 'not a uri' is not a URI",
                    p + "port: 70000 is above the maximum 65535",
                    p + "ratio: 1 must be less than 1",
                    p + "mode: 'staging' is not one of: 'live', 'test'",
                    p + "version: must be 3, got 2",
                    p + "code: 'abcd' is longer than 3 characters",
                    p + "code: 'abcd' does not match the pattern '^[A-Z]{3}$'",
                    p + "tags: has 3 items, more than the maximum 2",
                    p + "tags/0: expected a string, got integer",
                    p + "batch: expected one of integer, null, got number",
                    p + "extra/on: expected a boolean, got string",
                    p + "urll: unknown setting",
                });
  REQUIRE(errors.size() == 12);
  CHECK(errors[8].where == "cfg.yaml:11:14");
  CHECK(errors[11].where == "cfg.yaml:14:13");
  CHECK(errors[11].hint == "did you mean 'url'?");
}

TEST_CASE("lower bounds and missing required settings are reported") {
  auto conn = connection("      port: 0\n      ratio: 0\n      tags: []\n");
  auto errors = validate_settings(conn, kSchema, "woo");
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].where == "cfg.yaml:5:7");
  CHECK(errors[0].what == "connection 'shop-a': settings: missing required setting 'url'");
  CHECK(errors[0].hint == "plugin 'woo' needs it");
  CHECK(errors[1].what == "connection 'shop-a': settings/port: 0 is below the minimum 1");
  CHECK(errors[2].what == "connection 'shop-a': settings/ratio: 0 must be greater than 0");
  CHECK(errors[3].what == "connection 'shop-a': settings/tags: has 0 items, fewer than the minimum 1");
}

TEST_CASE("an integral float counts as an integer") {
  auto conn = connection("      url: https://a.example\n      port: 8080.0\n");
  CHECK(validate_settings(conn, kSchema, "woo").empty());
}

TEST_CASE("x-secret values are added to the connection's secrets and never shown") {
  auto conn = connection("      url: https://a.example\n      token: short\n");
  auto errors = validate_settings(conn, kSchema, "woo");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].what == "connection 'shop-a': settings/token: the value is shorter than 8 characters");
  CHECK(conn.secrets == std::vector<std::string>{"short"});
}

TEST_CASE("a substituted secret is not shown by schema errors either") {
  ::setenv("SR_TEST_MODE", "topsecretmode", 1);
  auto conn = connection("      url: https://a.example\n      mode: ${env:SR_TEST_MODE}\n");
  auto errors = validate_settings(conn, kSchema, "woo");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].what == "connection 'shop-a': settings/mode: the value is not one of: 'live', 'test'");
}

TEST_CASE("an unknown setting with no close match lists what the plugin accepts") {
  json schema = {{"type", "object"},
                 {"additionalProperties", false},
                 {"properties", {{"catalogue", {{"type", "string"}}}, {"seed", {{"type", "object"}}}}}};
  auto conn = connection("      zzz: 1\n");
  auto errors = validate_settings(conn, schema, "memory");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].hint == "plugin 'memory' accepts: catalogue, seed");
}

TEST_CASE("unknown schema keywords are ignored and properties are open by default") {
  json schema = {{"$schema", "x"}, {"title", "t"}, {"type", "object"},
                 {"properties", {{"a", {{"type", "string"}, {"frobnicate", true}}}}}};
  auto conn = connection("      a: x\n      b: 2\n");
  CHECK(validate_settings(conn, schema, "p").empty());
}

TEST_CASE("a default without a recorded location falls back to the connection") {
  json schema = {{"properties", {{"n", {{"type", "integer"}, {"default", "oops"}}}}}};
  auto conn = connection("      other: 1\n");
  auto errors = validate_settings(conn, schema, "p");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].where == "cfg.yaml:5:7");  // the settings map
  CHECK(errors[0].what == "connection 'shop-a': settings/n: expected an integer, got string");
}

TEST_CASE("check_schema accepts the subset and names what is malformed") {
  CHECK_FALSE(check_schema(kSchema));
  CHECK(check_schema(json::array()) == "schema: a schema must be an object, got []");
  CHECK(check_schema({{"type", "strng"}}) ==
        "schema/type: \"strng\" is not a type (known: string, integer, number, boolean, object, "
        "array, null)");
  CHECK(check_schema({{"properties", json::array()}}) == "schema/properties: must be an object");
  CHECK(check_schema({{"properties", {{"a/b", {{"type", 1}}}}}}) ==
        "schema/properties/a~1b/type: 1 is not a type (known: string, integer, number, boolean, "
        "object, array, null)");
  CHECK(check_schema({{"required", {1}}}) == "schema/required: 1 is not a property name");
  CHECK(check_schema({{"additionalProperties", 3}}) ==
        "schema/additionalProperties: a schema must be an object, got 3");
  CHECK(check_schema({{"enum", json::array()}}) == "schema/enum: must be a non-empty list");
  CHECK(check_schema({{"exclusiveMinimum", true}}) == "schema/exclusiveMinimum: must be a number");
  CHECK(check_schema({{"minLength", -1}}) == "schema/minLength: must be a whole number >= 0");
  CHECK(check_schema({{"pattern", "("}}).value().starts_with("schema/pattern: invalid regular expression: "));
  CHECK(check_schema({{"items", {{"type", {"string", "nope"}}}}}) ==
        "schema/items/type: \"nope\" is not a type (known: string, integer, number, boolean, "
        "object, array, null)");
  CHECK(check_schema({{"x-secret", "yes"}}) == "schema/x-secret: must be true or false");
}

TEST_CASE("validating against a malformed schema blames the plugin") {
  auto conn = connection("      a: 1\n");
  auto errors = validate_settings(conn, {{"type", "strng"}}, "broken");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].where == "cfg.yaml:2:3");
  CHECK(errors[0].what.starts_with("connection 'shop-a': plugin 'broken' publishes an invalid "
                                   "settings schema: schema/type:"));
}
