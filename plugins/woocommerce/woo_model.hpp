// What the connector reads from WooCommerce, parsed with simdjson into plain
// records (nothing keeps a reference into the parser), and the GMT date
// helpers. Every parse function reports failure by value, never by throwing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>
#include <stockrelay/quantity.hpp>

namespace woo {

// A product or a variation, as GET /products, /products/{id},
// /products/{id}/variations and the product webhooks show it.
struct Product {
  std::int64_t id = 0;
  std::int64_t parent_id = 0;          // variations: the variable product
  std::string type;                    // simple, variable, variation, grouped, external
  std::string sku;
  std::string name;
  std::string status;                  // publish, private, draft, pending, future, trash
  bool manage_stock = false;           // as REST shows it (a parent-managed variation says true)
  bool manage_parent = false;          // manage_stock came as the string "parent"
  std::optional<sr::Quantity> stock_quantity;
  std::string date_modified_gmt;       // "YYYY-MM-DDTHH:MM:SS"
  std::string regular_price;
  std::vector<std::int64_t> variations;  // variable products: their variation ids
  std::string ean;                     // global_unique_id (GTIN, UPC, EAN or ISBN)
  std::string id_meta;                 // the value of Parser's product id meta key, if set

  bool is_variation() const { return type == "variation"; }
  bool is_variable() const { return type == "variable"; }
};

struct OrderLineRecord {
  std::int64_t id = 0;
  std::int64_t product_id = 0;
  std::int64_t variation_id = 0;
  std::string name;
  std::string sku;
  sr::Quantity quantity;
  std::string price;                   // decimal text (the API sends a string or a number)
  std::optional<sr::Quantity> reduced_stock;  // line meta _reduced_stock: what the order holds now
};

struct OrderRecord {
  std::int64_t id = 0;
  std::string number;
  std::string status;
  std::string currency;
  std::string total;
  int dp = 2;                          // decimal places of the amounts
  std::string date_created_gmt;
  std::string date_modified_gmt;
  std::string date_paid_gmt;
  std::string customer_name;
  std::string customer_email;
  std::string payment_method;
  std::string payment_method_title;
  std::string created_via;
  std::vector<OrderLineRecord> lines;
};

struct WebhookRecord {
  std::int64_t id = 0;
  std::string name;
  std::string topic;
  std::string delivery_url;
  std::string status;                  // active, paused, disabled
};

// An order note (GET /orders/{id}/notes). WooCommerce writes one for every
// stock change an order makes (latest_stock_note() reads those).
struct NoteRecord {
  std::int64_t id = 0;                 // grows with every note: later notes have larger ids
  std::string note;
};

// One stock change an order note records for one product: its level before
// and after ("Stock levels reduced: Mug (MUG) 10→8", "Stock levels
// increased: ...", "Item #55 stock increased from 6 to 7.").
struct StockNote {
  std::int64_t note_id = 0;
  std::int64_t from = 0;
  std::int64_t to = 0;
};
// The latest change the notes record for the product with this SKU (named
// "(SKU)" in the reduced/increased notes) or this product id ("Item #id" in
// a refund's restock note); nothing when no note names it.
std::optional<StockNote> latest_stock_note(const std::vector<NoteRecord>& notes, const std::string& sku,
                                           std::int64_t product_id);

// One element of a batch answer: the saved object or a per-item error.
struct BatchItem {
  bool failed = false;
  std::int64_t id = 0;
  std::string code;
  std::string message;
  Product product;
};

struct ApiError {
  std::string code;
  std::string message;
};

class Parser {
 public:
  // The product meta key whose value is the product's id towards back
  // offices (Settings::product_id_meta; empty: none is read).
  void set_product_id_meta(std::string key) { id_meta_key_ = std::move(key); }

  bool products(std::string_view body, std::vector<Product>& out, std::string& error);
  bool product(std::string_view body, Product& out, std::string& error);
  bool orders(std::string_view body, std::vector<OrderRecord>& out, std::string& error);
  bool order(std::string_view body, OrderRecord& out, std::string& error);
  bool webhooks(std::string_view body, std::vector<WebhookRecord>& out, std::string& error);
  bool webhook(std::string_view body, WebhookRecord& out, std::string& error);
  bool notes(std::string_view body, std::vector<NoteRecord>& out, std::string& error);
  // The array under `key` ("update") of a batch answer, in request order.
  bool batch(std::string_view body, const char* key, std::vector<BatchItem>& out, std::string& error);
  // {"code","message"} of an error body; false when the body is not one.
  bool api_error(std::string_view body, ApiError& out);
  // The "id" of a created object ({"id": 12, ...}).
  bool object_id(std::string_view body, std::int64_t& out, std::string& error);

 private:
  bool parse(std::string_view body, simdjson::dom::element& root, std::string& error);
  simdjson::dom::parser parser_;
  std::string id_meta_key_;
};

// "YYYY-MM-DDTHH:MM:SS" (GMT; a trailing "Z" or fraction is ignored) -> Unix seconds.
std::optional<std::int64_t> parse_gmt(std::string_view text);
std::string format_gmt(std::int64_t unix_seconds);
// An HTTP Date header ("Sun, 06 Nov 1994 08:49:37 GMT") -> Unix seconds.
std::optional<std::int64_t> parse_http_date(std::string_view text);
// Unix ms of a GMT date, 0 when it does not parse.
std::int64_t gmt_ms(std::string_view text);

}  // namespace woo
