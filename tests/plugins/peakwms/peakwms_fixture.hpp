// The PeakWMS connector under test: the real libpeakwms.so, loaded like the
// host loads it and driven through its C table by a FakeHost whose HTTP goes
// for real (the host's own client, over loopback) to the PeakWMS simulator.
// Two web shops, shop-a and shop-b, each its own web-shop integration (API
// key), with match_by_item_number: the same SKU from both shops is one
// PeakWMS product with two product-integration rows (the configuration we
// run with). The simulator's webhooks wait in a receiver until the test
// hands them to the plugin.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stockrelay/testing/fake_host.hpp>
#include <stockrelay/testing/load_connector.hpp>

#include "hook_queue.hpp"
#include "http/client.hpp"
#include "peakwms_sim.hpp"
#include "plugin_harness.hpp"

namespace peakwms_test {

using nlohmann::json;
namespace http = stockrelay::http;
using sr_test::of_kind;

inline const sr_connector_api* peakwms_plugin() {
  static const sr_connector_api* api = sr::testing::load_connector(PEAKWMS_PLUGIN);
  return api;
}

inline sr::Quantity q(int n) { return sr::Quantity::units(n); }

constexpr const char* kToken = "hook-token-4711";
constexpr std::size_t kShopA = 0;  // index of shop-a's integration in the simulator
constexpr std::size_t kShopB = 1;

// The last level emitted for `sku`.
inline std::optional<sr::StockLevel> level_of(const std::vector<sr::Event>& events, const std::string& sku) {
  std::optional<sr::StockLevel> last;
  for (const auto& e : events)
    if (const auto* l = std::get_if<sr::StockLevel>(&e); l && l->sku == sku) last = *l;
  return last;
}

inline peakwms_sim::Options sim_options() {
  peakwms_sim::Options o;
  o.integrations = 2;
  o.match_by_item_number = true;
  return o;
}

// Members in this order: the plugin (in the harness) goes before the
// simulator and the receiver.
struct Warehouse {
  sr_test::HookQueue hooks;
  peakwms_sim::Simulator sim;
  sr_test::PluginHarness harness{peakwms_plugin(), "peakwms-test"};
  sr::testing::FakeHost& host = harness.host;
  std::unique_ptr<sr::testing::Driver>& plugin = harness.plugin;
  json& settings = harness.settings;

  explicit Warehouse(peakwms_sim::Options options = sim_options()) : sim(options) {
    sim.start();
    settings = {{"base_url", sim.base_url()},
                {"shops", {{"shop-a", {{"api_key", sim.api_key(kShopA)}}}, {"shop-b", {{"api_key", sim.api_key(kShopB)}}}}},
                {"webhook_url", hooks.url("/hooks/warehouse")},
                {"webhook_token", kToken}};
  }
  // The plugin kept the host's contract (services only inside its calls, on their thread, ...).
  ~Warehouse() { CHECK(host.violations().empty()); }
  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  sr::HttpResponse forward(const json& req) { return harness.forward(req); }
  void create(const json& extra = json::object()) { harness.create(extra); }
  void start(const json& extra = json::object()) { harness.start(extra); }
  std::vector<sr::Event> poll(sr::PollMode mode = sr::PollMode::Incremental) { return harness.poll(mode); }

  // Delivers one batch; returns its results in order.
  std::vector<sr::CommandResult> run_batch(const std::vector<sr::Command>& batch) {
    host.clear_records();
    sr_status st = plugin->deliver(batch);
    INFO(plugin->last_error());
    REQUIRE(st == SR_OK);
    std::vector<sr::CommandResult> out;
    for (const auto& c : batch) {
      auto r = host.result(c.id);
      REQUIRE(r);
      out.push_back(*r);
    }
    return out;
  }
  sr::CommandResult run(const sr::Command& c) { return run_batch({c}).front(); }

  // Hands every webhook to the plugin until the simulator has sent them all.
  std::vector<sr::testing::WebhookCall> pump(int timeout_ms = 5000) {
    return harness.pump(hooks, [this](int ms) { return sim.wait_webhooks_idle(ms); }, timeout_ms);
  }

  // PeakWMS's API as one shop's integration sees it (not through the plugin).
  json api(std::size_t shop, const std::string& method, const std::string& path, const json& body = nullptr) {
    http::Request r;
    r.method = method;
    r.url = sim.base_url() + path;
    r.headers.push_back({"Authorization", "Bearer " + sim.api_key(shop)});
    if (!body.is_null()) {
      r.headers.push_back({"Content-Type", "application/json"});
      r.body = body.dump();
    }
    auto resp = harness.client.send(r);
    INFO(method << " " << path << " -> " << resp.status << " " << resp.body);
    REQUIRE(resp.status == 200);
    return json::parse(resp.body);
  }

  std::int64_t integration_id(std::size_t shop) const { return sim.integrations().at(shop).id; }
  // PeakWMS's id of a shop's (productId, variantId).
  std::int64_t wms_id(std::size_t shop, const std::string& product_id, const std::string& variant_id = "") {
    auto id = sim.product_id(integration_id(shop), product_id, variant_id);
    REQUIRE(id);
    return *id;
  }
  peakwms_sim::StockLevel stock(std::int64_t wms_id) {
    auto s = sim.stock(wms_id);
    REQUIRE(s);
    return *s;
  }
  // The product-integration rows of a PeakWMS product (simulator-only endpoint).
  json links(std::int64_t wms_id) { return api(kShopA, "GET", "/productIntegration?productId=" + std::to_string(wms_id)); }

  // The HTTP requests the plugin made with this method whose URL contains `part`.
  std::size_t requests(const std::string& method, const std::string& part) const {
    std::size_t n = 0;
    for (const auto& r : host.http_requests())
      if (r.value("method", "") == method && r.value("url", "").find(part) != std::string::npos) ++n;
    return n;
  }
};

inline sr::Command upsert_cmd(const std::string& id, const std::string& shop, const std::string& sku,
                              const std::string& product_id, const std::string& variant_id = "", bool active = true) {
  sr::UpsertProduct u;
  u.connection = shop;
  u.sku = sku;
  u.remote_id = product_id;
  u.remote_variation_id = variant_id;
  u.name = "Item " + sku;
  u.ean = "5701234567890";
  u.active = active;
  return sr::Command{id, json::object(), u};
}

// A web order as the WooCommerce connector reports it.
inline sr::Order web_order(const std::string& id, std::vector<std::pair<std::string, int>> lines) {
  sr::Order o;
  o.id = id;
  o.number = "#" + id;
  o.status = "processing";
  o.stock = sr::OrderStock::Held;
  o.currency = "DKK";
  o.customer_name = "Mette Hansen";
  o.customer_email = "mette@example.com";
  o.created_at = 1795000000000;
  int n = 0;
  for (auto& [sku, qty] : lines) {
    sr::OrderLine l;
    l.id = std::to_string(++n);
    l.sku = sku;
    l.quantity = q(qty);
    l.name = "Item " + sku;
    l.unit_price = sr::Money{12500, "DKK", 2};
    o.lines.push_back(l);
  }
  return o;
}

inline sr::Command create_cmd(const std::string& id, const std::string& shop, const sr::Order& o) {
  return sr::Command{id, json::object(), sr::CreateOrder{{shop, o.id}, o}};
}
inline sr::Command cancel_cmd(const std::string& id, const std::string& shop, const std::string& order,
                              const std::string& ref = "") {
  return sr::Command{id, json::object(), sr::CancelOrder{{shop, order}, ref}};
}

// A StockAdjust as PeakWMS posts it to the URL registered for `shop`.
inline json stock_adjust(const std::string& shop, const std::string& token, const std::string& product_id,
                         std::int64_t stock_item, int adjusted, int quantity) {
  json body{{"productId", product_id}, {"variantId", ""},        {"adjustedQuantity", adjusted},
            {"quantity", quantity},     {"stockItemId", stock_item}, {"adjustmentReason", 1}};
  return json{{"method", "POST"},
              {"path", "/hooks/warehouse"},
              {"query", "shop=" + shop + "&token=" + token},
              {"headers", {{"content-type", "application/json"}}},
              {"body", body.dump()}};
}

}  // namespace peakwms_test
