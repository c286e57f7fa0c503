// In-memory tables (adopt) pass the same checks as libraries, so engine tests
// can use plain functions as plugins; and slots past a table's struct_size
// count as absent.
#include <cstring>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "loader/load.hpp"

using stockrelay::loader::adopt;
using stockrelay::loader::Plugin;
using stockrelay::loader::Slot;

namespace {

sr_str text(const char* s) { return {s, std::strlen(s)}; }

// describe() documents; each table below points at one of them.
const char* g_describe = nullptr;
sr_str describe() { return text(g_describe); }

sr_instance* create(sr_host*, const sr_host_api*, sr_str, sr_status* rc, sr_str*) {
  *rc = SR_FAILED;
  return nullptr;
}
sr_status start(sr_instance*) { return SR_OK; }
sr_status poll(sr_instance*, sr_str) { return SR_OK; }
sr_status deliver(sr_instance*, sr_str) { return SR_OK; }
void stop(sr_instance*) {}
void destroy(sr_instance*) {}
sr_str last_error(sr_instance*) { return text(""); }

// A valid table with no optional slots; `describe_json` must name no
// optional capability unless the test adds the slot.
sr_connector_api table(const char* describe_json) {
  g_describe = describe_json;
  sr_connector_api t{};
  t.struct_size = sizeof t;
  t.abi_major = SR_ABI_MAJOR;
  t.abi_minor = SR_ABI_MINOR;
  t.describe = describe;
  t.create = create;
  t.start = start;
  t.stop = stop;
  t.destroy = destroy;
  t.last_error = last_error;
  return t;
}

const char* kNoCaps =
    R"({"id":"mem","version":"1.0.0","abi":{"major":1,"minor":0},"capabilities":[]})";
const char* kWebhooks =
    R"({"id":"mem","version":"1.0.0","abi":{"major":1,"minor":0},"capabilities":["webhooks"]})";
const char* kOrdersIn =
    R"({"id":"mem","version":"1.0.0","abi":{"major":1,"minor":0},"capabilities":["orders.in"]})";
const char* kAbi11 =
    R"({"id":"mem","version":"1.0.0","abi":{"major":1,"minor":1},"capabilities":[]})";

std::string refusal(const sr_connector_api& t) {
  auto plugin = adopt(&t, "in-memory test");
  REQUIRE_FALSE(plugin.ok());
  CHECK(plugin.error().where == "in-memory test");
  return plugin.error().what;
}

}  // namespace

TEST_CASE("an in-memory table is adopted after the same checks as a library") {
  auto t = table(kNoCaps);
  auto plugin = adopt(&t, "engine test");
  REQUIRE(plugin.ok());
  CHECK((*plugin)->path == "engine test");
  CHECK((*plugin)->api == &t);
  CHECK((*plugin)->library == nullptr);
  CHECK((*plugin)->description.id == "mem");
}

TEST_CASE("no table at all is refused") {
  auto plugin = adopt(nullptr, "nothing");
  REQUIRE_FALSE(plugin.ok());
  CHECK_THAT(plugin.error().what, Catch::Contains("no connector table"));
}

TEST_CASE("a poll() slot without the poll capability is refused") {
  auto t = table(kNoCaps);
  t.poll = poll;
  CHECK(refusal(t) == "slot 'poll' is set but capability 'poll' is not declared");
}

TEST_CASE("the webhooks capability without on_webhook() is refused") {
  auto t = table(kWebhooks);
  CHECK(refusal(t) == "capability 'webhooks' is declared but slot 'on_webhook' is NULL");
}

TEST_CASE("a deliver() slot without any *.out capability is refused") {
  auto t = table(kOrdersIn);
  t.deliver = deliver;
  CHECK_THAT(refusal(t), Catch::StartsWith("slot 'deliver' is set but no '*.out' capability"));
}

TEST_CASE("describe() naming another ABI than the table is refused") {
  auto t = table(kAbi11);
  CHECK(refusal(t) == "describe() declares ABI 1.1 but the connector table says 1.0");
}

TEST_CASE("a describe() that throws is refused, not fatal") {
  auto t = table(kNoCaps);
  t.describe = []() -> sr_str { throw std::runtime_error("boom"); };
  CHECK_THAT(refusal(t), Catch::Contains("describe() threw a C++ exception"));
}

TEST_CASE("slots past a table's struct_size count as absent") {
  // A plugin built for an older minor: its table ends before `deliver`, and
  // whatever lies beyond is not a slot even if it is non-zero.
  auto t = table(kNoCaps);
  t.poll = poll;
  t.deliver = deliver;
  t.struct_size = offsetof(sr_connector_api, deliver);
  Plugin p;
  p.api = &t;
  CHECK(p.has(Slot::poll));
  CHECK_FALSE(p.has(Slot::deliver));
  CHECK_FALSE(p.has(Slot::last_error));
  CHECK_FALSE(p.has(Slot::on_webhook));  // inside the table, but NULL
}
