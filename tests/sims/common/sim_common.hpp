// What every simulator in tests/sims needs the same way: query strings
// taken apart and decoded, and random hex tokens. Each simulator keeps its
// own rules on top (WordPress reads "key[]" and trims list items; Sitoo
// keeps list items byte for byte).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
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

}  // namespace sim_common
