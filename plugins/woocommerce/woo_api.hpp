// The WooCommerce REST API as the connector calls it: URLs under
// url + /wp-json/wc/v3, authentication (Basic, query-string keys or one-legged
// OAuth 1.0a with HMAC-SHA256), the connection's own request pacing, paging
// through X-WP-TotalPages, and what each kind of answer means:
//
//   2xx with JSON                -> returned
//   401 / 403                    -> sr::invalid_error naming the store and WooCommerce's code/message
//   3xx                          -> sr::invalid_error (the store URL redirects: fix `url`)
//   429 / 5xx / HTML / not JSON  -> sr::retryable_error
//   other 4xx                    -> returned; the caller decides (per item, per SKU)
//
// No message ever contains a secret: texts from the remote are scrubbed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <stockrelay/connector.hpp>

#include "woo_model.hpp"
#include "woo_settings.hpp"

namespace woo {

using Params = std::vector<std::pair<std::string, std::string>>;

// A token bucket with one second of burst on the host's monotonic clock.
// Time slept here counts even when that clock does not move (a test's fake
// clock), so pacing never stalls.
class Pacer {
 public:
  explicit Pacer(double per_second) : rate_(per_second) {}
  // Waits for a token; throws sr::stopped_error when `stopping` becomes true meanwhile.
  void acquire(const sr::Host& host, const std::function<bool()>& stopping);

 private:
  void refill(std::int64_t elapsed_ms);
  double rate_;
  double tokens_ = 0;
  std::int64_t last_ms_ = 0;
  bool started_ = false;
};

class Api {
 public:
  Api(const sr::Host& host, const Settings& settings, std::function<bool()> stopping);

  // One authenticated, paced exchange; throws what sr::Host::http throws.
  sr::HttpResponse send(const std::string& method, const std::string& path, const Params& query = {},
                        const std::string& body = {}, int timeout_ms = 30000);
  // send(), then: 401/403/3xx -> invalid_error, 429/5xx/non-JSON -> retryable_error;
  // everything else (2xx JSON and the other 4xx) is returned.
  sr::HttpResponse call(const std::string& method, const std::string& path, const Params& query = {},
                        const std::string& body = {}, int timeout_ms = 30000);
  // call(), and any other non-2xx answer becomes a std::runtime_error (a
  // permanent failure of this call) naming the request and WooCommerce's error.
  sr::HttpResponse get(const std::string& path, const Params& query = {});

  // Pages through a list (page=1.., per_page = page_size) until
  // X-WP-TotalPages (or a short page); `on_page` gets each answer and returns
  // how many items it held. Returns the first answer's Date header ("" if none).
  std::string pages(const std::string& path, const Params& query,
                    const std::function<std::size_t(const sr::HttpResponse&)>& on_page);

  // Classifies a non-2xx answer the way call() does and throws for 401/403,
  // 3xx, 429, 5xx; returns normally for the other 4xx.
  void throw_if_fatal(const std::string& method, const std::string& path, const sr::HttpResponse& r);

  // "404 woocommerce_rest_product_invalid_id: Invalid ID." (scrubbed).
  std::string error_text(const sr::HttpResponse& r);
  // The text with every secret of this connection replaced by ***.
  std::string scrub(std::string text) const;
  // "WooCommerce at https://shop.example"
  std::string where() const { return "WooCommerce at " + settings_.url; }
  const Settings& settings() const { return settings_; }
  bool stopping() const { return stopping_(); }

  static bool looks_like_json(const std::string& body);

 private:
  std::string url(const std::string& method, const std::string& path, const Params& query) const;

  const sr::Host& host_;
  const Settings& settings_;
  std::function<bool()> stopping_;
  Pacer pacer_;
  Parser errors_;
};

}  // namespace woo
