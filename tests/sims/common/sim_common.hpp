// What every simulator in tests/sims needs the same way: query strings
// taken apart and decoded, and random hex tokens. Each simulator keeps its
// own rules on top (WordPress reads "key[]" and trims list items; Sitoo
// keeps list items byte for byte).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "http/server.hpp"

namespace sim_common {

// %XX decoded; "+" is a space when `plus_is_space` (form encoding).
std::string percent_decode(std::string_view text, bool plus_is_space);

struct QueryPairs {
  std::vector<std::pair<std::string, std::string>> decoded;  // in arrival order ("+" read as a space)
  std::vector<std::pair<std::string, std::string>> raw;      // the same pieces, still encoded
};
// "a=1&b=x%20y&c" -> (a,1) (b,"x y") (c,""); empty pieces are skipped.
QueryPairs parse_query(std::string_view query);

// `chars` random lowercase hex digits (ids, secrets, event ids).
std::string random_hex(std::size_t chars);

// Answers that wait: a simulated host's added latency, on the server's
// io_context. cancel_all() (when the simulator stops) fires the waiting
// answers at once, so no handler outlives the server.
class DelayedReplies {
 public:
  explicit DelayedReplies(boost::asio::io_context& io) : io_(io) {}
  void send(stockrelay::http::Respond respond, stockrelay::http::ServerResponse response, int latency_ms);
  void cancel_all();

 private:
  boost::asio::io_context& io_;
  std::mutex mu_;
  std::set<std::shared_ptr<boost::asio::steady_timer>> timers_;
};

// A simulator's serving side: an http::Server on its own io_context routing
// every request to one handler, run by `threads` io threads, and the held-
// back answers (DelayedReplies) on the same context. stop() stops the
// server, fires the held-back answers and joins the threads.
class ServerThreads {
 public:
  ServerThreads() = default;
  ~ServerThreads() { stop(); }
  ServerThreads(const ServerThreads&) = delete;
  ServerThreads& operator=(const ServerThreads&) = delete;

  // Binds and serves; returns the base URL ("http://127.0.0.1:PORT").
  // Throws std::runtime_error starting with `who` and naming the address.
  std::string start(const std::string& who, stockrelay::http::ServerOptions options,
                    stockrelay::http::Handler handler, int threads = 2);
  void stop();  // idempotent

  boost::asio::io_context io;
  DelayedReplies replies{io};

 private:
  std::unique_ptr<stockrelay::http::Server> server_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

}  // namespace sim_common
