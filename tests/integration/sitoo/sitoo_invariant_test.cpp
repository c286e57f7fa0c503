// The master-pool invariant with Sitoo and two WooCommerce shops: random
// concurrent web orders and cancels in the shops, manual edits there, till
// sales, goods received and stock counts in Sitoo, duplicated events, 429
// and 5xx bursts on every side, and one hub restart. After quiet, every
// shop shows Sitoo's available quantity for every SKU (never below zero),
// every web order the shops kept exists exactly once in Sitoo, and every
// cancelled one is cancelled there or was never sent.
//
// The seed is printed; rerun with SR_SEED=N to repeat a run.
#include <catch2/catch.hpp>

#include <atomic>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>
#include <stockrelay/text.hpp>

#include "http/client.hpp"
#include "sitoo_sim.hpp"
#include "sr_test_support.hpp"
#include "woo_hub.hpp"

using namespace woo_test;
using sr_test::seed_for_run;
using nlohmann::json;

namespace {

const std::vector<std::string> kSkus{"S-1", "S-2", "S-3", "TEE-S", "TEE-M"};
constexpr int kInitial = 300;

struct WebOrder {
  std::string shop;
  std::int64_t id = 0;
  bool cancelled = false;
};

}  // namespace

TEST_CASE("sitoo master invariant: every shop converges to Sitoo's available, every web order once in Sitoo") {
  unsigned seed = seed_for_run();
  std::cout << "sitoo master invariant seed: " << seed << " (repeat with SR_SEED=" << seed << ")" << std::endl;
  INFO("seed " << seed);

  unsigned short port = sr_test::free_port();
  sitoo_sim::Options so;
  so.events_url = "http://127.0.0.1:" + std::to_string(port) + "/hooks/sitoo";
  so.event_batch_window_ms = 5;
  so.event_retry_delays_ms = {200};
  so.seed = seed;
  sitoo_sim::Simulator sitoo(so);
  sitoo.start();
  for (const auto& sku : kSkus) sitoo.add_product(sku, kInitial);

  WooSetup s;
  s.shops = {"shop-a", "shop-b"};
  s.members = {"sitoo", "shop-a", "shop-b"};
  s.hub_port = port;
  s.engine_yaml =
      "engine: {settle_ms: 250, retry_base_ms: 40, retry_max_ms: 300, max_attempts: 1000, default_poll_seconds: 1}\n";
  s.connections_yaml = "  sitoo:\n    plugin: sitoo\n    settings: {base_url: \"" + sitoo.base_url() + "\", api_id: \"" +
                       sitoo.api_id() + "\", api_password: \"" + sitoo.password() + "\", warehouse_id: 1}\n";
  s.pool_yaml = "    master: sitoo\n";
  s.routes_yaml =
      "routes:\n  - name: web-orders\n    on: [order]\n    from: [shop-a, shop-b]\n    do:\n"
      "      - command: create_order\n        to: [sitoo]\n        options: {deliver: true}\n"
      "schedules:\n  - name: sitoo-poll\n    connections: [sitoo]\n    action: poll\n    every: 1s\n";
  WooHub w(s);
  for (const auto& shop : w.shops()) {
    for (const auto& sku : kSkus) w.shop(shop).add_simple(sku, kInitial);
    woo_sim::Faults f;  // the shops' webhooks are unreliable throughout
    f.webhook_drop_rate = 0.1;
    f.webhook_duplicate_rate = 0.1;
    f.webhook_reorder_rate = 0.2;
    w.shop(shop).set_faults(f);
  }
  w.start();
  w.settle(30000, [&] { sitoo.wait_events_idle(10000); });

  std::mutex mu;
  std::vector<WebOrder> orders;
  std::atomic<bool> running{true};
  std::atomic<int> errors{0};  // Catch2 is not thread-safe: count, check after join

  auto shopper = [&](const std::string& shop, unsigned seed_here) {
    std::mt19937 rng(seed_here);
    std::vector<WebOrder> mine;
    auto& sim = w.shop(shop);
    while (running) {
      int op = static_cast<int>(rng() % 20);
      const std::string& sku = kSkus[rng() % kSkus.size()];
      try {
        if (op < 10) {  // a paid web order of one or two SKUs
          std::vector<woo_sim::LineSpec> lines{{sku, 1 + static_cast<int>(rng() % 2)}};
          const std::string& other = kSkus[rng() % kSkus.size()];
          if (rng() % 3 == 0 && other != sku) lines.push_back({other, 1});
          mine.push_back({shop, sim.place_order(lines), false});
        } else if (op < 12 && !mine.empty()) {  // a cancel
          auto& o = mine[rng() % mine.size()];
          if (!o.cancelled) {
            sim.set_order_status(o.id, "cancelled");
            o.cancelled = true;
          }
        } else if (op < 16) {  // a manual edit in the shop: never reaches Sitoo
          sim.adjust_stock(sku, static_cast<int>(rng() % 11) - 5);
        } else if (op == 16) {  // the shop's host has a bad moment
          auto f = sim.faults();
          if (rng() % 2) f.fail_next = 1 + static_cast<int>(rng() % 3);
          else f.rate_limit_next = 1 + static_cast<int>(rng() % 3);
          sim.set_faults(f);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        std::cout << shop << ": " << e.what() << std::endl;
        ++errors;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 40));
    }
    std::lock_guard lock(mu);
    orders.insert(orders.end(), mine.begin(), mine.end());
  };

  auto floor = [&](unsigned seed_here) {
    std::mt19937 rng(seed_here);
    while (running) {
      int op = static_cast<int>(rng() % 10);
      const std::string& sku = kSkus[rng() % kSkus.size()];
      try {
        if (op < 4) {
          sitoo.pos_sale(sitoo.warehouse_id(), sku, 1 + rng() % 3);
        } else if (op < 6) {
          sitoo.goods_received(sitoo.warehouse_id(), sku, 1 + rng() % 10);
        } else if (op < 7) {
          sitoo.manual_count(sitoo.warehouse_id(), sku, sitoo.stock(sku)->total + static_cast<double>(rng() % 7) - 3);
        } else if (op < 8) {  // Sitoo has a bad moment, or sends an array twice
          sitoo_sim::Faults f = sitoo.faults();
          int pick = static_cast<int>(rng() % 3);
          if (pick == 0) f.rate_limit_next = 1 + static_cast<int>(rng() % 3);
          else if (pick == 1) f.fail_next = 1 + static_cast<int>(rng() % 2);
          else f.duplicate_events_next = 1;
          sitoo.set_faults(f);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        std::cout << "sitoo floor: " << e.what() << std::endl;
        ++errors;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10 + rng() % 60));
    }
  };

  std::mt19937 master(seed);
  std::vector<std::thread> threads;
  for (const auto& shop : w.shops()) threads.emplace_back(shopper, shop, static_cast<unsigned>(master()));
  threads.emplace_back(floor, static_cast<unsigned>(master()));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  w.stop();  // one restart in the middle of it all; webhooks and events meanwhile fail
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  w.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  running = false;
  for (auto& t : threads) t.join();
  CHECK(errors == 0);

  sitoo.set_faults({});
  for (const auto& shop : w.shops()) w.shop(shop).set_faults(woo_sim::Faults{});
  auto settle = [&] { w.settle(90000, [&] { sitoo.wait_events_idle(30000); }); };
  settle();
  w.hub().poll_all(true);  // a reconcile, as the nightly schedule does
  settle();

  for (const auto& sku : kSkus) {
    auto level = sitoo.stock(sku);
    REQUIRE(level);
    int want = std::max(0, static_cast<int>(level->available));
    INFO("SKU " << sku << ": Sitoo total " << level->total << ", reserved " << level->reserved << ", available "
                << level->available);
    for (const auto& [shop, shows] : w.stock(sku)) {
      INFO(shop << " shows " << (shows ? std::to_string(*shows) : "nothing"));
      CHECK(shows == want);
    }
  }

  // Every web order in Sitoo exactly once (cancelled ones: cancelled there,
  // or never sent).
  stockrelay::http::Client client("sitoo-invariant", {});
  std::map<std::string, std::vector<json>> in_sitoo;  // externalid -> orders
  for (int start = 0;; start += 500) {
    stockrelay::http::Request r;
    r.url = sitoo.base_url() + "/sites/1/orders.json?fields=orderid,externalid,orderstateid&num=500&start=" +
            std::to_string(start);
    r.headers.push_back({"Authorization", "Basic " + sr::base64(sitoo.api_id() + ":" + sitoo.password())});
    auto resp = client.send(r);
    REQUIRE(resp.status == 200);
    auto page = json::parse(resp.body);
    for (const auto& o : page["items"]) in_sitoo[o.value("externalid", std::string())].push_back(o);
    if (page["items"].size() < 500) break;
  }
  INFO(orders.size() << " web orders placed");
  CHECK(orders.size() > 30);
  int kept = 0;
  for (const auto& o : orders) {
    const std::string external = o.shop + "-" + std::to_string(o.id);
    auto it = in_sitoo.find(external);
    INFO("web order " << external << (o.cancelled ? " (cancelled)" : ""));
    if (!o.cancelled) {
      ++kept;
      REQUIRE(it != in_sitoo.end());
      CHECK(it->second.size() == 1);
      CHECK(it->second[0]["orderstateid"] != 20);
    } else if (it != in_sitoo.end()) {
      CHECK(it->second.size() == 1);
      CHECK(it->second[0]["orderstateid"] == 20);
    }
  }
  CHECK(kept > 20);
  CHECK(in_sitoo.size() <= orders.size());  // nothing in Sitoo the shops did not sell
}
