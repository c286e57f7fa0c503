// The behaviour of FakeHost's host services (http, state, emit, report):
// what the plugin sees through the C table. Included by fake_host.hpp only.
#pragma once

namespace sr::testing {

inline sr_status FakeHost::c_http(sr_host* h, sr_str request_json, sr_str* response_json) {
  auto& f = self(h);
  try {
    auto req = nlohmann::json::parse(from_sr(request_json).begin(), from_sr(request_json).end(), nullptr, false);
    HttpHandler handler;
    {
      std::lock_guard g(f.mu_);
      if (!f.allowed("http")) return SR_INVALID;
      if (!req.is_object() || !req.contains("url") || !req["url"].is_string()) {
        f.refusals_.push_back({"http", std::string(from_sr(request_json)), "'url' must be a string"});
        return SR_INVALID;
      }
      f.http_requests_.push_back(req);
      f.calls_.push_back({"http", req.value("method", "GET") + " " + req["url"].get<std::string>()});
      if (f.stopping_) return SR_STOPPED;
      handler = f.http_;
    }
    // The handler runs unlocked: it may block, and a test may call stop() meanwhile.
    nlohmann::json env{{"attempts", 1}, {"error", ""}};
    sr_status st = SR_OK;
    try {
      HttpResponse r = handler ? handler(req) : HttpResponse{599, {}, ""};
      if (!handler) env["error"] = "FakeHost: no HTTP handler for " + req["url"].get<std::string>();
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [k, v] : r.headers) {
        if (!headers.contains(k)) headers[k] = v;
        else if (headers[k].is_array()) headers[k].push_back(v);
        else headers[k] = nlohmann::json::array({headers[k], v});
      }
      env["status"] = r.status;
      env["headers"] = std::move(headers);
      env["body"] = r.body;
    } catch (const std::exception& e) {
      env["status"] = 0;
      env["error"] = e.what();
      st = SR_RETRY;
    }
    std::lock_guard g(f.mu_);
    if (f.stopping_) return SR_STOPPED;
    *response_json = f.keep(env.dump());
    return st;
  } catch (...) {
    return SR_FAILED;
  }
}

inline sr_status FakeHost::c_state_get(sr_host* h, sr_str key, sr_str* value) {
  auto& f = self(h);
  try {
    std::lock_guard g(f.mu_);
    *value = sr_str{nullptr, 0};
    if (!f.allowed("state_get")) return SR_INVALID;
    auto it = f.state_.find(std::string(from_sr(key)));
    if (it == f.state_.end()) return SR_FAILED;
    *value = f.keep(it->second);
    return SR_OK;
  } catch (...) {
    return SR_FAILED;
  }
}

inline sr_status FakeHost::c_state_put(sr_host* h, sr_str key, sr_str value, const sr_str* expected) {
  auto& f = self(h);
  try {
    std::lock_guard g(f.mu_);
    if (!f.allowed("state_put")) return SR_INVALID;
    std::string k(from_sr(key));
    if (expected) {
      auto it = f.state_.find(k);
      if (it == f.state_.end() || it->second != from_sr(*expected)) return SR_FAILED;
    }
    f.state_[k] = std::string(from_sr(value));
    f.calls_.push_back({"state_put", k + "=" + f.state_[k]});
    return SR_OK;
  } catch (...) {
    return SR_FAILED;
  }
}

// Like the host: a document that is not a stockrelay.events/1 batch is
// refused whole; otherwise every valid item is kept and each invalid one
// is refused and logged, and the call returns SR_INVALID.
inline sr_status FakeHost::c_emit(sr_host* h, sr_str events_json) {
  auto& f = self(h);
  try {
    std::lock_guard g(f.mu_);
    if (!f.allowed("emit")) return SR_INVALID;
    if (f.emit_failures_left_ > 0) {
      --f.emit_failures_left_;
      return f.emit_failure_;
    }
    std::string text(from_sr(events_json));
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object() || doc.value("schema", "") != kEventsSchema || !doc.contains("items") ||
        !doc["items"].is_array()) {
      f.refuse("emit", text, std::string("not a ") + kEventsSchema + " document with an 'items' array");
      return SR_INVALID;
    }
    bool all_valid = true;
    std::string keys;
    for (const auto& item : doc["items"]) {
      try {
        f.events_.push_back(event_from_json(item));
        keys += (keys.empty() ? "" : ",") + key_of(f.events_.back());
      } catch (const payload_error& e) {
        f.refuse("emit", item.dump(), e.what());
        all_valid = false;
      }
    }
    f.calls_.push_back({"emit", keys});
    return all_valid ? SR_OK : SR_INVALID;
  } catch (...) {
    return SR_FAILED;
  }
}

inline sr_status FakeHost::c_report(sr_host* h, sr_str results_json) {
  auto& f = self(h);
  try {
    std::lock_guard g(f.mu_);
    if (!f.allowed("report", true)) return SR_INVALID;
    std::string text(from_sr(results_json));
    std::vector<CommandResult> results;
    try {
      results = results_from_document(text);
    } catch (const payload_error& e) {
      f.refuse("report", text, e.what());
      return SR_INVALID;
    }
    for (auto& r : results) {
      if (!f.batch_ids_.count(r.id)) {
        f.violations_.push_back("report: result for command '" + r.id + "', which is not in this batch");
        continue;
      }
      f.results_.push_back(std::move(r));
    }
    f.calls_.push_back({"report", std::to_string(results.size()) + " results"});
    return SR_OK;
  } catch (...) {
    return SR_FAILED;
  }
}

inline void FakeHost::refuse(const char* service, std::string payload, std::string reason) {
  logs_.push_back({SR_LOG_ERROR, std::string(service) + ": refused: " + reason});
  refusals_.push_back({service, std::move(payload), std::move(reason)});
}

}  // namespace sr::testing
