// Fault knobs and counters over real HTTP (woocommerce.md §12 item 12).
#include <chrono>

#include "test_support.hpp"

using namespace woo_sim;
using namespace woo_sim::testing;

namespace {

struct Shop {
  explicit Shop(Options o = quick_options()) : sim(std::move(o)) { sim.start(); }
  Simulator sim;
};

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("faults: latency_ms slows every REST answer without blocking others") {
  Shop shop;
  Api api(shop.sim);
  Faults f;
  f.latency_ms = 250;
  shop.sim.set_faults(f);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      Api own(shop.sim);
      if (own.get("/products").status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  auto ms = elapsed_ms(start);
  CHECK(ok == 6);
  CHECK(ms >= 250);
  CHECK(ms < 1200);  // concurrent, not 6 x 250 ms in a row
  CHECK(error_code(api.get("/missing"), 404) == "rest_no_route");
}

TEST_CASE("faults: fail_next answers HTML 500 then 504 pages, then recovers") {
  Shop shop;
  shop.sim.add_simple("X", 1);
  Api api(shop.sim);
  Faults f;
  f.fail_next = 2;
  shop.sim.set_faults(f);
  auto a = api.put("/products/" + std::to_string(shop.sim.product("X")->id), {{"manage_stock", true}, {"stock_quantity", 9}});
  CHECK(a.status == 500);
  CHECK(a.header("content-type").starts_with("text/html"));
  CHECK(a.body.find("critical error") != std::string::npos);
  auto b = api.get("/products");
  CHECK(b.status == 504);
  CHECK(b.header("content-type").starts_with("text/html"));
  CHECK(api.get("/products").status == 200);
  CHECK(shop.sim.stock("X") == 1);  // the failed write was not applied
  CHECK(shop.sim.counters().errors_injected == 2);
  CHECK(shop.sim.faults().fail_next == 0);
}

TEST_CASE("faults: rate_limit_next answers 429 with Retry-After from the host layer, before auth") {
  Shop shop;
  Api api(shop.sim);
  Faults f;
  f.rate_limit_next = 1;
  shop.sim.set_faults(f);
  auto r = api.send("GET", "/products", "", {}, false);
  CHECK(r.status == 429);
  CHECK(r.header("retry-after") == "1");
  CHECK(r.header("content-type").starts_with("text/html"));
  CHECK(api.get("/products").status == 200);
}

TEST_CASE("faults: fail_batch_after_items applies that many items, then answers HTML 500") {
  Shop shop;
  for (int i = 1; i <= 5; ++i) shop.sim.add_simple("BF-" + std::to_string(i), 0);
  Api api(shop.sim);
  Faults f;
  f.fail_batch_after_items = 3;
  shop.sim.set_faults(f);
  json update = json::array();
  for (int i = 1; i <= 5; ++i) {
    update.push_back({{"id", shop.sim.product("BF-" + std::to_string(i))->id}, {"stock_quantity", 10 + i}});
  }
  auto r = api.post("/products/batch", {{"update", update}});
  CHECK(r.status == 500);
  CHECK(r.header("content-type").starts_with("text/html"));
  CHECK(shop.sim.stock("BF-1") == 11);
  CHECK(shop.sim.stock("BF-3") == 13);
  CHECK(shop.sim.stock("BF-4") == 0);
  CHECK(shop.sim.stock("BF-5") == 0);
  CHECK(shop.sim.faults().fail_batch_after_items == -1);  // one batch only
  CHECK(api.post("/products/batch", {{"update", update}}).status == 200);
  CHECK(shop.sim.stock("BF-5") == 15);
}

TEST_CASE("faults: error_rate 1 fails every request, 0 none") {
  Shop shop;
  Api api(shop.sim);
  Faults f;
  f.error_rate = 1.0;
  shop.sim.set_faults(f);
  for (int i = 0; i < 5; ++i) CHECK(api.get("/products").status == 500);
  shop.sim.set_faults(Faults{});
  CHECK(api.get("/products").status == 200);
  CHECK(shop.sim.counters().errors_injected == 5);
}

TEST_CASE("faults: webhook drop, duplicate and reorder") {
  Options o;
  o.webhook_delay_ms = 100;  // a held delivery waits 2 x 100 + 50 ms
  Shop shop(o);
  shop.sim.add_simple("W1", 1);
  shop.sim.add_simple("W2", 1);
  Receiver rx;
  Api api(shop.sim);
  REQUIRE(api.post("/webhooks", {{"topic", "product.updated"}, {"delivery_url", rx.url()}, {"secret", "k"}}).status == 201);

  Faults f;
  f.webhook_drop_rate = 1.0;
  shop.sim.set_faults(f);
  shop.sim.set_stock("W1", 2);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  CHECK(rx.deliveries().empty());
  CHECK(shop.sim.counters().webhooks_dropped == 1);

  f = Faults{};
  f.webhook_duplicate_rate = 1.0;
  shop.sim.set_faults(f);
  shop.sim.set_stock("W1", 3);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto dup = rx.deliveries();
  REQUIRE(dup.size() == 2);
  CHECK(dup[0].body == dup[1].body);
  CHECK(shop.sim.counters().webhooks_sent == 2);

  rx.clear();
  f = Faults{};
  f.webhook_reorder_rate = 1.0;
  shop.sim.set_faults(f);
  shop.sim.set_stock("W1", 4);  // picked at ~100 ms and held until ~350 ms
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  shop.sim.set_faults(Faults{});
  shop.sim.set_stock("W2", 4);
  REQUIRE(shop.sim.wait_webhooks_idle(5000));
  auto order = rx.deliveries();
  REQUIRE(order.size() == 2);
  CHECK(json::parse(order[0].body)["sku"] == "W2");  // W1 was held back behind it
  CHECK(json::parse(order[1].body)["sku"] == "W1");
}

TEST_CASE("counters: REST traffic and the simulator-only /__sim/counters endpoint") {
  Shop shop;
  shop.sim.add_simple("C", 1);
  Api api(shop.sim);
  api.get("/products");
  api.put("/products/" + std::to_string(shop.sim.product("C")->id), {{"manage_stock", true}, {"stock_quantity", 4}});
  api.post("/products/batch", {{"update", {{{"id", shop.sim.product("C")->id}, {"stock_quantity", 5}}}}});
  api.send("GET", "/products", "", {}, false);
  auto c = shop.sim.counters();
  CHECK(c.requests == 4);
  CHECK(c.reads == 2);
  CHECK(c.writes == 2);
  CHECK(c.batch_requests == 1);
  CHECK(c.batch_items == 1);
  CHECK(c.unauthorized == 1);
  CHECK(c.stock_writes == 2);

  // No auth, not counted as REST traffic.
  auto r = api.send("GET", api.base() + "/__sim/counters", "", {}, false);
  CHECK(r.status == 200);
  auto j = body_of(r);
  CHECK(j["requests"] == 4);
  CHECK(j["stock_writes"] == 2);
  CHECK(j.contains("webhooks_sent"));
  shop.sim.reset_counters();
  CHECK(shop.sim.counters().requests == 0);
}

TEST_CASE("sim endpoints: faults, checkout and stock edits for out-of-process use") {
  Shop shop;
  shop.sim.add_simple("S", 5);
  Api api(shop.sim);
  auto f = api.send("POST", api.base() + "/__sim/faults", R"({"fail_next":1})", {}, false);
  CHECK(f.status == 200);
  CHECK(shop.sim.faults().fail_next == 1);
  CHECK(api.get("/products").status == 500);
  auto o = api.send("POST", api.base() + "/__sim/orders", R"({"lines":[{"sku":"S","quantity":2}]})", {}, false);
  CHECK(o.status == 201);
  CHECK(shop.sim.stock("S") == 3);
  CHECK(api.send("POST", api.base() + "/__sim/stock", R"({"sku":"S","stock":40})", {}, false).status == 200);
  CHECK(shop.sim.stock("S") == 40);
  CHECK(api.send("GET", api.base() + "/not-rest", "", {}, false).status == 404);
}

TEST_CASE("bookkeeping: a REST stock write made without reading a merchant's edit first is counted as erasing it") {
  Shop shop;
  shop.sim.add_simple("X", 10);
  Api api(shop.sim);
  const std::string url = "/products/" + std::to_string(shop.sim.product("X")->id);
  // Read, then the merchant edits, then a write based on the old read: the edit is gone.
  REQUIRE(api.get(url).status == 200);
  shop.sim.adjust_stock("X", 3);
  REQUIRE(api.put(url, {{"stock_quantity", 7}}).status == 200);
  CHECK(shop.sim.stock("X") == 7);
  CHECK(shop.sim.counters().manual_overwritten == 1);
  CHECK(shop.sim.manual_lost().at("X") == 3);
  // Writing the same number it already shows still replaces an unseen edit.
  shop.sim.adjust_stock("X", -2);  // 5
  REQUIRE(api.put(url, {{"stock_quantity", 5}}).status == 200);
  CHECK(shop.sim.manual_lost().at("X") == 1);
  CHECK(shop.sim.counters().manual_overwritten == 2);
  // An edit a read has shown is not erased unseen: the writer knew it.
  shop.sim.adjust_stock("X", 4);  // 9
  REQUIRE(api.get("/products?sku=X").status == 200);
  REQUIRE(api.put(url, {{"stock_quantity", 8}}).status == 200);
  CHECK(shop.sim.counters().manual_overwritten == 2);
  CHECK(shop.sim.manual_lost().at("X") == 1);

  // Every change of the stock, in order, with its cause.
  auto order = shop.sim.place_order({{"X", 2}});
  auto h = shop.sim.stock_history("X");
  // (the write of 5 over 5 changed nothing and is not listed)
  REQUIRE(h.size() == 6);
  CHECK(h[0].cause == "merchant");
  CHECK(h[0].before == 10);
  CHECK(h[0].after == 13);
  CHECK(h[1].cause == "REST write");
  CHECK(h[1].after == 7);
  CHECK(h[2].after == 5);
  CHECK(h[3].after == 9);
  CHECK(h[4].cause == "REST write");
  CHECK(h[4].after == 8);
  CHECK(h[5].cause == "order " + std::to_string(order));
  CHECK(h[5].after == 6);
  CHECK(shop.sim.stock_history("NOPE").empty());
}
