// The Sitoo connector under test: the real libsitoo.so, loaded like the host
// loads it and driven through its C table by a FakeHost whose HTTP goes for
// real (the host's own client, over loopback) to the Sitoo simulator. The
// simulator's event arrays arrive at a receiver and are handed to the plugin
// on the test thread; the simulator gets the plugin's answer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stockrelay/testing/fake_host.hpp>
#include <stockrelay/testing/load_connector.hpp>
#include <stockrelay/text.hpp>

#include "hook_queue.hpp"
#include "http/client.hpp"
#include "plugin_harness.hpp"
#include "sitoo_sim.hpp"

namespace sitoo_test {

using nlohmann::json;
namespace http = stockrelay::http;

inline const sr_connector_api* sitoo_plugin() {
  static const sr_connector_api* api = sr::testing::load_connector(SITOO_PLUGIN);
  return api;
}

inline sr::Quantity q(int n) { return sr::Quantity::units(n); }

using sr_test::of_kind;

// The last level emitted for `sku`.
inline std::optional<sr::StockLevel> level_of(const std::vector<sr::Event>& events, const std::string& sku) {
  std::optional<sr::StockLevel> last;
  for (const auto& e : events)
    if (const auto* l = std::get_if<sr::StockLevel>(&e); l && l->sku == sku) last = *l;
  return last;
}

constexpr const char* kEventsUser = "sitoo-events";
constexpr const char* kEventsPassword = "ev-pass-4711";

inline sitoo_sim::Options sim_options() {
  sitoo_sim::Options o;
  o.password = "0123456789abcdef0123456789abcdef";
  o.event_batch_window_ms = 5;
  o.event_retry_delays_ms = {50};
  return o;
}

// Members in this order: the plugin (in the harness) goes before the
// simulator and the receiver.
struct SitooAccount {
  sr_test::HookQueue events;
  sitoo_sim::Simulator sim;
  sr_test::PluginHarness harness{sitoo_plugin(), "sitoo-test"};
  http::Client& client = harness.client;
  sr::testing::FakeHost& host = harness.host;
  std::unique_ptr<sr::testing::Driver>& plugin = harness.plugin;
  json& settings = harness.settings;

  explicit SitooAccount(sitoo_sim::Options options = sim_options()) : sim(with_events(options, events)) {
    sim.start();
    settings = {{"base_url", sim.base_url()},
                {"api_id", sim.api_id()},
                {"api_password", sim.password()},
                {"warehouse_id", sim.warehouse_id()},
                {"events_user", kEventsUser},
                {"events_password", kEventsPassword}};
  }
  SitooAccount(const SitooAccount&) = delete;
  SitooAccount& operator=(const SitooAccount&) = delete;

  static sitoo_sim::Options with_events(sitoo_sim::Options o, const sr_test::HookQueue& q) {
    if (o.events_url.empty()) o.events_url = q.url("/hooks/sitoo");
    o.events_user = kEventsUser;
    o.events_password = kEventsPassword;
    return o;
  }

  sr::HttpResponse forward(const json& req) { return harness.forward(req); }
  void create(const json& extra = json::object()) { harness.create(extra); }
  void start(const json& extra = json::object()) { harness.start(extra); }
  std::vector<sr::Event> poll(sr::PollMode mode = sr::PollMode::Incremental) { return harness.poll(mode); }

  // Delivers one command; returns its result.
  sr::CommandResult run(const sr::Command& c) {
    host.clear_records();
    sr_status st = plugin->deliver({c});
    INFO(plugin->last_error());
    REQUIRE(st == SR_OK);
    auto r = host.result(c.id);
    REQUIRE(r);
    return *r;
  }

  // Hands every event array to the plugin (answering the simulator with what
  // the plugin said) until the simulator has nothing queued or in flight.
  std::vector<sr::testing::WebhookCall> pump(int timeout_ms = 5000) {
    return harness.pump(events, [this](int ms) { return sim.wait_events_idle(ms); }, timeout_ms);
  }

  // Sitoo's API as the back office sees it (not through the plugin).
  json api(const std::string& method, const std::string& path, const json& body = nullptr) {
    http::Request r;
    r.method = method;
    r.url = sim.base_url() + path;
    r.headers.push_back({"Authorization", "Basic " + sr::base64(sim.api_id() + ":" + sim.password())});
    if (!body.is_null()) {
      r.headers.push_back({"Content-Type", "application/json"});
      r.body = body.dump();
    }
    auto resp = client.send(r);
    INFO(method << " " << path << " -> " << resp.status << " " << resp.body);
    REQUIRE(resp.status >= 200);
    REQUIRE(resp.status < 300);
    return json::parse(resp.body);
  }
  // The orders in Sitoo with this externalid.
  json orders_with(const std::string& external) {
    return api("GET", "/sites/1/orders.json?fields=orderid,externalid,orderstateid,orderitems&externalid=" + external)["items"];
  }

  sitoo_sim::StockLevel stock(const std::string& sku) {
    auto s = sim.stock(sku);
    REQUIRE(s);
    return *s;
  }
};

// A web order as the WooCommerce connector reports it.
inline sr::Order web_order(const std::string& id, std::vector<std::pair<std::string, int>> lines) {
  sr::Order o;
  o.id = id;
  o.number = "#" + id;
  o.status = "processing";
  o.stock = sr::OrderStock::Held;
  o.currency = "SEK";
  o.customer_name = "Anna Svensson";
  o.customer_email = "anna@example.com";
  o.created_at = 1795000000000;
  int n = 0;
  for (auto& [sku, qty] : lines) {
    sr::OrderLine l;
    l.id = std::to_string(++n);
    l.sku = sku;
    l.quantity = q(qty);
    l.name = "Item " + sku;
    l.unit_price = sr::Money{12500, "SEK", 2};
    o.lines.push_back(l);
  }
  return o;
}

// An order as Sitoo's own back office or POS places it (not through the hub).
inline json sitoo_order(const std::string& sku, int quantity) {
  json row{{"productname", "Item " + sku}, {"sku", sku}, {"quantity", quantity}};
  return json{{"ordertypeid", 10}, {"warehouseid", 1}, {"orderitems", json::array({row})}};
}

inline sr::Command create_cmd(const std::string& id, const std::string& source, const sr::Order& o) {
  return sr::Command{id, json::object(), sr::CreateOrder{{source, o.id}, o}};
}
inline sr::Command deliver_cmd(const std::string& id, const std::string& source, const std::string& order,
                               const std::string& ref) {
  return sr::Command{id, json::object(), sr::DeliverOrder{{source, order}, ref}};
}
inline sr::Command cancel_cmd(const std::string& id, const std::string& source, const std::string& order,
                              const std::string& ref) {
  return sr::Command{id, json::object(), sr::CancelOrder{{source, order}, ref}};
}

}  // namespace sitoo_test
