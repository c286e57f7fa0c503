// The JSON envelope a connector exchanges with the host's http service.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/encoding.hpp"
#include "http/envelope.hpp"

using namespace stockrelay;
using namespace stockrelay::http;
using nlohmann::json;

namespace {

std::string error_of(const std::string& envelope) {
  auto r = request_from_json(envelope);
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

}  // namespace

TEST_CASE("a request envelope becomes a request with every field") {
  auto r = request_from_json(R"({
    "method": "put", "url": "https://shop.example/wp-json/wc/v3/products/7",
    "headers": {"Content-Type": "application/json", "X-Tag": ["a", "b"]},
    "body": "{\"stock_quantity\":5}", "timeout_ms": 1500,
    "basic_auth": {"user": "ck_1", "password": "cs_2"}, "future_field": true})");
  REQUIRE(r.ok());
  CHECK(r->method == "PUT");
  CHECK(r->url == "https://shop.example/wp-json/wc/v3/products/7");
  CHECK(r->body == R"({"stock_quantity":5})");
  CHECK(r->timeout_ms == 1500);
  REQUIRE(r->headers.size() == 4);
  CHECK(r->headers[0].name == "Content-Type");
  CHECK(r->headers[1].value == "a");
  CHECK(r->headers[2].value == "b");
  CHECK(r->headers[3].name == "Authorization");
  CHECK(r->headers[3].value == "Basic " + base64_encode("ck_1:cs_2"));
}

TEST_CASE("a minimal request envelope is a 30 s GET, and a binary body arrives intact") {
  auto r = request_from_json(R"({"url":"http://127.0.0.1:9/x"})");
  REQUIRE(r.ok());
  CHECK(r->method == "GET");
  CHECK(r->timeout_ms == 30000);
  CHECK(r->body.empty());

  const std::string bytes("\x00\xff\xfe binary", 10);
  auto b = request_from_json(json{{"method", "POST"}, {"url", "https://x/"}, {"body_base64", base64_encode(bytes)}}.dump());
  REQUIRE(b.ok());
  CHECK(b->body == bytes);
}

TEST_CASE("request envelope errors name the field") {
  CHECK(error_of("not json") .find("http request: not valid JSON") == 0);
  CHECK(error_of("[1]") == "http request: must be a JSON object");
  CHECK(error_of(R"({})") == "http request: 'url' is required");
  CHECK(error_of(R"({"url": 7})") == "http request: 'url' must be a string");
  CHECK(error_of(R"({"url": "file:///etc/passwd"})") == "http request: 'url' must start with http:// or https://");
  CHECK(error_of(R"({"url": "http://x", "method": 1})") == "http request: 'method' must be a string");
  CHECK(error_of(R"({"url": "http://x", "method": "GE T"})").find("'method' must be letters only") != std::string::npos);
  CHECK(error_of(R"({"url": "http://x", "headers": []})").find("'headers' must be an object") != std::string::npos);
  CHECK(error_of(R"({"url": "http://x", "headers": {"X": 1}})") ==
        "http request: 'headers.X' must be a string or an array of strings");
  CHECK(error_of(R"({"url": "http://x", "headers": {"X": ["a", 2]}})") ==
        "http request: 'headers.X' must contain strings only");
  CHECK(error_of(R"({"url": "http://x", "headers": {"X": "a\r\nInjected: 1"}})").find("line break") !=
        std::string::npos);
  CHECK(error_of(R"({"url": "http://x", "headers": {"Bad Name": "v"}})").find("not a valid token") !=
        std::string::npos);
  CHECK(error_of(R"({"url": "http://x", "body": {"a": 1}})").find("'body' must be a string") != std::string::npos);
  CHECK(error_of(R"({"url": "http://x", "body": "a", "body_base64": "YQ=="})") ==
        "http request: give 'body' or 'body_base64', not both");
  CHECK(error_of(R"({"url": "http://x", "body_base64": "Y!=="})") == "http request: 'body_base64' is not valid base64");
  CHECK(error_of(R"({"url": "http://x", "timeout_ms": 0})").find("'timeout_ms' must be") != std::string::npos);
  CHECK(error_of(R"({"url": "http://x", "timeout_ms": 1.5})").find("'timeout_ms' must be") != std::string::npos);
  CHECK(error_of(R"({"url": "http://x", "basic_auth": {"user": "u"}})") ==
        "http request: 'basic_auth.password' must be a string");
  CHECK(error_of(R"({"url": "http://x", "headers": {"authorization": "Bearer t"},
                     "basic_auth": {"user": "u", "password": "p"}})") ==
        "http request: give 'basic_auth' or an Authorization header, not both");
}

TEST_CASE("a response envelope carries status, grouped headers, body and the exchange facts") {
  Response r;
  r.status = 200;
  r.headers = {{"x-wp-total", "12"}, {"link", "<a>; rel=next"}, {"link", "<b>; rel=last"}};
  r.body = R"([{"id":1,"name":"Café"}])";
  r.attempts = 2;
  r.elapsed_ms = 37;
  auto j = json::parse(response_to_json(r));
  CHECK(j["status"] == 200);
  CHECK(j["headers"]["x-wp-total"] == "12");
  CHECK(j["headers"]["link"] == json::array({"<a>; rel=next", "<b>; rel=last"}));
  CHECK(j["body"] == r.body);
  CHECK_FALSE(j.contains("body_base64"));
  CHECK(j["error"] == "");
  CHECK(j["attempts"] == 2);
  CHECK(j["elapsed_ms"] == 37);
}

TEST_CASE("a body that is not UTF-8 travels as body_base64") {
  Response r;
  r.status = 200;
  r.body = std::string("\x89PNG\r\n\x1a\n\x00", 9);
  auto j = json::parse(response_to_json(r));
  CHECK_FALSE(j.contains("body"));
  CHECK(base64_decode(j["body_base64"].get<std::string>()) == r.body);

  Response failed;
  failed.error = "stopped";
  CHECK(json::parse(response_to_json(failed))["error"] == "stopped");
}

TEST_CASE("base64 and UTF-8 checks follow the standards") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_decode("Zm9vYmE=") == "fooba");
  CHECK_FALSE(base64_decode("Zm9"));
  CHECK_FALSE(base64_decode("Zm=v"));
  CHECK_FALSE(base64_decode("Zg==Zg=="));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("Café – 日本 😀"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xe6\x97"));          // truncated
}
