#include "hub/connection.hpp"

#include <algorithm>
#include <chrono>

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "http/envelope.hpp"
#include "stockrelay/connector.hpp"

namespace stockrelay::hub {
namespace {

using sr::from_sr;
using sr::to_sr;

Connection& self(sr_host* h) { return *h->connection; }

void host_log(sr_host* h, int32_t level, sr_str msg) { self(h).service_log(level, from_sr(msg)); }

int32_t host_log_enabled(sr_host*, int32_t level) {
  return log::enabled(static_cast<log::Level>(std::clamp(level, 0, 3))) ? 1 : 0;
}

int64_t host_now(sr_host* h) { return self(h).clock().now_ms(); }
int64_t host_monotonic(sr_host* h) { return self(h).clock().monotonic_ms(); }

sr_status host_http(sr_host* h, sr_str req, sr_str* resp) { return self(h).service_http(from_sr(req), resp); }

sr_status host_state_get(sr_host* h, sr_str key, sr_str* value) {
  return self(h).service_state_get(from_sr(key), value);
}

sr_status host_state_put(sr_host* h, sr_str key, sr_str value, const sr_str* expected) {
  return self(h).service_state_put(from_sr(key), from_sr(value), expected);
}

sr_status host_emit(sr_host* h, sr_str events) { return self(h).service_emit(from_sr(events)); }
sr_status host_report(sr_host* h, sr_str results) { return self(h).service_report(from_sr(results)); }

http::Limits limits_for(const sr::Description& d) {
  http::Limits l;
  l.requests_per_second = d.limits.requests_per_second;
  l.max_concurrency = std::max(1, d.limits.max_concurrency);
  return l;
}

}  // namespace

Connection::Connection(const config::ConnectionConfig& cfg, std::shared_ptr<const loader::Plugin> plugin,
                       Services services)
    : name_(cfg.name), cfg_(cfg), plugin_(std::move(plugin)), services_(std::move(services)) {
  api_.struct_size = sizeof(sr_host_api);
  api_.abi_major = SR_ABI_MAJOR;
  api_.abi_minor = SR_ABI_MINOR;
  api_.log = &host_log;
  api_.log_enabled = &host_log_enabled;
  api_.now_ms = &host_now;
  api_.monotonic_ms = &host_monotonic;
  api_.http = &host_http;
  api_.state_get = &host_state_get;
  api_.state_put = &host_state_put;
  api_.emit = &host_emit;
  api_.report = &host_report;
  http_ = std::make_unique<http::Client>(name_, limits_for(plugin_->description), *services_.clock);
  for (const auto& s : cfg_.secrets) log::add_secret(s);
}

Connection::~Connection() {
  if (instance_) {
    stop();
    plugin_->api->destroy(instance_);
    instance_ = nullptr;
  }
}

Status Connection::create() {
  std::string settings = cfg_.settings.dump();
  sr_status rc = SR_OK;
  sr_str error{nullptr, 0};
  instance_ = plugin_->api->create(&host_, &api_, to_sr(settings), &rc, &error);
  if (!instance_) {
    std::string why(from_sr(error));
    return Error{cfg_.loc.str(),
                 "connection '" + name_ + "': plugin '" + plugin_->description.id + "' refused to start: " +
                     (why.empty() ? "create failed" : why),
                 rc == SR_INVALID ? "check the connection's settings" : ""};
  }
  return Ok{};
}

template <class F>
sr_status Connection::entry(const char* what, F&& call) {
  if (!instance_) return SR_FAILED;
  if (stopping_) return SR_STOPPED;
  const auto t0 = std::chrono::steady_clock::now();
  sr_status st = call();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Metrics::global().add("stockrelay_plugin_calls_total",
                        {{"connection", name_}, {"call", what}, {"status", std::to_string(st)}});
  // Time inside the plugin: a connection's calls run one at a time, so this
  // is how busy its strand was with each kind of call.
  Metrics::global().add("stockrelay_plugin_call_seconds_total", {{"connection", name_}, {"call", what}}, took);
  if (st != SR_OK && st != SR_STOPPED)
    log::warn({name_, {}, {}}, std::string(what) + " returned status " + std::to_string(st) + ": " + last_error());
  return st;
}

sr_status Connection::start() {
  return entry("start", [&] { return plugin_->api->start(instance_); });
}

sr_status Connection::poll(sr::PollMode mode) {
  if (!plugin_->has(loader::Slot::poll)) return SR_UNSUPPORTED;
  std::string req = sr::poll_request(mode);
  return entry("poll", [&] { return plugin_->api->poll(instance_, to_sr(req)); });
}

sr_status Connection::on_webhook(const std::string& request_json, std::string& response_json) {
  if (!plugin_->has(loader::Slot::on_webhook)) return SR_UNSUPPORTED;
  return entry("on_webhook", [&] {
    sr_str out{nullptr, 0};
    sr_status st = plugin_->api->on_webhook(instance_, to_sr(request_json), &out);
    response_json.assign(from_sr(out));
    return st;
  });
}

sr_status Connection::deliver(const std::string& commands_json, std::vector<sr::CommandResult>& reported) {
  if (!plugin_->has(loader::Slot::deliver)) return SR_UNSUPPORTED;
  reports_ = &reported;
  sr_status st = entry("deliver", [&] { return plugin_->api->deliver(instance_, to_sr(commands_json)); });
  reports_ = nullptr;
  return st;
}

void Connection::stop() {
  if (stopping_.exchange(true)) return;
  http_->abort_all();
  if (instance_) plugin_->api->stop(instance_);
}

std::string Connection::last_error() const {
  if (!instance_) return {};
  return std::string(from_sr(plugin_->api->last_error(instance_)));
}

bool Connection::has_capability(const std::string& capability) const {
  const auto& caps = plugin_->description.capabilities;
  return std::find(caps.begin(), caps.end(), capability) != caps.end();
}

void Connection::service_log(int32_t level, std::string_view msg) {
  auto l = static_cast<log::Level>(std::clamp(level, 0, 3));
  if (log::enabled(l)) log::write(l, {name_, {}, {}}, msg);
}

sr_status Connection::service_http(std::string_view request_json, sr_str* response_json) {
  auto req = http::request_from_json(request_json);
  if (!req) {
    log::error({name_, {}, {}}, req.error().message());
    http_scratch_ = nlohmann::json{{"status", 0}, {"error", req.error().message()}}.dump();
    if (response_json) *response_json = to_sr(http_scratch_);
    return SR_INVALID;
  }
  http::Response resp = http_->send(*req);
  http_scratch_ = http::response_to_json(resp);
  if (response_json) *response_json = to_sr(http_scratch_);
  if (resp.error == "stopped") return SR_STOPPED;
  if (resp.status == 0) return SR_RETRY;
  return SR_OK;
}

sr_status Connection::service_state_get(std::string_view key, sr_str* value) {
  auto v = services_.store->state_get(name_, std::string(key));
  state_scratch_ = v.value_or(std::string());
  if (value) *value = to_sr(state_scratch_);
  return v ? SR_OK : SR_FAILED;
}

sr_status Connection::service_state_put(std::string_view key, std::string_view value, const sr_str* expected) {
  std::optional<std::string> exp;
  if (expected) exp = std::string(from_sr(*expected));
  std::lock_guard lock(*services_.store_mutex);
  return services_.store->state_put(name_, std::string(key), std::string(value), exp) ? SR_OK : SR_FAILED;
}

sr_status Connection::service_emit(std::string_view events_json) {
  if (stopping_) return SR_STOPPED;
  return services_.emit(name_, events_json);
}

sr_status Connection::service_report(std::string_view results_json) {
  if (!reports_) {
    log::warn({name_, {}, {}}, "report() called outside deliver(); ignored");
    return SR_INVALID;
  }
  try {
    for (auto& r : sr::results_from_document(results_json)) reports_->push_back(std::move(r));
    return SR_OK;
  } catch (const std::exception& e) {
    log::error({name_, {}, {}}, std::string("reported results are invalid: ") + e.what());
    return SR_INVALID;
  }
}

}  // namespace stockrelay::hub
