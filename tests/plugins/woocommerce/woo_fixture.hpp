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

#include "http/client.hpp"
#include "http/envelope.hpp"
#include "http/server.hpp"
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

template <class T>
std::vector<T> of_kind(const std::vector<sr::Event>& events) {
  std::vector<T> out;
  for (const auto& e : events)
    if (const T* v = std::get_if<T>(&e)) out.push_back(*v);
  return out;
}

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

// Receives webhook deliveries on 127.0.0.1. Pings are answered at once (the
// store waits for its ping while the plugin, on the test thread, waits for
// the store to create the webhook); everything else waits in a queue until
// the test hands it to the plugin and answers with what the plugin said.
class HookReceiver {
 public:
  struct Delivery {
    json envelope;
    http::Respond respond;
  };

  HookReceiver() : server_(io_, http::ServerOptions{}) {
    server_.route("POST", "/hooks/", [this](const http::ServerRequest& req, http::Respond respond) {
      json headers = json::object();
      for (const auto& h : req.headers) headers[h.name] = h.value;
      json env{{"method", req.method}, {"path", req.path}, {"query", req.query}, {"headers", headers}, {"body", req.body}};
      std::lock_guard g(mu_);
      if (!headers.contains("x-wc-webhook-topic") && req.body.starts_with("webhook_id=")) {
        pings_.push_back(env);
        http::ServerResponse r;
        r.body = "{}";
        respond(std::move(r));
        return;
      }
      queue_.push_back({std::move(env), std::move(respond)});
      cv_.notify_all();
    });
    auto port = server_.start();
    if (!port.ok()) throw std::runtime_error("webhook receiver: " + port.error().message());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~HookReceiver() {
    {
      std::lock_guard g(mu_);
      for (auto& d : queue_) d.respond(http::ServerResponse{503, "application/json", "{}", {}});
      queue_.clear();
    }
    server_.stop();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  HookReceiver(const HookReceiver&) = delete;
  HookReceiver& operator=(const HookReceiver&) = delete;

  std::string url(const std::string& connection) const { return server_.base_url() + "/hooks/" + connection; }

  std::optional<Delivery> pop(int wait_ms) {
    std::unique_lock g(mu_);
    cv_.wait_for(g, std::chrono::milliseconds(wait_ms), [&] { return !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    Delivery d = std::move(queue_.front());
    queue_.pop_front();
    return d;
  }
  std::vector<json> pings() const {
    std::lock_guard g(mu_);
    return pings_;
  }

 private:
  boost::asio::io_context io_;
  http::Server server_;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Delivery> queue_;
  std::vector<json> pings_;
};

inline woo_sim::Options sim_options() {
  woo_sim::Options o;
  o.consumer_key = "ck_0123456789abcdef0123456789abcdef01234567";
  o.consumer_secret = "cs_fedcba9876543210fedcba9876543210fedcba98";
  o.webhook_delay_ms = 10;
  return o;
}

constexpr const char* kWebhookSecret = "whsec-test-7f3a";

// Members in this order: the plugin goes before the host, the host before
// the simulator and the receiver.
struct WooShop {
  HookReceiver hooks;
  woo_sim::Simulator sim;
  http::Client client{"woo-test", no_retries()};
  sr::testing::FakeHost host;
  std::unique_ptr<sr::testing::Driver> plugin;
  json settings;
  std::vector<json> delivered;  // every delivery handed to the plugin, in order

  explicit WooShop(woo_sim::Options options = sim_options()) : sim(options) {
    sim.start();
    host.on_http([this](const json& req) { return forward(req); });
    settings = {{"url", sim.base_url()},
                {"consumer_key", sim.consumer_key()},
                {"consumer_secret", sim.consumer_secret()},
                {"webhook_secret", kWebhookSecret}};
  }
  ~WooShop() { plugin.reset(); }

  static http::Limits no_retries() {
    http::Limits l;
    l.max_retries = 0;  // FakeHost has none either; the connector's own handling is under test
    return l;
  }

  // The FakeHost's HTTP: the request envelope goes over loopback for real.
  sr::HttpResponse forward(const json& req) {
    auto request = http::request_from_json(req.dump());
    if (!request) throw std::runtime_error("bad request envelope: " + request.error().message());
    http::Response resp = client.send(*request);
    if (resp.status == 0) throw sr::retryable_error(resp.error);
    return sr::HttpResponse::from_json(http::response_to_json(resp));
  }

  std::string webhook_url() const { return hooks.url("shop-a"); }
  json with_webhooks() const { return {{"webhook_url", webhook_url()}}; }

  // Creates (and starts) an instance with the fixture's settings plus `extra`.
  void create(const json& extra = json::object()) {
    plugin.reset();
    json s = settings;
    for (const auto& [k, v] : extra.items()) {
      if (v.is_null()) s.erase(k);
      else s[k] = v;
    }
    plugin = host.create(woo_plugin(), s);
  }
  void start(const json& extra = json::object()) {
    create(extra);
    sr_status st = plugin->start();
    INFO(plugin->last_error());
    REQUIRE(st == SR_OK);
  }

  std::vector<sr::Event> poll(sr::PollMode mode = sr::PollMode::Incremental) {
    host.clear_records();
    sr_status st = plugin->poll(mode);
    INFO(plugin->last_error());
    REQUIRE(st == SR_OK);
    return host.events();
  }

  // Hands every delivery to the plugin (answering the store with what the
  // plugin said) until the simulator has nothing queued or in flight.
  std::vector<sr::testing::WebhookCall> pump(int timeout_ms = 5000) {
    std::vector<sr::testing::WebhookCall> calls;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      while (auto d = hooks.pop(0)) calls.push_back(hand_over(std::move(*d)));
      if (sim.wait_webhooks_idle(20)) {
        while (auto d = hooks.pop(30)) calls.push_back(hand_over(std::move(*d)));
        if (sim.wait_webhooks_idle(0)) break;
      }
    }
    return calls;
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

  sr::testing::WebhookCall hand_over(HookReceiver::Delivery d) {
    delivered.push_back(d.envelope);
    auto call = plugin->on_webhook(d.envelope);
    http::ServerResponse r;
    r.status = call.responded ? call.response_status : (call.status == SR_OK ? 200 : 503);
    r.body = call.responded ? call.response_body : "{}";
    d.respond(std::move(r));
    return call;
  }

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

  static std::string base64(const std::string& in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
      out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
    }
    if (i + 1 == in.size()) {
      unsigned v = static_cast<unsigned char>(in[i]) << 16;
      out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
      unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
      out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
    }
    return out;
  }

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
