// What the Server and its connections share. Internal to the server. Held by
// shared_ptr from every connection and pending handler, so a connection that
// outlives the Server object (its io_context still running) stays valid.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "http/router.hpp"
#include "http/server.hpp"

namespace stockrelay::http {

class Session;

struct ServerState {
  ServerState(boost::asio::io_context& io, ServerOptions options);

  // The route for a request; the handler is copied so routes may change
  // while it runs.
  struct Dispatch {
    int status = 404;
    Handler handler;
    std::string allow;
  };
  Dispatch find(std::string_view method, std::string_view path) const;
  void route(std::string method, std::string prefix, Handler handler);

  void add_session(const std::shared_ptr<Session>& session);
  std::vector<std::shared_ptr<Session>> live_sessions();

  boost::asio::io_context& io;
  const ServerOptions options;
  boost::asio::ip::tcp::acceptor acceptor;  // on its own strand
  boost::asio::steady_timer accept_retry;   // same strand: pause after accept errors
  std::atomic<bool> stopped{false};
  std::string url_host;  // host part of base_url()
  std::uint16_t port = 0;

 private:
  mutable std::mutex mu_;
  Router<Handler> router_;
  std::vector<std::weak_ptr<Session>> sessions_;
  std::size_t prune_at_ = 64;
};

}  // namespace stockrelay::http
