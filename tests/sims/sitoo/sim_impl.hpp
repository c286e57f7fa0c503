// The simulator's state and the pieces that act on it. One mutex guards all
// of it; the API handlers, the test-side methods and the events worker take
// it for short, in-memory work only (never across network I/O).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/client.hpp"
#include "http/server.hpp"
#include "sitoo_sim.hpp"
#include "util.hpp"

namespace sitoo_sim {

namespace http = stockrelay::http;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;  // answers keep a stable field order
using util::Query;

// An error answer: {"statuscode": status, "errortext": text}.
struct ApiError {
  int status = 400;
  std::string text;
};

struct Warehouse {
  std::int64_t id = 0;
  int type = kWarehouseFifo;
  int usetype = 10;
  std::string name;
  std::string currencycode;
  bool sellable = true;
};

// Stock of one SKU in one warehouse. Quantities in thousandths, money in cents.
struct WarehouseItem {
  std::int64_t id = 0;
  std::int64_t warehouse_id = 0;
  std::string sku;
  std::int64_t total = 0;
  std::int64_t reserved = 0;
  std::int64_t money_total = 0;
  std::int64_t threshold = 0;
  std::string binlocation;
  std::optional<std::int64_t> modified;       // datelastmodified
  std::optional<std::int64_t> last_stocktaking;
};

struct ItemLog {
  std::int64_t id = 0;
  std::int64_t item_id = 0;
  std::string sku;
  std::int64_t quantity = 0;     // signed change
  std::int64_t total_after = 0;  // decimaltotal: the level after
  std::optional<std::int64_t> price_in;  // cents per unit
  std::int64_t money_value = 0;  // value of the change
  std::int64_t money_total = 0;  // stock value after
};

struct Transaction {
  std::int64_t id = 0;
  std::int64_t warehouse_id = 0;
  int type = kTxMoveIn;
  std::int64_t created = 0;
  std::string description;
  std::optional<std::string> externalid;
  std::optional<std::string> reasoncode;
  std::optional<std::int64_t> orderdelivery_id;
  std::vector<ItemLog> logs;
};

// One line of a transaction about to be applied.
struct TxLine {
  std::string sku;
  std::int64_t quantity = 0;
  std::optional<std::int64_t> price_in;
};

struct Product {
  std::int64_t id = 0;
  std::string sku;
  std::string title;
  std::int64_t price = 0;     // cents
  std::int64_t price_in = 0;  // cents
  std::string vat = "25.00";
  std::int64_t created = 0;
  std::int64_t modified = 0;
};

struct OrderItem {
  std::int64_t id = 0;  // 0-based index within the order
  std::string productname;
  std::string sku;
  std::optional<std::int64_t> product_id;
  int type = 10;
  std::int64_t quantity = 0;  // units
  std::int64_t row_price = 0;  // cents, the row total
  std::int64_t row_discount = 0;
  double vat = 0;
  std::int64_t reserved = 0;   // units still reserved in the order's warehouse
  std::int64_t delivered = 0;  // units delivered
  json additionaldata;
};

struct Order {
  std::int64_t id = 0;
  int type = 10;
  std::optional<std::string> externalid;
  int state = 0;
  int paymentstate = 0;
  std::optional<std::int64_t> warehouse_id;
  std::optional<std::int64_t> datereserved;
  std::int64_t orderdate = 0;
  std::string currency;
  ojson extra = ojson::object();  // the customer, address and comment fields, as sent
  json additionaldata;
  json payments;
  std::vector<OrderItem> items;
};

struct DeliveryLine {
  std::int64_t orderitem_id = 0;
  std::int64_t quantity = 0;
};

struct Delivery {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::int64_t warehouse_id = 0;
  std::string ref;
  std::int64_t date = 0;
  std::vector<DeliveryLine> lines;
  std::optional<std::int64_t> transaction_id;
};

// A list query's paging and projection.
struct ListParams {
  std::int64_t start = 0;
  std::int64_t num = 10;
  std::vector<std::string> fields;  // empty: all
};

struct Simulator::Impl {
  explicit Impl(Options o);
  ~Impl();

  // ---- configuration and lifecycle -------------------------------------------
  Options opts;
  std::string api_id, password;
  std::string server_url;  // set by start()
  std::string api_root;    // "/v2/accounts/ACCOUNT"

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::unique_ptr<http::Server> server;
  std::vector<std::thread> io_threads;
  std::thread events_thread;
  std::unique_ptr<http::Client> events_client;
  bool started = false;
  bool stopped = false;

  sim_common::DelayedReplies replies{io};  // answers held back by Faults::latency_ms

  void start();
  void stop();

  // ---- state (all under mu) -----------------------------------------------------
  mutable std::mutex mu;
  std::optional<std::int64_t> frozen_now;
  std::int64_t now() const;

  std::map<std::int64_t, Warehouse> warehouses;
  // Per warehouse: SKU (exact bytes) -> item.
  std::map<std::int64_t, std::map<std::string, WarehouseItem>> items;
  std::map<std::int64_t, Product> products;
  std::map<std::string, std::int64_t> product_by_sku;
  std::map<std::int64_t, Transaction> transactions;
  std::map<std::int64_t, Order> orders;
  std::map<std::string, std::int64_t> order_by_externalid;
  std::map<std::int64_t, Delivery> deliveries;
  std::int64_t next_warehouse_id = 1;
  std::int64_t next_item_id = 1;
  std::int64_t next_product_id = 1;
  std::int64_t next_transaction_id = 1;
  std::int64_t next_log_id = 1;
  std::int64_t next_order_id = 1;
  std::int64_t next_delivery_id = 1;

  Faults faults;
  std::mt19937_64 dice;
  Counters counters;

  // ---- stock (stock.cpp) ------------------------------------------------------------
  std::int64_t add_warehouse(const std::string& name, int type, std::int64_t id = 0);
  WarehouseItem& ensure_item(std::int64_t warehouse, const std::string& sku);
  WarehouseItem* find_item(std::int64_t warehouse, const std::string& sku);
  const Warehouse& warehouse_or_throw(std::int64_t id, int status = 404);
  // Validates and adds a product (throws ApiError 400 naming the SKU).
  std::int64_t add_product(const std::string& sku, const std::string& title, std::int64_t price);
  // Applies one transaction: levels, money, datelastmodified, item logs, event.
  // The caller has validated the lines (every SKU known in the warehouse).
  std::int64_t apply_transaction(std::int64_t warehouse, int type, const std::vector<TxLine>& lines,
                                 std::string description, std::optional<std::string> externalid = std::nullopt,
                                 std::optional<std::string> reasoncode = std::nullopt,
                                 std::optional<std::int64_t> orderdelivery_id = std::nullopt);
  // A reservation change (orders): reserved moves, total does not.
  void reserve(std::int64_t warehouse, const std::string& sku, std::int64_t delta_milli);
  std::int64_t shop_floor(std::int64_t warehouse, const std::string& sku, int type, std::int64_t delta,
                          const std::string& description);

  ojson site_json() const;
  ojson warehouse_json(const Warehouse& w) const;
  ojson item_json(const WarehouseItem& i) const;
  ojson product_json(const Product& p) const;
  ojson transaction_json(const Transaction& t) const;

  std::string list_sites(const Query& q);
  std::string list_warehouses(const Query& q);
  std::string list_items(std::int64_t warehouse, const Query& q);
  std::string list_products(const Query& q);
  std::string post_products(const json& body);
  std::string list_transactions(std::optional<std::int64_t> warehouse, const Query& q);
  std::string post_transactions(const json& body);

  // ---- orders (orders.cpp) ------------------------------------------------------------
  ojson order_json(const Order& o, bool with_items) const;
  ojson delivery_json(const Delivery& d) const;
  Order& order_or_throw(std::int64_t id);
  std::string list_orders(const Query& q);
  std::string post_order(const json& body);
  std::string put_order(Order& o, const json& body);
  std::string list_deliveries(const Order& o, const Query& q);
  std::string post_delivery(Order& o, const json& body);
  void release(Order& o);

  // ---- events (events.cpp) --------------------------------------------------------------
  struct QueuedEvent {
    json event;
    std::chrono::steady_clock::time_point queued;
  };
  std::deque<QueuedEvent> event_queue;
  std::vector<json> batch;  // the array being delivered (blocks the queue until done)
  bool sending = false;
  std::condition_variable events_cv;
  mutable std::condition_variable idle_cv;

  void emit(const std::string& type, json data);
  void event_order(const Order& o, const std::string& event_type, std::optional<std::string> state_changed);
  void event_delivery(const Delivery& d);
  void event_transaction(const Transaction& t);
  void events_loop();

  // ---- API (rest.cpp, auth.cpp) ------------------------------------------------------------
  void handle(const http::ServerRequest& req, http::Respond respond);
  std::optional<http::ServerResponse> injected_fault();
  http::ServerResponse process(const http::ServerRequest& req);
  // Throws ApiError 401/403.
  void authenticate(const http::ServerRequest& req, const std::string& path_account);
  http::ServerResponse sim_endpoint(const http::ServerRequest& req);
};

// Shared helpers of the API layer.
std::string error_body(int status, const std::string& text);
http::ServerResponse json_response(int status, std::string body);
std::string dump(const ojson& j);
std::string dump(const json& j);
ListParams parse_list(const Query& q);
// {"totalcount","items"} over rendered items, paged and projected.
template <typename T, typename Render>
std::string envelope(const std::vector<const T*>& found, const ListParams& p, Render render) {
  ojson out = ojson::object();
  out["totalcount"] = found.size();
  ojson list = ojson::array();
  auto total = static_cast<std::int64_t>(found.size());
  for (std::int64_t i = p.start; i < total && i < p.start + p.num; ++i) {
    ojson item = render(*found[static_cast<std::size_t>(i)]);
    if (!p.fields.empty()) {
      ojson kept = ojson::object();
      for (const auto& [k, v] : item.items()) {
        for (const auto& f : p.fields) {
          if (f == k) {
            kept[k] = v;
            break;
          }
        }
      }
      item = std::move(kept);
    }
    list.push_back(std::move(item));
  }
  out["items"] = std::move(list);
  return dump(out);
}
// A filter that must be a list of integers (400 names the parameter otherwise).
std::vector<std::int64_t> int_list(const Query& q, const std::string& key);
std::optional<std::int64_t> int_param(const Query& q, const std::string& key);
// sort=<field> or -<field>; returns true for descending. 400 for other fields.
bool sort_desc(const Query& q, const std::string& field, bool default_desc);
// Batch answer: one item -> the plain value; several -> [{"statuscode":200,"return":v},...].
std::string batch_answer(const std::vector<std::int64_t>& ids);

}  // namespace sitoo_sim
