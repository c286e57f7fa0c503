#include "woo_hub.hpp"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "config/loader.hpp"
#include "loader/registry.hpp"

namespace woo_test {

using namespace stockrelay;

WooHub::WooHub(WooSetup setup) : setup_(std::move(setup)) {
  hub_port_ = setup_.hub_port ? setup_.hub_port : free_port();
  std::string hub_url = "http://127.0.0.1:" + std::to_string(hub_port_);
  std::string y;
  y += "store: {path: " + dir_.file("store.db") + "}\n";
  y += "server: {listen: \"127.0.0.1:" + std::to_string(hub_port_) + "\", admin_token: \"test-admin-token-123\"}\n";
  y += setup_.engine_yaml;
  y += "plugins: {paths: [" + std::string(WOO_PLUGIN_DIR) + "]}\n";
  y += "connections:\n";
  for (const auto& name : setup_.shops) {
    woo_sim::Options o;
    o.name = name;
    o.seed = 7;  // the same catalogue in every shop
    auto sim = std::make_unique<woo_sim::Simulator>(o);
    sim->start();
    if (setup_.generate > 0) sim->generate_catalog(setup_.generate);
    y += "  " + name + ":\n    plugin: woocommerce\n    settings: {url: \"" + sim->base_url() + "\", consumer_key: \"" +
         sim->consumer_key() + "\", consumer_secret: \"" + sim->consumer_secret() +
         "\", webhook_secret: \"whsec-" + name + "\"";
    if (setup_.webhooks) y += ", webhook_url: \"" + hub_url + "/hooks/" + name + "\"";
    y += setup_.settings_yaml + "}\n";
    sims_.emplace(name, std::move(sim));
  }
  y += setup_.connections_yaml;
  y += "pools:\n  main:\n    members: [";
  const auto& members = setup_.members.empty() ? setup_.shops : setup_.members;
  for (std::size_t i = 0; i < members.size(); ++i) y += (i ? ", " : "") + members[i];
  y += "]\n" + setup_.pool_yaml;
  y += setup_.routes_yaml;
  config_path_ = dir_.file("stockrelay.yaml");
  std::ofstream(config_path_) << y;
}

WooHub::~WooHub() {
  stop();
  for (auto& [n, s] : sims_) s->stop();
}

void WooHub::start() {
  auto loaded = config::load_file(config_path_);
  if (!loaded.errors.empty()) FAIL("config: " << loaded.errors.front().message());
  auto store = store::open_sqlite(loaded.config->store.path, store::OpenMode::Owner);
  if (!store) FAIL("store: " << store.error().message());
  hub_ = std::make_unique<hub::Hub>(*loaded.config, std::move(*store), hub::HubOptions{false, 6, 25});
  loader::Registry reg(loaded.config->plugin_paths);
  auto errors = hub_->open([&](const std::string& id) { return reg.find(id); });
  if (!errors.empty()) FAIL("open: " << errors.front().message());
  auto st = hub_->start();
  if (!st) FAIL("start: " << st.error().message());
}

void WooHub::stop() {
  if (hub_) hub_->stop();
  hub_.reset();
}

void WooHub::settle(int timeout_ms, const std::function<void()>& before_round) {
  for (int round = 0; round < 2; ++round) {
    if (before_round) before_round();
    for (auto& [n, s] : sims_) s->wait_webhooks_idle(timeout_ms);
    REQUIRE(quiet(timeout_ms));
    hub_->poll_all(false);
    REQUIRE(quiet(timeout_ms));
  }
}

bool WooHub::quiet(int timeout_ms) {
  if (hub_->wait_quiet(timeout_ms)) return true;
  // Say what it waits for.
  std::lock_guard lock(hub_->store_mutex());
  for (const auto& i : hub_->store().outbox(std::nullopt, false, 20))
    UNSCOPED_INFO("outbox " << i.target << " " << i.command << " " << store::to_string(i.state) << " attempts "
                            << i.attempts << " " << i.last_error << " " << i.payload);
  auto tx = hub_->store().begin();
  for (const auto& d : tx->due_deferred(INT64_MAX, 20))
    UNSCOPED_INFO("deferred " << d.connection << " " << d.sku << " " << d.observed.to_string() << " version "
                              << d.version << " observed_at " << d.observed_at << " due " << d.due_at);
  UNSCOPED_INFO("unprocessed journal records: " << hub_->store().unprocessed(1000).size());
  return false;
}

std::map<std::string, std::optional<int>> WooHub::stock(const std::string& sku) {
  std::map<std::string, std::optional<int>> out;
  for (auto& [n, s] : sims_)
    if (s->product(sku)) out[n] = s->stock(sku);
  return out;
}

bool WooHub::all_show(const std::string& sku, int expected) {
  auto levels = stock(sku);
  if (levels.size() != sims_.size()) return false;
  for (const auto& [n, l] : levels)
    if (l != expected) return false;
  return true;
}

}  // namespace woo_test
