// sr::testing::FakeHost: the in-process host connector authors test with.
// A probe connector, exported through the SDK's own table, runs whatever
// each test puts in its hooks, so every host slot is exercised through C.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <thread>

#include <catch2/catch.hpp>
#include <stockrelay/testing/fake_host.hpp>

using sr::testing::FakeHost;

namespace {

constexpr const char* kProbeDescribe = R"({"schema":"stockrelay.describe/1","id":"probe","version":"0.0.1",
  "abi":{"major":1,"minor":0},"capabilities":["poll","webhooks","stock.out"]})";

struct Hooks {
  std::function<void(sr::Host&)> poll;
  std::function<void(sr::Host&, const std::vector<sr::Command>&)> deliver;
};
Hooks hooks;  // set by each test before it drives the probe

class Probe : public sr::Connector {
 public:
  Probe(sr::Host& host, const nlohmann::json&) : sr::Connector(host) {}
  void poll(sr::PollMode) override { hooks.poll(host()); }
  void deliver(const std::vector<sr::Command>& batch) override { hooks.deliver(host(), batch); }
};

// Declares no optional capability, so its table has no poll/on_webhook/deliver.
constexpr const char* kSilentDescribe = R"({"schema":"stockrelay.describe/1","id":"silent","version":"0.0.1",
  "abi":{"major":1,"minor":0},"capabilities":["orders.in"]})";

class Silent : public sr::Connector {
 public:
  Silent(sr::Host& host, const nlohmann::json&) : sr::Connector(host) {}
};

const sr_connector_api* probe() { return sr::detail::Exporter<Probe>::table(kProbeDescribe); }

sr_status raw_emit(sr::Host& h, const std::string& doc) { return h.api()->emit(h.raw(), sr::to_sr(doc)); }

sr::HttpRequest get(const std::string& url) {
  sr::HttpRequest req;
  req.url = url;
  return req;
}

sr::CommandResult result(const std::string& id, sr::Outcome outcome, const std::string& message = "") {
  sr::CommandResult r;
  r.id = id;
  r.outcome = outcome;
  r.message = message;
  return r;
}

sr::Command set_stock(const std::string& id) {
  sr::SetStock body;
  body.sku = "A";
  body.quantity = sr::Quantity::units(1);
  return {id, nlohmann::json::object(), body};
}

}  // namespace

TEST_CASE("events a connector emits are parsed and recorded in order") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  hooks.poll = [](sr::Host& h) {
    sr::StockLevel a;
    a.key = "level:A:1";
    a.sku = "A";
    a.quantity = sr::Quantity::units(3);
    sr::StockLevel b = a;
    b.key = "level:B:1";
    b.sku = "B";
    REQUIRE(h.emit({a, b}));
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK(host.event_keys() == std::vector<std::string>{"level:A:1", "level:B:1"});
  CHECK(std::get<sr::StockLevel>(host.events()[0]).quantity == sr::Quantity::units(3));
  REQUIRE(host.calls().size() == 1);
  CHECK(host.calls()[0].detail == "level:A:1,level:B:1");
}

TEST_CASE("an invalid event is refused and logged while the valid items of its batch are kept") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  sr_status st = SR_OK;
  hooks.poll = [&](sr::Host& h) {
    st = raw_emit(h, R"({"schema":"stockrelay.events/1","items":[
      {"kind":"stock_level","key":"level:A:1","sku":"A","quantity":1},
      {"kind":"stock_level","key":"level:B:1","sku":"B","quantity":1.0001}]})");
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK(st == SR_INVALID);
  CHECK(host.event_keys() == std::vector<std::string>{"level:A:1"});
  REQUIRE(host.refusals().size() == 1);
  CHECK_THAT(host.refusals()[0].reason, Catch::Contains("level:B:1"));
  CHECK(host.logged("refused", SR_LOG_ERROR));
}

TEST_CASE("a document that is not an events batch is refused whole") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  std::vector<sr_status> got;
  hooks.poll = [&](sr::Host& h) {
    got.push_back(raw_emit(h, "not json"));
    got.push_back(raw_emit(h, R"({"schema":"stockrelay.events/2","items":[]})"));
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK(got == std::vector<sr_status>{SR_INVALID, SR_INVALID});
  CHECK(host.events().empty());
  CHECK(host.refusals().size() == 2);
}

TEST_CASE("fail_emits makes the next emits fail with the given status, journalling nothing") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  host.fail_emits(SR_RETRY, 1);
  std::vector<sr_status> got;
  hooks.poll = [&](sr::Host& h) {
    std::string doc = R"({"schema":"stockrelay.events/1","items":[{"kind":"stock_level","key":"k","sku":"A","quantity":1}]})";
    got.push_back(raw_emit(h, doc));
    got.push_back(raw_emit(h, doc));
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK(got == std::vector<sr_status>{SR_RETRY, SR_OK});
  CHECK(host.events().size() == 1);
}

TEST_CASE("state compare-and-set writes only when the stored value is the expected one") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  hooks.poll = [](sr::Host& h) {
    CHECK_FALSE(h.state_get("cursor"));
    CHECK_FALSE(h.state_put("cursor", "1", std::string_view("0")));  // an absent key equals nothing
    CHECK(h.state_put("cursor", "1"));
    CHECK_FALSE(h.state_put("cursor", "3", std::string_view("2")));
    CHECK(h.state_put("cursor", "2", std::string_view("1")));
    CHECK(h.state_get("cursor") == "2");
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK(host.state("cursor") == "2");
}

TEST_CASE("the fake clocks start at a fixed time and advance() moves both") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  std::int64_t wall = 0, mono = 0;
  hooks.poll = [&](sr::Host& h) {
    wall = h.now_ms();
    mono = h.monotonic_ms();
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK(wall == FakeHost::kStartWallMs);
  host.advance(1500);
  std::int64_t wall0 = wall, mono0 = mono;
  REQUIRE(p->poll() == SR_OK);
  CHECK(wall - wall0 == 1500);
  CHECK(mono - mono0 == 1500);
}

TEST_CASE("http requests reach the handler and its response comes back as the envelope") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  host.on_http([](const nlohmann::json& req) {
    CHECK(req["method"] == "PUT");
    CHECK(req["headers"]["X-Tag"] == nlohmann::json::array({"a", "b"}));
    CHECK(req["basic_auth"]["user"] == "u");
    return sr::HttpResponse{201, {{"set-cookie", "x=1"}, {"set-cookie", "y=2"}, {"etag", "7"}}, "made"};
  });
  sr::HttpResponse got;
  hooks.poll = [&](sr::Host& h) {
    sr::HttpRequest req;
    req.method = "PUT";
    req.url = "https://shop.example/x";
    req.headers = {{"X-Tag", "a"}, {"X-Tag", "b"}};
    req.body = "{}";
    req.basic_auth = {"u", "p"};
    got = h.http(req);
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK(got.status == 201);
  CHECK(got.body == "made");
  CHECK(got.header("etag") == "7");
  CHECK(got.headers.count("set-cookie") == 2);
  CHECK(host.http_requests().at(0)["url"] == "https://shop.example/x");
}

TEST_CASE("without a handler http answers 599 with an error: a throwing handler is a transport failure") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  hooks.poll = [](sr::Host& h) {
    auto r = h.http(get("https://shop.example/"));
    CHECK(r.status == 599);
  };
  REQUIRE(p->poll() == SR_OK);

  host.on_http([](const nlohmann::json&) -> sr::HttpResponse { throw sr::retryable_error("connection reset"); });
  hooks.poll = [](sr::Host& h) { h.http(get("https://shop.example/")); };
  CHECK(p->poll() == SR_RETRY);
  CHECK_THAT(p->last_error(), Catch::Contains("connection reset"));
}

TEST_CASE("stop() from another thread makes a call blocked in http return SR_STOPPED") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  host.on_http([&](const nlohmann::json&) {
    entered.set_value();
    released.wait();  // the remote hangs until the test lets go
    return sr::HttpResponse{200, {}, ""};
  });
  hooks.poll = [](sr::Host& h) { h.http(get("https://shop.example/")); };
  auto polled = std::async(std::launch::async, [&] { return p->poll(); });
  entered.get_future().wait();
  p->stop();
  release.set_value();
  CHECK(polled.get() == SR_STOPPED);
}

TEST_CASE("logs are captured with their level, and log_enabled follows the log level") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  host.set_log_level(SR_LOG_INFO);
  hooks.poll = [](sr::Host& h) {
    h.debug("hidden");
    h.warn("careful");
    CHECK_FALSE(h.log_enabled(SR_LOG_DEBUG));
  };
  REQUIRE(p->poll() == SR_OK);
  CHECK_FALSE(host.logged("hidden"));
  CHECK(host.logged("careful", SR_LOG_WARN));
  CHECK_FALSE(host.logged("careful", SR_LOG_ERROR));
}

TEST_CASE("reported results are recorded, and results for commands outside the batch are violations") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  hooks.deliver = [](sr::Host& h, const std::vector<sr::Command>& batch) {
    h.report({result(batch.at(0).id, sr::Outcome::Failed, "no such SKU"), result("c-other", sr::Outcome::Ok)});
  };
  REQUIRE(p->deliver({set_stock("c1")}) == SR_OK);
  CHECK(host.result("c1")->message == "no such SKU");
  CHECK_FALSE(host.result("c-other"));
  REQUIRE(host.violations().size() == 1);
  CHECK_THAT(host.violations()[0], Catch::Contains("c-other"));
}

TEST_CASE("host services used outside an entry call or report outside deliver are refused as violations") {
  FakeHost host;
  auto p = host.create(probe(), nlohmann::json::object());
  sr_str value{nullptr, 0};
  CHECK(host.api()->state_get(host.handle(), sr::to_sr("k"), &value) == SR_INVALID);

  hooks.poll = [](sr::Host& h) { h.report({result("c1", sr::Outcome::Ok)}); };
  REQUIRE(p->poll() == SR_OK);

  hooks.poll = [](sr::Host& h) {
    std::thread([&] { h.state_put("k", "v"); }).join();  // a thread of the plugin's own
  };
  REQUIRE(p->poll() == SR_OK);
  auto v = host.violations();
  REQUIRE(v.size() == 3);
  CHECK_THAT(v[0], Catch::Contains("state_get called outside an entry call"));
  CHECK_THAT(v[1], Catch::Contains("report called outside deliver()"));
  CHECK_THAT(v[2], Catch::Contains("state_put called from another thread"));
  CHECK(host.state().empty());
}

TEST_CASE("a connector table for a newer ABI minor or another major is refused, naming both versions") {
  FakeHost host;
  sr_connector_api newer = *probe();
  newer.abi_minor = SR_ABI_MINOR + 1;
  CHECK_THROWS_WITH(host.create(&newer, nlohmann::json::object()), Catch::Contains("ABI 1.1") && Catch::Contains("1.0"));
  sr_connector_api other = *probe();
  other.abi_major = 2;
  CHECK_THROWS_WITH(host.create(&other, nlohmann::json::object()), Catch::Contains("ABI 2.0"));
}

TEST_CASE("a connector table whose optional slots disagree with its capabilities is refused, naming both") {
  FakeHost host;
  sr_connector_api no_deliver = *probe();
  no_deliver.deliver = nullptr;
  CHECK_THROWS_WITH(host.create(&no_deliver, nlohmann::json::object()),
                    Catch::Contains("slot deliver is NULL") && Catch::Contains("*.out"));
}

TEST_CASE("a driver returns SR_UNSUPPORTED for a slot the connector does not have") {
  FakeHost host;
  auto p = host.create(sr::detail::Exporter<Silent>::table(kSilentDescribe), nlohmann::json::object());
  CHECK(p->poll() == SR_UNSUPPORTED);
  CHECK(p->deliver({set_stock("c1")}) == SR_UNSUPPORTED);
  CHECK(p->on_webhook({{"method", "POST"}, {"body", "{}"}}).status == SR_UNSUPPORTED);
}
