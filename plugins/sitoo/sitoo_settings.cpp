// describe() and the settings: the JSON Schema the host validates a
// connection's YAML against, and the same checks again in create() (a
// FakeHost or an older host may not validate).
#include "sitoo_settings.hpp"

#include <stockrelay/connector.hpp>
#include <stockrelay/settings.hpp>

namespace sitoo {

const char* const kDescribe = R"({
  "schema": "stockrelay.describe/1",
  "id": "sitoo",
  "name": "Sitoo",
  "version": "1.0.0",
  "vendor": "stockrelay",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["stock.in", "orders.out", "orders.cancel.out", "poll", "webhooks"],
  "limits": {"batch_size": 50, "requests_per_second": 0, "max_concurrency": 2, "poll_seconds": 180},
  "config_schema": {
    "type": "object",
    "properties": {
      "base_url": {"type": "string", "pattern": "^https?://",
                   "description": "The account's API base URL as shown when the API password was made, e.g. https://api.mysitoo.com/v2/accounts/10020 (the host depends on the account's region)."},
      "api_id": {"type": "string", "minLength": 1,
                 "description": "The API ID ({accountid}-{n}, e.g. 10020-140) from Backoffice > Settings > Sitoo REST API."},
      "api_password": {"type": "string", "minLength": 1, "x-secret": true,
                       "description": "The API password that belongs to api_id."},
      "site_id": {"type": "integer", "minimum": 1, "default": 1,
                  "description": "The Sitoo site (eshopid) orders are created in; usually 1."},
      "warehouse_id": {"type": "integer", "minimum": 1,
                       "description": "The Sitoo warehouse the shops mirror: its available quantity (in stock minus reserved) is what every shop shows, and web orders reserve in it."},
      "events_user": {"type": "string",
                      "description": "User name Sitoo's event callbacks must send with HTTP Basic (the credentials you gave Sitoo for the callback URL /hooks/<connection>; not the API credentials)."},
      "events_password": {"type": "string", "x-secret": true,
                          "description": "Password for events_user. When set, callbacks without exactly these credentials are refused (401)."},
      "page_size": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1000,
                    "description": "Warehouse items per page when reading stock (num)."},
      "order_type": {"type": "integer", "default": 10,
                     "description": "ordertypeid of the orders created in Sitoo (10 = Order)."},
      "reserve_days": {"type": "integer", "minimum": 1, "maximum": 3650, "default": 30,
                       "description": "How long Sitoo keeps a web order's stock reserved (datereserved = order time + this many days)."}
    },
    "required": ["base_url", "api_id", "api_password", "warehouse_id"],
    "additionalProperties": false
  }
})";

Settings Settings::parse(const nlohmann::json& s) {
  sr::SettingsReader r(s, {"base_url", "api_id", "api_password", "site_id", "warehouse_id", "events_user",
                           "events_password", "page_size", "order_type", "reserve_days"});
  Settings out;
  out.base_url = r.url("base_url", true);
  out.api_id = r.string("api_id", true);
  out.api_password = r.string("api_password", true);
  out.site_id = r.integer("site_id", 1, INT32_MAX, 1);
  out.warehouse_id = r.integer("warehouse_id", 1, INT32_MAX, 0, true);
  out.events_user = r.string("events_user", false);
  out.events_password = r.string("events_password", false);
  if (!out.events_password.empty() && out.events_user.empty())
    throw sr::invalid_error("settings: 'events_password' needs 'events_user' (the callbacks' HTTP Basic user name)");
  out.page_size = static_cast<int>(r.integer("page_size", 1, 100000, 1000));
  out.order_type = r.integer("order_type", 0, INT32_MAX, 10);
  out.reserve_days = static_cast<int>(r.integer("reserve_days", 1, 3650, 30));
  return out;
}

}  // namespace sitoo
