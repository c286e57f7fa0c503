// WooCommerce records -> stockrelay events, and the keys that make repeats
// harmless. A webhook payload is built by the store when it is sent, so a
// webhook and a poll that see the same state give the same key:
//
//   order:<id>:<date_modified_gmt>:<status>[:r<restocked>]
//   level:<sku>:<date_modified_gmt>:<stock_quantity>
//   product:<sku>:<id>:<date_modified_gmt>       (deleted: product:<sku>:<id>:deleted)
//
// StockLevel.version is date_modified_gmt, which sorts as text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <stockrelay/connector.hpp>

#include "woo_catalog.hpp"
#include "woo_model.hpp"

namespace woo {

// What WooCommerce did with an order's stock (woocommerce.md §9).
sr::OrderStock order_stock(const OrderRecord& order);
// `sku_of` names the SKU a line counts on (the stock holder for a parent-managed variation).
// `read_at` (host clock, ms) is when this copy was read (sr::OrderEvent::read_at);
// `read_tag` is appended to the key, so a poll's copy is a fresh event each poll.
sr::OrderEvent order_event(const OrderRecord& order, const std::function<std::string(const OrderLineRecord&)>& sku_of,
                           std::int64_t read_at = 0, const std::string& read_tag = {});

// A list logged as its size and its first few items.
struct Listed {
  static constexpr std::size_t kShown = 10;
  std::size_t count = 0;
  std::vector<std::string> first;  // at most kShown

  void add(std::string item) {
    if (first.size() < kShown) first.push_back(std::move(item));
    ++count;
  }
  bool empty() const { return count == 0; }
  void clear() { *this = {}; }
};

// What one pass over products saw that the merchant should hear about; logged once per poll.
struct PassReport {
  Listed unmanaged;       // SKUs with manage_stock off
  Listed without_sku;     // ids of products/variations without a SKU
  Listed parent_managed;  // "V-1 (variation 12) -> P-1"
  std::map<std::string, std::vector<std::int64_t>> duplicates;  // SKU -> product ids
  std::size_t products = 0;
  std::size_t levels = 0;

  void log(const sr::Host& host, const std::string& where) const;
};

// Is this variation's stock its parent's? (manage_stock "parent", or managed on
// both with the same quantity: the REST API's only hint, woocommerce.md §6.)
bool parent_managed(const Product& variation, const Product* parent);

// A fingerprint of what a ProductChange says of `p` apart from its stock
// level (never 0). `managed`: its stock is synced (not parent-managed).
std::uint32_t product_print(const Product& p, bool managed);

// Turns products and variations into events, a group at a time, so a
// catalogue read page by page is never held whole: a ProductChange for each
// one with a SKU at once, and at finish() a StockLevel for each managed one
// whose SKU is not used twice. Duplicates are judged when everything was
// read, against the whole catalogue (every product of the pass is in it by
// then); until then a level waits as one small record (its SKU, version and
// quantity).
//
// `read_at` (host clock, ms) is when the items were read: StockLevel::read_at.
// `read_tag` ends every level key: a poll passes its own, so what it read is
// always a new observation for the host. Modification times have one-second
// resolution; a level from before a write of ours in the same second may
// arrive late (a delayed webhook), and only a fresh read, processed, can
// tell the host it is superseded.
//
// A ProductChange is made only when the product's fingerprint differs from
// what the catalogue says was reported last: a change of stock alone (a
// sale, a write of ours) is a StockLevel and nothing more. A full read
// reports every product.
//
// `full_read`: the pass reads the whole store, so finish() first drops from
// the catalogue every id it did not see.
class ProductPass {
 public:
  ProductPass(Catalog& catalog, PassReport& report, std::function<void(sr::Event)> out, std::string read_tag = {},
              std::int64_t read_at = 0, bool full_read = false);
  // Products and variations read together; `parents` finds a variation's
  // parent (may be null). Updates the catalogue first.
  void add(const std::vector<Product>& items, const std::function<const Product*(std::int64_t)>& parents);
  void finish();

 private:
  struct Level {
    std::int64_t id;
    std::int64_t parent;      // variations: the parent's id; 0 otherwise
    std::int64_t quantity;    // milli-units
    std::size_t text;         // offset in text_: the SKU, then the version
    std::uint32_t sku_size;
    std::uint32_t version_size;
  };

  void emit_product(const Product& p, bool managed);

  Catalog& catalog_;
  PassReport& report_;
  std::function<void(sr::Event)> out_;
  std::string read_tag_;
  std::int64_t read_at_;
  bool full_read_;
  std::vector<Level> levels_;
  std::string text_;
};

// A ProductPass over `items` alone (a webhook's product).
void product_events(const std::vector<Product>& items, const std::function<const Product*(std::int64_t)>& parents,
                    Catalog& catalog, PassReport& report, const std::function<void(sr::Event)>& out,
                    const std::string& read_tag = {}, std::int64_t read_at = 0);

// The ProductChange of a deleted product or variation (active = false).
sr::ProductChange deleted_product(std::int64_t id, const CatalogEntry& entry);
// A product (or variation) as the hub sees it; `managed`: its stock is its own.
sr::ProductChange product_change(const Product& p, bool managed);

// Hands events to the host in batches of at most 500, so one journal
// transaction stays short. A batch the host refuses as partly invalid is
// logged and passed over (the host logged which items); any other refusal
// throws sr::retryable_error, so cursors stay where they were.
class Emitter {
 public:
  static constexpr std::size_t kBatch = 500;
  // `keep_keys`: remember every key emitted (a webhook answers with them).
  explicit Emitter(const sr::Host& host, bool keep_keys = false) : host_(host), keep_keys_(keep_keys) {}
  void add(sr::Event e);
  void flush();
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  const sr::Host& host_;
  bool keep_keys_;
  std::vector<sr::Event> pending_;
  std::vector<std::string> keys_;
};

}  // namespace woo
