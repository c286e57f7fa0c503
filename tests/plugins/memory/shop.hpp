// The memory test shop: a pretend web shop whose whole state is one JSON file
// (the "shop file"), so that the hub can be killed and restarted while the
// remote shop survives, and tests can act as the merchant (place orders,
// cancel, refund, change stock by hand) from any process.
//
// Every operation locks `<file>.lock` (flock), reads the file, changes it and
// replaces it atomically (write `<file>.tmp`, rename), so concurrent writers
// in several threads or processes never lose an update and a reader never
// sees half a file. Each change bumps the shop's global revision and stamps
// the records it touched with it, like a shop's date_modified: a poller asks
// for "everything with revision > my cursor".
//
// Errors that are part of a shop's normal life (unknown SKU, unknown order,
// a refund larger than the line) are returned as values; only a broken or
// unreadable file throws (std::runtime_error naming the file).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stockrelay/quantity.hpp"

namespace memory_shop {

struct Product {
  std::string sku;
  sr::Quantity quantity;
  std::int64_t revision = 0;
  std::int64_t modified_at = 0;  // Unix ms of the last change (the shop's own clock)
  bool managed = true;           // false: the shop does not track stock for it
  bool active = true;
  std::string remote_id;         // the shop's product id
  std::optional<sr::Money> price;
};

// What the shop did with an order's stock (mirrors sr::OrderStock).
enum class Stock { None, Held, Released };

struct OrderLine {
  std::string id;                // "1", "2", ... by position
  std::string sku;
  sr::Quantity quantity;
  sr::Quantity restocked;        // returned to stock by refunds with restock
};

struct Order {
  std::string id;
  std::string number;            // "#<id>"
  std::string status;            // processing | cancelled
  Stock stock = Stock::None;
  std::int64_t revision = 0;
  std::int64_t modified_at = 0;
  std::vector<OrderLine> lines;
};

struct Note {
  std::string order_id;
  std::string note;
  bool customer_visible = false;
};

struct LineItem {
  std::string sku;
  sr::Quantity quantity;
};

// An order created in this shop by the hub's create_order command. It is a
// record only: it does not touch stock (the hub counts the sale from the
// source order).
struct CreatedOrder {
  std::string remote_ref;        // "doc-<n>"
  std::string source_connection;
  std::string source_order_id;
  std::vector<LineItem> lines;
  bool delivered = false;
};

// Fault knobs a test sets to see how the hub copes.
struct Faults {
  int retry_next = 0;                 // the next N deliver calls fail with SR_RETRY
  std::vector<std::string> fail_skus; // set/adjust stock and set price for these fail "unknown SKU"
};

struct State {
  std::int64_t revision = 0;
  std::map<std::string, Product> products;  // by SKU
  std::map<std::string, Order> orders;      // by id
  std::vector<Note> notes;
  std::vector<CreatedOrder> created_orders;
  Faults faults;
};

// ---- results -------------------------------------------------------------------

struct Result {
  std::string error;             // empty: done
  bool ok() const { return error.empty(); }
};

// After a stock write: the level the shop now shows and its revision. On a
// conflict nothing was written, and level/revision are what the shop shows.
struct StockWrite : Result {
  sr::Quantity level;
  std::int64_t revision = 0;
  bool conflict = false;
  bool compared = false;  // written only because the shop showed the expected level (one step)
};

struct CreatedOrderWrite : Result {
  std::string remote_ref;
  bool created = false;          // false: the same source order was seen before
};

// ---- the shop ------------------------------------------------------------------

class Shop {
 public:
  // The file need not exist: a missing file is an empty shop, created on the
  // first change.
  explicit Shop(std::string path);

  const std::string& path() const { return path_; }

  // Merchant side: what a test does to the shop, as a person or a customer would.
  Result create_product(const std::string& sku, sr::Quantity quantity);
  // Creates the SKUs the shop lacks (one change); present ones keep their
  // level. Creates the shop file if it is missing, even with no SKUs.
  Result ensure_products(const std::map<std::string, sr::Quantity>& initial);
  // Places an order as a customer: status processing, stock held, each line
  // taken from its product's stock (managed products only).
  Result place_order(const std::string& id, const std::vector<LineItem>& lines);
  // Cancels: status cancelled, stock released, what was held goes back, once.
  Result cancel_order(const std::string& id);
  // Refunds `quantity` of a line; with restock it goes back to stock.
  Result refund_line(const std::string& order_id, const std::string& line_id, sr::Quantity quantity, bool restock);
  // The merchant types a new level in the admin page.
  StockWrite manual_set(const std::string& sku, sr::Quantity quantity);
  Result set_managed(const std::string& sku, bool managed);
  Result set_active(const std::string& sku, bool active);

  // Hub side: what the connector's deliver() does for each command.
  // With `expected`, compare-before-write: nothing is written when the shop
  // does not show `expected` (a sale or a manual change landed meanwhile).
  StockWrite apply_set_stock(const std::string& sku, sr::Quantity quantity,
                             std::optional<sr::Quantity> expected = std::nullopt,
                             std::optional<std::int64_t> expected_revision = std::nullopt);
  StockWrite apply_adjust(const std::string& sku, sr::Quantity delta);
  Result set_price(const std::string& sku, const sr::Money& price);
  Result add_note(const std::string& order_id, const std::string& note, bool customer_visible = false);
  // Idempotent on (source_connection, source_order_id): a repeat returns the
  // first document's remote_ref with created == false.
  CreatedOrderWrite create_document(const std::string& source_connection, const std::string& source_order_id,
                                const std::vector<LineItem>& lines);
  Result deliver_document(const std::string& remote_ref);
  // True (and one fewer left) if the next deliver call must fail with RETRY.
  bool consume_retry();

  // Fault knobs.
  void set_retry_next(int n);
  void set_fail_skus(const std::vector<std::string>& skus);

  // Readers: one consistent snapshot each.
  State read() const;
  std::map<std::string, sr::Quantity> levels() const;
  std::vector<Order> orders() const;
  std::vector<Note> notes() const;
  std::vector<CreatedOrder> created_orders() const;

 private:
  std::string path_;
};

const char* to_string(Stock);


}  // namespace memory_shop
