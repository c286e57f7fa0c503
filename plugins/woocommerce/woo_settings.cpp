// describe() and the settings: the JSON Schema the host validates a
// connection's YAML against, and the same checks again in create() (a
// FakeHost or an older host may not validate).
#include "woo_settings.hpp"

#include <stockrelay/connector.hpp>
#include <stockrelay/settings.hpp>

#include "woo_model.hpp"

namespace woo {

const char* const kDescribe = R"({
  "schema": "stockrelay.describe/1",
  "id": "woocommerce",
  "name": "WooCommerce",
  "version": "1.0.0",
  "vendor": "stockrelay",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["orders.in", "stock.in", "products.in", "products.fetch", "stock.out", "notes.out", "prices.out", "poll", "webhooks"],
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
      "product_id_meta": {"type": "string",
                          "description": "Meta key whose value is each product's id towards back offices (e.g. the product number an import kept), sent to a warehouse as the shop product id instead of the WooCommerce id. A copied product carries its original's value, which the hub reports as a conflict."},
      "orders_since": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$",
                       "description": "GMT time (YYYY-MM-DDTHH:MM:SS): orders last modified before it are never read. Without it the first poll reads every order of the store."}
    },
    "required": ["url", "consumer_key", "consumer_secret"],
    "additionalProperties": false
  }
})";

Settings Settings::parse(const nlohmann::json& s) {
  sr::SettingsReader r(s, {"url", "consumer_key", "consumer_secret", "webhook_secret", "auth", "requests_per_second",
                           "webhook_url", "verify_before_write", "page_size", "orders_since", "product_id_meta"});
  Settings out;
  out.url = r.url("url", true);
  out.api = out.url + "/wp-json/wc/v3";
  out.consumer_key = r.string("consumer_key", true);
  out.consumer_secret = r.string("consumer_secret", true);
  out.webhook_secret = r.string("webhook_secret", false);

  std::string auth = r.string("auth", false);
  if (auth.empty() || auth == "basic") out.auth = AuthMode::Basic;
  else if (auth == "query") out.auth = AuthMode::Query;
  else if (auth == "oauth1") out.auth = AuthMode::OAuth1;
  else throw sr::invalid_error("settings: 'auth' must be basic, query or oauth1, not '" + auth + "'");

  out.requests_per_second = r.number("requests_per_second", 0, 0);
  out.webhook_url = r.url("webhook_url", false);
  if (!out.webhook_url.empty() && out.webhook_secret.empty())
    throw sr::invalid_error("settings: 'webhook_url' needs 'webhook_secret' (the store signs its webhooks with it)");
  out.verify_before_write = r.boolean("verify_before_write", true);
  out.page_size = static_cast<int>(r.integer("page_size", 1, 100, 100));
  out.orders_since = r.string("orders_since", false);
  out.product_id_meta = r.string("product_id_meta", false);
  if (!out.orders_since.empty() && !parse_gmt(out.orders_since))
    throw sr::invalid_error("settings: 'orders_since' must be a GMT time YYYY-MM-DDTHH:MM:SS, not '" +
                            out.orders_since + "'");
  return out;
}

}  // namespace woo
