#include "sim_common.hpp"

#include <random>
#include <stdexcept>

namespace sim_common {

std::string percent_decode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

QueryPairs parse_query(std::string_view query) {
  QueryPairs q;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    auto piece = query.substr(start, amp - start);
    if (!piece.empty()) {
      auto eq = piece.find('=');
      std::string_view k = piece.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
      q.raw.emplace_back(std::string(k), std::string(v));
      q.decoded.emplace_back(percent_decode(k, true), percent_decode(v, true));
    }
    start = amp + 1;
  }
  return q;
}

std::string random_hex(std::size_t chars) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(chars);
  for (std::size_t i = 0; i < chars; ++i) out += digits[rng() & 0xF];
  return out;
}

void DelayedReplies::send(stockrelay::http::Respond respond, stockrelay::http::ServerResponse response,
                          int latency_ms) {
  if (latency_ms <= 0) {
    respond(std::move(response));
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(latency_ms));
  {
    std::lock_guard lock(mu_);
    timers_.insert(timer);
  }
  timer->async_wait([this, timer, respond = std::move(respond), response = std::move(response)](auto) mutable {
    {
      std::lock_guard lock(mu_);
      timers_.erase(timer);
    }
    respond(std::move(response));
  });
}

void DelayedReplies::cancel_all() {
  std::lock_guard lock(mu_);
  for (const auto& t : timers_) t->cancel();
}

std::string ServerThreads::start(const std::string& who, stockrelay::http::ServerOptions options,
                                 stockrelay::http::Handler handler, int threads) {
  if (server_) throw std::runtime_error(who + ": already started");
  const std::string listen = options.listen;
  server_ = std::make_unique<stockrelay::http::Server>(io, std::move(options));
  server_->route("*", "/", std::move(handler));
  auto port = server_->start();
  if (!port) throw std::runtime_error(who + ": listen on " + listen + ": " + port.error().message());
  work_.emplace(boost::asio::make_work_guard(io));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io.run(); });
  return server_->base_url();
}

void ServerThreads::stop() {
  if (server_) server_->stop();
  replies.cancel_all();
  work_.reset();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace sim_common
