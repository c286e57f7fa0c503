// The pool invariant (docs/ARCHITECTURE.md): after random concurrent sales,
// cancels, refunds and manual changes in three shops, with webhooks dropped,
// duplicated and reordered, shops answering RETRY, and one hub restart, every
// shop shows initial + adjustments − sold for every SKU once things go quiet.
//
// The seed is printed; rerun with --rng-seed N (or SR_SEED=N) to repeat a run.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "hub_fixture.hpp"
#include "sr_test_support.hpp"
#include "shop_file.hpp"

using namespace hub_test;
using sr_test::seed_for_run;
using memory_shop::Stock;

namespace {

const std::vector<std::string> kShops{"shop-a", "shop-b", "shop-c"};
const std::vector<std::string> kSkus{"S-1", "S-2", "S-3", "S-4"};
constexpr long kInitial = 300;  // enough that no SKU oversells (a shop never shows below 0)

// The merchant types "+delta" into the stock field: applied atomically under
// the shop's lock, so the intended adjustment is exactly `delta`.
std::string manual_adjust(const std::string& file, const std::string& sku, long delta) {
  std::string what;
  memory_shop::file::update(file, [&](memory_shop::State& s) {
    auto& p = s.products.at(sku);
    what = p.quantity.to_string() + " -> ";
    p.quantity += q(delta);
    p.revision = ++s.revision;
    what += p.quantity.to_string() + " at revision " + std::to_string(p.revision);
    return true;
  });
  return what;
}

struct Webhook {
  std::string shop, topic, id;
};

}  // namespace

TEST_CASE("pool invariant: every shop converges to initial + adjustments - sold") {
  unsigned seed = seed_for_run();
  std::cout << "pool invariant seed: " << seed << " (repeat with SR_SEED=" << seed << ")" << std::endl;
  INFO("seed " << seed);

  HubSetup setup;
  setup.engine_yaml =
      "engine: {settle_ms: 250, retry_base_ms: 40, retry_max_ms: 300, max_attempts: 1000, default_poll_seconds: 1}\n";
  HubFixture f(setup);
  for (const auto& s : kShops)
    for (const auto& sku : kSkus) REQUIRE(f.shop(s).create_product(sku, q(kInitial)).ok());
  f.start();
  f.sync();

  std::mutex mu;  // guards adjustments, webhooks
  std::map<std::string, long> adjustments;
  std::vector<Webhook> webhooks;
  std::vector<std::string> manual_log;
  std::atomic<bool> running{true};
  std::atomic<int> refused{0};  // Catch2 assertions are not thread-safe: count, check after join

  auto merchant = [&](const std::string& shop, unsigned s) {
    std::mt19937 rng(s);
    std::vector<std::string> open_orders;
    int n = 0;
    while (running) {
      int op = static_cast<int>(rng() % 10);
      std::string sku = kSkus[rng() % kSkus.size()];
      if (op < 5) {  // a sale, sometimes of two SKUs
        std::string id = shop + "-" + std::to_string(++n);
        std::vector<memory_shop::LineItem> lines{{sku, q(1 + static_cast<long>(rng() % 3))}};
        if (rng() % 3 == 0) lines.push_back({kSkus[rng() % kSkus.size()], q(1)});
        if (lines.size() == 2 && lines[1].sku == lines[0].sku) lines.pop_back();
        if (!f.shop(shop).place_order(id, lines).ok()) ++refused;
        open_orders.push_back(id);
        std::lock_guard lock(mu);
        webhooks.push_back({shop, "order.updated", id});
      } else if (op < 6 && !open_orders.empty()) {  // a cancel
        std::size_t i = rng() % open_orders.size();
        if (!f.shop(shop).cancel_order(open_orders[i]).ok()) ++refused;
        std::lock_guard lock(mu);
        webhooks.push_back({shop, "order.updated", open_orders[i]});
        open_orders.erase(open_orders.begin() + static_cast<long>(i));
      } else if (op < 7 && !open_orders.empty()) {  // a refund of one unit, restocked or not
        const auto& id = open_orders[rng() % open_orders.size()];
        auto r = f.shop(shop).refund_line(id, "1", q(1), rng() % 2 == 0);
        if (r.ok()) {
          std::lock_guard lock(mu);
          webhooks.push_back({shop, "order.updated", id});
        }
      } else if (op < 9) {  // a manual change
        long delta = static_cast<long>(rng() % 11) - 5;
        if (delta == 0) delta = 3;
        std::string what = manual_adjust(f.shop(shop).path(), sku, delta);
        std::lock_guard lock(mu);
        manual_log.push_back(sku + " " + shop + " " + what + " at " +
                             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count()));
        adjustments[sku] += delta;
        webhooks.push_back({shop, "product.updated", sku});
      } else if (rng() % 4 == 0) {  // the shop has a bad moment
        f.shop(shop).set_retry_next(1 + static_cast<int>(rng() % 3));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 40));
    }
  };

  // Webhooks arrive late, out of order, twice, or never (polling catches up).
  std::atomic<bool> hub_up{true};
  auto courier = [&](unsigned s) {
    std::mt19937 rng(s);
    while (running) {
      std::vector<Webhook> batch;
      {
        std::lock_guard lock(mu);
        batch.swap(webhooks);
      }
      std::shuffle(batch.begin(), batch.end(), rng);
      for (const auto& w : batch) {
        int fate = static_cast<int>(rng() % 10);
        if (fate == 0 || !hub_up) continue;  // dropped
        f.webhook(w.shop, w.topic, w.id);
        if (fate == 1 && hub_up) f.webhook(w.shop, w.topic, w.id);  // duplicated
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 60));
    }
  };

  std::mt19937 master(seed);
  std::vector<std::thread> threads;
  for (const auto& s : kShops) threads.emplace_back(merchant, s, static_cast<unsigned>(master()));
  threads.emplace_back(courier, static_cast<unsigned>(master()));

  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  hub_up = false;  // one restart in the middle of it all
  f.stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  f.start();
  hub_up = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  running = false;
  for (auto& t : threads) t.join();
  CHECK(refused == 0);

  for (const auto& s : kShops) f.shop(s).set_retry_next(0);
  f.sync(60000);
  f.sync(60000);

  // What the shops' own order books say was sold, line by line.
  std::map<std::string, long> sold_milli;
  std::size_t orders = 0;
  for (const auto& s : kShops) {
    for (const auto& o : f.shop(s).orders()) {
      ++orders;
      if (o.stock != Stock::Held) continue;
      for (const auto& l : o.lines) sold_milli[l.sku] += (l.quantity - l.restocked).milli();
    }
  }
  INFO(orders << " orders placed");
  CHECK(orders > 20);
  for (const auto& sku : kSkus) {
    auto expected = q(kInitial + adjustments[sku]) - sr::Quantity::from_milli(sold_milli[sku]);
    INFO("SKU " << sku << ": initial " << kInitial << " + adjustments " << adjustments[sku] << " - sold "
                << sr::Quantity::from_milli(sold_milli[sku]).to_string() << " = " << expected.to_string());
    bool converged = true;
    for (const auto& [shop, level] : f.levels(sku)) {
      INFO(shop << " shows " << level.to_string());
      CHECK(level == expected);
      converged = converged && level == expected;
    }
    if (!converged && std::getenv("SR_DUMP")) {
      std::lock_guard lock(f.hub().store_mutex());
      stockrelay::store::LogQuery lq;
      lq.sku = sku;
      lq.limit = 100000;
      for (const auto& m : manual_log)
        if (m.rfind(sku + " ", 0) == 0) std::cout << "MANUAL " << m << "\n";
      std::map<std::string, long> by_order;  // milli counted per order, by the hub's log
      for (const auto& e : f.hub().store().log(lq))
        if ((e.kind == "sale" || e.kind == "restore") && e.old_quantity && e.new_quantity)
          by_order[e.order_id] += (*e.old_quantity - *e.new_quantity).milli();
      for (const auto& s : kShops)
        for (const auto& o : f.shop(s).orders()) {
          long counted = 0;
          for (const auto& l : o.lines)
            if (l.sku == sku && o.stock == Stock::Held) counted += (l.quantity - l.restocked).milli();
          if (counted != by_order[o.id])
            std::cout << "MISMATCH order " << o.id << " shop counts " << counted << " hub counted " << by_order[o.id]
                      << "\n";
        }
      for (const auto& e : f.hub().store().log(lq))
        std::cout << e.at << " " << e.connection << " " << e.kind << " " << e.result << " "
                  << (e.old_quantity ? e.old_quantity->to_string() : "-") << "->"
                  << (e.new_quantity ? e.new_quantity->to_string() : "-") << " " << e.cause << " | " << e.message
                  << " [" << e.order_id << "]\n";
    }
  }
}
