// An in-process Server on 127.0.0.1:0 run by two io threads, for tests that
// need real sockets.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace stockrelay::http::testing {

class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}) : server(io, std::move(options)) {}
  ~TestServer() {
    {
      std::lock_guard lock(mu_);
      parked_.clear();  // dropped answers post a 500 while the io_context lives
    }
    server.stop();
    io.stop();
    for (auto& t : threads_) t.join();
  }

  // Starts listening and the io threads; returns the base URL.
  std::string start() {
    auto port = server.start();
    REQUIRE(port.ok());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io.run(); });
    return server.base_url();
  }

  // Keeps a request unanswered until the server is torn down.
  void park(Respond respond) {
    std::lock_guard lock(mu_);
    parked_.push_back(std::move(respond));
  }

  // Answers from a timer, off the handler's stack (as slow work would).
  void answer_after(int ms, Respond respond, ServerResponse response) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io, std::chrono::milliseconds(ms));
    timer->async_wait([timer, respond = std::move(respond), response = std::move(response)](auto) mutable {
      respond(std::move(response));
    });
  }

  boost::asio::io_context io;
  Server server;

 private:
  std::mutex mu_;
  std::vector<Respond> parked_;
  std::vector<std::thread> threads_;
};

inline ServerResponse text(int status, std::string body = "ok") {
  ServerResponse r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

inline std::int64_t ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace stockrelay::http::testing
