// Test helpers: an API client for a running simulator (real HTTP through the
// host's client, bearer key of one integration) and product/order bodies.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "http/client.hpp"
#include "peakwms_sim.hpp"
#include "sim_testing.hpp"

namespace peakwms_sim::testing {

namespace http = stockrelay::http;
using json = nlohmann::json;

using sim_common::testing::body_of;
using sim_common::testing::no_retries;
using sim_common::testing::Receiver;

// Talks to the simulator as one integration (its API key).
class Api {
 public:
  explicit Api(const Simulator& sim, std::size_t integration = 0)
      : base_(sim.base_url()), key_(sim.api_key(integration)) {}
  Api(const Simulator& sim, std::string key) : base_(sim.base_url()), key_(std::move(key)) {}

  http::Response send(const std::string& method, const std::string& path, const std::string& body = "",
                      bool bearer = true) {
    http::Request r;
    r.method = method;
    r.url = base_ + path;
    r.body = body;
    r.headers.push_back({"Accept", "application/json"});
    if (bearer) r.headers.push_back({"Authorization", "Bearer " + key_});
    if (!body.empty()) r.headers.push_back({"Content-Type", "application/json"});
    return client_.send(r);
  }
  http::Response get(const std::string& path) { return send("GET", path); }
  http::Response post(const std::string& path, const json& body) { return send("POST", path, body.dump()); }
  http::Response put(const std::string& path, const json& body) { return send("PUT", path, body.dump()); }
  http::Response del(const std::string& path) { return send("DELETE", path); }

  // POST /product; requires 200 and returns the WMS id.
  std::int64_t create_product(const std::string& product_id, const std::string& variant_id,
                              const std::string& item_number) {
    auto r = post("/product", product(product_id, variant_id, item_number));
    REQUIRE(r.status == 200);
    return body_of(r).at("id").get<std::int64_t>();
  }

  static json product(const std::string& product_id, const std::string& variant_id, const std::string& item_number) {
    return json{{"productId", product_id},
                {"variantId", variant_id},
                {"itemNumber", item_number},
                {"description", "Product " + item_number},
                {"ean", "5701234567890"},
                {"imagePath", "https://shop.test/img/" + item_number + ".jpg"}};
  }
  static json order(const std::string& order_id, const std::string& product_id, const std::string& variant_id,
                    int quantity) {
    return json{{"orderId", order_id},
                {"orderNumber", "#" + order_id},
                {"paymentStatus", 2},
                {"orderLines", json::array({{{"orderLineId", order_id + "-1"},
                                             {"productId", product_id},
                                             {"variantId", variant_id},
                                             {"quantityRequested", quantity}}})}};
  }

 private:
  std::string base_, key_;
  http::Client client_{"peakwms-sim-test", no_retries()};
};

// The {"message"} error body; checks the status and returns the message.
inline std::string message_of(const http::Response& r, int status) {
  INFO(r.body.substr(0, 600));
  CHECK(r.status == status);
  json j = body_of(r);
  REQUIRE(j.is_object());
  REQUIRE(j.contains("message"));
  return j.at("message").get<std::string>();
}

}  // namespace peakwms_sim::testing
