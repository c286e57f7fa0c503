// Loading real shared libraries: a good connector, and every library of the
// hostile corpus (bad_plugins/), each refused with the file and the reason
// while this process keeps running.
#include <catch2/catch.hpp>

#include "loader/load.hpp"
#include "test_support.hpp"

using stockrelay::Error;
using stockrelay::loader::load;
using stockrelay::loader::Slot;

namespace {

// Loads `path`, requires a refusal naming the file, and returns it.
Error refused(const std::string& path) {
  auto plugin = load(path);
  REQUIRE_FALSE(plugin.ok());
  const Error& e = plugin.error();
  CHECK(e.where == sr_test::canonical(path));
  CHECK_THAT(e.message(), Catch::Contains(sr_test::canonical(path)));
  return e;
}

}  // namespace

TEST_CASE("a connector built with the SDK loads and its describe() is parsed") {
  auto plugin = load(SR_GOOD_CONNECTOR);
  REQUIRE(plugin.ok());
  const auto& p = **plugin;
  CHECK(p.path == sr_test::canonical(SR_GOOD_CONNECTOR));
  CHECK(p.library != nullptr);
  CHECK(p.abi() == "1.0");
  CHECK(p.description.id == "test.good");
  CHECK(p.description.version == "1.2.3");
  CHECK(p.description.capabilities == std::vector<std::string>{"poll", "stock.out"});
  CHECK(p.description.limits.batch_size == 50);
  CHECK(p.description.config_schema["properties"]["api_key"]["x-secret"] == true);
  CHECK_THAT(p.describe_json, Catch::Contains("\"id\": \"test.good\""));
  CHECK(p.has(Slot::poll));
  CHECK(p.has(Slot::deliver));
  CHECK_FALSE(p.has(Slot::on_webhook));
}

TEST_CASE("loading the same file twice gives the same plugin") {
  auto first = load(SR_GOOD_CONNECTOR);
  std::filesystem::path p(SR_GOOD_CONNECTOR);
  auto second = load((p.parent_path() / "." / p.filename()).string());
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->get() == second->get());
}

TEST_CASE("a file that does not exist is refused with its name") {
  auto plugin = load("/nonexistent/libnothing.so");
  REQUIRE_FALSE(plugin.ok());
  CHECK(plugin.error().where == "/nonexistent/libnothing.so");
  CHECK_THAT(plugin.error().what, Catch::Contains("cannot open the connector library"));
}

TEST_CASE("a library without stockrelay_connector_v1 is refused") {
  CHECK_THAT(refused(SR_BAD_no_entry_symbol).what, Catch::Contains("no entry symbol stockrelay_connector_v1"));
}

TEST_CASE("an entry function that returns no table is refused") {
  CHECK_THAT(refused(SR_BAD_entry_returns_null).what, Catch::Contains("returned no connector table"));
}

TEST_CASE("a connector for an unknown ABI major is refused, naming both versions") {
  CHECK_THAT(refused(SR_BAD_abi_major_2).what,
             Catch::Contains("unknown ABI major") && Catch::Contains("built for ABI 2.0; this stockrelay provides 1.0"));
}

TEST_CASE("a connector for a newer ABI minor is refused, naming both versions") {
  CHECK_THAT(refused(SR_BAD_minor_too_new).what, Catch::Contains("built for ABI 1.4; this stockrelay provides 1.0"));
}

TEST_CASE("a table smaller than ABI 1.0's is refused") {
  CHECK_THAT(refused(SR_BAD_table_too_small).what,
             Catch::Contains("table too small") && Catch::Contains("struct_size is 64 bytes") &&
                 Catch::Contains("at least 80"));
}

TEST_CASE("a NULL required slot is refused, naming the slot") {
  CHECK_THAT(refused(SR_BAD_null_required_slot).what, Catch::Contains("required slot 'stop' is NULL"));
}

TEST_CASE("a capability without its slot is refused, naming both") {
  CHECK_THAT(refused(SR_BAD_capability_mismatch).what,
             Catch::Contains("capability 'stock.out' is declared but slot 'deliver' is NULL"));
}

TEST_CASE("describe() that is not JSON is refused with the parser's message") {
  CHECK_THAT(refused(SR_BAD_invalid_describe_json).what,
             Catch::Contains("describe() returned invalid JSON") && Catch::Contains("parse error"));
}

TEST_CASE("describe() without an id is refused, quoting the SDK's reason") {
  CHECK_THAT(refused(SR_BAD_describe_missing_id).what, Catch::Contains("describe: missing field 'id'"));
}

TEST_CASE("a library whose dependency is missing is refused with dlerror's text") {
  const Error e = refused(SR_BAD_missing_dependency);
  CHECK_THAT(e.what, Catch::Contains("cannot load the library") &&
                         Catch::Contains("libsr_missing_dependency_helper.so: cannot open shared object file"));
}

TEST_CASE("a connector whose create() fails still loads, and create() reports why") {
  auto plugin = load(SR_BAD_create_fails);
  REQUIRE(plugin.ok());
  const sr_connector_api* api = (*plugin)->api;
  sr_status rc = SR_OK;
  sr_str error{nullptr, 0};
  CHECK(api->create(nullptr, nullptr, sr_str{"{}", 2}, &rc, &error) == nullptr);
  CHECK(rc == SR_INVALID);
  CHECK(std::string(error.ptr, error.len) == "settings.api_key is required");
}

TEST_CASE("a C++ connector without the SDK's guard loads (the engine guards its calls)") {
  auto plugin = load(SR_BAD_throws_through_c);
  REQUIRE(plugin.ok());
  CHECK((*plugin)->description.id == "bad.throws_through_c");
}

TEST_CASE("a connector that emits invalid JSON loads (the engine refuses the batch)") {
  auto plugin = load(SR_BAD_emits_invalid_json);
  REQUIRE(plugin.ok());
  CHECK((*plugin)->has(Slot::poll));
}
