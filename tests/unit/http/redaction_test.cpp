// Credentials never reach the log: registered secrets, credential-looking
// query parameters, URL passwords, request headers and bodies.
#include <catch2/catch.hpp>
#include <mutex>

#include "common/log.hpp"
#include "http/client.hpp"
#include "http/redact.hpp"
#include "test_server.hpp"

using namespace stockrelay;
using namespace stockrelay::http;
using namespace stockrelay::http::testing;

namespace {

// Captures log lines at debug level for the lifetime of the object.
class CapturedLog {
 public:
  CapturedLog() : previous_(log::level()) {
    log::set_level(log::Level::Debug);
    log::set_sink([this](const std::string& line) {
      std::lock_guard lock(mu_);
      text_ += line + "\n";
    });
  }
  ~CapturedLog() {
    log::set_sink(nullptr);
    log::set_level(previous_);
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  log::Level previous_;
  std::mutex mu_;
  std::string text_;
};

}  // namespace

TEST_CASE("credential query parameters and URL passwords are scrubbed from URLs") {
  CHECK(redact_url("https://shop.example/wp-json/wc/v3/products?consumer_key=ck_1&page=2&consumer_secret=cs_2") ==
        "https://shop.example/wp-json/wc/v3/products?consumer_key=***&page=2&consumer_secret=***");
  CHECK(redact_url("https://x/a?oauth_signature=abc&Access_Token=t&api_key=k&apikey=k2&per_page=100#top") ==
        "https://x/a?oauth_signature=***&Access_Token=***&api_key=***&apikey=***&per_page=100#top");
  CHECK(redact_url("https://go.paytraq.com/api/clients?APIToken=t1&APIKey=k1&page=0") ==
        "https://go.paytraq.com/api/clients?APIToken=***&APIKey=***&page=0");
  CHECK(redact_url("https://maps.example/geo?key=abc") == "https://maps.example/geo?key=***");
  CHECK(redact_url("https://user:hunter2@host:8443/p?x=1") == "https://user:***@host:8443/p?x=1");
  CHECK(redact_url("/webhooks/shop-a?token=abc&id=5") == "/webhooks/shop-a?token=***&id=5");
  CHECK(redact_url("https://host/plain") == "https://host/plain");
  CHECK(redact_url("https://host/p?tokens=keep&secretary=keep&monkey=keep") ==
        "https://host/p?tokens=keep&secretary=keep&monkey=keep");
}

TEST_CASE("a logged exchange shows method, URL and status but no secret, header or body") {
  TestServer ts;
  ts.server.route("GET", "/wp-json/", [](const ServerRequest&, Respond respond) { respond(text(200, "reply-body")); });
  auto base = ts.start();
  log::add_secret("registered-secret-42");
  CapturedLog captured;
  Client client("shop-a", Limits{});

  Request request;
  request.url = base + "/wp-json/wc/v3/orders?consumer_key=ck_live_abc&consumer_secret=cs_live_def&status=processing" +
                "&note=registered-secret-42";
  request.headers = {{"Authorization", "Bearer bearer-token-xyz"}};
  request.body = "customer-address-in-body";
  REQUIRE(client.send(request).status == 200);

  auto text = captured.text();
  CHECK(text.find("DEBUG connection=shop-a GET ") != std::string::npos);
  CHECK(text.find("consumer_key=***&consumer_secret=***&status=processing&note=***") != std::string::npos);
  CHECK(text.find("-> 200 in ") != std::string::npos);
  for (const char* leak : {"ck_live_abc", "cs_live_def", "registered-secret-42", "bearer-token-xyz",
                           "customer-address-in-body", "reply-body"}) {
    INFO(leak);
    CHECK(text.find(leak) == std::string::npos);
  }
}
