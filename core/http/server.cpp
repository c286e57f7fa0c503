#include "http/server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>

#include "common/log.hpp"
#include "http/server_state.hpp"
#include "http/session.hpp"

namespace stockrelay::http {
namespace net = boost::asio;
using net::ip::tcp;

namespace {

Result<tcp::endpoint> parse_listen(const std::string& listen) {
  const Error bad{"http server " + listen, "the listen address must be host:port",
                  "for example 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"};
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return bad;
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  std::string_view digits = std::string_view(listen).substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port > 65535) return bad;
  boost::system::error_code address_error;
  auto address = net::ip::make_address(host, address_error);
  if (address_error) return bad;
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

void accept(const std::shared_ptr<ServerState>& state) {
  state->acceptor.async_accept(net::make_strand(state->io), [state](boost::system::error_code ec, tcp::socket socket) {
    if (state->stopped || !state->acceptor.is_open()) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), state);
      state->add_session(session);
      session->start();
      return accept(state);
    }
    // Typically out of file descriptors: pause instead of spinning on the error.
    log::warn({}, "http server: accept failed: " + ec.message());
    state->accept_retry.expires_after(std::chrono::milliseconds(100));
    state->accept_retry.async_wait([state](boost::system::error_code) { accept(state); });
  });
}

}  // namespace

std::string ServerRequest::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

ServerState::ServerState(net::io_context& io_context, ServerOptions opts)
    : io(io_context),
      options(std::move(opts)),
      acceptor(net::make_strand(io_context)),
      accept_retry(acceptor.get_executor()) {}

ServerState::Dispatch ServerState::find(std::string_view method, std::string_view path) const {
  std::lock_guard lock(mu_);
  auto match = router_.find(method, path);
  Dispatch d;
  d.status = match.status;
  d.allow = std::move(match.allow);
  if (match.handler) d.handler = *match.handler;
  return d;
}

void ServerState::route(std::string method, std::string prefix, Handler handler) {
  std::lock_guard lock(mu_);
  router_.add(std::move(method), std::move(prefix), std::move(handler));
}

void ServerState::add_session(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mu_);
  // Forget closed connections now and then, not on every accept.
  if (sessions_.size() >= prune_at_) {
    std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
    prune_at_ = std::max<std::size_t>(64, sessions_.size() * 2);
  }
  sessions_.push_back(session);
}

std::vector<std::shared_ptr<Session>> ServerState::live_sessions() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Session>> live;
  for (const auto& weak : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

Server::Server(net::io_context& io, ServerOptions options)
    : state_(std::make_shared<ServerState>(io, std::move(options))) {}

Server::~Server() { stop(); }

void Server::route(std::string method, std::string path_prefix, Handler handler) {
  state_->route(std::move(method), std::move(path_prefix), std::move(handler));
}

Result<std::uint16_t> Server::start() {
  const std::string& listen = state_->options.listen;
  if (state_->stopped) return Error{"http server " + listen, "cannot start a stopped server", ""};
  if (state_->acceptor.is_open()) return Error{"http server " + listen, "already started", ""};
  auto endpoint = parse_listen(listen);
  if (!endpoint) return endpoint.error();

  auto& acceptor = state_->acceptor;
  boost::system::error_code ec;
  auto fail = [&](const char* step) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return Error{"http server " + listen, std::string("cannot ") + step + ": " + ec.message(),
                 "is another process listening there, or is the address not on this machine?"};
  };
  if (acceptor.open(endpoint->protocol(), ec); ec) return fail("open a socket");
  // Restarting must not wait for the previous process's TIME_WAIT sockets.
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("set SO_REUSEADDR");
  if (acceptor.bind(*endpoint, ec); ec) return fail("bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen");

  auto bound = acceptor.local_endpoint(ec);
  if (ec) return fail("read the bound port");
  state_->port = bound.port();
  auto address = bound.address();
  if (address.is_unspecified()) {
    state_->url_host = address.is_v6() ? "[::1]" : "127.0.0.1";
  } else {
    state_->url_host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  }
  accept(state_);
  log::info({}, "http server listening on " + base_url());
  return state_->port;
}

void Server::stop() {
  if (state_->stopped.exchange(true)) return;
  net::post(state_->acceptor.get_executor(), [state = state_] {
    boost::system::error_code ignored;
    state->accept_retry.cancel();
    state->acceptor.close(ignored);
  });
  for (auto& session : state_->live_sessions()) session->close();
}

std::string Server::base_url() const { return "http://" + state_->url_host + ":" + std::to_string(state_->port); }

}  // namespace stockrelay::http
