// The memory connector under test: the real libmemory.so, loaded like the
// host loads it and driven through its C table by a FakeHost, next to the
// shop file it fronts (which the test edits as the merchant).
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stockrelay/testing/fake_host.hpp>
#include <stockrelay/testing/load_connector.hpp>

#include "shop.hpp"
#include "test_support.hpp"

namespace memory_test {

inline const sr_connector_api* memory_plugin() {
  static const sr_connector_api* api = sr::testing::load_connector(MEMORY_PLUGIN);
  return api;
}

inline sr::Quantity q(const char* text) { return *sr::Quantity::parse(text); }

// Members in this order: the plugin is destroyed before the host it uses.
struct MemoryConnector {
  TempDir dir;
  std::string shop_file = dir.file("shop.json");
  memory_shop::Shop shop{shop_file};
  sr::testing::FakeHost host;
  std::unique_ptr<sr::testing::Driver> plugin;

  // Starts an instance with {"shop_file": ...} plus `settings`; the shop
  // starts with A = 10 and B = 5.
  explicit MemoryConnector(nlohmann::json settings = nlohmann::json::object()) {
    settings["shop_file"] = shop_file;
    if (!settings.contains("create_products")) settings["create_products"] = {{"A", 10}, {"B", 5}};
    settings_ = settings;
    restart();
  }

  // A new instance on the same host state, as after the hub was restarted.
  void restart() {
    plugin.reset();
    plugin = host.create(memory_plugin(), settings_);
    REQUIRE(plugin->start() == SR_OK);
  }

  std::vector<sr::Event> poll(sr::PollMode mode = sr::PollMode::Incremental) {
    host.clear_records();
    REQUIRE(plugin->poll(mode) == SR_OK);
    return host.events();
  }

 private:
  nlohmann::json settings_;
};

template <class T>
const T& as(const sr::Event& e) {
  const T* v = std::get_if<T>(&e);
  INFO("event " << sr::key_of(e) << " is a " << sr::kind_of(e));
  REQUIRE(v != nullptr);
  return *v;
}

inline std::string sign(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", mac[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace memory_test
