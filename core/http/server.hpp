// The host's HTTP server: webhook ingress, the admin JSON API, the dashboard,
// /metrics and /healthz all hang routes off one Server. Asynchronous
// (Boost.Beast) on the caller's io_context, which the app runs on a small
// thread pool; each connection is serialised on its own strand, so hundreds
// of keep-alive connections cost no threads.
//
// Contract for handlers:
//  - a handler runs on an io thread: it must not block; slow work goes
//    elsewhere and answers later through Respond, from any thread;
//  - Respond must be called exactly once (later calls are ignored; if every
//    copy is dropped unanswered the client gets a 500), and must not be kept
//    beyond the io_context's lifetime;
//  - a handler that throws gets the client a 500 and a logged error; the
//    server carries on.
// The server itself answers 404 (no route), 405 (route exists, wrong method,
// with Allow), 413 (body over max_body_bytes), 431 (headers too large), and
// closes connections idle or stalled for request_timeout_ms. Error bodies
// are JSON: {"error":"..."}.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "http/message.hpp"

namespace stockrelay::http {

struct ServerRequest {
  std::string method;  // as sent ("GET")
  std::string target;  // "/webhooks/shop-a?x=1", as sent (not percent-decoded)
  std::string path;    // "/webhooks/shop-a"
  std::string query;   // "x=1" (without "?")
  std::vector<Header> headers;  // names lower-cased, in arrival order
  std::string body;
  std::string remote_address;  // "127.0.0.1:54321" / "[::1]:54321"

  // First value of a header, name case-insensitive; "" if absent.
  std::string header(std::string_view name) const;
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<Header> headers;
};

using Respond = std::function<void(ServerResponse)>;
using Handler = std::function<void(const ServerRequest&, Respond)>;

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // "host:port", "[v6]:port"; port 0 = any free port
  std::size_t max_body_bytes = 1 << 20;
  int request_timeout_ms = 10000;  // to read one request, or idle between keep-alive requests
};

struct ServerState;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // method "*" = any. Longest matching prefix wins (router.hpp has the rule).
  // Thread-safe; routes may be added after start().
  void route(std::string method, std::string path_prefix, Handler handler);

  // Binds and starts accepting; returns the bound port. Errors name the
  // address ("http server 127.0.0.1:8080: cannot bind: Address already in use").
  Result<std::uint16_t> start();

  // Stops accepting and closes open connections (on the io threads, so the
  // io_context can run dry). Responses still pending are dropped. Idempotent.
  void stop();

  // "http://127.0.0.1:<port>" (a wildcard listen address maps to loopback).
  std::string base_url() const;

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace stockrelay::http
