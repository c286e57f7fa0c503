// The WooCommerce connector: one instance per configured store. Its work is
// split by concern: woo_poll.cpp (orders, products, cursors),
// woo_webhooks.cpp (deliveries in, webhook registration and health),
// woo_write.cpp (set_stock, set_price, add_note).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include <stockrelay/connector.hpp>

#include "woo_api.hpp"
#include "woo_catalog.hpp"
#include "woo_events.hpp"
#include "woo_model.hpp"
#include "woo_settings.hpp"

namespace woo {

// State keys of a connection.
inline constexpr const char* kOrdersCursor = "orders.modified_gmt";
inline constexpr const char* kProductsCursor = "products.modified_gmt";
inline constexpr const char* kCatalogKey = "catalog";

// Re-read this much before a stored cursor: modification times have one
// second of resolution and "modified_after" is exclusive; repeats are
// dropped by the journal through their keys.
inline constexpr std::int64_t kOverlapSeconds = 5;

// The webhooks the connector keeps registered when webhook_url is set.
inline constexpr const char* kTopics[] = {"order.created", "order.updated", "product.created", "product.updated",
                                          "product.deleted"};

class WooConnector : public sr::Connector {
 public:
  WooConnector(sr::Host& host, const nlohmann::json& settings);

  void start() override;
  void poll(sr::PollMode mode) override;
  sr::WebhookResponse on_webhook(const sr::WebhookRequest& req) override;
  void deliver(const std::vector<sr::Command>& batch) override;

 private:
  struct StockTarget;
  struct WriteItem;

  // ---- state (woo_connector.cpp)
  void load_catalog();
  void save_catalog();
  std::optional<std::int64_t> cursor(const char* key);
  void advance_cursor(const char* key, const std::string& to);

  // ---- polling (woo_poll.cpp)
  void poll_orders();
  void poll_products(bool everything);
  std::vector<Product> read_variations(const Product& parent);
  // The SKU an order line counts on; learns unknown variations from the API.
  std::string line_sku(const OrderLineRecord& line);
  void learn_variation(std::int64_t parent_id, std::int64_t variation_id, const std::string& line_sku);
  std::optional<Product> fetch_product(const std::string& path);

  // The order event of an order as read (order_event()), with each line
  // placed against our last stock write of its product where that write was
  // made while the order was changing (place_against_writes()).
  sr::OrderEvent order_to_event(const OrderRecord& o, std::int64_t read_at, const std::string& read_tag = {});
  // WooCommerce writes stock absolutely after our read: a sale between the
  // two is replaced by the write. The order's stock-change notes give each
  // change's level before it: our read's level (replaced) or our write's
  // (after it). One GET of the order's notes, only for an order with a line
  // whose product we wrote between its creation and its last change.
  void place_against_writes(const OrderRecord& o, sr::OrderEvent& e);

  // ---- webhooks (woo_webhooks.cpp)
  // `at`: when the delivery reached the host (WebhookRequest::received_at).
  sr::WebhookResponse order_hook(const std::string& body, const std::string& what, std::int64_t at);
  sr::WebhookResponse product_hook(const std::string& body, const std::string& what, std::int64_t at);
  sr::WebhookResponse deleted_hook(const std::string& body, const std::string& what);
  bool gone(const std::string& body, const std::string& what);
  // Emits a product's current state as a webhook reports it (`received_at`:
  // its read_at); returns the keys.
  std::vector<std::string> product_state(Product p, const std::string& what, std::int64_t received_at);
  // Makes sure every topic has an active webhook pointing at webhook_url.
  // `set_secret`: also (re)write the secret of the existing ones (at start).
  void ensure_webhooks(bool set_secret);
  void check_webhooks_if_due();

  // ---- writing (woo_write.cpp)
  void write_stock(const std::vector<const sr::Command*>& commands, std::vector<sr::CommandResult>& results);
  void write_prices(const std::vector<const sr::Command*>& commands, std::vector<sr::CommandResult>& results);
  sr::CommandResult add_note(const sr::Command& command);
  // fetch_product: reads one product again and emits it, changed or not.
  sr::CommandResult refetch(const sr::Command& command);
  // Products and variations that carry these SKUs (exact matches), by SKU.
  std::map<std::string, std::vector<Product>> lookup_skus(const std::vector<std::string>& skus);
  void send_batches(std::vector<WriteItem>& items, std::vector<sr::CommandResult>& results);
  void send_batch(const std::string& path, std::vector<WriteItem*> items, std::vector<sr::CommandResult>& results);
  void reread_after_failure(std::vector<WriteItem*> items, const std::string& why,
                            std::vector<sr::CommandResult>& results);
  // The result of a write the store confirmed (`now`: the product as it
  // answered); remembers a stock write's outcome for echo().
  sr::CommandResult written(const WriteItem& item, const Product& now);
  // Is this product, as a webhook shows it, what a write of ours left (same
  // level, same modification time, nothing else changed)? The store fires
  // product.updated for every write; its answer already told the host.
  bool echo(const Product& p) const;

  Settings settings_;
  Api api_;
  Parser parser_;
  Catalog catalog_;
  bool catalog_loaded_ = false;
  // What our stock writes left, by product or variation id (echo()).
  struct Left {
    std::int64_t milli = 0;
    std::string version;
    std::optional<std::int64_t> read_milli;  // the level read before the write (compared), if it was read
    // The first stock note (by id: WordPress numbers notes in the order they
    // are made) seen to start from the written level: every later note came
    // after the write too (place_against_writes()).
    std::int64_t after_note = 0;
  };
  std::unordered_map<std::int64_t, Left> written_;
  std::int64_t last_webhook_check_ms_ = std::numeric_limits<std::int64_t>::min();
  bool webhooks_unsure_ = false;  // the last registration got no answer: look again at the next poll
};

}  // namespace woo
