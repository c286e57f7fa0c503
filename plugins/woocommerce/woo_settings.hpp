// The settings of one WooCommerce connection, checked once in create().
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace woo {

enum class AuthMode {
  Basic,   // HTTP Basic: consumer key / consumer secret (HTTPS stores)
  Query,   // consumer_key / consumer_secret in the query string (servers that strip Authorization)
  OAuth1   // one-legged OAuth 1.0a, HMAC-SHA256 (plain-HTTP stores)
};

struct Settings {
  std::string url;              // the store, without a trailing '/'
  std::string api;              // url + "/wp-json/wc/v3"
  std::string consumer_key;
  std::string consumer_secret;
  std::string webhook_secret;
  AuthMode auth = AuthMode::Basic;
  double requests_per_second = 0;  // 0: unlimited
  std::string webhook_url;         // empty: webhooks are not managed
  bool verify_before_write = true;
  int page_size = 100;
  std::string product_id_meta;     // meta key holding the product's id towards back offices; empty: none
  std::string orders_since;        // "YYYY-MM-DDTHH:MM:SS" GMT, or empty: all orders on the first poll

  // Throws sr::invalid_error naming the setting that is wrong.
  static Settings parse(const nlohmann::json& settings);
};

// The describe document (static storage).
extern const char* const kDescribe;

}  // namespace woo
