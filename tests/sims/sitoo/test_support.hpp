// Test helpers: an API client for a running simulator (real HTTP through the
// host's client) and a small Events SPI receiver (the host's server).
#pragma once

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/client.hpp"
#include "http/encoding.hpp"
#include "http/server.hpp"
#include "sim_testing.hpp"
#include "sitoo_sim.hpp"

namespace sitoo_sim::testing {

namespace http = stockrelay::http;
using json = nlohmann::json;

using sim_common::testing::body_of;
using sim_common::testing::no_retries;

// Talks to one simulator's account; Basic auth with its API ID unless told otherwise.
class Api {
 public:
  explicit Api(const Simulator& sim) : base_(sim.base_url()), id_(sim.api_id()), password_(sim.password()) {}

  std::string url(const std::string& path) const { return path.starts_with("http") ? path : base_ + path; }
  void credentials(std::string id, std::string password) {
    id_ = std::move(id);
    password_ = std::move(password);
  }

  http::Response send(const std::string& method, const std::string& path, const std::string& body = "",
                      bool basic = true) {
    http::Request r;
    r.method = method;
    r.url = url(path);
    r.body = body;
    if (basic) r.headers.push_back({"Authorization", "Basic " + http::base64_encode(id_ + ":" + password_)});
    if (!body.empty()) r.headers.push_back({"Content-Type", "application/json"});
    return client_.send(r);
  }
  http::Response get(const std::string& path) { return send("GET", path); }
  http::Response post(const std::string& path, const json& body) { return send("POST", path, body.dump()); }
  http::Response put(const std::string& path, const json& body) { return send("PUT", path, body.dump()); }
  http::Response del(const std::string& path) { return send("DELETE", path); }

 private:
  std::string base_, id_, password_;
  http::Client client_{"sitoo-sim-test", no_retries()};
};

inline std::string error_text(const http::Response& r, int status) {
  INFO(r.body.substr(0, 600));
  CHECK(r.status == status);
  json j = body_of(r);
  REQUIRE(j.is_object());
  CHECK(j.size() == 2);
  CHECK(j.at("statuscode") == status);
  REQUIRE(j.at("errortext").is_string());
  return j.at("errortext").get<std::string>();
}

// An Events SPI endpoint on 127.0.0.1:0. Answers the queued statuses in
// order, then `status`.
class Receiver : public sim_common::testing::Receiver {
 public:
  explicit Receiver(int status = 200) : sim_common::testing::Receiver(status, "/events") {}
  // Every event of every POST, in arrival order.
  std::vector<json> events() {
    std::vector<json> out;
    for (const auto& r : received()) {
      for (const auto& e : json::parse(r.body)) out.push_back(e);
    }
    return out;
  }
};

// Paths of the default site and warehouse.
inline std::string items_path(const Simulator& sim, const std::string& query = "") {
  return "/sites/1/warehouses/" + std::to_string(sim.warehouse_id()) + "/warehouseitems.json" +
         (query.empty() ? "" : "?" + query);
}

}  // namespace sitoo_sim::testing
