// A connector plugin under test: the real library, loaded as the host loads
// it and driven through its C table by the SDK's FakeHost, whose HTTP goes
// for real (the host's own client, over loopback, without retries: the
// connector's own handling is under test) to a simulator. Calls the
// simulator sends back (webhooks, events) wait in a HookQueue until the test
// hands them to the plugin, as the host would, on the test thread.
// Link sr_http to use it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stockrelay/testing/fake_host.hpp>

#include "hook_queue.hpp"
#include "http/client.hpp"
#include "http/envelope.hpp"

namespace sr_test {

// The events of one kind, in order.
template <class T>
std::vector<T> of_kind(const std::vector<sr::Event>& events) {
  std::vector<T> out;
  for (const auto& e : events)
    if (const T* v = std::get_if<T>(&e)) out.push_back(*v);
  return out;
}

class PluginHarness {
 public:
  PluginHarness(const sr_connector_api* api, const std::string& client_name)
      : client(client_name, no_retries()), api_(api) {
    host.on_http([this](const nlohmann::json& req) { return forward(req); });
  }
  ~PluginHarness() { plugin.reset(); }  // the instance before its host
  PluginHarness(const PluginHarness&) = delete;
  PluginHarness& operator=(const PluginHarness&) = delete;

  static stockrelay::http::Limits no_retries() {
    stockrelay::http::Limits l;
    l.max_retries = 0;  // FakeHost has none either
    return l;
  }

  // The FakeHost's HTTP: the request envelope goes over loopback for real.
  sr::HttpResponse forward(const nlohmann::json& req) {
    auto request = stockrelay::http::request_from_json(req.dump());
    if (!request) throw std::runtime_error("bad request envelope: " + request.error().message());
    stockrelay::http::Response resp = client.send(*request);
    if (resp.status == 0) throw sr::retryable_error(resp.error);
    return sr::HttpResponse::from_json(stockrelay::http::response_to_json(resp));
  }

  // An instance with `settings` plus `extra` (a null value removes a setting).
  void create(const nlohmann::json& extra = nlohmann::json::object()) {
    plugin.reset();
    nlohmann::json s = settings;
    for (const auto& [k, v] : extra.items()) {
      if (v.is_null()) s.erase(k);
      else s[k] = v;
    }
    plugin = host.create(api_, s);
  }
  void start(const nlohmann::json& extra = nlohmann::json::object()) {
    create(extra);
    sr_status st = plugin->start();
    INFO(plugin->last_error());
    REQUIRE(st == SR_OK);
  }

  // One poll; the events it emitted.
  std::vector<sr::Event> poll(sr::PollMode mode = sr::PollMode::Incremental) {
    host.clear_records();
    sr_status st = plugin->poll(mode);
    INFO(plugin->last_error());
    REQUIRE(st == SR_OK);
    return host.events();
  }

  // Hands one waiting call to the plugin and answers the sender with what
  // the plugin said (200 {} when it left the response empty, 503 for RETRY).
  sr::testing::WebhookCall hand_over(HookQueue::Delivery d) {
    if (on_hand_over) on_hand_over(d.envelope);
    auto call = plugin->on_webhook(d.envelope);
    stockrelay::http::ServerResponse r;
    r.status = call.responded ? call.response_status : (call.status == SR_OK ? 200 : 503);
    r.body = call.responded ? call.response_body : "{}";
    d.respond(std::move(r));
    return call;
  }

  // Hands over every call until the simulator has nothing queued or in
  // flight (`idle(wait_ms)` asks it) or `timeout_ms` passed.
  std::vector<sr::testing::WebhookCall> pump(HookQueue& queue, const std::function<bool(int)>& idle,
                                             int timeout_ms = 5000) {
    std::vector<sr::testing::WebhookCall> calls;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      while (auto d = queue.pop(0)) calls.push_back(hand_over(std::move(*d)));
      if (idle(20)) {
        while (auto d = queue.pop(30)) calls.push_back(hand_over(std::move(*d)));
        if (idle(0)) break;
      }
    }
    return calls;
  }

  stockrelay::http::Client client;
  sr::testing::FakeHost host;
  std::unique_ptr<sr::testing::Driver> plugin;
  nlohmann::json settings = nlohmann::json::object();
  std::function<void(const nlohmann::json& envelope)> on_hand_over;  // sees each call handed over

 private:
  const sr_connector_api* api_;
};

}  // namespace sr_test
