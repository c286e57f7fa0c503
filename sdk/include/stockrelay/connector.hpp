// The C++ layer for connector authors, header-only, on top of abi.h.
//
// Write a class derived from sr::Connector, give it a constructor
// (sr::Host&, const nlohmann::json& settings), override what your connector
// does, and export it with one macro:
//
//   class MyShop : public sr::Connector {
//    public:
//     MyShop(sr::Host& host, const nlohmann::json& settings);
//     void poll(sr::PollMode mode) override;
//     void deliver(const std::vector<sr::Command>& batch) override;
//   };
//   STOCKRELAY_CONNECTOR(MyShop, kDescribeJson)
//
// The macro defines the one exported symbol, builds the connector table with
// exactly the optional slots your describe() capabilities declare, and
// catches every exception at the boundary:
//   sr::retryable_error  -> SR_RETRY   (timeouts, 5xx, 429: try again later)
//   sr::invalid_error    -> SR_INVALID (bad settings or input: do not retry)
//   sr::unsupported_error-> SR_UNSUPPORTED
//   sr::stopped_error    -> SR_STOPPED
//   anything else        -> SR_FAILED, with what() as last_error
#pragma once

#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stockrelay/abi.h"
#include "stockrelay/payload.hpp"

namespace sr {

struct retryable_error : std::runtime_error { using std::runtime_error::runtime_error; };
struct invalid_error : std::runtime_error { using std::runtime_error::runtime_error; };
struct unsupported_error : std::runtime_error { using std::runtime_error::runtime_error; };
struct stopped_error : std::runtime_error { stopped_error() : std::runtime_error("stopped") {} };

inline sr_str to_sr(std::string_view s) { return sr_str{s.data(), s.size()}; }
inline std::string_view from_sr(sr_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }


// ---- HTTP through the host -----------------------------------------------------

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 30000;
  std::optional<std::pair<std::string, std::string>> basic_auth;  // user, password

  nlohmann::json to_json() const {
    // A repeated name becomes an array (the envelope's form), not a silent overwrite.
    nlohmann::json h = nlohmann::json::object();
    for (const auto& [k, v] : headers) {
      if (!h.contains(k)) h[k] = v;
      else if (h[k].is_array()) h[k].push_back(v);
      else h[k] = nlohmann::json::array({h[k], v});
    }
    nlohmann::json j{{"method", method}, {"url", url}, {"headers", std::move(h)}, {"timeout_ms", timeout_ms}};
    if (!body.empty()) j["body"] = body;
    if (basic_auth) j["basic_auth"] = {{"user", basic_auth->first}, {"password", basic_auth->second}};
    return j;
  }
};

struct HttpResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-case
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool ok() const { return status >= 200 && status < 300; }

  static HttpResponse from_json(std::string_view text) {
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw std::runtime_error("host returned an invalid HTTP response envelope");
    HttpResponse r;
    r.status = j.value("status", 0);
    r.body = j.value("body", std::string());
    if (auto h = j.find("headers"); h != j.end() && h->is_object()) {
      for (auto it = h->begin(); it != h->end(); ++it) {
        if (it->is_string()) r.headers.emplace(it.key(), it->get<std::string>());
        else if (it->is_array())
          for (const auto& v : *it)
            if (v.is_string()) r.headers.emplace(it.key(), v.get<std::string>());
      }
    }
    return r;
  }
};

// ---- the host, as the connector sees it -------------------------------------------

class Host {
 public:
  Host(sr_host* host, const sr_host_api* api) : host_(host), api_(api) {}

  void log(int level, std::string_view msg) const {
    if (SR_HOST_HAS(api_, log)) api_->log(host_, level, to_sr(msg));
  }
  bool log_enabled(int level) const {
    return SR_HOST_HAS(api_, log_enabled) && api_->log_enabled(host_, level) != 0;
  }
  void debug(std::string_view m) const { if (log_enabled(SR_LOG_DEBUG)) log(SR_LOG_DEBUG, m); }
  void info(std::string_view m) const { log(SR_LOG_INFO, m); }
  void warn(std::string_view m) const { log(SR_LOG_WARN, m); }
  void error(std::string_view m) const { log(SR_LOG_ERROR, m); }

  std::int64_t now_ms() const { return api_->now_ms(host_); }
  std::int64_t monotonic_ms() const { return api_->monotonic_ms(host_); }

  // Throws retryable_error when no HTTP answer came (after the host's own
  // retries), stopped_error when the instance is stopping.
  HttpResponse http(const HttpRequest& req) const {
    std::string body = req.to_json().dump();
    sr_str out{nullptr, 0};
    sr_status st = api_->http(host_, to_sr(body), &out);
    if (st == SR_STOPPED) throw stopped_error();
    if (st == SR_INVALID) throw invalid_error("invalid HTTP request for " + req.url);
    if (st != SR_OK) {
      std::string detail;
      auto j = nlohmann::json::parse(from_sr(out).begin(), from_sr(out).end(), nullptr, false);
      if (j.is_object()) detail = j.value("error", std::string());
      throw retryable_error(req.method + " " + req.url + " failed" + (detail.empty() ? "" : ": " + detail));
    }
    return HttpResponse::from_json(from_sr(out));
  }

  std::optional<std::string> state_get(std::string_view key) const {
    sr_str out{nullptr, 0};
    if (api_->state_get(host_, to_sr(key), &out) != SR_OK) return std::nullopt;
    return std::string(from_sr(out));
  }
  // expected: compare-and-set; returns false when the stored value differed.
  bool state_put(std::string_view key, std::string_view value,
                 std::optional<std::string_view> expected = std::nullopt) const {
    sr_str exp = expected ? to_sr(*expected) : sr_str{nullptr, 0};
    return api_->state_put(host_, to_sr(key), to_sr(value), expected ? &exp : nullptr) == SR_OK;
  }

  // Journals the events durably before returning. Returns false if the host
  // refused some of them as invalid (it logged which).
  bool emit(const std::vector<Event>& events) const {
    if (events.empty()) return true;
    std::string doc = events_document(events);
    sr_status st = api_->emit(host_, to_sr(doc));
    if (st == SR_STOPPED) throw stopped_error();
    return st == SR_OK;
  }

  void report(const std::vector<CommandResult>& results) const {
    if (results.empty()) return;
    std::string doc = results_document(results);
    api_->report(host_, to_sr(doc));
  }

  sr_host* raw() const { return host_; }
  const sr_host_api* api() const { return api_; }

 private:
  sr_host* host_;
  const sr_host_api* api_;
};

struct WebhookRequest {
  std::string method;
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  // When the host received the request (its clock, now_ms(); 0: not known).
  // The call may come later, after other calls of this instance: a body the
  // sender built before that is no newer than this.
  std::int64_t received_at = 0;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct WebhookResponse {
  int status = 200;
  std::string body = "{}";
};

// ---- the base class ------------------------------------------------------------------

class Connector {
 public:
  explicit Connector(Host& host) : host_(host) {}
  virtual ~Connector() = default;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  virtual void start() {}
  virtual void poll(PollMode) { throw unsupported_error("this connector does not poll"); }
  // Refuse a bad signature or body by returning a 4xx WebhookResponse (e.g.
  // {401, ...}): the call then returns SR_INVALID and the host answers with
  // that status. Throwing invalid_error also gives SR_INVALID, with an empty
  // response (the host picks the status).
  virtual WebhookResponse on_webhook(const WebhookRequest&) { throw unsupported_error("this connector takes no webhooks"); }
  // Report per-command outcomes with host().report(); commands not reported
  // take the outcome of the call (OK if it returns, the exception's otherwise).
  virtual void deliver(const std::vector<Command>&) { throw unsupported_error("this connector accepts no commands"); }
  // Any thread. Make running calls return soon; the host has already aborted
  // this connection's HTTP calls.
  virtual void stop() { stopping_ = true; }

  bool stopping() const { return stopping_.load(); }
  Host& host() const { return host_; }

 protected:
  std::atomic<bool> stopping_{false};

 private:
  Host& host_;
};

namespace detail {

// What the export macro keeps per instance: the host handle, the user's
// object and the storage behind last_error/webhook responses (rule 4).
struct Instance {
  Host host;
  std::unique_ptr<Connector> connector;
  std::string last_error;
  std::string webhook_response;
  Instance(sr_host* h, const sr_host_api* a) : host(h, a) {}
};

inline Instance* self(sr_instance* p) { return reinterpret_cast<Instance*>(p); }

template <class F>
sr_status guarded(Instance* in, F&& f) noexcept {
  try {
    f();
    in->last_error.clear();
    return SR_OK;
  } catch (const retryable_error& e) {
    in->last_error = e.what();
    return SR_RETRY;
  } catch (const invalid_error& e) {
    in->last_error = e.what();
    return SR_INVALID;
  } catch (const unsupported_error& e) {
    in->last_error = e.what();
    return SR_UNSUPPORTED;
  } catch (const stopped_error& e) {
    in->last_error = e.what();
    return SR_STOPPED;
  } catch (const payload_error& e) {
    in->last_error = e.what();
    return SR_INVALID;
  } catch (const std::exception& e) {
    in->last_error = e.what();
    return SR_FAILED;
  } catch (...) {
    in->last_error = "unknown exception";
    return SR_FAILED;
  }
}

inline bool has_capability(std::string_view describe, std::string_view cap) {
  auto j = nlohmann::json::parse(describe.begin(), describe.end(), nullptr, false);
  if (!j.is_object()) return false;
  auto caps = j.find("capabilities");
  if (caps == j.end() || !caps->is_array()) return false;
  for (const auto& c : *caps) {
    if (!c.is_string()) continue;
    const auto& s = c.get_ref<const std::string&>();
    if (s == cap) return true;
    if (cap == "*.out" && s.size() > 4 && s.compare(s.size() - 4, 4, ".out") == 0) return true;
  }
  return false;
}

template <class T>
struct Exporter {
  static std::string_view& describe_text() {
    static std::string_view text;
    return text;
  }
  static std::string& create_error() {
    static thread_local std::string e;
    return e;
  }

  static sr_str describe() { return to_sr(describe_text()); }

  static sr_instance* create(sr_host* h, const sr_host_api* api, sr_str config, sr_status* rc, sr_str* error) noexcept {
    auto in = std::make_unique<Instance>(h, api);
    sr_status st = guarded(in.get(), [&] {
      auto cfg = nlohmann::json::parse(from_sr(config).begin(), from_sr(config).end(), nullptr, false);
      if (cfg.is_discarded()) throw invalid_error("settings are not valid JSON");
      in->connector = std::make_unique<T>(in->host, cfg);
    });
    if (rc) *rc = st;
    if (st != SR_OK) {
      create_error() = in->last_error;
      if (error) *error = to_sr(create_error());
      return nullptr;
    }
    return reinterpret_cast<sr_instance*>(in.release());
  }

  static sr_status start(sr_instance* p) noexcept {
    return guarded(self(p), [&] { self(p)->connector->start(); });
  }

  static sr_status poll(sr_instance* p, sr_str request) noexcept {
    return guarded(self(p), [&] {
      auto j = nlohmann::json::parse(from_sr(request).begin(), from_sr(request).end(), nullptr, false);
      self(p)->connector->poll(poll_mode_from(j.is_object() ? j.value("mode", std::string()) : std::string()));
    });
  }

  static sr_status on_webhook(sr_instance* p, sr_str request, sr_str* response) noexcept {
    Instance* in = self(p);
    in->webhook_response.clear();
    sr_status st = guarded(in, [&] {
      auto j = nlohmann::json::parse(from_sr(request).begin(), from_sr(request).end(), nullptr, false);
      if (!j.is_object()) throw invalid_error("webhook request envelope is not a JSON object");
      WebhookRequest req;
      req.method = j.value("method", std::string());
      req.path = j.value("path", std::string());
      req.query = j.value("query", std::string());
      req.body = j.value("body", std::string());
      if (auto at = j.find("received_at"); at != j.end() && at->is_number_integer()) req.received_at = at->get<std::int64_t>();
      if (auto hs = j.find("headers"); hs != j.end() && hs->is_object())
        for (auto it = hs->begin(); it != hs->end(); ++it)
          if (it->is_string()) req.headers[it.key()] = it->get<std::string>();
      WebhookResponse res = in->connector->on_webhook(req);
      in->webhook_response = nlohmann::json{{"status", res.status}, {"body", res.body}}.dump();
      // abi.h: a refused webhook returns SR_INVALID *and* says 401 or 400.
      if (res.status >= 400 && res.status < 500)
        throw invalid_error("webhook refused with " + std::to_string(res.status) + ": " + res.body);
    });
    if (response) *response = to_sr(in->webhook_response);
    return st;
  }

  static sr_status deliver(sr_instance* p, sr_str commands) noexcept {
    return guarded(self(p), [&] { self(p)->connector->deliver(commands_from_document(from_sr(commands))); });
  }

  static void stop(sr_instance* p) noexcept {
    try {
      if (self(p)->connector) self(p)->connector->stop();
    } catch (...) {
      // stop() must not throw; nothing useful to do with the error here.
    }
  }

  static void destroy(sr_instance* p) noexcept {
    try {
      delete self(p);
    } catch (...) {
    }
  }

  static sr_str last_error(sr_instance* p) noexcept { return to_sr(self(p)->last_error); }

  static const sr_connector_api* table(std::string_view describe_json) {
    static const sr_connector_api api = [&] {
      describe_text() = describe_json;
      sr_connector_api t{};
      t.struct_size = sizeof(sr_connector_api);
      t.abi_major = SR_ABI_MAJOR;
      t.abi_minor = SR_ABI_MINOR;
      t.describe = &Exporter::describe;
      t.create = &Exporter::create;
      t.start = &Exporter::start;
      t.poll = has_capability(describe_json, "poll") ? &Exporter::poll : nullptr;
      t.on_webhook = has_capability(describe_json, "webhooks") ? &Exporter::on_webhook : nullptr;
      t.deliver = has_capability(describe_json, "*.out") ? &Exporter::deliver : nullptr;
      t.stop = &Exporter::stop;
      t.destroy = &Exporter::destroy;
      t.last_error = &Exporter::last_error;
      return t;
    }();
    return &api;
  }
};

}  // namespace detail
}  // namespace sr

// Exports `ConnectorClass` as this library's connector. `describe_json` is a
// string with static storage (a literal or a constexpr std::string_view).
#define STOCKRELAY_CONNECTOR(ConnectorClass, describe_json)                                   \
  extern "C" SR_EXPORT const sr_connector_api* stockrelay_connector_v1(uint16_t, uint16_t) { \
    return ::sr::detail::Exporter<ConnectorClass>::table(describe_json);                       \
  }
