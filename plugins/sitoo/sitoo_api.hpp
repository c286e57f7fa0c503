// The Sitoo REST API v2 as the connector calls it: paths under the account's
// base URL with the .json suffix, HTTP Basic with the API ID and password,
// {totalcount, items} lists paged with start/num, and what each answer means:
//
//   2xx with JSON        -> returned (parsed)
//   401 / 403            -> sr::invalid_error naming Sitoo's errortext (credentials, IP allow-list)
//   429 / 5xx / no JSON  -> sr::retryable_error
//   other 4xx            -> sitoo::ApiError (status + errortext); the caller decides
//
// The host retries 429 for every method and 5xx/timeouts for GET and PUT;
// a POST that got no answer is not retried by the host: the connector looks
// the order up by externalid before it creates it again.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <stockrelay/connector.hpp>

#include "sitoo_settings.hpp"

namespace sitoo {

using Params = std::vector<std::pair<std::string, std::string>>;

// A 4xx answer other than 401/403: Sitoo refused this request.
struct ApiError : std::runtime_error {
  ApiError(int status, std::string text, const std::string& what)
      : std::runtime_error(what), status(status), text(std::move(text)) {}
  int status;
  std::string text;  // Sitoo's errortext (scrubbed)
};

class Api {
 public:
  Api(const sr::Host& host, const Settings& settings, std::function<bool()> stopping);

  nlohmann::json get(const std::string& path, const Params& query = {});
  nlohmann::json post(const std::string& path, const nlohmann::json& body, const Params& query = {});
  nlohmann::json put(const std::string& path, const nlohmann::json& body);

  // Pages through a list with start/num until totalcount (or a short page);
  // `on_items` gets each page's items.
  void list(const std::string& path, const Params& query, int page_size,
            const std::function<void(const nlohmann::json& items)>& on_items);

  // "Sitoo account at https://api.mysitoo.com/v2/accounts/10020"
  std::string where() const { return "Sitoo at " + settings_.base_url; }
  std::string scrub(std::string text) const;
  const Settings& settings() const { return settings_; }

  // "/sites/1/warehouses/3/warehouseitems.json"
  std::string site_path(const std::string& rest) const;

 private:
  nlohmann::json exchange(const std::string& method, const std::string& path, const Params& query,
                          const std::string& body);
  std::string error_text(const sr::HttpResponse& r) const;

  const sr::Host& host_;
  const Settings& settings_;
  std::function<bool()> stopping_;
};

// Sitoo's decimal strings ("5.000", "-2.000") and numbers as quantities.
std::optional<sr::Quantity> quantity_of(const nlohmann::json& v);
// Values for a comma-list filter (sku=A,B / externalid=A,B): sorted, without
// repeats, `per` to a list. A value holding a comma is left out: it cannot
// be a Sitoo SKU or externalid, and asking for it would ask for two.
std::vector<std::string> comma_lists(std::vector<std::string> values, std::size_t per);
// A quantity as Sitoo's 3-decimal string.
std::string decimal_string(sr::Quantity q);
// An integer field (ids, dates) that may come as a number or a numeric string.
std::optional<std::int64_t> integer_of(const nlohmann::json& v);

}  // namespace sitoo
