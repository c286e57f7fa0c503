// The plain-data rules under the client and server: retry decisions,
// Retry-After, backoff, the token bucket and route matching.
#include <catch2/catch.hpp>

#include "common/clock.hpp"
#include "http/rate_limit.hpp"
#include "http/retry.hpp"
#include "http/router.hpp"

using namespace stockrelay;
using namespace stockrelay::http;

namespace {

Request with_method(std::string method) {
  Request r;
  r.method = std::move(method);
  r.url = "https://shop.example/x";
  return r;
}

AttemptOutcome answered(int status, std::string retry_after = "") {
  AttemptOutcome o;
  o.status = status;
  o.retry_after = std::move(retry_after);
  return o;
}

AttemptOutcome transport(bool sent) {
  AttemptOutcome o;
  o.transport_error = true;
  o.request_sent = sent;
  return o;
}

constexpr Millis kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

}  // namespace

TEST_CASE("only idempotent requests are retried on 5xx and timeouts") {
  Limits limits;
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}) {
    INFO(m);
    CHECK(retry_delay(with_method(m), answered(503), 0, limits, kNow, 0.5).has_value());
    CHECK(retry_delay(with_method(m), transport(true), 0, limits, kNow, 0.5).has_value());
  }
  for (const char* m : {"POST", "PATCH"}) {
    INFO(m);
    CHECK_FALSE(retry_delay(with_method(m), answered(503), 0, limits, kNow, 0.5));
    CHECK_FALSE(retry_delay(with_method(m), transport(true), 0, limits, kNow, 0.5));
    auto keyed = with_method(m);
    keyed.headers.push_back({"idempotency-key", "k-1"});
    CHECK(retry_delay(keyed, answered(503), 0, limits, kNow, 0.5).has_value());
  }
}

TEST_CASE("a request that never reached the server is retried whatever its method") {
  CHECK(retry_delay(with_method("POST"), transport(false), 0, Limits{}, kNow, 0.5).has_value());
  AttemptOutcome hopeless = transport(false);
  hopeless.retry_cannot_help = true;
  CHECK_FALSE(retry_delay(with_method("GET"), hopeless, 0, Limits{}, kNow, 0.5));
}

TEST_CASE("client errors and permanent server errors are final") {
  for (int status : {200, 201, 301, 400, 401, 404, 409, 422, 501, 505}) {
    INFO(status);
    CHECK_FALSE(retry_delay(with_method("GET"), answered(status), 0, Limits{}, kNow, 0.5));
  }
  CHECK(retry_delay(with_method("GET"), answered(408), 0, Limits{}, kNow, 0.5).has_value());
}

TEST_CASE("429 is retried for every method and Retry-After is honoured up to retry_max_ms") {
  Limits limits;
  limits.retry_max_ms = 10000;
  CHECK(retry_delay(with_method("POST"), answered(429, "3"), 0, limits, kNow, 0.0) == 3000);
  CHECK(retry_delay(with_method("POST"), answered(429, "120"), 0, limits, kNow, 0.0) == 10000);
  // Without Retry-After: ordinary backoff.
  CHECK(retry_delay(with_method("POST"), answered(429), 0, limits, kNow, 0.5) == 100);
  // A 503's Retry-After counts too.
  CHECK(retry_delay(with_method("GET"), answered(503, "2"), 0, limits, kNow, 0.0) == 2000);
}

TEST_CASE("retries stop after max_retries") {
  Limits limits;
  limits.max_retries = 2;
  CHECK(retry_delay(with_method("GET"), answered(503), 1, limits, kNow, 0.5).has_value());
  CHECK_FALSE(retry_delay(with_method("GET"), answered(503), 2, limits, kNow, 0.5));
  CHECK_FALSE(retry_delay(with_method("GET"), answered(429, "1"), 2, limits, kNow, 0.5));
}

TEST_CASE("backoff is full jitter under a doubling ceiling capped at retry_max_ms") {
  Limits limits;
  limits.retry_base_ms = 200;
  limits.retry_max_ms = 1000;
  limits.max_retries = 100;
  auto delay = [&](int retries, double random) {
    return *retry_delay(with_method("GET"), answered(500), retries, limits, kNow, random);
  };
  CHECK(delay(0, 0.0) == 0);
  CHECK(delay(0, 0.5) == 100);
  CHECK(delay(0, 0.999) == 199);
  CHECK(delay(1, 0.999) == 399);
  CHECK(delay(2, 0.999) == 799);
  CHECK(delay(3, 0.999) == 999);   // 1600 capped to 1000
  CHECK(delay(30, 0.999) == 999);  // no overflow however many retries
}

TEST_CASE("Retry-After is read as seconds or as an HTTP-date") {
  CHECK(parse_retry_after("0", kNow) == 0);
  CHECK(parse_retry_after(" 5 ", kNow) == 5000);
  CHECK(parse_retry_after("99999999999999999999", kNow) == 86'400'000);
  // kNow is Tue, 14 Nov 2023 22:13:20 GMT.
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", kNow) == 30'000);
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", kNow) == 0);  // already past
  CHECK_FALSE(parse_retry_after("", kNow));
  CHECK_FALSE(parse_retry_after("-1", kNow));
  CHECK_FALSE(parse_retry_after("soon", kNow));
  CHECK_FALSE(parse_retry_after("Tue, 31 Feb 2023 22:13:50 GMT", kNow));
  CHECK_FALSE(parse_retry_after("Tuesday, 14-Nov-23 22:13:50 GMT", kNow));
}

TEST_CASE("the rate limit allows a one-second burst, then paces evenly") {
  FakeClock clock;
  TokenBucket bucket(10);  // 10 per second: burst 10, then one per 100 ms
  Millis t = clock.monotonic_ms();
  for (int i = 0; i < 10; ++i) CHECK(bucket.reserve(t) == 0);
  CHECK(bucket.reserve(t) == 100);
  CHECK(bucket.reserve(t) == 200);  // reservations queue behind each other
  clock.advance(1000);
  t = clock.monotonic_ms();
  // 1 s refilled 10 tokens, 2 of which were already promised.
  for (int i = 0; i < 8; ++i) CHECK(bucket.reserve(t) == 0);
  CHECK(bucket.reserve(t) == 100);
  clock.advance(60'000);  // a long idle refills only up to the burst
  t = clock.monotonic_ms();
  for (int i = 0; i < 10; ++i) CHECK(bucket.reserve(t) == 0);
  CHECK(bucket.reserve(t) > 0);
  CHECK(TokenBucket(0).reserve(t) == 0);  // unlimited
}

TEST_CASE("the longest matching route prefix owns a path and a wrong method there is 405") {
  Router<int> router;
  router.add("GET", "/", 1);
  router.add("POST", "/webhooks/", 2);
  router.add("GET", "/api", 3);
  router.add("*", "/api/orders", 4);
  router.add("GET", "/api/orders", 5);

  CHECK(*router.find("GET", "/").handler == 1);
  CHECK(*router.find("GET", "/anything").handler == 1);
  CHECK(*router.find("POST", "/webhooks/shop-a").handler == 2);
  CHECK(*router.find("GET", "/api").handler == 3);
  CHECK(*router.find("GET", "/api/x").handler == 3);
  CHECK(*router.find("GET", "/apix").handler == 1);  // prefixes match whole segments
  CHECK(*router.find("GET", "/api/orders/7").handler == 5);   // exact method beats "*"
  CHECK(*router.find("POST", "/api/orders/7").handler == 4);  // "*" takes the rest

  auto wrong = router.find("GET", "/webhooks/shop-a");
  CHECK(wrong.status == 405);
  CHECK(wrong.allow == "POST");
  CHECK(Router<int>().find("GET", "/").status == 404);
}
