#include "http/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "common/log.hpp"
#include "http/redact.hpp"

namespace stockrelay::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
// After refusing a request whose body is still arriving, keep reading (and
// discarding) briefly so the client sees our answer instead of a reset.
constexpr auto kLinger = std::chrono::seconds(2);

ServerResponse error_response(int status, const std::string& message) {
  ServerResponse r;
  r.status = status;
  r.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

std::string describe(const net::ip::tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

bool has_line_break(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; }

// Shared by every copy of one request's Respond: the first answer wins, and
// dropping all copies unanswered still answers (500) rather than leaving the
// client hanging until its timeout.
class Responder {
 public:
  explicit Responder(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  ~Responder() {
    try {
      answer(error_response(500, "the handler did not answer"));
    } catch (...) {  // nothing may escape a destructor; the connection then times out
    }
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  void answer(ServerResponse response) {
    if (answered_.exchange(true)) return;
    session_->deliver(std::move(response));
  }

 private:
  std::shared_ptr<Session> session_;
  std::atomic<bool> answered_{false};
};

}  // namespace

Session::Session(net::ip::tcp::socket socket, std::shared_ptr<ServerState> state)
    : stream_(std::move(socket)), state_(std::move(state)) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? std::string("unknown") : describe(endpoint);
}

void Session::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
}

void Session::close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    self->stream_.close();
  });
}

void Session::deliver(ServerResponse response) {
  net::post(stream_.get_executor(),
            [self = shared_from_this(), r = std::move(response)]() mutable { self->write(std::move(r)); });
}

void Session::read() {
  if (state_->stopped) return stream_.close();
  parser_.emplace();
  parser_->body_limit(state_->options.max_body_bytes);
  parser_->header_limit(kHeaderLimit);
  // Bounds both a slow request and an idle keep-alive connection.
  stream_.expires_after(std::chrono::milliseconds(state_->options.request_timeout_ms));
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Session::on_read(beast::error_code ec) {
  if (ec == bhttp::error::end_of_stream) {
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  // Errors from the HTTP parser deserve an answer; socket errors do not.
  static const auto& parse_errors = bhttp::make_error_code(bhttp::error::body_limit).category();
  if (ec && ec.category() == parse_errors) {
    method_ = view(parser_->get().method_string());
    target_ = view(parser_->get().target());
    started_ = std::chrono::steady_clock::now();
    if (ec == bhttp::error::body_limit) {
      return fail_request(413, "request body exceeds " + std::to_string(state_->options.max_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit) return fail_request(431, "request headers are too large");
    return fail_request(400, "malformed HTTP request: " + ec.message());
  }
  // A timeout, reset or stop: nothing to answer, the connection just ends.
  if (ec) return stream_.close();
  dispatch();
}

void Session::dispatch() {
  auto& message = parser_->get();
  keep_alive_ = message.keep_alive();
  method_ = view(message.method_string());
  target_ = view(message.target());
  started_ = std::chrono::steady_clock::now();

  ServerRequest request;
  request.method = method_;
  request.target = target_;
  auto question = target_.find('?');
  request.path = target_.substr(0, question);
  if (question != std::string::npos) request.query = target_.substr(question + 1);
  for (const auto& field : message) request.headers.push_back({lower(view(field.name_string())), std::string(view(field.value()))});
  request.body = std::move(message.body());
  request.remote_address = remote_;

  auto route = state_->find(request.method, request.path);
  if (route.status == 404) return write(error_response(404, "no route for " + method_ + " " + request.path));
  if (route.status == 405) {
    auto r = error_response(405, "method " + method_ + " is not allowed for " + request.path);
    r.headers.push_back({"Allow", route.allow});
    return write(std::move(r));
  }
  // The handler may take its time: the timeout applies again once it answers.
  stream_.expires_never();
  auto responder = std::make_shared<Responder>(shared_from_this());
  try {
    route.handler(request, [responder](ServerResponse r) { responder->answer(std::move(r)); });
  } catch (const std::exception& e) {
    log::error({}, "http server: handler for " + method_ + " " + redact_url(target_) + " failed: " + e.what());
    responder->answer(error_response(500, "internal error"));
  } catch (...) {
    log::error({}, "http server: handler for " + method_ + " " + redact_url(target_) + " failed");
    responder->answer(error_response(500, "internal error"));
  }
}

void Session::write(ServerResponse response) {
  auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
  out->version(11);
  out->result(response.status >= 100 && response.status <= 599 ? static_cast<unsigned>(response.status) : 500u);
  out->set(bhttp::field::server, "stockrelay");
  if (!response.content_type.empty()) out->set(bhttp::field::content_type, response.content_type);
  for (const auto& h : response.headers) {
    // A value echoed from a request must not be able to split the response.
    if (h.name.empty() || has_line_break(h.name) || has_line_break(h.value)) {
      log::warn({}, "http server: dropped malformed response header \"" + h.name + "\" for " + redact_url(target_));
      continue;
    }
    out->insert(h.name, h.value);
  }
  out->body() = std::move(response.body);
  out->keep_alive(keep_alive_ && !state_->stopped);
  out->prepare_payload();

  if (log::enabled(log::Level::Debug)) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    log::debug({}, "http server: " + method_ + " " + redact_url(target_) + " -> " + std::to_string(out->result_int()) +
                       " in " + std::to_string(ms.count()) + " ms from " + remote_);
  }
  stream_.expires_after(std::chrono::milliseconds(state_->options.request_timeout_ms));
  bhttp::async_write(stream_, *out, [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
    self->on_write(out->keep_alive(), ec);
  });
}

void Session::on_write(bool keep_alive, beast::error_code ec) {
  if (ec) return stream_.close();
  if (!keep_alive) {
    // Half-close, then drain: closing outright with unread request bytes
    // would reset the connection and could destroy the answer in flight.
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    return linger();
  }
  read();
}

// The request cannot be read further (too large, malformed): answer and close.
void Session::fail_request(int status, const std::string& message) {
  keep_alive_ = false;
  write(error_response(status, message));
}

void Session::linger() {
  // One deadline for the whole drain: a client that keeps sending is cut off.
  stream_.expires_after(kLinger);
  drain();
}

void Session::drain() {
  stream_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->stream_.close();
    self->drain();
  });
}

}  // namespace stockrelay::http
