#include "hub_fixture.hpp"

#include <openssl/hmac.h>
#include <stdlib.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "config/loader.hpp"
#include "http/client.hpp"
#include "loader/registry.hpp"

namespace hub_test {

using namespace stockrelay;

std::string config_yaml(const HubSetup& s, const TempDir& dir) {
  std::string y;
  y += "store: {path: " + dir.file("store.db") + "}\n";
  y += "server: {listen: \"127.0.0.1:0\", admin_token: \"" + s.admin_token + "\"}\n";
  y += s.engine_yaml;
  y += "plugins: {paths: [" + std::string(MEMORY_PLUGIN_DIR) + "]}\n";
  y += "connections:\n";
  for (const auto& shop : s.shops) {
    y += "  " + shop + ":\n    plugin: memory\n    settings: {shop_file: " + dir.file(shop + ".json") +
         ", webhook_secret: whsec-test-0001}\n";
  }
  if (s.pool) {
    y += "pools:\n  main:\n    members: [";
    const auto& members = s.members.empty() ? s.shops : s.members;
    for (std::size_t i = 0; i < members.size(); ++i) y += (i ? ", " : "") + members[i];
    y += "]\n";
  }
  y += s.extra_yaml;
  return y;
}

HubFixture::HubFixture(HubSetup setup) : setup_(std::move(setup)) {
  config_path_ = dir_.file("stockrelay.yaml");
  std::ofstream(config_path_) << config_yaml(setup_, dir_);
  for (const auto& s : setup_.shops) shops_.emplace(s, std::make_unique<memory_shop::Shop>(dir_.file(s + ".json")));
}

HubFixture::~HubFixture() { stop(); }

void HubFixture::start() {
  auto loaded = config::load_file(config_path_);
  if (!loaded.errors.empty()) FAIL("config: " << loaded.errors.front().message());
  auto store = store::open_sqlite(loaded.config->store.path, store::OpenMode::Owner);
  if (!store) FAIL("store: " << store.error().message());
  hub_ = std::make_unique<hub::Hub>(*loaded.config, std::move(*store), hub::HubOptions{false, 4, 25});
  loader::Registry reg(loaded.config->plugin_paths);
  auto errors = hub_->open([&](const std::string& id) { return reg.find(id); });
  if (!errors.empty()) FAIL("open: " << errors.front().message());
  auto st = hub_->start();
  if (!st) FAIL("start: " << st.error().message());
}

void HubFixture::stop() {
  if (hub_) hub_->stop();
  hub_.reset();
}

void HubFixture::sync(int timeout_ms) {
  // Poll, let deferred levels settle, poll again: quiet twice in a row.
  for (int round = 0; round < 2; ++round) {
    hub_->poll_all(false);
    REQUIRE(hub_->wait_quiet(timeout_ms));
  }
}

std::map<std::string, Quantity> HubFixture::levels(const std::string& sku) {
  std::map<std::string, Quantity> out;
  for (auto& [name, shop] : shops_) {
    auto l = shop->levels();
    auto it = l.find(sku);
    if (it != l.end()) out[name] = it->second;
  }
  return out;
}

std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 15];
  }
  return out;
}

int HubFixture::webhook(const std::string& connection, const std::string& topic, const std::string& id,
                        const std::string& secret) {
  http::Client client("test", {});
  http::Request req;
  req.method = "POST";
  req.url = hub_->base_url() + "/hooks/" + connection;
  req.body = nlohmann::json{{"topic", topic}, {"id", id}}.dump();
  req.headers.push_back({"Content-Type", "application/json"});
  if (!secret.empty()) req.headers.push_back({"x-memory-signature", hmac_hex(secret, req.body)});
  return client.send(req).status;
}

}  // namespace hub_test
