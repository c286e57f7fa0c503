// Test helpers: a REST client for a running simulator (real HTTP through the
// host's client) and a small webhook receiver (the host's server).
#pragma once

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/client.hpp"
#include "http/encoding.hpp"
#include "http/server.hpp"
#include "sim_testing.hpp"
#include "woo_sim.hpp"

namespace woo_sim::testing {

namespace http = stockrelay::http;
using json = nlohmann::json;

using sim_common::testing::body_of;
using sim_common::testing::no_retries;

// Talks to one simulator; Basic auth with its key unless told otherwise.
class Api {
 public:
  explicit Api(const Simulator& sim)
      : base_(sim.base_url()), key_(sim.consumer_key()), secret_(sim.consumer_secret()) {}

  std::string url(const std::string& path) const { return base_ + "/wp-json/wc/v3" + path; }
  const std::string& base() const { return base_; }

  http::Response send(const std::string& method, const std::string& path, const std::string& body = "",
                      std::vector<http::Header> headers = {}, bool basic = true) {
    http::Request r;
    r.method = method;
    r.url = path.starts_with("http") ? path : url(path);
    r.body = body;
    r.headers = std::move(headers);
    if (basic) r.headers.push_back({"Authorization", "Basic " + http::base64_encode(key_ + ":" + secret_)});
    if (!body.empty()) r.headers.push_back({"Content-Type", "application/json"});
    return client_.send(r);
  }
  http::Response get(const std::string& path) { return send("GET", path); }
  http::Response post(const std::string& path, const json& body) { return send("POST", path, body.dump()); }
  http::Response put(const std::string& path, const json& body) { return send("PUT", path, body.dump()); }
  http::Response del(const std::string& path) { return send("DELETE", path); }

 private:
  std::string base_, key_, secret_;
  http::Client client_{"woo-sim-test", no_retries()};
};

// Asserts the WooCommerce error shape and returns the code.
inline std::string error_code(const http::Response& r, int status) {
  INFO(r.body.substr(0, 600));
  CHECK(r.status == status);
  json j = body_of(r);
  REQUIRE(j.is_object());
  CHECK(j.size() == 3);
  CHECK(j.at("message").is_string());
  CHECK(j.at("data").at("status") == status);
  return j.at("code").get<std::string>();
}

// A webhook receiver on 127.0.0.1:0 answering `status` (settable).
class Receiver : public sim_common::testing::Receiver {
 public:
  explicit Receiver(int status = 200) : sim_common::testing::Receiver(status, "/hook") {}
  // Deliveries only (pings carry no X-WC-Webhook-Topic).
  std::vector<http::ServerRequest> deliveries() {
    std::vector<http::ServerRequest> out;
    for (auto& r : received()) {
      if (!r.header("x-wc-webhook-topic").empty()) out.push_back(r);
    }
    return out;
  }
};

// A started simulator with a few webhook-friendly defaults.
inline Options quick_options() {
  Options o;
  o.webhook_delay_ms = 30;
  return o;
}

}  // namespace woo_sim::testing
