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
#include "sitoo_sim.hpp"

namespace sitoo_sim::testing {

namespace http = stockrelay::http;
using json = nlohmann::json;

inline http::Limits no_retries() {
  http::Limits l;
  l.max_retries = 0;
  l.max_concurrency = 8;
  return l;
}

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

inline json body_of(const http::Response& r) {
  auto j = json::parse(r.body, nullptr, false);
  INFO("status " << r.status << " body: " << r.body.substr(0, 600) << " error: " << r.error);
  REQUIRE(!j.is_discarded());
  return j;
}

// Asserts Sitoo's error shape {"statuscode","errortext"} and returns the text.
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
class Receiver {
 public:
  explicit Receiver(int status = 200) : status_(status), server_(io_, http::ServerOptions{}) {
    server_.route("POST", "/", [this](const http::ServerRequest& req, http::Respond respond) {
      int answer;
      {
        std::lock_guard lock(mu_);
        got_.push_back(req);
        if (!script_.empty()) {
          answer = script_.front();
          script_.pop_front();
        } else {
          answer = status_;
        }
      }
      cv_.notify_all();
      http::ServerResponse r;
      r.status = answer;
      r.content_type = "text/plain";
      r.body = "ok";
      respond(r);
    });
    REQUIRE(server_.start().ok());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~Receiver() {
    server_.stop();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  std::string url(const std::string& path = "/events") const { return server_.base_url() + path; }
  void set_status(int s) {
    std::lock_guard lock(mu_);
    status_ = s;
  }
  void script(std::vector<int> statuses) {
    std::lock_guard lock(mu_);
    script_.assign(statuses.begin(), statuses.end());
  }
  // Waits until at least n requests arrived; returns them all.
  std::vector<http::ServerRequest> wait_for(std::size_t n, int timeout_ms = 10000) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return got_.size() >= n; });
    return got_;
  }
  std::vector<http::ServerRequest> received() {
    std::lock_guard lock(mu_);
    return got_;
  }
  // Every event of every POST, in arrival order.
  std::vector<json> events() {
    std::vector<json> out;
    for (const auto& r : received()) {
      for (const auto& e : json::parse(r.body)) out.push_back(e);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<http::ServerRequest> got_;
  std::deque<int> script_;
  int status_;
  boost::asio::io_context io_;
  http::Server server_;
  std::vector<std::thread> threads_;
};

// Paths of the default site and warehouse.
inline std::string items_path(const Simulator& sim, const std::string& query = "") {
  return "/sites/1/warehouses/" + std::to_string(sim.warehouse_id()) + "/warehouseitems.json" +
         (query.empty() ? "" : "?" + query);
}

}  // namespace sitoo_sim::testing
