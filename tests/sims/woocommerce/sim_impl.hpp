// The simulator's state and the pieces that act on it. One mutex guards all
// of it; the REST handlers, the merchant API and the webhook workers take it
// for short, in-memory work only (never across network I/O).
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
#include <unordered_map>
#include <vector>

#include "http/client.hpp"
#include "http/server.hpp"
#include "util.hpp"
#include "woo_sim.hpp"

namespace woo_sim {

namespace http = stockrelay::http;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;  // answers keep WooCommerce's field order
using util::Query;

// An error answer of the REST API: {"code","message","data":{"status",...}}.
struct RestError {
  int status = 400;
  std::string code;
  std::string message;
  json data = json::object();  // extra members of "data" besides "status"
};

enum class PType : std::uint8_t { Simple, Grouped, External, Variable, Variation };
const char* type_name(PType type);
std::optional<PType> parse_type(std::string_view name);

enum class Backorders : std::uint8_t { No, Notify, Yes };

struct MetaEntry {
  std::int64_t id = 0;
  std::string key;
  json value;
};

struct Attribute {
  std::string name;
  std::string option;                // variations: the chosen option
  std::vector<std::string> options;  // variable products: all options
};

struct Product {
  std::int64_t id = 0;
  std::int64_t parent_id = 0;  // variations
  PType type = PType::Simple;
  Backorders backorders = Backorders::No;
  bool manage_stock = false;  // the item's own flag; a variation without it may use the parent's
  int stock = 0;              // own quantity, meaningful while manage_stock
  // Stock edits by the merchant (set_stock/adjust_stock) that no REST read
  // has shown since: a REST stock write now erases them unseen (counted in
  // Counters::manual_overwritten and manual_lost()).
  mutable int manual_unseen = 0;
  std::optional<int> low_stock_amount;
  std::string sku;
  std::string name;
  std::string status = "publish";
  std::string stock_status_set = "instock";  // used while nobody manages the stock
  std::string regular_price;
  std::string sale_price;
  std::string description;
  std::int64_t created = 0;   // unix seconds (GMT)
  std::int64_t modified = 0;  // unix seconds (GMT)
  int total_sales = 0;
  std::vector<std::int64_t> children;  // variable: variation ids, ascending
  std::vector<Attribute> attributes;
  std::vector<MetaEntry> meta;
};

enum class Shape { Product, Variation };  // /products/{id} vs /products/{p}/variations/{id}

struct LineItem {
  std::int64_t id = 0;
  std::int64_t product_id = 0;
  std::int64_t variation_id = 0;
  std::string name;
  std::string sku_at_order;  // shown when the product is gone
  int quantity = 1;
  double price = 0;
  int reduced = 0;  // the _reduced_stock item meta
  // Whether that meta exists: set when stock is taken, deleted when a cancel
  // gives it back; a refund with restock only lowers it (to 0 at most).
  bool reduced_meta = false;
  int refunded_qty = 0;
};

struct RefundItem {
  std::int64_t item_id = 0;
  int quantity = 0;
  double total = 0;
};

struct Refund {
  std::int64_t id = 0;
  std::int64_t created = 0;
  double amount = 0;
  std::string reason;
  bool restocked = false;
  std::vector<RefundItem> lines;
};

struct NoteRec {
  std::int64_t id = 0;
  std::int64_t created = 0;
  std::string note;
  bool customer_note = false;
  bool added_by_user = false;
};

struct Order {
  std::int64_t id = 0;
  std::string status = "pending";
  std::int64_t created = 0;
  std::int64_t modified = 0;
  std::optional<std::int64_t> paid;
  std::optional<std::int64_t> completed;
  bool stock_reduced = false;  // the order-level guard of WooCommerce
  std::string order_key;
  std::string currency = "EUR";
  std::string created_via = "rest-api";
  std::string customer_note;
  std::int64_t customer_id = 0;
  std::string payment_method;
  std::string payment_method_title;
  std::string transaction_id;
  json billing = json::object();
  json shipping = json::object();
  std::vector<LineItem> lines;
  std::vector<NoteRec> notes;
  std::vector<Refund> refunds;
  std::vector<MetaEntry> meta;
};

struct Webhook {
  std::int64_t id = 0;
  std::string name;
  std::string status = "active";
  std::string topic;
  std::string delivery_url;
  std::string secret;
  int failure_count = 0;
  bool pending_delivery = false;  // created inactive: ping when first activated
  std::int64_t created = 0;
  std::int64_t modified = 0;
};

using SteadyTime = std::chrono::steady_clock::time_point;

struct DeliveryJob {
  std::int64_t webhook_id = 0;
  std::int64_t resource_id = 0;
  std::string topic;
  std::optional<std::string> fixed_body;  // *.deleted: {"id":N}, fixed at event time
  bool held = false;                      // already reordered once
  // A ping (webhook creation): sent without X-WC-* headers; done() answers
  // the REST request that created the webhook.
  bool ping = false;
  std::string ping_url;
  std::function<void()> done;
};

// A page of a list answer.
struct Paging {
  int page = 1;
  int per_page = 10;
  std::optional<std::int64_t> offset;
};

struct ListAnswer {
  std::string body;  // the JSON array
  std::int64_t total = 0;
};

struct Auth {
  enum Kind { Anonymous, ReadWrite, ReadOnly } kind = Anonymous;
  std::string secret;  // the secret of the key used
};

struct Simulator::Impl {
  explicit Impl(Options o);
  ~Impl();

  // ---- configuration and lifecycle ------------------------------------------
  Options opts;
  std::string consumer_key, consumer_secret;
  std::string read_only_key, read_only_secret;
  std::string base_url;  // set by start()
  std::string site_url;  // X-WC-Webhook-Source
  std::string api_products;         // base_url + "/wp-json/wc/v3/products"
  mutable std::string scratch;      // reused by write_product (under mu)
  bool rest_read = false;           // a REST GET is being answered (under mu)
  std::map<std::string, int> manual_lost;  // SKU -> merchant edits erased by REST writes
  std::map<std::string, std::vector<Simulator::StockChange>> stock_log;  // by SKU
  void log_stock(const Product& owner, int before, std::string cause) {
    if (before == owner.stock) return;
    stock_log[owner.sku].push_back({std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch()).count(),
                                    before, owner.stock, std::move(cause)});
  }

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::unique_ptr<http::Server> server;
  std::vector<std::thread> io_threads;
  std::vector<std::thread> workers;
  std::unique_ptr<http::Client> hook_client;
  bool started = false;
  bool stopped = false;

  sim_common::DelayedReplies replies{io};  // answers held back by Faults::latency_ms

  void start();
  void stop();

  // ---- state (all under mu) ---------------------------------------------------
  mutable std::mutex mu;
  std::map<std::int64_t, Product> products;
  std::unordered_multimap<std::string, std::int64_t> sku_index;
  std::map<std::int64_t, Order> orders;
  std::map<std::int64_t, Webhook> webhooks;
  std::int64_t next_post_id = 11;  // products, variations, orders and refunds share one id space
  std::int64_t next_note_id = 1;
  std::int64_t next_item_id = 1;
  std::int64_t next_meta_id = 1;
  std::int64_t next_webhook_id = 1;
  std::uint64_t structure_gen = 0;  // bumps when the set/status/type of products changes
  struct ListCache {
    std::uint64_t gen = ~0ull;
    std::vector<std::int64_t> ids;  // ascending
  };
  std::map<std::string, ListCache> list_cache;

  Faults faults;
  int injected_failures = 0;  // alternates 500 / 504 for fail_next
  std::mt19937_64 dice;
  Counters counters;
  std::unordered_map<std::string, std::int64_t> nonces;  // key + nonce -> timestamp
  std::int64_t nonces_pruned = 0;

  // ---- catalogue (catalog.cpp) --------------------------------------------------
  Product* find_product(std::int64_t id);
  const Product* find_product(std::int64_t id) const;
  Product& product_or_throw(std::int64_t id, bool for_update, Shape shape, std::int64_t parent_id = 0);
  // The product whose quantity this item shows and orders move: itself, its
  // parent (parent-managed variation) or none.
  const Product* stock_owner(const Product& p) const;
  Product* stock_owner(const Product& p);
  std::optional<int> shown_stock(const Product& p) const;
  std::string stock_status_of(const Product& p) const;
  Backorders backorders_of(const Product& p) const;
  // The live (not trashed) item holding sku other than `except`, 0 if none.
  std::int64_t sku_holder(const std::string& sku, std::int64_t except) const;
  std::string free_sku_like(const std::string& sku) const;
  void index_sku(const Product& p);
  void unindex_sku(std::int64_t id, const std::string& sku);
  std::int64_t insert_product(Product p);  // assigns id, dates; returns id
  // A save: date_modified_gmt bumps (and the parent's, for a variation) and
  // product.updated is queued for both.
  void saved(Product& p, bool created = false);
  void write_product(util::JsonOut& w, const Product& p, Shape shape, const std::vector<std::string>* fields) const;
  std::string product_json(const Product& p, Shape shape, const std::vector<std::string>* fields = nullptr) const;
  ProductView view_of(const Product& p) const;
  std::string display_name(const Product& p) const;  // variations: "Parent - S"
  std::string formatted_name(const Product& p) const;  // "Name (SKU)" as in stock notes
  void apply_product_body(Product& n, const json& body, bool is_variation, bool creating);
  Product& product_by_sku_or_throw(const std::string& sku);

  // REST writes (throw RestError). `parent` is the variable product for a
  // variation created through /products/{id}/variations.
  std::int64_t create_product(const json& body, std::int64_t parent, bool variation_endpoint);
  void update_product(Product& p, const json& body, bool variation_endpoint);
  std::string delete_product(std::int64_t id, bool force, Shape shape, std::int64_t parent);
  ListAnswer list_products(const Query& q, const Paging& paging, std::optional<std::int64_t> variations_of);
  void erase_product(std::int64_t id);
  void generate_catalog(int n, const std::string& prefix);
  void load_catalog(const json& doc);
  std::int64_t admin_add_simple(const std::string& sku, std::optional<int> stock, const std::string& name,
                                const std::string& status, bool check_unique);
  std::int64_t admin_add_variable(const std::string& sku, const std::string& name, std::optional<int> parent_stock);
  std::int64_t admin_add_variation(std::int64_t parent_id, const std::string& sku, ManageMode mode,
                                   std::optional<int> stock);
  Product* product_by_sku(const std::string& sku);

  // ---- orders (orders.cpp) ---------------------------------------------------------
  Order& order_or_throw(std::int64_t id, bool for_update);
  ojson order_json(const Order& o) const;
  ojson note_json(const Order& o, const NoteRec& n) const;
  ojson refund_json(const Order& o, const Refund& r) const;
  double order_total(const Order& o) const;
  double refunded_total(const Order& o) const;
  std::int64_t create_order(const json& body);
  void update_order(Order& o, const json& body);
  std::string delete_order(std::int64_t id, bool force);
  ListAnswer list_orders(const Query& q, const Paging& paging);
  // Status change with WooCommerce's stock rules; fires order.updated.
  void change_status(Order& o, const std::string& to);
  void payment_complete(Order& o, const std::string& transaction_id);
  void maybe_reduce_stock(Order& o);
  void maybe_increase_stock(Order& o);
  void add_note(Order& o, const std::string& text, bool customer_note, bool added_by_user);
  // A refund: amount, lines (item id, qty, total), restock. Throws RestError.
  Refund& create_refund(Order& o, double amount, const std::string& reason, std::vector<RefundItem> lines,
                        bool restock);
  void order_saved(Order& o, bool created = false);
  std::int64_t place_order(const std::vector<LineSpec>& lines, const std::string& status);

  // ---- webhooks (webhooks.cpp) -----------------------------------------------------
  std::multimap<SteadyTime, DeliveryJob> queue;
  std::map<std::pair<std::int64_t, std::int64_t>, std::multimap<SteadyTime, DeliveryJob>::iterator> pending;
  int in_flight = 0;
  std::condition_variable queue_cv;
  mutable std::condition_variable idle_cv;

  ojson webhook_json(const Webhook& h) const;
  Webhook& webhook_or_throw(std::int64_t id, bool for_update);
  // Validates and applies a REST body; returns whether a ping is due.
  bool apply_webhook_body(Webhook& h, const json& body, bool create, const Auth& auth);
  // Queues deliveries of resource.event for every active webhook on that topic.
  void fire(const std::string& resource, const std::string& event, std::int64_t id);
  void enqueue(DeliveryJob job, std::chrono::milliseconds delay);
  void worker_loop();
  void deliver(std::unique_lock<std::mutex>& lock, DeliveryJob job);
  void send_ping(std::unique_lock<std::mutex>& lock, DeliveryJob job);
  std::string payload_for(const DeliveryJob& job) const;

  // ---- REST (rest.cpp, auth.cpp) -------------------------------------------------------
  void handle(const http::ServerRequest& req, http::Respond respond);
  std::optional<http::ServerResponse> injected_fault(const std::string& method);
  // Returns nullopt when the handler answers later (webhook create waits for its ping).
  std::optional<http::ServerResponse> process(const http::ServerRequest& req, const std::string& route,
                                              http::Respond& respond);
  Auth authenticate(const http::ServerRequest& req, const std::string& method, const Query& q);
  std::optional<http::ServerResponse> sim_endpoint(const http::ServerRequest& req);
};

// Shared helpers of the REST layer.
http::ServerResponse error_response(const RestError& e);
http::ServerResponse json_response(int status, std::string body);
std::string error_body(const RestError& e);
RestError invalid_param(const std::string& param, const std::string& why);
RestError invalid_id(const std::string& post_type, int status, const std::string& message = "Invalid ID.");
Paging parse_paging(const Query& q);
// Applies offset/page to `total` items; returns [begin, end) indexes.
std::pair<std::int64_t, std::int64_t> page_window(const Paging& p, std::int64_t total);
std::string html_page(int status);
bool is_order_status(const std::string& s);
std::string status_label(const std::string& s);

}  // namespace woo_sim
