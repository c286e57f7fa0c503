// The WooCommerce connector under test: the real libwoocommerce.so, loaded
// like the host loads it and driven through its C table by a FakeHost whose
// HTTP goes for real (the host's own client, over loopback) to the
// WooCommerce simulator. The simulator's webhook deliveries arrive at a
// small HTTP receiver and are handed to the plugin on the test thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <ctime>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stockrelay/testing/fake_host.hpp>
#include <stockrelay/testing/load_connector.hpp>
#include <stockrelay/text.hpp>

#include "http/client.hpp"
#include "http/envelope.hpp"
#include "http/server.hpp"
#include "hook_queue.hpp"
#include "plugin_harness.hpp"
#include "woo_sim.hpp"

namespace woo_test {

using nlohmann::json;
namespace http = stockrelay::http;

inline const sr_connector_api* woo_plugin() {
  static const sr_connector_api* api = sr::testing::load_connector(WOO_PLUGIN);
  return api;
}

inline sr::Quantity q(int n) { return sr::Quantity::units(n); }

// "YYYY-MM-DDTHH:MM:SS" moved by `seconds`.
inline std::string shift_gmt(const std::string& t, int seconds) {
  std::tm tm{};
  if (!::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) throw std::runtime_error("not a GMT time: " + t);
  time_t x = ::timegm(&tm) + seconds;
  ::gmtime_r(&x, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

using sr_test::of_kind;

template <class T>
std::optional<T> find_sku(const std::vector<sr::Event>& events, const std::string& sku) {
  for (const auto& e : events)
    if (const T* v = std::get_if<T>(&e); v && v->sku == sku) return *v;
  return std::nullopt;
}

inline std::optional<sr::OrderEvent> find_order(const std::vector<sr::Event>& events, std::int64_t id) {
  std::optional<sr::OrderEvent> last;
  for (const auto& e : events)
    if (const auto* o = std::get_if<sr::OrderEvent>(&e); o && o->order.id == std::to_string(id)) last = *o;
  return last;
}

// Webhook deliveries wait for the test to hand them to the plugin; the
// store's pings are answered at once (the store waits for its ping while the
// plugin, on the test thread, waits for the store to create the webhook).
class HookReceiver : public sr_test::HookQueue {
 public:
  HookReceiver()
      : HookQueue([](const json& env) {
          return !env["headers"].contains("x-wc-webhook-topic") && env["body"].get<std::string>().starts_with("webhook_id=");
        }) {}
  std::string url(const std::string& connection) const { return HookQueue::url("/hooks/" + connection); }
  std::vector<json> pings() const { return immediate(); }
};

inline woo_sim::Options sim_options() {
  woo_sim::Options o;
  o.consumer_key = "ck_0123456789abcdef0123456789abcdef01234567";
  o.consumer_secret = "cs_fedcba9876543210fedcba9876543210fedcba98";
  o.webhook_delay_ms = 10;
  return o;
}

constexpr const char* kWebhookSecret = "whsec-test-7f3a";

// Members in this order: the plugin (in the harness) goes before the
// simulator and the receiver.
struct WooShop {
  HookReceiver hooks;
  woo_sim::Simulator sim;
  sr_test::PluginHarness harness{woo_plugin(), "woo-test"};
  http::Client& client = harness.client;
  sr::testing::FakeHost& host = harness.host;
  std::unique_ptr<sr::testing::Driver>& plugin = harness.plugin;
  json& settings = harness.settings;
  std::vector<json> delivered;  // every delivery handed to the plugin, in order

  explicit WooShop(woo_sim::Options options = sim_options()) : sim(options) {
    sim.start();
    harness.on_hand_over = [this](const json& env) { delivered.push_back(env); };
    settings = {{"url", sim.base_url()},
                {"consumer_key", sim.consumer_key()},
                {"consumer_secret", sim.consumer_secret()},
                {"webhook_secret", kWebhookSecret}};
  }
  WooShop(const WooShop&) = delete;
  WooShop& operator=(const WooShop&) = delete;

  static http::Limits no_retries() { return sr_test::PluginHarness::no_retries(); }
  sr::HttpResponse forward(const json& req) { return harness.forward(req); }

  std::string webhook_url() const { return hooks.url("shop-a"); }
  json with_webhooks() const { return {{"webhook_url", webhook_url()}}; }

  // Creates (and starts) an instance with the fixture's settings plus `extra`.
  void create(const json& extra = json::object()) { harness.create(extra); }
  void start(const json& extra = json::object()) { harness.start(extra); }
  std::vector<sr::Event> poll(sr::PollMode mode = sr::PollMode::Incremental) { return harness.poll(mode); }

  // Hands every delivery to the plugin (answering the store with what the
  // plugin said) until the simulator has nothing queued or in flight.
  std::vector<sr::testing::WebhookCall> pump(int timeout_ms = 5000) {
    return harness.pump(hooks, [this](int ms) { return sim.wait_webhooks_idle(ms); }, timeout_ms);
  }

  // Takes deliveries without giving them to the plugin (to replay them later).
  std::vector<json> collect(int timeout_ms = 5000) {
    std::vector<json> out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    auto take = [&](HookReceiver::Delivery d) {
      out.push_back(d.envelope);
      d.respond(http::ServerResponse{200, "application/json", "{}", {}});
    };
    while (std::chrono::steady_clock::now() < deadline) {
      while (auto d = hooks.pop(0)) take(std::move(*d));
      if (sim.wait_webhooks_idle(20)) {
        while (auto d = hooks.pop(30)) take(std::move(*d));
        if (sim.wait_webhooks_idle(0)) break;
      }
    }
    return out;
  }

  sr::testing::WebhookCall hand_over(HookReceiver::Delivery d) { return harness.hand_over(std::move(d)); }

  // The store's REST API as the merchant's tools see it (not through the plugin).
  json rest(const std::string& method, const std::string& path, const json& body = nullptr) {
    http::Request r;
    r.method = method;
    r.url = sim.base_url() + "/wp-json/wc/v3" + path;
    std::string token = sim.consumer_key() + ":" + sim.consumer_secret();
    r.headers.push_back({"Authorization", "Basic " + base64(token)});
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

  static std::string base64(const std::string& in) { return sr::base64(in); }

  std::string modified_of_order(std::int64_t id) { return rest("GET", "/orders/" + std::to_string(id))["date_modified_gmt"]; }

  sr::Command set_stock(const std::string& id, const std::string& sku, int quantity,
                        std::optional<int> expected = std::nullopt) {
    sr::Command c;
    c.id = id;
    sr::SetStock s;
    s.sku = sku;
    s.quantity = q(quantity);
    if (expected) s.expected = q(*expected);
    c.body = s;
    return c;
  }

  std::vector<std::string> keys() const { return host.event_keys(); }
};

}  // namespace woo_test
