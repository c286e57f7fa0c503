// A complete stockrelay connector in one file: it reads stock levels from a
// JSON API (GET <base_url>/stock?since=<cursor>) and writes the levels the
// hub sends (PUT <base_url>/stock/<sku>), all through the host's HTTP client.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <stockrelay/connector.hpp>

constexpr const char* kDescribe = R"({
  "schema": "stockrelay.describe/1", "id": "minimal", "name": "Minimal example", "version": "1.0.0",
  "vendor": "stockrelay examples", "abi": {"major": 1, "minor": 0},
  "capabilities": ["stock.in", "stock.out", "poll"],
  "limits": {"batch_size": 20, "requests_per_second": 5, "max_concurrency": 1},
  "config_schema": {"type": "object", "required": ["base_url", "api_key"], "additionalProperties": false,
    "properties": {"base_url": {"type": "string"}, "api_key": {"type": "string", "x-secret": true}}}
})";

class Minimal : public sr::Connector {
 public:
  Minimal(sr::Host& host, const nlohmann::json& settings)
      : sr::Connector(host), base_(settings.value("base_url", "")), key_(settings.value("api_key", "")) {
    if (base_.empty() || key_.empty()) throw sr::invalid_error("settings: base_url and api_key are required");
  }

  void poll(sr::PollMode mode) override {
    std::string since = mode == sr::PollMode::Reconcile ? "" : host().state_get("since").value_or("");
    sr::HttpResponse r = call("GET", "/stock?since=" + since, "");
    if (!r.ok()) throw sr::retryable_error("GET /stock answered " + std::to_string(r.status));
    std::vector<sr::Event> events;
    for (const auto& item : nlohmann::json::parse(r.body)) {
      sr::StockLevel level;
      level.sku = item.at("sku").get<std::string>();
      level.quantity = item.at("quantity").get<sr::Quantity>();
      level.version = item.at("modified").get<std::string>();  // ISO 8601: sorts as text
      level.key = "level:" + level.sku + ":" + level.version;
      since = std::max(since, level.version);
      events.push_back(std::move(level));
    }
    // Journalled before emit() returns, so the cursor may follow right after.
    if (!host().emit(events)) throw sr::retryable_error("the host did not take the levels");
    if (!events.empty()) host().state_put("since", since);
  }

  void deliver(const std::vector<sr::Command>& batch) override {
    std::vector<sr::CommandResult> results;
    for (const auto& c : batch) {
      sr::CommandResult& res = results.emplace_back();  // by member: SDK structs gain fields
      res.id = c.id;
      const auto* set = std::get_if<sr::SetStock>(&c.body);
      if (!set) {
        res.outcome = sr::Outcome::Unsupported;
        res.message = "only set_stock";
        continue;
      }
      nlohmann::json body{{"quantity", set->quantity}};
      sr::HttpResponse r = call("PUT", "/stock/" + set->sku, body.dump());
      if (r.ok()) res.level = set->quantity;
      else res.message = "PUT answered " + std::to_string(r.status);
      res.outcome = r.ok() ? sr::Outcome::Ok : r.status == 429 || r.status >= 500 ? sr::Outcome::Retry : sr::Outcome::Failed;
    }
    host().report(results);
  }

 private:
  sr::HttpResponse call(const std::string& method, const std::string& path, const std::string& body) {
    sr::HttpRequest req;
    req.method = method;
    req.url = base_ + path;
    req.headers = {{"X-Api-Key", key_}, {"Content-Type", "application/json"}};
    req.body = body;
    return host().http(req);
  }
  std::string base_, key_;
};

STOCKRELAY_CONNECTOR(Minimal, kDescribe)
