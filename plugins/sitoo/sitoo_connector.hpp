// The Sitoo connector: Sitoo as the master of stock. One instance per
// configured Sitoo account and warehouse. Its work is split by concern:
// sitoo_stock.cpp (warehouse levels in: polling and the Events SPI),
// sitoo_orders.cpp (create, deliver and cancel orders).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <stockrelay/connector.hpp>

#include "sitoo_api.hpp"
#include "sitoo_settings.hpp"

namespace sitoo {

// State keys of a connection.
inline constexpr const char* kItemsCursor = "warehouseitems.datelastmodified";  // unix seconds
inline constexpr const char* kOrdersCursor = "orders.orderid";                  // highest orderid seen

// Re-read this much before the stored cursor: datelastmodified has one
// second of resolution; repeats of unchanged items are not emitted again.
inline constexpr std::int64_t kOverlapSeconds = 5;

// SKUs per warehouseitems?sku= request.
inline constexpr std::size_t kSkusPerRead = 100;

// The externalid of the Sitoo order made from `order_id` of `connection`:
// "<connection>-<order_id>" when the order id is digits and the whole fits
// Sitoo's rule ([A-Za-z0-9_-], 1-40 characters); otherwise the allowed
// characters of both, cut short, then "-h" and 16 hex digits of a hash of
// the pair. The same pair always gives the same id, so a retry finds the
// order it created before.
std::string external_id(const std::string& connection, const std::string& order_id);

class SitooConnector : public sr::Connector {
 public:
  SitooConnector(sr::Host& host, const nlohmann::json& settings);

  void start() override;
  void poll(sr::PollMode mode) override;
  sr::WebhookResponse on_webhook(const sr::WebhookRequest& req) override;
  void deliver(const std::vector<sr::Command>& batch) override;

 private:
  // ---- stock (sitoo_stock.cpp)
  // What a warehouse item showed when last emitted.
  struct Shown {
    std::int64_t total = 0;     // milli
    std::int64_t reserved = 0;  // milli
  };
  // Emits the levels of these items; `all`: also those unchanged since last
  // emitted. Returns the newest datelastmodified among them (0: none).
  std::int64_t emit_items(const nlohmann::json& items, std::int64_t read_at, bool all);
  // Reads these SKUs' warehouse items now and emits their levels (Sitoo
  // does not move datelastmodified for a reservation, so the hub re-reads
  // what an order touched).
  void refresh(const std::vector<std::string>& skus);
  // Orders created in Sitoo since the orders cursor: their SKUs may have
  // new reservations the items' dates do not show.
  void poll_new_orders();
  // The SKUs one event touches in our warehouse (reads the transaction or
  // the order).
  std::vector<std::string> skus_of_event(const nlohmann::json& event);
  std::string next_version(std::int64_t read_at);
  // "/sites/{site}/warehouses/{warehouse}/warehouseitems.json" of the mirrored warehouse.
  std::string items_path() const;
  std::optional<std::int64_t> cursor(const char* key) const;

  // ---- orders (sitoo_orders.cpp)
  // What one look-up per batch found for every create_order in it: the
  // orders that exist by externalid, and which of the SKUs asked for the
  // warehouse knows. A create outside it looks up on its own.
  struct BatchLookup {
    std::set<std::string> externals_asked;
    std::map<std::string, nlohmann::json> orders;  // externalid -> {orderid, orderstateid, externalid}
    std::set<std::string> skus_asked;
    std::set<std::string> skus_known;
  };
  void look_up_batch(const std::vector<sr::Command>& batch);
  // The warehouse's SKUs among these (byte for byte), read 100 per request.
  std::set<std::string> known_skus(const std::vector<std::string>& skus);
  sr::CommandResult create_order(const sr::Command& c, const sr::CreateOrder& co);
  sr::CommandResult deliver_order(const sr::Command& c, const sr::DeliverOrder& d);
  sr::CommandResult cancel_order(const sr::Command& c, const sr::CancelOrder& k);
  // The Sitoo order with this externalid ({orderid, orderstateid}), if any.
  std::optional<nlohmann::json> find_order(const std::string& external);
  // After a create, delivery or cancel: its SKUs are read again (once per
  // batch, at its end) and their levels emitted.
  void touched(const std::vector<std::string>& skus) { touched_.insert(touched_.end(), skus.begin(), skus.end()); }
  // The order's id in Sitoo: `remote_ref`, or found by the source's externalid.
  std::optional<std::int64_t> order_id_for(const sr::SourceOrder& source, const std::string& remote_ref);
  nlohmann::json order_body(const sr::CreateOrder& co, const std::string& external) const;

  Settings settings_;
  Api api_;
  BatchLookup lookup_;
  std::vector<std::string> touched_;
  std::unordered_map<std::string, Shown> shown_;  // by SKU
  std::uint64_t seq_ = 0;
  std::int64_t last_read_ms_ = 0;
  // Event ids already handled (Sitoo sends duplicates), newest last.
  std::deque<std::string> recent_events_;
  std::unordered_set<std::string> recent_set_;
};

}  // namespace sitoo
