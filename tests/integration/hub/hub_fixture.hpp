// A hub with N memory shops, run in-process against a real SQLite file and
// the real libmemory.so, for end-to-end tests.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hub/hub.hpp"
#include "shop.hpp"
#include "sr_test_support.hpp"

namespace hub_test {

using sr::Quantity;
inline Quantity q(long n) { return Quantity::units(n); }

using TempDir = sr_test::TempDir;
using sr_test::free_port;

struct HubSetup {
  std::vector<std::string> shops{"shop-a", "shop-b", "shop-c"};
  bool pool = true;                 // the shops form one shared pool
  std::vector<std::string> members; // the pool's members in the config; empty: every shop
  std::string extra_yaml;           // appended to the generated config
  std::string engine_yaml = "engine: {settle_ms: 300, retry_base_ms: 50, retry_max_ms: 400, max_attempts: 6, default_poll_seconds: 3600}\n";
  std::string admin_token = "test-admin-token-123";
};

// The generated YAML for a setup (tests/CLI runs use the same file).
std::string config_yaml(const HubSetup& setup, const TempDir& dir);

class HubFixture {
 public:
  explicit HubFixture(HubSetup setup = {});
  ~HubFixture();

  // (Re)starts the hub on the same store and shop files.
  void start();
  void stop();

  memory_shop::Shop& shop(const std::string& name) { return *shops_.at(name); }
  stockrelay::hub::Hub& hub() { return *hub_; }
  const std::string& config_path() const { return config_path_; }
  const TempDir& dir() const { return dir_; }

  // Polls every shop and waits until the hub is quiet.
  void sync(int timeout_ms = 20000);
  // The level of `sku` in every shop.
  std::map<std::string, Quantity> levels(const std::string& sku);

  // POSTs a signed memory-shop webhook; returns the HTTP status.
  int webhook(const std::string& connection, const std::string& topic, const std::string& id,
              const std::string& secret = "whsec-test-0001");

 private:
  HubSetup setup_;
  TempDir dir_;
  std::string config_path_;
  std::map<std::string, std::unique_ptr<memory_shop::Shop>> shops_;
  std::unique_ptr<stockrelay::hub::Hub> hub_;
};

// HMAC-SHA256, lower-case hex.
std::string hmac_hex(const std::string& key, const std::string& body);

// Runs a command, returns exit code; output captured into `out`.
using sr_test::run_command;

}  // namespace hub_test
