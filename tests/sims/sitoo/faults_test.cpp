// Fault knobs, counters and the simulator-only /__sim/ endpoints over real
// HTTP (sitoo.md §10 item 3 and the brief's item 10).
#include <chrono>

#include "test_support.hpp"

using namespace sitoo_sim;
using namespace sitoo_sim::testing;

namespace {

json move_out(const Simulator& sim, const std::string& sku) {
  return json::array({{{"warehouseid", sim.warehouse_id()},
                       {"transactiontype", kTxMoveOut},
                       {"items", json::array({{{"sku", sku}, {"decimalquantity", "-1.000"}}})}}});
}

http::Response sim_call(const std::string& method, const std::string& url, const std::string& body = "") {
  http::Client client("sitoo-sim-test", no_retries());
  http::Request r;
  r.method = method;
  r.url = url;
  r.body = body;
  if (!body.empty()) r.headers.push_back({"Content-Type", "application/json"});
  return client.send(r);
}

}  // namespace

TEST_CASE("faults: rate_limit_next answers 429 with the error body, before auth, and applies nothing") {
  Simulator sim;
  sim.add_product("A-1", 5);
  sim.start();
  Api api(sim);
  Faults f;
  f.rate_limit_next = 2;
  sim.set_faults(f);
  auto a = api.post("/sites/1/warehousetransactions.json", move_out(sim, "A-1"));
  error_text(a, 429);
  error_text(api.send("GET", "/sites.json", "", false), 429);  // no credentials: still 429 first
  CHECK(sim.stock("A-1")->total == 5);
  CHECK(api.post("/sites/1/warehousetransactions.json", move_out(sim, "A-1")).status == 200);
  CHECK(sim.stock("A-1")->total == 4);
  auto c = sim.counters();
  CHECK(c.rate_limited == 2);
  CHECK(c.unauthorized == 0);
  CHECK(sim.faults().rate_limit_next == 0);
}

TEST_CASE("faults: fail_next answers 500 with the error body and applies nothing - error_rate 1 fails everything") {
  Simulator sim;
  sim.add_product("A-1", 5);
  sim.start();
  Api api(sim);
  Faults f;
  f.fail_next = 1;
  sim.set_faults(f);
  error_text(api.post("/sites/1/warehousetransactions.json", move_out(sim, "A-1")), 500);
  CHECK(sim.stock("A-1")->total == 5);
  CHECK(api.get("/sites.json").status == 200);

  f = Faults{};
  f.error_rate = 1.0;
  sim.set_faults(f);
  for (int i = 0; i < 3; ++i) error_text(api.get("/sites.json"), 500);
  sim.set_faults(Faults{});
  CHECK(api.get("/sites.json").status == 200);
  CHECK(sim.counters().errors_injected == 4);
}

TEST_CASE("faults: latency_ms delays answers") {
  Simulator sim;
  sim.start();
  Api api(sim);
  Faults f;
  f.latency_ms = 200;
  sim.set_faults(f);
  auto start = std::chrono::steady_clock::now();
  CHECK(api.get("/sites.json").status == 200);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  CHECK(ms >= 200);
}

TEST_CASE("counters: requests, reads and writes - reset_counters starts over") {
  Simulator sim;
  sim.add_product("A-1", 5);
  sim.start();
  Api api(sim);
  api.get("/sites.json");
  api.get(items_path(sim));
  api.post("/sites/1/warehousetransactions.json", move_out(sim, "A-1"));
  api.send("GET", "/sites.json", "", false);
  auto c = sim.counters();
  CHECK(c.requests == 4);
  CHECK(c.reads == 3);
  CHECK(c.writes == 1);
  CHECK(c.unauthorized == 1);
  CHECK(c.warehouse_item_reads == 1);
  CHECK(c.transactions_posted == 1);
  CHECK(c.transaction_items == 1);
  sim.reset_counters();
  CHECK(sim.counters().requests == 0);
}

TEST_CASE("/__sim/ (not part of Sitoo): counters, faults and shop-floor stock moves without auth") {
  Simulator sim;
  sim.add_product("A-1", 5);
  sim.start();
  const std::string root = sim.server_url() + "/__sim/";
  auto sale = sim_call("POST", root + "stock", R"({"action":"sale","sku":"A-1","quantity":2})");
  REQUIRE(sale.status == 200);
  auto level = json::parse(sale.body);
  CHECK(level["decimaltotal"] == "3.000");
  CHECK(level["warehousetransactionid"].is_number_integer());
  CHECK(json::parse(sim_call("POST", root + "stock", R"({"action":"count","sku":"A-1","quantity":9})").body)["decimaltotal"] ==
        "9.000");
  CHECK(json::parse(sim_call("POST", root + "stock", R"({"action":"receive","sku":"A-1","quantity":1})").body)["decimaltotal"] ==
        "10.000");
  CHECK(sim_call("POST", root + "stock", R"({"action":"sale","sku":"NOPE","quantity":1})").status == 400);
  auto got = json::parse(sim_call("GET", root + "stock?sku=A-1").body);
  CHECK(got["decimalavailable"] == "10.000");

  auto faults = sim_call("POST", root + "faults", R"({"rate_limit_next":1})");
  REQUIRE(faults.status == 200);
  CHECK(sim.faults().rate_limit_next == 1);
  Api api(sim);
  CHECK(api.get("/sites.json").status == 429);
  auto counters = json::parse(sim_call("GET", root + "counters").body);
  CHECK(counters["rate_limited"] == 1);
  CHECK(counters["requests"] == 1);  // /__sim/ calls are not API requests
  CHECK(sim_call("GET", root + "nothing").status == 404);
}
