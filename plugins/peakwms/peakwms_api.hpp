// PeakWMS's integration API as the connector calls it: JSON under base_url,
// `Authorization: Bearer <key of the shop's web-shop integration>`, every
// request paced by that key's RateLimiter, keyset lists, and what each
// answer means:
//
//   2xx with JSON       -> returned (parsed)
//   401 / 403           -> sr::invalid_error naming the shop whose key was refused
//   429                 -> the key waits Retry-After, then sr::retryable_error
//   5xx / no JSON       -> sr::retryable_error
//   other 4xx           -> peakwms::ApiError (status + PeakWMS's `message`); the caller decides
//
// The host retries 429 itself for every method and 5xx for GET/PUT/DELETE;
// a POST that got no answer is not retried by the host: the connector's
// POSTs are idempotent (a product upsert; a sales order is unique per shop
// order id).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <stockrelay/connector.hpp>

#include "peakwms_settings.hpp"
#include "rate_limiter.hpp"

namespace peakwms {

using Params = std::vector<std::pair<std::string, std::string>>;

// A 4xx answer other than 401/403/429: PeakWMS refused this request.
struct ApiError : std::runtime_error {
  ApiError(int status, std::string message, const std::string& what)
      : std::runtime_error(what), status(status), message(std::move(message)) {}
  int status;
  std::string message;  // PeakWMS's `message` (scrubbed)
};

class Api {
 public:
  Api(const sr::Host& host, const Settings& settings, std::function<bool()> stopping);

  nlohmann::json get(const Shop& shop, const std::string& path, const Params& query = {});
  nlohmann::json post(const Shop& shop, const std::string& path, const nlohmann::json& body);
  nlohmann::json put(const Shop& shop, const std::string& path, const nlohmann::json& body = nlohmann::json::object());
  nlohmann::json del(const Shop& shop, const std::string& path);

  // Pages through a keyset list (lastId/pageSize) to its end; `on_page`
  // gets each page's `data` array.
  void list(const Shop& shop, const std::string& path, const std::function<void(const nlohmann::json& data)>& on_page);

  // Ends every wait for a rate limit at once (the instance is stopping).
  void stop();
  // How long requests have waited for the rate limits, in all.
  std::int64_t waited_ms() const;
  // How long until `shop`'s key may send its next request (0: at once).
  std::int64_t ready_in_ms(const Shop& shop) { return limiter(shop).ready_in_ms(); }

  std::string where() const { return "PeakWMS at " + settings_.base_url; }
  // Replaces every API key and the webhook token in `text` by ***.
  std::string scrub(std::string text) const;

 private:
  nlohmann::json exchange(const Shop& shop, const std::string& method, const std::string& path, const Params& query,
                          const std::string& body);
  sr::HttpResponse send(const Shop& shop, const sr::HttpRequest& req, const std::string& what);
  [[noreturn]] void refuse(const Shop& shop, const sr::HttpResponse& r, const std::string& what);
  RateLimiter& limiter(const Shop& shop);

  const sr::Host& host_;
  const Settings& settings_;
  std::function<bool()> stopping_;
  std::map<std::string, std::unique_ptr<RateLimiter>> limiters_;  // by API key, made in the constructor
};

// PeakWMS's `message` of an answer's JSON body, or a word on what it was.
std::string message_of(const sr::HttpResponse& r);
// An integer field that may come as a number or a numeric string.
std::optional<std::int64_t> integer_of(const nlohmann::json& v);
// A quantity field (an integer or a decimal).
std::optional<sr::Quantity> quantity_of(const nlohmann::json& v);
// The string of a field that may come as a string or a number ("" otherwise).
std::string text_of(const nlohmann::json& object, const char* field);

}  // namespace peakwms
