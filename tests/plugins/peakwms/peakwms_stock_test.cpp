// Levels in: polling emits availableToSell per SKU, then only changes; a
// StockAdjust webhook makes the connector read the product at once, once
// for the copies every shop integration gets; bad webhooks are refused
// before anything is read; trouble is a retry.
#include <chrono>
#include <thread>

#include "peakwms_fixture.hpp"

using namespace peakwms_test;

namespace {

// A-1 in both shops, B-2 only in shop-a, C-3 only in shop-b.
void catalogue(Warehouse& w) {
  w.start();
  auto r = w.run_batch({upsert_cmd("u1", "shop-a", "A-1", "P-1"), upsert_cmd("u2", "shop-a", "B-2", "P-2"),
                        upsert_cmd("u3", "shop-b", "A-1", "P-71"), upsert_cmd("u4", "shop-b", "C-3", "P-73")});
  for (const auto& x : r) REQUIRE(x.outcome == sr::Outcome::Ok);
  w.sim.goods_received(w.wms_id(kShopA, "P-1"), 10);
  w.sim.goods_received(w.wms_id(kShopA, "P-2"), 4);
  w.pump();
  w.start();  // a new instance: nothing emitted yet
}

}  // namespace

TEST_CASE("a poll emits availableToSell per SKU, then only what changed") {
  Warehouse w;
  catalogue(w);
  auto first = w.poll();
  auto levels = of_kind<sr::StockLevel>(first);
  REQUIRE(levels.size() == 3);  // A-1 seen through both keys is one SKU
  CHECK(level_of(first, "A-1")->quantity == q(10));
  CHECK(level_of(first, "B-2")->quantity == q(4));
  CHECK(level_of(first, "C-3")->quantity == q(0));
  CHECK(level_of(first, "A-1")->remote_id == std::to_string(w.wms_id(kShopA, "P-1")));
  for (const auto& l : levels) CHECK(l.read_at > 0);

  CHECK(of_kind<sr::StockLevel>(w.poll()).empty());

  // A reservation made by an order placed in PeakWMS, and goods received.
  w.api(kShopB, "POST", "/salesOrder",
        json{{"orderId", "manual-1"},
             {"orderLines", json::array({{{"orderLineId", "1"}, {"productId", "P-71"}, {"quantityRequested", 3}}})}});
  w.sim.goods_received(w.wms_id(kShopB, "P-73"), 6);
  auto after = w.poll();
  CHECK(of_kind<sr::StockLevel>(after).size() == 2);
  CHECK(level_of(after, "A-1")->quantity == q(7));
  CHECK(level_of(after, "C-3")->quantity == q(6));
  CHECK(level_of(after, "A-1")->version > level_of(first, "A-1")->version);

  CHECK(of_kind<sr::StockLevel>(w.poll(sr::PollMode::Reconcile)).size() == 3);
}

TEST_CASE("a poll pages through more products than one page holds") {
  Warehouse w;
  w.start({{"page_size", 7}});
  std::vector<sr::Command> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(upsert_cmd("u" + std::to_string(i), "shop-a", "S-" + std::to_string(i), "P-" + std::to_string(i)));
  w.run_batch(batch);
  w.start({{"page_size", 7}});
  CHECK(of_kind<sr::StockLevel>(w.poll()).size() == 20);
  CHECK(w.requests("GET", "/product?lastId=") == 3 + 1);  // shop-a: 7+7+6; shop-b: one empty page
}

TEST_CASE("goods received reach the hub through StockAdjust, read once for the copy each shop gets") {
  Warehouse w;
  catalogue(w);
  w.poll();
  w.host.clear_records();
  const std::int64_t id = w.wms_id(kShopA, "P-1");
  w.sim.goods_received(id, 5);
  auto calls = w.pump();
  REQUIRE(calls.size() == 2);  // one per shop integration that has A-1
  for (const auto& c : calls) CHECK(c.status == SR_OK);
  auto levels = of_kind<sr::StockLevel>(w.host.events());
  REQUIRE(levels.size() == 1);
  CHECK(levels[0].sku == "A-1");
  CHECK(levels[0].quantity == q(15));
  CHECK(w.requests("GET", "/product/") == 1);
  CHECK(w.sim.counters().webhook_failures == 0);

  SECTION("the same adjustment later than the window is read again") {
    w.host.clear_records();
    w.host.advance(11000);  // past the 10 s in which a repeat is a duplicate
    auto call = w.plugin->on_webhook(stock_adjust("shop-a", kToken, "P-1", id, 5, 15));
    CHECK(call.status == SR_OK);
    CHECK(of_kind<sr::StockLevel>(w.host.events()).size() == 1);
  }
}

TEST_CASE("a webhook with a wrong or missing token gets 401 and nothing is read") {
  Warehouse w;
  catalogue(w);
  w.host.clear_records();
  auto wrong = w.plugin->on_webhook(stock_adjust("shop-a", "hook-token-4712", "P-1", 1, 1, 11));
  CHECK(wrong.status == SR_INVALID);
  CHECK(wrong.response_status == 401);
  auto env = stock_adjust("shop-a", kToken, "P-1", 1, 1, 11);
  env["query"] = "shop=shop-a";
  CHECK(w.plugin->on_webhook(env).response_status == 401);
  CHECK(w.host.http_requests().empty());
  CHECK(w.host.events().empty());
}

TEST_CASE("a webhook for an unknown shop or with a body that is not a StockAdjust gets 400") {
  Warehouse w;
  catalogue(w);
  w.host.clear_records();
  auto unknown = w.plugin->on_webhook(stock_adjust("shop-x", kToken, "P-1", 1, 1, 11));
  CHECK(unknown.status == SR_INVALID);
  CHECK(unknown.response_status == 400);
  CHECK_THAT(unknown.response_body, Catch::Contains("unknown shop 'shop-x'"));
  CHECK(w.host.logged("PeakWMS webhook for unknown shop 'shop-x' refused", SR_LOG_WARN));

  auto env = stock_adjust("shop-a", kToken, "P-1", 1, 1, 11);
  env["body"] = "{not json";
  auto bad = w.plugin->on_webhook(env);
  CHECK(bad.response_status == 400);
  CHECK_THAT(bad.response_body, Catch::Contains("not a StockAdjust"));
  CHECK(w.host.logged("the body is not a StockAdjust", SR_LOG_WARN));
  CHECK(w.host.http_requests().empty());
}

TEST_CASE("a webhook whose read fails is answered 503, and its repeat is read") {
  Warehouse w;
  catalogue(w);
  w.host.clear_records();
  const std::int64_t id = w.wms_id(kShopA, "P-1");
  peakwms_sim::Faults f;
  f.fail_next = 1;
  w.sim.set_faults(f);
  auto env = stock_adjust("shop-a", kToken, "P-1", id, 0, 10);
  auto failed = w.plugin->on_webhook(env);
  CHECK(failed.status == SR_RETRY);  // the host answers 503
  CHECK(w.host.events().empty());
  auto again = w.plugin->on_webhook(env);  // not a duplicate: it was not read
  CHECK(again.status == SR_OK);
  REQUIRE(level_of(w.host.events(), "A-1"));
  CHECK(level_of(w.host.events(), "A-1")->quantity == q(10));
}

TEST_CASE("a 500 while polling is a retry, and the next poll emits everything") {
  Warehouse w;
  catalogue(w);
  peakwms_sim::Faults f;
  f.fail_next = 1;
  w.sim.set_faults(f);
  w.host.clear_records();
  CHECK(w.plugin->poll(sr::PollMode::Incremental) == SR_RETRY);
  CHECK_THAT(w.plugin->last_error(), Catch::Contains("answered 500"));
  CHECK(of_kind<sr::StockLevel>(w.poll()).size() == 3);
}

TEST_CASE("a 429 is a retry, and the key then waits Retry-After") {
  auto o = sim_options();
  o.rate_limit = 3;
  o.rate_window_ms = 60000;
  Warehouse w(o);
  // The connector believes in a higher limit than PeakWMS enforces.
  w.start({{"webhook_url", nullptr}, {"rate_limit", {{"requests", 100}, {"window_ms", 1000}}}});
  w.run(upsert_cmd("u1", "shop-a", "A-1", "P-1"));
  CHECK(w.plugin->poll(sr::PollMode::Incremental) == SR_OK);  // the 3rd request of shop-a
  w.host.clear_records();
  CHECK(w.plugin->poll(sr::PollMode::Incremental) == SR_RETRY);
  CHECK_THAT(w.plugin->last_error(), Catch::Contains("hit the rate limit of its key (429; retry after 60 s)"));
  CHECK(w.sim.counters().rate_limited == 1);
  // The next request with that key waits; stop() ends the wait at once.
  auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    w.plugin->stop();
  });
  CHECK(w.plugin->poll(sr::PollMode::Incremental) == SR_STOPPED);
  stopper.join();
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  CHECK(waited >= 250);
  CHECK(waited < 5000);
  CHECK(w.sim.counters().rate_limited == 1);
}

TEST_CASE("a SKU on two PeakWMS products is reported once and not mirrored") {
  auto o = sim_options();
  o.match_by_item_number = false;  // each shop's A-1 becomes a product of its own
  Warehouse w(o);
  w.start();
  w.run_batch({upsert_cmd("u1", "shop-a", "A-1", "P-1"), upsert_cmd("u2", "shop-b", "A-1", "P-71"),
               upsert_cmd("u3", "shop-a", "B-2", "P-2")});
  REQUIRE(w.sim.product_count() == 3);
  auto first = w.poll(sr::PollMode::Reconcile);
  CHECK_FALSE(level_of(first, "A-1"));
  CHECK(level_of(first, "B-2"));
  CHECK(w.host.logged("SKU 'A-1' is on more than one PeakWMS product", SR_LOG_WARN));
  w.poll(sr::PollMode::Reconcile);
  CHECK_FALSE(w.host.logged("SKU 'A-1' is on more than one PeakWMS product", SR_LOG_WARN));  // once

  w.host.clear_records();
  w.sim.goods_received(w.wms_id(kShopA, "P-1"), 2);
  w.pump();
  CHECK_FALSE(level_of(w.host.events(), "A-1"));
}
