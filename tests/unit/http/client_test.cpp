// The host HTTP client against a real in-process server on 127.0.0.1.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "common/metrics.hpp"
#include "http/client.hpp"
#include "test_server.hpp"

using namespace stockrelay;
using namespace stockrelay::http;
using namespace stockrelay::http::testing;

namespace {

Limits fast_retries(int max_retries = 3) {
  Limits l;
  l.max_retries = max_retries;
  l.retry_base_ms = 10;
  l.retry_max_ms = 50;
  return l;
}

// Answers 503 `failures` times, then 200; counts every request it saw.
struct Flaky {
  int failures;
  std::atomic<int> seen{0};
  Handler handler() {
    return [this](const ServerRequest&, Respond respond) {
      respond(++seen <= failures ? text(503, "busy") : text(200, "done"));
    };
  }
};

Request get(const std::string& url) {
  Request r;
  r.url = url;
  return r;
}

Request post(const std::string& url) {
  Request r;
  r.method = "POST";
  r.url = url;
  r.body = R"({"sku":"A-1"})";
  r.headers.push_back({"Content-Type", "application/json"});
  return r;
}

}  // namespace

TEST_CASE("a GET answered 503 is retried until it succeeds") {
  TestServer ts;
  Flaky flaky{2};
  ts.server.route("GET", "/stock", flaky.handler());
  auto base = ts.start();
  Client client("shop-a", fast_retries());

  auto r = client.send(get(base + "/stock"));
  CHECK(r.status == 200);
  CHECK(r.body == "done");
  CHECK(r.error.empty());
  CHECK(r.attempts == 3);
  CHECK(flaky.seen == 3);
}

TEST_CASE("a POST answered 503 is not retried, so an order is never created twice") {
  TestServer ts;
  Flaky flaky{1};
  ts.server.route("POST", "/orders", flaky.handler());
  auto base = ts.start();
  Client client("shop-a", fast_retries());

  auto r = client.send(post(base + "/orders"));
  CHECK(r.status == 503);
  CHECK(r.attempts == 1);
  CHECK(flaky.seen == 1);
}

TEST_CASE("a POST carrying an Idempotency-Key is retried on 503") {
  TestServer ts;
  Flaky flaky{1};
  ts.server.route("POST", "/orders", flaky.handler());
  auto base = ts.start();
  Client client("shop-a", fast_retries());

  auto request = post(base + "/orders");
  request.headers.push_back({"Idempotency-Key", "order-123"});
  auto r = client.send(request);
  CHECK(r.status == 200);
  CHECK(r.attempts == 2);
}

TEST_CASE("after max_retries the caller sees the last 5xx answer") {
  TestServer ts;
  Flaky flaky{100};
  ts.server.route("GET", "/", flaky.handler());
  auto base = ts.start();
  Client client("shop-a", fast_retries(2));

  auto r = client.send(get(base + "/"));
  CHECK(r.status == 503);
  CHECK(r.body == "busy");
  CHECK(r.error.empty());
  CHECK(r.attempts == 3);
  CHECK(flaky.seen == 3);
}

TEST_CASE("429 is retried for a POST after waiting at least Retry-After, capped at retry_max_ms") {
  TestServer ts;
  std::atomic<int> seen{0};
  ts.server.route("POST", "/orders", [&](const ServerRequest&, Respond respond) {
    if (++seen % 2 == 1) {
      auto r = text(429, "slow down");
      r.headers.push_back({"Retry-After", "1"});
      return respond(r);
    }
    respond(text(201, "created"));
  });
  auto base = ts.start();

  Limits patient = fast_retries();
  patient.retry_max_ms = 5000;
  auto start = std::chrono::steady_clock::now();
  auto r = Client("shop-a", patient).send(post(base + "/orders"));
  CHECK(r.status == 201);
  CHECK(r.attempts == 2);
  CHECK(ms_since(start) >= 1000);

  // retry_max_ms 50 < Retry-After 1 s: the cap wins.
  start = std::chrono::steady_clock::now();
  r = Client("shop-a", fast_retries()).send(post(base + "/orders"));
  CHECK(r.status == 201);
  CHECK(r.attempts == 2);
  CHECK(ms_since(start) < 900);
}

TEST_CASE("a request that outlives its timeout fails with a timeout error, and a POST is not resent") {
  TestServer ts;
  std::atomic<int> seen{0};
  ts.server.route("*", "/slow", [&](const ServerRequest&, Respond respond) {
    ++seen;
    ts.park(std::move(respond));
  });
  auto base = ts.start();
  Client client("shop-a", fast_retries(1));

  auto request = post(base + "/slow");
  request.timeout_ms = 200;
  auto start = std::chrono::steady_clock::now();
  auto r = client.send(request);
  CHECK(r.status == 0);
  CHECK(r.error.find("timeout") == 0);
  CHECK(r.attempts == 1);
  CHECK(seen == 1);
  CHECK(ms_since(start) < 2000);

  auto again = get(base + "/slow");  // a GET that timed out is retried
  again.timeout_ms = 200;
  CHECK(client.send(again).attempts == 2);
  CHECK(seen == 3);
}

TEST_CASE("a POST that could not connect is retried, since nothing reached the server") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto port = probe.local_endpoint().port();
  probe.close();  // nothing listens there now: connection refused
  Client client("shop-a", fast_retries(2));

  auto r = client.send(post("http://127.0.0.1:" + std::to_string(port) + "/orders"));
  CHECK(r.status == 0);
  CHECK_FALSE(r.error.empty());
  CHECK(r.attempts == 3);
}

TEST_CASE("abort_all from another thread ends an in-flight request within 200 ms") {
  TestServer ts;
  ts.server.route("GET", "/hang", [&](const ServerRequest&, Respond respond) { ts.park(std::move(respond)); });
  auto base = ts.start();
  Client client("shop-a", fast_retries());

  Response r;
  std::chrono::steady_clock::time_point returned_at;
  std::thread sender([&] {
    r = client.send(get(base + "/hang"));
    returned_at = std::chrono::steady_clock::now();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto aborted_at = std::chrono::steady_clock::now();
  client.abort_all();
  sender.join();
  CHECK(r.error == "stopped");
  CHECK(r.status == 0);
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(returned_at - aborted_at).count() < 200);
}

TEST_CASE("abort_all interrupts a Retry-After wait, and later sends stop without touching the network") {
  TestServer ts;
  std::atomic<int> seen{0};
  ts.server.route("GET", "/", [&](const ServerRequest&, Respond respond) {
    ++seen;
    auto r = text(429);
    r.headers.push_back({"Retry-After", "10"});
    respond(r);
  });
  auto base = ts.start();
  Limits limits = fast_retries();
  limits.retry_max_ms = 10000;
  Client client("shop-a", limits);

  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    client.abort_all();
  });
  auto start = std::chrono::steady_clock::now();
  auto r = client.send(get(base + "/"));
  stopper.join();
  CHECK(r.error == "stopped");
  CHECK(ms_since(start) < 1500);

  auto later = client.send(get(base + "/"));
  CHECK(later.error == "stopped");
  CHECK(later.attempts == 0);
  CHECK(seen == 1);
}

TEST_CASE("requests_per_second paces requests after a one-second burst") {
  TestServer ts;
  ts.server.route("GET", "/", [](const ServerRequest&, Respond respond) { respond(text(200)); });
  auto base = ts.start();
  Limits limits;
  limits.requests_per_second = 20;  // burst 20, then one every 50 ms
  Client client("shop-a", limits);

  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) REQUIRE(client.send(get(base + "/")).status == 200);
  // 20 more after the burst need >= 20 * 50 ms; only the lower bound is reliable.
  CHECK(ms_since(start) >= 900);
}

TEST_CASE("max_concurrency bounds the requests in flight across threads") {
  TestServer ts;
  std::atomic<int> now{0}, peak{0};
  ts.server.route("GET", "/", [&](const ServerRequest&, Respond respond) {
    int current = ++now;
    for (int p = peak; current > p && !peak.compare_exchange_weak(p, current);) {
    }
    // Hold the request a while so overlapping ones pile up, then answer.
    ts.answer_after(30, [&now, respond](ServerResponse r) { --now; respond(std::move(r)); }, text(200));
  });
  auto base = ts.start();
  Limits limits;
  limits.max_concurrency = 3;
  Client client("shop-a", limits);

  std::atomic<int> answered{0};  // Catch assertions are not thread-safe: count, check later
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t) {
    senders.emplace_back([&] {
      for (int i = 0; i < 4; ++i) answered += client.send(get(base + "/")).status == 200;
    });
  }
  for (auto& t : senders) t.join();
  CHECK(answered == 32);
  CHECK(peak <= 3);
  CHECK(peak >= 2);  // the test did create overlap
}

TEST_CASE("sequential requests reuse one keep-alive connection") {
  TestServer ts;
  std::mutex mu;
  std::set<std::string> peers;
  ts.server.route("GET", "/", [&](const ServerRequest& req, Respond respond) {
    {
      std::lock_guard lock(mu);
      peers.insert(req.remote_address);
    }
    respond(text(200));
  });
  auto base = ts.start();
  Client client("shop-a", Limits{});
  for (int i = 0; i < 20; ++i) REQUIRE(client.send(get(base + "/")).status == 200);
  CHECK(peers.size() == 1);
}

TEST_CASE("method, headers and body reach the server and response headers come back lower-cased and repeated") {
  TestServer ts;
  ts.server.route("PUT", "/products/", [](const ServerRequest& req, Respond respond) {
    auto r = text(200, req.method + " " + req.path + "?" + req.query + " " + req.header("x-api-version") + " " + req.body);
    r.headers = {{"X-WP-Total", "12"}, {"Link", "<a>; rel=next"}, {"Link", "<b>; rel=last"}};
    respond(r);
  });
  auto base = ts.start();
  Client client("shop-a", Limits{});

  Request request;
  request.method = "PUT";
  request.url = base + "/products/7?context=edit";
  request.headers = {{"X-Api-Version", "3"}};
  request.body = "stock=5";
  auto r = client.send(request);
  CHECK(r.status == 200);
  CHECK(r.body == "PUT /products/7?context=edit 3 stock=5");
  CHECK(r.header("X-WP-Total") == "12");
  std::vector<std::string> links;
  for (const auto& h : r.headers) {
    CHECK(h.name == lower(h.name));
    if (h.name == "link") links.push_back(h.value);
  }
  CHECK(links == std::vector<std::string>{"<a>; rel=next", "<b>; rel=last"});
}

TEST_CASE("requests and retries are counted per connection and status") {
  TestServer ts;
  Flaky flaky{1};
  ts.server.route("GET", "/", flaky.handler());
  auto base = ts.start();
  Client client("metrics-shop", fast_retries());
  REQUIRE(client.send(get(base + "/")).status == 200);

  auto& m = Metrics::global();
  CHECK(m.value("stockrelay_http_requests_total", {{"connection", "metrics-shop"}, {"status", "503"}}) == 1);
  CHECK(m.value("stockrelay_http_requests_total", {{"connection", "metrics-shop"}, {"status", "200"}}) == 1);
  CHECK(m.value("stockrelay_http_retries_total", {{"connection", "metrics-shop"}}) == 1);
  CHECK(m.render().find("stockrelay_http_requests_total{connection=\"metrics-shop\",status=\"200\"} 1") !=
        std::string::npos);
}

TEST_CASE("an invalid request is refused before anything is sent") {
  Client client("shop-a", Limits{});
  Request smuggling = get("http://127.0.0.1:1/");
  smuggling.headers.push_back({"X-Note", "a\r\nX-Injected: 1"});
  CHECK(client.send(smuggling).error.find("invalid request") == 0);
  CHECK(client.send(get("file:///etc/passwd")).error.find("invalid request") == 0);
  CHECK(client.send(smuggling).attempts == 0);
}
