// Receives the webhook or event calls a simulator sends, on 127.0.0.1:0, and
// holds each one until the test hands it to the plugin under test (on the
// test thread, as the host would call it) and answers the sender with what
// the plugin said. Calls `at_once` accepts are answered 200 at once instead
// (a store's ping, sent while the plugin itself waits on the test thread).
// Link sr_http to use it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/server.hpp"

namespace sr_test {

class HookQueue {
 public:
  struct Delivery {
    nlohmann::json envelope;  // {method, path, query, headers (lower-case names), body}: the plugin's request
    stockrelay::http::Respond respond;
  };
  using AtOnce = std::function<bool(const nlohmann::json& envelope)>;

  explicit HookQueue(AtOnce at_once = {}) : at_once_(std::move(at_once)), server_(io_, stockrelay::http::ServerOptions{}) {
    server_.route("POST", "/", [this](const stockrelay::http::ServerRequest& req, stockrelay::http::Respond respond) {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& h : req.headers) headers[h.name] = h.value;
      nlohmann::json env{{"method", req.method}, {"path", req.path}, {"query", req.query}, {"headers", headers},
                         {"body", req.body}};
      std::lock_guard g(mu_);
      if (at_once_ && at_once_(env)) {
        immediate_.push_back(env);
        stockrelay::http::ServerResponse r;
        r.body = "{}";
        respond(std::move(r));
        return;
      }
      queue_.push_back({std::move(env), std::move(respond)});
      cv_.notify_all();
    });
    auto port = server_.start();
    if (!port.ok()) throw std::runtime_error("hook receiver: " + port.error().message());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~HookQueue() {
    {
      std::lock_guard g(mu_);
      for (auto& d : queue_) d.respond(stockrelay::http::ServerResponse{503, "application/json", "{}", {}});
      queue_.clear();
    }
    server_.stop();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  HookQueue(const HookQueue&) = delete;
  HookQueue& operator=(const HookQueue&) = delete;

  std::string url(const std::string& path) const { return server_.base_url() + path; }

  std::optional<Delivery> pop(int wait_ms) {
    std::unique_lock g(mu_);
    cv_.wait_for(g, std::chrono::milliseconds(wait_ms), [&] { return !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    Delivery d = std::move(queue_.front());
    queue_.pop_front();
    return d;
  }
  // The calls answered at once.
  std::vector<nlohmann::json> immediate() const {
    std::lock_guard g(mu_);
    return immediate_;
  }

 private:
  AtOnce at_once_;
  boost::asio::io_context io_;
  stockrelay::http::Server server_;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Delivery> queue_;
  std::vector<nlohmann::json> immediate_;
};

}  // namespace sr_test
