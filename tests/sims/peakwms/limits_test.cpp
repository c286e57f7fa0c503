// Rate limit per key and injected 500s over real HTTP (peakwms.md §7 item 7).
#include <chrono>
#include <thread>

#include "test_support.hpp"

using namespace peakwms_sim;
using namespace peakwms_sim::testing;

TEST_CASE("rate limit: requests over the limit in a window get 429 with Retry-After, per key") {
  Options o;
  o.integrations = 2;
  o.rate_limit = 3;
  o.rate_window_ms = 400;
  Simulator sim(o);
  sim.start();
  Api shop1(sim, 0), shop2(sim, 1);
  for (int i = 0; i < 3; ++i) CHECK(shop1.get("/ping").status == 200);
  auto limited = shop1.get("/ping");
  CHECK(message_of(limited, 429).find("Rate limit") != std::string::npos);
  CHECK(limited.header("Retry-After") == "1");
  CHECK(shop2.get("/ping").status == 200);  // another key has its own window
  CHECK(sim.counters().rate_limited == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  CHECK(shop1.get("/ping").status == 200);  // a new window
}

TEST_CASE("rate limit: the default is 240 a minute and it can be switched off") {
  SECTION("default") {
    Simulator sim;
    sim.start();
    Api api(sim);
    int ok = 0;
    for (int i = 0; i < 240; ++i) ok += api.get("/ping").status == 200 ? 1 : 0;
    CHECK(ok == 240);
    message_of(api.get("/ping"), 429);
  }
  SECTION("off") {
    Options o;
    o.rate_limit_enabled = false;
    o.rate_limit = 1;
    Simulator sim(o);
    sim.start();
    Api api(sim);
    for (int i = 0; i < 5; ++i) CHECK(api.get("/ping").status == 200);
  }
}

TEST_CASE("faults: fail_next answers 500 and applies nothing, error_rate 1 fails every request") {
  Simulator sim;
  sim.start();
  Api api(sim);
  Faults f;
  f.fail_next = 1;
  sim.set_faults(f);
  message_of(api.post("/product", Api::product("P1", "", "SKU-1")), 500);
  CHECK(sim.product_count() == 0);
  CHECK(api.post("/product", Api::product("P1", "", "SKU-1")).status == 200);  // the retry goes through
  CHECK(sim.counters().errors_injected == 1);
  f = Faults{};
  f.error_rate = 1.0;
  sim.set_faults(f);
  message_of(api.get("/ping"), 500);
  sim.set_faults(Faults{});
  CHECK(api.get("/ping").status == 200);
}

TEST_CASE("faults: latency holds the answer back") {
  Simulator sim;
  sim.start();
  Api api(sim);
  Faults f;
  f.latency_ms = 150;
  sim.set_faults(f);
  auto t0 = std::chrono::steady_clock::now();
  CHECK(api.get("/ping").status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(140));
}
