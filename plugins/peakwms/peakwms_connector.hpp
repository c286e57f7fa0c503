// The PeakWMS connector: PeakWMS as the master of stock for several web
// shops, each shop one web-shop integration (API key). One instance per
// configured PeakWMS connection. Its work is split by concern:
// peakwms_connector.cpp (start: keys and webhooks; the deliver loop),
// peakwms_products.cpp (product integrations and the SKU index),
// peakwms_orders.cpp (sales orders), peakwms_stock.cpp (levels in: polling
// and StockAdjust webhooks).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <stockrelay/connector.hpp>

#include "peakwms_api.hpp"
#include "peakwms_settings.hpp"

namespace peakwms {

// StockAdjust, the webhook name this connector registers (peakwms.md §4).
inline constexpr int kStockAdjust = 100;

// A StockAdjust seen again within this long is a duplicate (PeakWMS sends one
// per shop integration that has the product; a sender may repeat).
inline constexpr std::int64_t kDuplicateWindowMs = 10000;

// State key of the webhook registered for a shop: "webhook.<shop>".
std::string webhook_state_key(const std::string& shop);

// A command's result.
sr::CommandResult result(const sr::Command& c, sr::Outcome o, std::string message, std::string ref = {});

// One PeakWMS product as one shop's integration knows it.
struct Item {
  std::string product_id;  // the shop's productId
  std::string variant_id;  // the shop's variantId ("" for a simple product)
  std::int64_t wms_id = 0; // PeakWMS's id
};

// availableToSell of one PeakWMS product, as read.
struct Reading {
  std::string sku;
  std::int64_t wms_id = 0;
  sr::Quantity available;
  std::int64_t read_at = 0;  // host clock when the request went out
};

class PeakwmsConnector : public sr::Connector {
 public:
  PeakwmsConnector(sr::Host& host, const nlohmann::json& settings);

  void start() override;
  void poll(sr::PollMode mode) override;
  sr::WebhookResponse on_webhook(const sr::WebhookRequest& req) override;
  void deliver(const std::vector<sr::Command>& batch) override;
  void stop() override;

 private:
  // ---- start (peakwms_connector.cpp)
  void ping(const Shop& shop);
  // Registers the StockAdjust webhook of `shop` unless the one in state is
  // for the same URL; removes the old one first when the URL changed.
  void register_webhook(const Shop& shop);
  std::string webhook_url_of(const Shop& shop) const;
  sr::CommandResult run(const sr::Command& c);
  // The shop whose key a command uses (nullptr: none, or one not in settings).
  const Shop* shop_of(const sr::Command& c) const;

  // ---- products (peakwms_products.cpp)
  // What one shop's integration holds, by SKU (itemNumber), built by listing
  // its products and kept up to date by uploads and removals.
  struct ShopIndex {
    bool built = false;
    std::map<std::string, Item> by_sku;
    std::map<std::pair<std::string, std::string>, std::string> sku_of;  // (productId, variantId) -> SKU
    std::set<std::string> ambiguous;  // SKUs on more than one product of this shop

    // Adds one product as PeakWMS answered it.
    void learn(const nlohmann::json& product);
    void forget(const std::string& product_id, const std::string& variant_id);
  };
  ShopIndex& index_of(const Shop& shop);  // reads it the first time
  // Reads the shop's index again from PeakWMS.
  ShopIndex& reindex(const Shop& shop);
  // Lists every product of `shop` (keyset pages); `on_product` sees each.
  void list_products(const Shop& shop, const std::function<void(const nlohmann::json&)>& on_product);
  ShopIndex& replace_index(const Shop& shop, ShopIndex fresh);
  sr::CommandResult upsert_product(const sr::Command& c, const sr::UpsertProduct& u);
  sr::CommandResult remove_product(const sr::Command& c, const sr::UpsertProduct& u, const Shop& shop,
                                   const std::string& product_id);
  // PeakWMS's id of the shop's (productId, variantId): the index, else a read.
  std::optional<std::int64_t> find_wms_id(const Shop& shop, const sr::UpsertProduct& u, const std::string& product_id);

  // ---- orders (peakwms_orders.cpp)
  sr::CommandResult create_order(const sr::Command& c, const sr::CreateOrder& co);
  sr::CommandResult cancel_order(const sr::Command& c, const sr::CancelOrder& k);
  nlohmann::json order_body(const sr::CreateOrder& co, const std::vector<nlohmann::json>& lines) const;
  // Whole order lines mapped through the shop's index; a result when the
  // order cannot go (a fraction, an unknown or ambiguous SKU).
  std::optional<sr::CommandResult> map_lines(const sr::Command& c, const sr::CreateOrder& co, const Shop& shop,
                                             std::vector<nlohmann::json>& lines);
  // After a create or a cancel: the product's availableToSell moved without
  // a StockAdjust; read again at the end of the batch.
  void touched(const Shop& shop, const std::string& product_id) { touched_.insert({shop.name, product_id}); }

  // ---- stock (peakwms_stock.cpp)
  static std::optional<Reading> reading_of(const nlohmann::json& product, std::int64_t read_at);
  // Emits these readings as levels (not of SKUs in conflicts_); `all`: also
  // those unchanged since last emitted.
  void emit_levels(const std::vector<Reading>& readings, bool all);
  // Reads the products touched in this batch and adds them to pending_.
  void read_touched();
  std::string next_version(std::int64_t read_at);
  // A StockAdjust with this key was read less than kDuplicateWindowMs before `at`.
  bool duplicate_hook(const std::string& key, std::int64_t at);
  void remember_hook(std::string key, std::int64_t at);

  Settings settings_;
  Api api_;
  std::map<std::string, ShopIndex> index_;  // by shop name
  std::set<std::string> reindexed_;          // shops whose index was listed in this batch
  std::set<std::pair<std::string, std::string>> touched_;  // (shop, productId) to read after the batch
  std::vector<Reading> pending_;             // levels learnt in this batch, emitted at its end
  std::unordered_map<std::string, std::int64_t> shown_;  // SKU -> milli last emitted
  std::set<std::string> conflicts_;  // SKUs the last poll found on more than one PeakWMS product
  bool polled_ = false;
  std::int64_t waited_logged_ = 0;  // the rate limiters' waiting time last logged
  std::uint64_t seq_ = 0;
  std::int64_t last_read_ms_ = 0;
  std::deque<std::pair<std::string, std::int64_t>> recent_hooks_;  // (key, when), oldest first
};

}  // namespace peakwms
