// The settings of one Sitoo connection, checked once in create().
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace sitoo {

struct Settings {
  std::string base_url;          // https://api.mysitoo.com/v2/accounts/{accountid}, no trailing '/'
  std::string api_id;            // "{accountid}-{n}"
  std::string api_password;
  std::int64_t site_id = 1;      // the eshopid
  std::int64_t warehouse_id = 0; // the warehouse the shops mirror and web orders reserve in
  std::string events_user;       // Basic credentials the Events SPI callbacks must carry (optional)
  std::string events_password;
  int page_size = 1000;          // items per page (start/num)
  std::int64_t order_type = 10;  // ordertypeid of created orders (10 = Order)
  int reserve_days = 30;         // datereserved = order time + this

  // Throws sr::invalid_error naming the setting that is wrong.
  static Settings parse(const nlohmann::json& settings);
};

// The describe document (static storage).
extern const char* const kDescribe;

}  // namespace sitoo
