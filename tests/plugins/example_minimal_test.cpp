// examples/connector-minimal-cpp, built in tree as libexample_minimal.so and
// driven with the fake host against a pretend stock API.
#include <map>

#include <catch2/catch.hpp>
#include <stockrelay/testing/fake_host.hpp>
#include <stockrelay/testing/load_connector.hpp>

namespace {

const sr_connector_api* minimal() {
  static const sr_connector_api* api = sr::testing::load_connector(EXAMPLE_MINIMAL_PLUGIN);
  return api;
}

sr::Command set_stock(const std::string& id, const std::string& sku, int quantity) {
  sr::SetStock body;
  body.sku = sku;
  body.quantity = sr::Quantity::units(quantity);
  return {id, nlohmann::json::object(), body};
}

const nlohmann::json kSettings = {{"base_url", "https://stock.example"}, {"api_key", "k"}};

}  // namespace

TEST_CASE("the minimal example polls levels since its cursor and writes the hub's levels") {
  sr::testing::FakeHost host;
  std::map<std::string, int> remote{{"A", 4}};
  host.on_http([&](const nlohmann::json& req) {
    std::string url = req["url"];
    if (req["method"] == "GET") {
      nlohmann::json items = nlohmann::json::array();
      if (url.ends_with("since="))
        items.push_back({{"sku", "A"}, {"quantity", remote["A"]}, {"modified", "2024-05-01T10:00:00Z"}});
      return sr::HttpResponse{200, {}, items.dump()};
    }
    if (url.ends_with("/stock/A")) {
      remote["A"] = nlohmann::json::parse(req["body"].get<std::string>())["quantity"];
      return sr::HttpResponse{200, {}, "{}"};
    }
    return sr::HttpResponse{404, {}, "{}"};
  });
  auto plugin = host.create(minimal(), kSettings);
  REQUIRE(plugin->start() == SR_OK);

  REQUIRE(plugin->poll() == SR_OK);
  CHECK(host.event_keys() == std::vector<std::string>{"level:A:2024-05-01T10:00:00Z"});
  CHECK(host.state("since") == "2024-05-01T10:00:00Z");
  CHECK(host.http_requests().at(0)["headers"]["X-Api-Key"] == "k");

  std::vector<sr::Command> batch{set_stock("c1", "A", 9), set_stock("c2", "ZZ", 1)};
  REQUIRE(plugin->deliver(batch) == SR_OK);
  CHECK(remote["A"] == 9);
  CHECK(host.result("c1")->outcome == sr::Outcome::Ok);
  CHECK(host.result("c2")->outcome == sr::Outcome::Failed);
  CHECK(host.violations().empty());
}

TEST_CASE("the minimal example refuses settings without base_url or api_key") {
  sr::testing::FakeHost host;
  sr_status rc = SR_OK;
  std::string error;
  CHECK_FALSE(host.try_create(minimal(), {{"base_url", "https://stock.example"}}, rc, error));
  CHECK(rc == SR_INVALID);
  CHECK_THAT(error, Catch::Contains("api_key"));
}
