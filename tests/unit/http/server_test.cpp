// The host HTTP server: routing answers, limits, timeouts, failures and load.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/client.hpp"
#include "test_server.hpp"

using namespace stockrelay;
using namespace stockrelay::http;
using namespace stockrelay::http::testing;
namespace net = boost::asio;

namespace {

Limits once() {
  Limits l;
  l.max_retries = 0;
  return l;
}

Response call(const std::string& method, const std::string& url, std::string body = "") {
  Request r;
  r.method = method;
  r.url = url;
  r.body = std::move(body);
  return Client("test", once()).send(r);
}

std::string error_field(const Response& r) { return nlohmann::json::parse(r.body).at("error").get<std::string>(); }

net::ip::tcp::socket connect_to(net::io_context& io, std::uint16_t port) {
  net::ip::tcp::socket socket(io);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  return socket;
}

std::uint16_t port_of(const std::string& base_url) {
  return static_cast<std::uint16_t>(std::stoi(base_url.substr(base_url.rfind(':') + 1)));
}

}  // namespace

TEST_CASE("an unknown path gets 404 with a JSON error naming method and path") {
  TestServer ts;
  ts.server.route("GET", "/healthz", [](const ServerRequest&, Respond respond) { respond(text(200)); });
  auto base = ts.start();
  auto r = call("GET", base + "/nowhere?x=1");
  CHECK(r.status == 404);
  CHECK(r.header("content-type") == "application/json");
  CHECK(error_field(r) == "no route for GET /nowhere");
}

TEST_CASE("a known path with the wrong method gets 405 and Allow") {
  TestServer ts;
  ts.server.route("POST", "/webhooks/", [](const ServerRequest&, Respond respond) { respond(text(202)); });
  auto base = ts.start();
  auto r = call("GET", base + "/webhooks/shop-a");
  CHECK(r.status == 405);
  CHECK(r.header("allow") == "POST");
  CHECK(error_field(r) == "method GET is not allowed for /webhooks/shop-a");
  CHECK(call("POST", base + "/webhooks/shop-a").status == 202);
}

TEST_CASE("a body over max_body_bytes gets 413 and the handler never runs") {
  ServerOptions options;
  options.max_body_bytes = 1024;
  TestServer ts(options);
  std::atomic<int> handled{0};
  ts.server.route("POST", "/webhooks/", [&](const ServerRequest& req, Respond respond) {
    ++handled;
    respond(text(200, std::to_string(req.body.size())));
  });
  auto base = ts.start();

  CHECK(call("POST", base + "/webhooks/a", std::string(1024, 'x')).body == "1024");
  auto r = call("POST", base + "/webhooks/a", std::string(512 * 1024, 'x'));
  CHECK(r.status == 413);
  CHECK(error_field(r) == "request body exceeds 1024 bytes");
  CHECK(handled == 1);
}

TEST_CASE("a client that stalls mid-request or idles is disconnected after request_timeout_ms") {
  ServerOptions options;
  options.request_timeout_ms = 300;
  TestServer ts(options);
  ts.server.route("GET", "/", [](const ServerRequest&, Respond respond) { respond(text(200)); });
  auto port = port_of(ts.start());

  net::io_context io;
  for (std::string sent : {"GET / HTTP/1.1\r\nHost: x\r\n", ""}) {  // half a request; nothing at all
    auto socket = connect_to(io, port);
    net::write(socket, net::buffer(sent));
    auto start = std::chrono::steady_clock::now();
    char byte;
    boost::system::error_code ec;
    net::read(socket, net::buffer(&byte, 1), ec);
    CHECK(ec == net::error::eof);
    CHECK(ms_since(start) >= 250);
    CHECK(ms_since(start) < 3000);
  }
}

TEST_CASE("a handler that throws gets a 500 and the server keeps serving") {
  TestServer ts;
  ts.server.route("GET", "/boom", [](const ServerRequest&, Respond) { throw std::runtime_error("bad payload"); });
  ts.server.route("GET", "/ok", [](const ServerRequest&, Respond respond) { respond(text(200)); });
  auto base = ts.start();
  auto r = call("GET", base + "/boom");
  CHECK(r.status == 500);
  CHECK(error_field(r) == "internal error");
  CHECK(call("GET", base + "/ok").status == 200);
}

TEST_CASE("a handler may answer later from another thread, and one that drops its answer yields 500") {
  TestServer ts;
  std::thread worker;
  ts.server.route("GET", "/later", [&](const ServerRequest&, Respond respond) {
    worker = std::thread([respond] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      respond(text(200, "first"));
      respond(text(500, "second answer is ignored"));
    });
  });
  ts.server.route("GET", "/dropped", [](const ServerRequest&, Respond) {});
  auto base = ts.start();
  auto later = call("GET", base + "/later");
  CHECK(later.status == 200);
  CHECK(later.body == "first");
  worker.join();
  CHECK(call("GET", base + "/dropped").status == 500);
}

TEST_CASE("the handler sees method, path, query, headers, body and the peer address") {
  TestServer ts;
  ServerRequest seen;
  ts.server.route("POST", "/webhooks/", [&](const ServerRequest& req, Respond respond) {
    seen = req;
    respond(text(204, ""));
  });
  auto base = ts.start();
  Request r;
  r.method = "POST";
  r.url = base + "/webhooks/shop-a?topic=order.created";
  r.headers = {{"X-WC-Webhook-Signature", "c2ln"}};
  r.body = R"({"id":42})";
  CHECK(Client("test", once()).send(r).status == 204);
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/webhooks/shop-a?topic=order.created");
  CHECK(seen.path == "/webhooks/shop-a");
  CHECK(seen.query == "topic=order.created");
  CHECK(seen.header("x-wc-webhook-signature") == "c2ln");
  CHECK(seen.header("X-WC-WEBHOOK-SIGNATURE") == "c2ln");
  CHECK(seen.header("absent").empty());
  CHECK(seen.body == R"({"id":42})");
  CHECK(seen.remote_address.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("a port already in use and a bad listen address are errors naming the address") {
  TestServer ts;
  auto port = port_of(ts.start());
  net::io_context io;
  ServerOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(port);
  auto r = Server(io, taken).start();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().find("http server 127.0.0.1:" + std::to_string(port) + ": cannot bind") == 0);

  for (const char* bad : {"nonsense", "127.0.0.1:99999", "shop.example:80", "127.0.0.1:"}) {
    INFO(bad);
    ServerOptions options;
    options.listen = bad;
    auto e = Server(io, options).start();
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().message().find(std::string("http server ") + bad) == 0);
  }
}

TEST_CASE("hundreds of concurrent keep-alive connections are all served") {
  TestServer ts;
  ts.server.route("GET", "/", [](const ServerRequest& req, Respond respond) { respond(text(200, req.path)); });
  auto port = port_of(ts.start());

  net::io_context io;
  std::vector<net::ip::tcp::socket> sockets;
  for (int i = 0; i < 300; ++i) sockets.push_back(connect_to(io, port));
  for (int round = 0; round < 2; ++round) {  // the second round rides the same connections
    for (auto& s : sockets) net::write(s, net::buffer(std::string("GET /r HTTP/1.1\r\nHost: x\r\n\r\n")));
    int ok = 0;
    for (auto& s : sockets) {
      std::string reply;
      char c;
      // Headers end with an empty line; the 2-byte body "/r" follows.
      while (reply.find("\r\n\r\n") == std::string::npos) {
        net::read(s, net::buffer(&c, 1));
        reply += c;
      }
      char body[2];
      net::read(s, net::buffer(body, 2));
      if (reply.rfind("HTTP/1.1 200", 0) == 0 && std::string(body, 2) == "/r") ++ok;
    }
    CHECK(ok == 300);
  }
}
