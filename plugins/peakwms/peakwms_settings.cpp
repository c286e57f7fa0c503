// describe() and the settings: the JSON Schema the host validates a
// connection's YAML against, and the same checks again in create() (a
// FakeHost or an older host may not validate).
#include "peakwms_settings.hpp"

#include <algorithm>
#include <set>

#include <stockrelay/connector.hpp>
#include <stockrelay/settings.hpp>

namespace peakwms {

const char* const kDescribe = R"({
  "schema": "stockrelay.describe/1",
  "id": "peakwms",
  "name": "PeakWMS",
  "version": "1.0.0",
  "vendor": "stockrelay",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["stock.in", "orders.out", "orders.cancel.out", "products.out", "poll", "webhooks"],
  "limits": {"batch_size": 100, "requests_per_second": 0, "max_concurrency": 2, "poll_seconds": 180},
  "config_schema": {
    "type": "object",
    "properties": {
      "base_url": {"type": "string", "pattern": "^https?://",
                   "description": "PeakWMS's integration API, e.g. https://api.peakwms.com/api/integration/v1 (sandbox: https://api-test.peakwms.com/api/integration/v1)."},
      "shops": {"type": "object", "minProperties": 1,
                "description": "The web shops this PeakWMS serves: each shop connection's name in this configuration maps to the API key of its own OpenAPI web-shop integration in PeakWMS (Settings > Integrations > Webshop integrations).",
                "additionalProperties": {
                  "type": "object",
                  "properties": {
                    "api_key": {"type": "string", "minLength": 1, "x-secret": true,
                                "description": "The API key PeakWMS showed when the shop's integration was created."}
                  },
                  "required": ["api_key"],
                  "additionalProperties": false
                }},
      "webhook_url": {"type": "string", "pattern": "^https?://",
                      "description": "This hub's address for this connection's webhooks as PeakWMS reaches it, e.g. https://hub.example/hooks/warehouse. When set, start() registers a StockAdjust webhook for every shop's key (once; again only when the address changes)."},
      "webhook_token": {"type": "string", "minLength": 8, "x-secret": true,
                        "description": "PeakWMS does not sign webhooks: this token is added to the registered URL and a webhook without it is refused (401)."},
      "page_size": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000,
                    "description": "Products per keyset page when listing (PageSize)."},
      "rate_limit": {"type": "object",
                     "description": "PeakWMS's rate limit per API key; the connector never sends more than `requests` in any `window_ms` with one key.",
                     "properties": {
                       "requests": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 240},
                       "window_ms": {"type": "integer", "minimum": 100, "maximum": 3600000, "default": 60000}
                     },
                     "additionalProperties": false}
    },
    "required": ["base_url", "shops"],
    "additionalProperties": false
  }
})";

namespace {

// SettingsReader names the fields of a nested object as if they were at the
// top ("settings: 'api_key' is required"); this puts the object's path in
// front of the name ("settings: 'shops.shop-a.api_key' is required").
template <class F>
auto inside(const std::string& path, const nlohmann::json& value, F&& read) {
  if (!value.is_object()) throw sr::invalid_error("settings: '" + path + "' must be an object");
  try {
    return read();
  } catch (const sr::invalid_error& e) {
    std::string m = e.what();
    auto quote = m.find('\'');
    if (quote == std::string::npos) throw;
    m.insert(quote + 1, path + ".");
    throw sr::invalid_error(m);
  }
}

Shop read_shop(const std::string& name, const nlohmann::json& value) {
  const std::string path = "shops." + name;
  if (!value.is_object())
    throw sr::invalid_error("settings: '" + path + "' must be an object {api_key: \"...\"}");
  return inside(path, value, [&] {
    sr::SettingsReader r(value, {"api_key"});
    return Shop{name, r.string("api_key", true)};
  });
}

std::vector<Shop> read_shops(const nlohmann::json& s) {
  auto it = s.find("shops");
  if (it == s.end() || it->is_null()) throw sr::invalid_error("settings: 'shops' is required");
  if (!it->is_object() || it->empty())
    throw sr::invalid_error(
        "settings: 'shops' must map at least one shop connection's name to {api_key: \"...\"}");
  std::vector<Shop> shops;
  for (const auto& [name, value] : it->items()) {
    if (name.empty()) throw sr::invalid_error("settings: 'shops' has a shop with an empty name");
    shops.push_back(read_shop(name, value));
  }
  std::sort(shops.begin(), shops.end(), [](const Shop& a, const Shop& b) { return a.name < b.name; });
  // One key is one web-shop integration: two shops on one key would see
  // (and sell) each other's products.
  for (std::size_t i = 0; i < shops.size(); ++i)
    for (std::size_t j = i + 1; j < shops.size(); ++j)
      if (shops[i].api_key == shops[j].api_key)
        throw sr::invalid_error("settings: 'shops." + shops[i].name + ".api_key' and 'shops." + shops[j].name +
                                ".api_key' are the same key; each shop needs the key of its own web-shop "
                                "integration in PeakWMS");
  return shops;
}

}  // namespace

const Shop* Settings::shop(const std::string& name) const {
  for (const auto& s : shops)
    if (s.name == name) return &s;
  return nullptr;
}

Settings Settings::parse(const nlohmann::json& s) {
  sr::SettingsReader r(s, {"base_url", "shops", "webhook_url", "webhook_token", "page_size", "rate_limit"});
  Settings out;
  out.base_url = r.url("base_url", true);
  out.shops = read_shops(s);
  out.webhook_url = r.url("webhook_url", false);
  out.webhook_token = r.string("webhook_token", false);
  if (!out.webhook_token.empty() && out.webhook_token.size() < 8)
    throw sr::invalid_error("settings: 'webhook_token' must be at least 8 characters (it is the webhooks' only proof)");
  out.page_size = static_cast<int>(r.integer("page_size", 1, 1000, 1000));
  if (r.has("rate_limit")) {
    inside("rate_limit", s.at("rate_limit"), [&] {
      sr::SettingsReader limit(s.at("rate_limit"), {"requests", "window_ms"});
      out.rate_requests = static_cast<int>(limit.integer("requests", 1, 100000, 240));
      out.rate_window_ms = limit.integer("window_ms", 100, 3600000, 60000);
      return 0;
    });
  }
  return out;
}

}  // namespace peakwms
