// A hub between N simulated WooCommerce shops, in-process: the real
// libwoocommerce.so, a real SQLite file, webhooks and REST over loopback.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/hub.hpp"
#include "sr_test_support.hpp"
#include "woo_sim.hpp"

namespace woo_test {

using TempDir = sr_test::TempDir;

struct WooSetup {
  std::vector<std::string> shops{"shop-a", "shop-b", "shop-c"};
  std::vector<std::string> members;  // the pool's members in the config; empty: every shop
  int generate = 0;                  // SKUs per shop from the generator (same seed: same catalogue)
  bool webhooks = true;              // the shops deliver webhooks to the hub
  std::string engine_yaml = "engine: {settle_ms: 300, retry_base_ms: 50, retry_max_ms: 400, max_attempts: 50, default_poll_seconds: 3600}\n";
  std::string pool_yaml;             // extra lines under the pool (indented 4)
  std::string settings_yaml;         // extra connector settings, e.g. ", verify_before_write: false"
  std::string connections_yaml;      // more connections (indented 2), e.g. a Sitoo account
  std::string routes_yaml;           // a `routes:` section, if any
  unsigned short hub_port = 0;       // 0: any free port
};

using sr_test::free_port;

class WooHub {
 public:
  explicit WooHub(WooSetup setup = {});
  ~WooHub();

  void start();
  void stop();

  woo_sim::Simulator& shop(const std::string& name) { return *sims_.at(name); }
  stockrelay::hub::Hub& hub() { return *hub_; }
  const std::string& config_path() const { return config_path_; }
  const std::vector<std::string>& shops() const { return setup_.shops; }

  // Lets webhooks arrive, polls every connection and waits until quiet,
  // twice. `before_round` runs first in each round (e.g. waits for another
  // simulator's events).
  void settle(int timeout_ms = 30000, const std::function<void()>& before_round = {});
  // What every shop shows for `sku` (absent where it is unknown).
  std::map<std::string, std::optional<int>> stock(const std::string& sku);
  // True when every shop shows `expected` for `sku`.
  bool all_show(const std::string& sku, int expected);

 private:
  bool quiet(int timeout_ms);  // wait_quiet, and on timeout what it still waits for (in the test's output)

  WooSetup setup_;
  TempDir dir_;
  std::string config_path_;
  unsigned short hub_port_ = 0;
  std::map<std::string, std::unique_ptr<woo_sim::Simulator>> sims_;
  std::unique_ptr<stockrelay::hub::Hub> hub_;
};

}  // namespace woo_test
