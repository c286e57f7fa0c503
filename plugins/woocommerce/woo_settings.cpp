// describe() and the settings: the JSON Schema the host validates a
// connection's YAML against, and the same checks again in create() (a
// FakeHost or an older host may not validate).
#include "woo_settings.hpp"

#include <stockrelay/connector.hpp>

#include "woo_model.hpp"

namespace woo {

const char* const kDescribe = R"({
  "schema": "stockrelay.describe/1",
  "id": "woocommerce",
  "name": "WooCommerce",
  "version": "1.0.0",
  "vendor": "stockrelay",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["orders.in", "stock.in", "products.in", "stock.out", "notes.out", "prices.out", "poll", "webhooks"],
  "limits": {"batch_size": 100, "requests_per_second": 0, "max_concurrency": 2},
  "config_schema": {
    "type": "object",
    "properties": {
      "url": {"type": "string", "pattern": "^https?://",
              "description": "The store's URL, e.g. https://shop.example (the REST API is at url + /wp-json/wc/v3; pretty permalinks must be on)."},
      "consumer_key": {"type": "string", "minLength": 1,
                       "description": "REST API consumer key (ck_...), from WooCommerce > Settings > Advanced > REST API, with read_write permission."},
      "consumer_secret": {"type": "string", "minLength": 1, "x-secret": true,
                          "description": "The consumer secret (cs_...) that belongs to consumer_key."},
      "webhook_secret": {"type": "string", "x-secret": true,
                         "description": "Secret of the store's webhooks: every delivery must carry X-WC-Webhook-Signature = base64(HMAC-SHA256(body, webhook_secret)). Without it every webhook is refused. Required with webhook_url."},
      "auth": {"type": "string", "enum": ["basic", "query", "oauth1"], "default": "basic",
               "description": "How the connector authenticates: basic = HTTP Basic (HTTPS stores), query = consumer_key/consumer_secret in the query string (for servers that drop the Authorization header), oauth1 = one-legged OAuth 1.0a with HMAC-SHA256 (stores on plain HTTP)."},
      "requests_per_second": {"type": "number", "minimum": 0, "default": 0,
                              "description": "At most this many API requests per second from this connection (a token bucket with one second of burst); 0 = unlimited. Shared hosting often needs 2-5."},
      "webhook_url": {"type": "string", "pattern": "^https?://",
                      "description": "Public URL of this connection's webhook endpoint on the hub, e.g. https://hub.example/hooks/shop-a. When set, start() makes sure the store has active webhooks for order.created, order.updated, product.created, product.updated and product.deleted pointing there, signed with webhook_secret, and every poll re-enables or recreates them (at most once a minute)."},
      "verify_before_write": {"type": "boolean", "default": true,
                              "description": "Read the current levels before writing stock and refuse (conflict) where the store no longer shows the level the hub expects, so a sale or manual change that landed meanwhile is not overwritten. Costs one read per 100 SKUs."},
      "page_size": {"type": "integer", "minimum": 1, "maximum": 100, "default": 100,
                    "description": "Items per page when listing orders, products and variations (WooCommerce allows 1-100)."},
      "orders_since": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$",
                       "description": "GMT time (YYYY-MM-DDTHH:MM:SS): orders last modified before it are never read. Without it the first poll reads every order of the store."}
    },
    "required": ["url", "consumer_key", "consumer_secret"],
    "additionalProperties": false
  }
})";

namespace {

std::string string_setting(const nlohmann::json& s, const char* name, bool required) {
  auto it = s.find(name);
  if (it == s.end() || it->is_null()) {
    if (required) throw sr::invalid_error(std::string("settings: '") + name + "' is required");
    return {};
  }
  if (!it->is_string()) throw sr::invalid_error(std::string("settings: '") + name + "' must be a string");
  std::string v = it->get<std::string>();
  if (required && v.empty()) throw sr::invalid_error(std::string("settings: '") + name + "' must not be empty");
  return v;
}

bool is_http_url(const std::string& u) {
  return (u.starts_with("http://") && u.size() > 7) || (u.starts_with("https://") && u.size() > 8);
}

}  // namespace

Settings Settings::parse(const nlohmann::json& s) {
  if (!s.is_object()) throw sr::invalid_error("settings must be an object");
  static const char* const known[] = {"url", "consumer_key", "consumer_secret", "webhook_secret", "auth",
                                      "requests_per_second", "webhook_url", "verify_before_write", "page_size",
                                      "orders_since"};
  for (const auto& [k, v] : s.items()) {
    bool ok = false;
    for (const char* n : known) ok = ok || k == n;
    if (!ok) throw sr::invalid_error("settings: unknown setting '" + k + "'");
  }
  Settings out;
  out.url = string_setting(s, "url", true);
  while (!out.url.empty() && out.url.back() == '/') out.url.pop_back();
  if (!is_http_url(out.url))
    throw sr::invalid_error("settings: 'url' must be the store's http:// or https:// URL, not '" + out.url + "'");
  out.api = out.url + "/wp-json/wc/v3";
  out.consumer_key = string_setting(s, "consumer_key", true);
  out.consumer_secret = string_setting(s, "consumer_secret", true);
  out.webhook_secret = string_setting(s, "webhook_secret", false);

  std::string auth = string_setting(s, "auth", false);
  if (auth.empty() || auth == "basic") out.auth = AuthMode::Basic;
  else if (auth == "query") out.auth = AuthMode::Query;
  else if (auth == "oauth1") out.auth = AuthMode::OAuth1;
  else throw sr::invalid_error("settings: 'auth' must be basic, query or oauth1, not '" + auth + "'");

  if (auto r = s.find("requests_per_second"); r != s.end() && !r->is_null()) {
    if (!r->is_number() || r->get<double>() < 0)
      throw sr::invalid_error("settings: 'requests_per_second' must be a number >= 0 (0 = unlimited)");
    out.requests_per_second = r->get<double>();
  }
  out.webhook_url = string_setting(s, "webhook_url", false);
  if (!out.webhook_url.empty() && !is_http_url(out.webhook_url))
    throw sr::invalid_error("settings: 'webhook_url' must be an http:// or https:// URL");
  if (!out.webhook_url.empty() && out.webhook_secret.empty())
    throw sr::invalid_error("settings: 'webhook_url' needs 'webhook_secret' (the store signs its webhooks with it)");

  if (auto v = s.find("verify_before_write"); v != s.end() && !v->is_null()) {
    if (!v->is_boolean()) throw sr::invalid_error("settings: 'verify_before_write' must be true or false");
    out.verify_before_write = v->get<bool>();
  }
  if (auto p = s.find("page_size"); p != s.end() && !p->is_null()) {
    if (!p->is_number_integer() || p->get<std::int64_t>() < 1 || p->get<std::int64_t>() > 100)
      throw sr::invalid_error("settings: 'page_size' must be an integer from 1 to 100");
    out.page_size = static_cast<int>(p->get<std::int64_t>());
  }
  out.orders_since = string_setting(s, "orders_since", false);
  if (!out.orders_since.empty() && !parse_gmt(out.orders_since))
    throw sr::invalid_error("settings: 'orders_since' must be a GMT time YYYY-MM-DDTHH:MM:SS, not '" +
                            out.orders_since + "'");
  return out;
}

}  // namespace woo
