// An in-process stand-in for the stockrelay host, for unit-testing a
// connector without the core. It implements every sr_host_api slot, records
// what the connector did through them, and drives an instance through the
// connector's real sr_connector_api table: the same C boundary, the same
// borrowed/copied memory rules and the same statuses as the host.
//
//   sr::testing::FakeHost host;
//   host.on_http([](const nlohmann::json& req) {
//     return sr::HttpResponse{200, {}, R"([])"};
//   });
//   auto shop = host.create(stockrelay_connector_v1(SR_ABI_MAJOR, SR_ABI_MINOR),
//                           {{"url", "https://shop.example"}});
//   REQUIRE(shop->start() == SR_OK);
//   REQUIRE(shop->poll() == SR_OK);
//   CHECK(host.events().size() == 3);
//   CHECK(host.violations().empty());
//
// It also checks the contract from the host's side: a host service called
// outside an entry call or from another thread, report() outside deliver(),
// a result for a command that was not in the batch, network or state access
// during create(): each is refused and recorded in violations().
//
// Deliberate differences from the real host: events() keeps duplicates (the
// journal drops an event whose key it has seen; here a test wants to see what
// the plugin emitted), there is no JSON Schema validation of the settings,
// and HTTP goes to on_http()'s handler with no retries or rate limits.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "stockrelay/abi.h"
#include "stockrelay/connector.hpp"
#include "stockrelay/payload.hpp"

namespace sr::testing {

struct LogLine {
  int level = SR_LOG_INFO;
  std::string text;
};

// Something the fake host refused (an invalid event, a malformed results
// document), with the reason the real host would log.
struct Refusal {
  std::string service;  // "emit", "report", "http"
  std::string payload;  // the offending item or document
  std::string reason;
};

// A host service call with an effect, in the order it was made, so a test
// can check for example that a cursor was stored only after its events.
struct HostCall {
  std::string service;  // "emit", "state_put", "report", "http"
  std::string detail;   // emit: the event keys, comma-separated; state_put: "key=value"
};

// The outcome of one on_webhook() call.
struct WebhookCall {
  sr_status status = SR_OK;
  bool responded = false;        // false: the plugin left the response empty (means 200 {})
  int response_status = 200;
  std::string response_body = "{}";
};

class FakeHost;

// One connector instance created through its C table; destroys it (after
// stop()) when it goes out of scope. Must not outlive its FakeHost.
class Driver {
 public:
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;
  ~Driver();

  sr_status start();
  sr_status poll(PollMode mode = PollMode::Incremental);
  sr_status deliver(const std::vector<Command>& batch);
  sr_status deliver(std::string_view commands_document);
  // request: {"method","path","query","headers":{lower-case names},"body"}.
  WebhookCall on_webhook(const nlohmann::json& request);
  // Any thread, like the host's stop(); idempotent.
  void stop();
  std::string last_error() const;

 private:
  friend class FakeHost;
  Driver(FakeHost& host, const sr_connector_api* api, sr_instance* instance)
      : host_(host), api_(api), instance_(instance) {}

  FakeHost& host_;
  const sr_connector_api* api_;
  sr_instance* instance_;
  std::atomic<bool> stopped_{false};
};

class FakeHost {
 public:
  using HttpHandler = std::function<HttpResponse(const nlohmann::json& request)>;

  // 2023-11-14T22:13:20Z: a fixed, recognisable start for the fake wall clock.
  static constexpr std::int64_t kStartWallMs = 1'700'000'000'000;

  FakeHost() {
    api_.struct_size = sizeof(sr_host_api);
    api_.abi_major = SR_ABI_MAJOR;
    api_.abi_minor = SR_ABI_MINOR;
    api_.log = &FakeHost::c_log;
    api_.log_enabled = &FakeHost::c_log_enabled;
    api_.now_ms = &FakeHost::c_now_ms;
    api_.monotonic_ms = &FakeHost::c_monotonic_ms;
    api_.http = &FakeHost::c_http;
    api_.state_get = &FakeHost::c_state_get;
    api_.state_put = &FakeHost::c_state_put;
    api_.emit = &FakeHost::c_emit;
    api_.report = &FakeHost::c_report;
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  sr_host* handle() { return reinterpret_cast<sr_host*>(this); }
  const sr_host_api* api() const { return &api_; }

  // Creates an instance as the host does (after checking the table's ABI
  // version); throws std::runtime_error with the plugin's message if
  // create() fails.
  std::unique_ptr<Driver> create(const sr_connector_api* connector, const nlohmann::json& settings) {
    sr_status rc = SR_OK;
    std::string error;
    auto d = try_create(connector, settings, rc, error);
    if (!d) throw std::runtime_error("create() failed with status " + std::to_string(rc) + ": " + error);
    return d;
  }

  // As create(), but a refused create() returns nullptr with its status and message.
  std::unique_ptr<Driver> try_create(const sr_connector_api* connector, const nlohmann::json& settings,
                                     sr_status& rc, std::string& error) {
    check_table(connector);
    {
      // One instance at a time per FakeHost (the host has one per connection);
      // a new one after a destroyed one is a restart, with the state kept.
      std::lock_guard g(mu_);
      stopping_ = false;
    }
    std::string config = settings.dump();
    sr_str err{nullptr, 0};
    rc = SR_OK;
    sr_instance* in = nullptr;
    {
      CallScope scope(*this, Call::Create);
      in = connector->create(handle(), &api_, to_sr(config), &rc, &err);
    }
    error = std::string(from_sr(err));
    if (!in) return nullptr;
    return std::unique_ptr<Driver>(new Driver(*this, connector, in));
  }

  // ---- knobs ------------------------------------------------------------------

  // The answer to every http() call; throw sr::retryable_error to simulate a
  // transport failure (the plugin then sees SR_RETRY). Without a handler,
  // every request gets status 599 and an "error".
  void on_http(HttpHandler handler) { std::lock_guard g(mu_); http_ = std::move(handler); }
  void set_log_level(int min_level) { min_log_level_ = min_level; }
  // The next `times` emit() calls return `status` and journal nothing.
  void fail_emits(sr_status status, int times = 1) {
    std::lock_guard g(mu_);
    emit_failure_ = status;
    emit_failures_left_ = times;
  }
  void set_now(std::int64_t wall_ms) { wall_ms_ = wall_ms; }
  // Moves both clocks forward.
  void advance(std::int64_t ms) { wall_ms_ += ms; monotonic_ms_ += ms; }
  void set_state(const std::string& key, const std::string& value) { std::lock_guard g(mu_); state_[key] = value; }
  void erase_state(const std::string& key) { std::lock_guard g(mu_); state_.erase(key); }

  // ---- what the connector did ---------------------------------------------------

  std::vector<LogLine> logs() const { std::lock_guard g(mu_); return logs_; }
  bool logged(std::string_view fragment, int min_level = SR_LOG_DEBUG) const {
    std::lock_guard g(mu_);
    for (const auto& l : logs_)
      if (l.level >= min_level && l.text.find(fragment) != std::string::npos) return true;
    return false;
  }
  std::vector<Event> events() const { std::lock_guard g(mu_); return events_; }
  std::vector<std::string> event_keys() const {
    std::lock_guard g(mu_);
    std::vector<std::string> keys;
    for (const auto& e : events_) keys.push_back(key_of(e));
    return keys;
  }
  std::vector<CommandResult> results() const { std::lock_guard g(mu_); return results_; }
  // The last result reported for a command id, if any.
  std::optional<CommandResult> result(std::string_view command_id) const {
    std::lock_guard g(mu_);
    for (auto it = results_.rbegin(); it != results_.rend(); ++it)
      if (it->id == command_id) return *it;
    return std::nullopt;
  }
  std::vector<Refusal> refusals() const { std::lock_guard g(mu_); return refusals_; }
  std::vector<HostCall> calls() const { std::lock_guard g(mu_); return calls_; }
  std::vector<nlohmann::json> http_requests() const { std::lock_guard g(mu_); return http_requests_; }
  std::vector<std::string> violations() const { std::lock_guard g(mu_); return violations_; }
  std::map<std::string, std::string> state() const { std::lock_guard g(mu_); return state_; }
  std::optional<std::string> state(const std::string& key) const {
    std::lock_guard g(mu_);
    auto it = state_.find(key);
    return it == state_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }

  // Forgets recorded logs, events, results, refusals, calls and HTTP
  // requests; keeps state, clocks, knobs and violations.
  void clear_records() {
    std::lock_guard g(mu_);
    logs_.clear(); events_.clear(); results_.clear(); refusals_.clear(); calls_.clear(); http_requests_.clear();
  }

 private:
  friend class Driver;
  enum class Call { None, Create, Start, Poll, Webhook, Deliver };

  // Marks the entry call in progress: host services check it, and strings
  // handed to the plugin live in arena_ until the call returns (abi.h rule 4).
  struct CallScope {
    FakeHost& host;
    CallScope(FakeHost& h, Call c, std::set<std::string> batch = {}) : host(h) {
      std::lock_guard g(host.mu_);
      host.call_ = c;
      host.call_thread_ = std::this_thread::get_id();
      host.batch_ids_ = std::move(batch);
    }
    ~CallScope() {
      std::lock_guard g(host.mu_);
      host.call_ = Call::None;
      host.arena_.clear();
      host.batch_ids_.clear();
    }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;
  };

  static FakeHost& self(sr_host* h) { return *reinterpret_cast<FakeHost*>(h); }

  static void check_table(const sr_connector_api* c) {
    if (!c) throw std::runtime_error("the entry symbol returned no connector table");
    if (c->abi_major != SR_ABI_MAJOR || c->abi_minor > SR_ABI_MINOR)
      throw std::runtime_error("connector built for ABI " + std::to_string(c->abi_major) + "." +
                               std::to_string(c->abi_minor) + ", this host speaks " +
                               std::to_string(SR_ABI_MAJOR) + "." + std::to_string(SR_ABI_MINOR));
    if (!c->describe || !c->create || !c->start || !c->stop || !c->destroy || !c->last_error)
      throw std::runtime_error("connector table lacks a required slot");
    // Like the host: optional slots must agree with the declared capabilities.
    std::string_view d = from_sr(c->describe());
    auto agree = [&](bool slot, const char* name, const char* capability) {
      if (slot != detail::has_capability(d, capability))
        throw std::runtime_error(std::string("connector table: slot ") + name + (slot ? " is set but" : " is NULL but") +
                                 " capability \"" + capability + "\" is" + (slot ? " not" : "") + " declared");
    };
    agree(c->poll != nullptr, "poll", "poll");
    agree(c->on_webhook != nullptr, "on_webhook", "webhooks");
    agree(c->deliver != nullptr, "deliver", "*.out");
  }

  // Caller holds mu_. Records and refuses a service used outside its call.
  bool allowed(const char* service, bool deliver_only = false) {
    std::string why;
    if (call_ == Call::None) why = "outside an entry call";
    else if (std::this_thread::get_id() != call_thread_) why = "from another thread than the entry call's";
    else if (call_ == Call::Create) why = "during create() (no I/O or state before start())";
    else if (deliver_only && call_ != Call::Deliver) why = "outside deliver()";
    if (why.empty()) return true;
    violations_.push_back(std::string(service) + " called " + why);
    return false;
  }

  sr_str keep(std::string s) {  // caller holds mu_
    arena_.push_back(std::move(s));
    return to_sr(arena_.back());
  }

  static void c_log(sr_host* h, int32_t level, sr_str msg) {
    try {
      auto& f = self(h);
      std::lock_guard g(f.mu_);
      f.logs_.push_back({level, std::string(from_sr(msg))});
    } catch (...) {
      // Logging must never fail the caller.
    }
  }
  static int32_t c_log_enabled(sr_host* h, int32_t level) { return level >= self(h).min_log_level_.load() ? 1 : 0; }
  static int64_t c_now_ms(sr_host* h) { return self(h).wall_ms_.load(); }
  static int64_t c_monotonic_ms(sr_host* h) { return self(h).monotonic_ms_.load(); }

  // The services that do more than return a value; defined in
  // detail/fake_host_services.hpp.
  static sr_status c_http(sr_host* h, sr_str request_json, sr_str* response_json);
  static sr_status c_state_get(sr_host* h, sr_str key, sr_str* value);
  static sr_status c_state_put(sr_host* h, sr_str key, sr_str value, const sr_str* expected);
  static sr_status c_emit(sr_host* h, sr_str events_json);
  static sr_status c_report(sr_host* h, sr_str results_json);
  void refuse(const char* service, std::string payload, std::string reason);  // caller holds mu_

  sr_host_api api_{};
  mutable std::mutex mu_;
  std::atomic<int> min_log_level_{SR_LOG_DEBUG};
  std::atomic<std::int64_t> wall_ms_{kStartWallMs};
  std::atomic<std::int64_t> monotonic_ms_{1'000'000};
  HttpHandler http_;
  sr_status emit_failure_ = SR_OK;
  int emit_failures_left_ = 0;
  bool stopping_ = false;

  Call call_ = Call::None;
  std::thread::id call_thread_;
  std::set<std::string> batch_ids_;
  std::deque<std::string> arena_;  // deque: growing it keeps earlier strings in place

  std::vector<LogLine> logs_;
  std::vector<Event> events_;
  std::vector<CommandResult> results_;
  std::vector<Refusal> refusals_;
  std::vector<HostCall> calls_;
  std::vector<nlohmann::json> http_requests_;
  std::vector<std::string> violations_;
  std::map<std::string, std::string> state_;
};

}  // namespace sr::testing

#include "stockrelay/testing/detail/fake_host_services.hpp"

namespace sr::testing {

// ---- Driver ------------------------------------------------------------------

inline Driver::~Driver() {
  stop();
  api_->destroy(instance_);
}

inline sr_status Driver::start() {
  FakeHost::CallScope scope(host_, FakeHost::Call::Start);
  return api_->start(instance_);
}

inline sr_status Driver::poll(PollMode mode) {
  if (!api_->poll) return SR_UNSUPPORTED;
  std::string req = poll_request(mode);
  FakeHost::CallScope scope(host_, FakeHost::Call::Poll);
  return api_->poll(instance_, to_sr(req));
}

inline sr_status Driver::deliver(const std::vector<Command>& batch) {
  return deliver(commands_document(batch));
}

inline sr_status Driver::deliver(std::string_view commands_document) {
  if (!api_->deliver) return SR_UNSUPPORTED;
  std::set<std::string> ids;
  auto doc = nlohmann::json::parse(commands_document.begin(), commands_document.end(), nullptr, false);
  if (doc.is_object() && doc.contains("items") && doc["items"].is_array())
    for (const auto& c : doc["items"])
      if (c.is_object() && c.contains("id")) ids.insert(c["id"].is_string() ? c["id"].get<std::string>() : c["id"].dump());
  std::string copy(commands_document);  // the plugin may only borrow it, as from the host
  FakeHost::CallScope scope(host_, FakeHost::Call::Deliver, std::move(ids));
  return api_->deliver(instance_, to_sr(copy));
}

inline WebhookCall Driver::on_webhook(const nlohmann::json& request) {
  WebhookCall out;
  if (!api_->on_webhook) {
    out.status = SR_UNSUPPORTED;
    return out;
  }
  std::string req = request.dump();
  sr_str resp{nullptr, 0};
  FakeHost::CallScope scope(host_, FakeHost::Call::Webhook);
  out.status = api_->on_webhook(instance_, to_sr(req), &resp);
  if (resp.len == 0) return out;
  out.responded = true;
  auto j = nlohmann::json::parse(from_sr(resp).begin(), from_sr(resp).end(), nullptr, false);
  if (!j.is_object()) throw std::runtime_error("on_webhook filled a response that is not a JSON object");
  out.response_status = j.value("status", 200);
  out.response_body = j.value("body", std::string());
  return out;
}

inline void Driver::stop() {
  if (stopped_.exchange(true)) return;
  {
    // The host aborts the connection's HTTP calls before stop() reaches the plugin.
    std::lock_guard g(host_.mu_);
    host_.stopping_ = true;
  }
  api_->stop(instance_);
}

inline std::string Driver::last_error() const { return std::string(from_sr(api_->last_error(instance_))); }

}  // namespace sr::testing
