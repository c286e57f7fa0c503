// The settings of one PeakWMS connection, checked once in create().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace peakwms {

// One web shop this connection serves: its connection name in the hub and
// the API key of its web-shop integration in PeakWMS.
struct Shop {
  std::string name;
  std::string api_key;
};

struct Settings {
  std::string base_url;             // .../api/integration/v1, no trailing '/'
  std::vector<Shop> shops;          // sorted by name; at least one; keys unique
  std::string webhook_url;          // this hub's URL for our StockAdjust webhooks (optional)
  std::string webhook_token;        // must be in every webhook's query (optional)
  int page_size = 1000;             // keyset page size (PageSize)
  int rate_requests = 240;          // per API key ...
  std::int64_t rate_window_ms = 60000;  // ... in any window this long

  const Shop* shop(const std::string& name) const;

  // Throws sr::invalid_error naming the setting that is wrong.
  static Settings parse(const nlohmann::json& settings);
};

// The describe document (static storage).
extern const char* const kDescribe;

}  // namespace peakwms
