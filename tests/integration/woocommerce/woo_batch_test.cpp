// The delivery batch window (engine.batch_window_ms) with WooCommerce shops:
// a burst of changes reaches each shop in full batches of 100, a single
// change is sent at once, and commands waiting for a fuller batch neither
// hold up a stop nor get lost by it.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "engine/batch_window.hpp"
#include "woo_hub.hpp"

using namespace woo_test;

namespace {

std::string engine_yaml(int window_ms) {
  return "engine: {settle_ms: 300, retry_base_ms: 50, retry_max_ms: 400, max_attempts: 50, "
         "default_poll_seconds: 3600, batch_window_ms: " +
         std::to_string(window_ms) + "}\n";
}

std::string sku(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "BW%04d", i);
  return b;
}

void seed(WooHub& w, int n, int qty) {
  for (const auto& s : w.shops())
    for (int i = 0; i < n; ++i) w.shop(s).add_simple(sku(i), qty);
}

// What the hub logged since entry `after_id`, per shop: "kind/result" -> count
// (shown when a burst took more requests than it should).
std::string log_tally(WooHub& w, std::int64_t after_id) {
  std::lock_guard lock(w.hub().store_mutex());
  stockrelay::store::LogQuery q;
  q.after_id = after_id;
  q.limit = 1000000;
  std::map<std::string, std::map<std::string, int>> tally;
  std::vector<int> sales_per_s;  // how dense the burst reached the hub
  std::int64_t first_sale = 0;
  for (const auto& e : w.hub().store().log(q)) {
    ++tally[e.connection][e.kind + "/" + e.result];
    if (e.kind != "sale") continue;
    if (!first_sale) first_sale = e.at;
    auto s = static_cast<std::size_t>((e.at - first_sale) / 1000);
    if (sales_per_s.size() <= s) sales_per_s.resize(s + 1);
    ++sales_per_s[s];
  }
  std::string out = "\n  sales counted per second:";
  for (int n : sales_per_s) out += " " + std::to_string(n);
  for (const auto& [conn, kinds] : tally) {
    out += "\n  " + (conn.empty() ? std::string("(none)") : conn) + ":";
    for (const auto& [k, n] : kinds) out += " " + k + "=" + std::to_string(n);
  }
  return out;
}

std::int64_t last_log_id(WooHub& w) {
  std::lock_guard lock(w.hub().store_mutex());
  stockrelay::store::LogQuery q;
  q.limit = 1;
  auto last = w.hub().store().log(q);
  return last.empty() ? 0 : last.back().id;
}

double windows_opened(const std::string& connection) {
  return stockrelay::Metrics::global().value("stockrelay_batch_windows_total", {{"connection", connection}});
}

}  // namespace

TEST_CASE("batch window: a single sale goes out at once, a burst of sales in full batches") {
  const int window_ms = 2000;
  const int burst = 250;  // WooCommerce batches hold 100: 3 requests at best
  WooSetup s;
  s.engine_yaml = engine_yaml(window_ms);
  WooHub w(s);
  seed(w, burst, 50);
  w.start();
  w.settle();
  // Whatever the first sync queued is out of the window's view.
  std::this_thread::sleep_for(std::chrono::milliseconds(window_ms + 100));

  // A single sale: sparse, so no window opens and it is written at once.
  double windows_b = windows_opened("shop-b"), windows_c = windows_opened("shop-c");
  auto writes_b = w.shop("shop-b").counters().writes, writes_c = w.shop("shop-c").counters().writes;
  w.shop("shop-a").place_order({{sku(0), 1}});
  w.settle();
  CHECK(w.all_show(sku(0), 49));
  CHECK(w.shop("shop-b").counters().writes - writes_b == 1);
  CHECK(w.shop("shop-c").counters().writes - writes_c == 1);
  CHECK(windows_opened("shop-b") == windows_b);
  CHECK(windows_opened("shop-c") == windows_c);

  // A burst: one order per SKU, placed at once, their webhooks arriving one
  // by one. Sent as soon as anything was pending, this took one request per
  // few changes (50 and more here). With the window, the burst's first
  // changes go at once, one by one, until a quarter of a batch arrived
  // within the window (the stream is dense from then on); everything after
  // that goes in full batches.
  writes_b = w.shop("shop-b").counters().writes;
  writes_c = w.shop("shop-c").counters().writes;
  const auto reads_a = w.shop("shop-a").counters().reads;
  const auto log_from = last_log_id(w);
  const auto burst_t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < burst; ++i) w.shop("shop-a").place_order({{sku(i), 1}});
  w.settle(60000);
  const auto burst_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - burst_t0).count();
  for (int i = 0; i < burst; ++i) {
    INFO(sku(i));
    CHECK(w.all_show(sku(i), i == 0 ? 48 : 49));
  }
  const std::uint64_t floor = (burst + 99) / 100;
  const std::uint64_t before_dense = stockrelay::engine::dense_threshold(100);
  auto sent_b = w.shop("shop-b").counters().writes - writes_b;
  auto sent_c = w.shop("shop-c").counters().writes - writes_c;
  // Why, when it took more: how densely the sales reached the hub, and
  // what else it did meanwhile (SR_DUMP=1 prints it in any case).
  std::ostringstream why;
  why << "write requests: shop-b " << sent_b << ", shop-c " << sent_c << " (floor " << floor << "); the burst settled in " << burst_ms
      << " ms; shop-a was read " << w.shop("shop-a").counters().reads - reads_a << " times; the hub's log:"
      << log_tally(w, log_from);
  INFO(why.str());
  if (std::getenv("SR_DUMP")) std::cout << why.str() << "\n";
  CHECK(sent_b <= floor + before_dense);
  CHECK(sent_c <= floor + before_dense);
  CHECK(windows_opened("shop-b") > windows_b);
}

TEST_CASE("batch window: commands waiting for a fuller batch do not hold up a stop and go out after the restart") {
  // A window far longer than the test: without its timer cancelled, stop()
  // would wait for it (the quiet gap alone is 15 s).
  WooSetup s;
  s.engine_yaml = engine_yaml(60000);
  WooHub w(s);
  const int n = 150;
  seed(w, n, 20);
  w.start();
  w.settle();
  double before = windows_opened("shop-b");
  for (int i = 0; i < n; ++i) w.shop("shop-a").place_order({{sku(i), 1}});
  // Until shop-b's commands wait in a window.
  bool waiting = false;
  for (int i = 0; i < 2000 && !waiting; ++i) {
    if (windows_opened("shop-b") > before) {
      std::lock_guard lock(w.hub().store_mutex());
      waiting = w.hub().store().outbox_depth("shop-b") > 0;
    }
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(waiting);
  // Not quiet while commands wait in a window.
  CHECK_FALSE(w.hub().wait_quiet(200));

  auto t0 = std::chrono::steady_clock::now();
  w.stop();
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  INFO("stop took " << stop_ms << " ms");
  CHECK(stop_ms < 10000);  // a hang bound, far below the window: not a speed measure

  // The waiting commands stayed in the outbox and go out after the restart.
  w.start();
  w.settle(120000);
  for (int i = 0; i < n; ++i) {
    INFO(sku(i));
    CHECK(w.all_show(sku(i), 19));
  }
}
