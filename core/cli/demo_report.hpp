// What `stockrelay demo` shows: each stock write of the hub as it happens
// (followed in the hub's event log), and at the end whether every shop shows
// the same stock for every SKU, with a table per shop.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli/demo_activity.hpp"
#include "cli/demo_shop.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

namespace stockrelay::hub {
class Hub;
}

namespace stockrelay::cli::demo {

// Prints one line per stock change the hub made (set_stock, result ok, a new level):
//   time  target  SKU  old → new  cause  latency
// where the latency runs from the demo's action to the write accepted there.
class ChangeFeed {
 public:
  ChangeFeed(hub::Hub& hub, const Actions& actions);
  ~ChangeFeed();  // stop()

  // Entries written so far are not shown (the first sync's).
  void skip_past();
  // The column titles of the lines.
  std::string header() const;
  // Prints what is new in the log every 100 ms on a thread of its own.
  void follow();
  // Stops following after printing what is left.
  void stop();

  struct Totals {
    std::size_t writes = 0;         // accepted stock writes
    std::size_t confirmations = 0;  // of those, the level the shop already showed (not printed)
    std::size_t untraced = 0;       // changes whose cause is no action of the demo (no latency shown)
    std::size_t conflicts = 0;  // refused because the shop showed something else (the hub re-plans)
    std::size_t retries = 0;
    std::size_t failed = 0;
  };
  Totals totals() const { return totals_; }  // after stop()
  std::size_t writes_to(const std::string& shop) const {
    auto it = writes_.find(shop);
    return it == writes_.end() ? 0 : it->second;
  }
  // Latencies (ms) of the writes that reached `shop`; only those traced to an action.
  const std::vector<std::int64_t>& latencies(const std::string& shop) const;

 private:
  void drain();
  std::string describe(const store::LogEntry& e, std::optional<std::int64_t> latency) const;
  std::optional<std::int64_t> latency_of(const store::LogEntry& e) const;

  hub::Hub& hub_;
  const Actions& actions_;
  std::int64_t last_id_ = 0;
  std::size_t name_width_ = 6;
  Totals totals_;
  std::map<std::string, std::size_t> writes_;
  std::map<std::string, std::vector<std::int64_t>> latencies_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Every shop's stock per SKU against the others and the pool's level.
struct Convergence {
  struct PerShop {
    std::size_t differing = 0;          // SKUs where this shop shows something else
    std::vector<std::string> examples;  // the first few, explained
    std::string error;                  // the catalogue could not be read
  };
  std::map<std::string, PerShop> shops;
  std::size_t skus = 0;
  bool all() const;
};

Convergence check_convergence(const std::vector<Shop*>& shops, const config::Config& cfg, store::Store& store);

struct ShopRow {
  std::string shop;
  ShopActivity activity;
  std::uint64_t requests = 0;       // answered by the shop (its /__sim/counters)
  std::uint64_t hub_requests = 0;   // of those, made by the hub's connector
  std::uint64_t webhooks = 0;       // deliveries the shop sent to the hub
  std::size_t changes = 0;          // stock writes the hub made there
  std::vector<std::int64_t> latencies;
};

void print_table(const std::vector<ShopRow>& rows, const Convergence& conv);

}  // namespace stockrelay::cli::demo
