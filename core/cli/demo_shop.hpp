// What `stockrelay demo` does in a WooCommerce shop, as its customers and its
// merchant would: over the shop's REST API (v3), with the host's HTTP client.
// Every method throws std::runtime_error naming the shop and the request.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/client.hpp"

namespace stockrelay::cli::demo {

// One product or variation of a shop.
struct Item {
  std::string sku;
  std::int64_t product_id = 0;    // the product; for a variation, its variable product
  std::int64_t variation_id = 0;  // 0 unless a variation
  std::string type;               // simple | variable | variation | ...
  bool managed = false;           // the shop tracks its stock
  // A variation of a variable product that manages stock: it may use the
  // parent's stock (REST cannot tell for sure), so the demo never sets its
  // stock by hand and never orders two such lines of one parent at once.
  bool maybe_parent_stock = false;
  std::optional<int> stock;       // stock_quantity as read (null when not tracked)
};

struct PlacedOrder {
  std::int64_t id = 0;
  std::string number;  // what the hub names it by ("order 17 in shop-a")
};

class Shop {
 public:
  Shop(std::string name, std::string url, const std::string& key, const std::string& secret);

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }

  // Every product and variation, ids ascending.
  std::vector<Item> catalogue();
  // The item's stock_quantity now.
  std::optional<int> stock(const Item& item);
  // A paid checkout (set_paid: the shop takes the stock itself).
  PlacedOrder place_order(const std::vector<std::pair<const Item*, int>>& lines);
  // The merchant cancels an order: the shop puts its stock back.
  void cancel_order(std::int64_t id);
  // The merchant types a new stock quantity in the product's admin page.
  void set_stock(const Item& item, int quantity);
  // The merchant corrects the item's SKU in its admin page.
  void set_sku(const Item& item, const std::string& sku);
  // The merchant publishes the product, or makes it a draft, private or trash.
  void set_status(const Item& item, const std::string& status);
  // The merchant copies a simple product (name, price, stock and every meta
  // field, as WooCommerce's "Duplicate" does), gives the copy its own SKU
  // and publishes it. Returns the copy.
  Item copy_product(const Item& original, const std::string& sku);
  // The texts of an order's notes, oldest first.
  std::vector<std::string> notes(std::int64_t order_id);
  // An order's meta data (key -> value, string values).
  std::vector<std::pair<std::string, std::string>> order_meta(std::int64_t order_id);
  // The simulator's own counters (GET /__sim/counters, not WooCommerce).
  nlohmann::json counters();
  // Requests this object made (the shop's counters include them).
  std::uint64_t requests_made() const { return requests_.load(); }

 private:
  nlohmann::json call(const std::string& method, const std::string& path, const nlohmann::json* body,
                      std::vector<http::Header>* headers_out = nullptr);
  std::string item_path(const Item& item) const;

  std::string name_;
  std::string url_;
  std::string auth_;  // "Basic ..."
  std::unique_ptr<http::Client> client_;
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace stockrelay::cli::demo
