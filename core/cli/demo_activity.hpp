// The customers and merchants of `stockrelay demo`: random orders, some
// cancellations and manual stock changes, each through one shop's REST API.
// Every action is remembered with the time it was sent, so a write the hub
// makes later can be traced back to it (the latency the demo reports).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cli/demo_shop.hpp"

namespace stockrelay::cli::demo {

// What the demo did and when, readable from another thread.
class Actions {
 public:
  // `key` is the order number for orders and cancellations, the SKU for a
  // manual change; `at_ms` the wall-clock time it was sent.
  void order(const std::string& shop, const std::string& number, std::int64_t at_ms);
  void manual(const std::string& shop, const std::string& sku, std::int64_t at_ms);
  // The newest action on that order (placed or cancelled) / that SKU by
  // hand, no later than `before_ms`.
  std::optional<std::int64_t> order_time(const std::string& shop, const std::string& number,
                                         std::int64_t before_ms) const;
  std::optional<std::int64_t> manual_time(const std::string& shop, const std::string& sku,
                                          std::int64_t before_ms) const;

 private:
  using Key = std::pair<std::string, std::string>;
  static std::optional<std::int64_t> latest(const std::map<Key, std::vector<std::int64_t>>& m, const Key& k,
                                            std::int64_t before_ms);
  mutable std::mutex mu_;
  std::map<Key, std::vector<std::int64_t>> orders_;
  std::map<Key, std::vector<std::int64_t>> manual_;
};

struct ShopActivity {
  int orders = 0;
  int cancels = 0;
  int manual = 0;
  int failed = 0;  // actions the shop refused (printed as they happen)
};

class Activity {
 public:
  Activity(std::vector<Shop*> shops, std::uint64_t seed, Actions& actions);

  // Reads every shop's catalogue (ids differ per shop; SKUs are shared).
  void load();
  // One random action in a random shop.
  void step();
  ShopActivity stats(const std::string& shop) const {
    auto it = stats_.find(shop);
    return it == stats_.end() ? ShopActivity{} : it->second;
  }

 private:
  struct ShopState {
    Shop* shop = nullptr;
    std::vector<Item> items;
    std::vector<std::size_t> orderable;  // tracked items, and untracked ones now and then
    std::vector<std::size_t> settable;   // items whose own stock the merchant may set
    std::vector<PlacedOrder> open_orders;  // placed and not cancelled yet
  };

  void order(ShopState& s);
  void cancel(ShopState& s);
  void manual(ShopState& s);
  int pick(int lo, int hi);  // uniform in [lo, hi]

  std::vector<Shop*> shops_;
  std::mt19937_64 rng_;
  Actions& actions_;
  std::map<std::string, ShopState> catalogue_;
  std::map<std::string, ShopActivity> stats_;
};

// Wall-clock milliseconds, the clock of the hub's event log.
std::int64_t wall_ms();
// Prints one line on stdout; lines from several threads never interleave.
void say(const std::string& line);

}  // namespace stockrelay::cli::demo
