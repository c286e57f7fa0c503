// Test helpers every simulator's tests use the same way: an HTTP client
// setting without retries (a test sees each answer as sent), a JSON body
// check, and a receiver for what a simulator sends out (webhooks, events)
// on 127.0.0.1:0, answering with a settable or scripted status.
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
#include "http/server.hpp"

namespace sim_common::testing {

namespace http = stockrelay::http;
using json = nlohmann::json;

inline http::Limits no_retries() {
  http::Limits l;
  l.max_retries = 0;
  l.max_concurrency = 8;
  return l;
}

inline json body_of(const http::Response& r) {
  auto j = json::parse(r.body, nullptr, false);
  INFO("status " << r.status << " body: " << r.body.substr(0, 600) << " error: " << r.error);
  REQUIRE(!j.is_discarded());
  return j;
}

class Receiver {
 public:
  explicit Receiver(int status = 200, std::string default_path = "/hook")
      : status_(status), path_(std::move(default_path)), server_(io_, http::ServerOptions{}) {
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
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url() const { return url(path_); }
  std::string url(const std::string& path) const { return server_.base_url() + path; }
  void set_status(int s) {
    std::lock_guard lock(mu_);
    status_ = s;
  }
  // The next answers, in order; then `status` again.
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
  void clear() {
    std::lock_guard lock(mu_);
    got_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<http::ServerRequest> got_;
  std::deque<int> script_;
  int status_;
  std::string path_;
  boost::asio::io_context io_;
  http::Server server_;
  std::vector<std::thread> threads_;
};

}  // namespace sim_common::testing
