// The simulator's state and the pieces that act on it. One mutex guards all
// of it; the API handlers, the test-side methods and the webhook worker take
// it for short, in-memory work only (never across network I/O).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "http/client.hpp"
#include "http/server.hpp"
#include "peakwms_sim.hpp"
#include "sim_common.hpp"
#include "util.hpp"

namespace peakwms_sim {

namespace http = stockrelay::http;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;  // answers keep a stable field order

// An error answer: {"message": text}.
struct ApiError {
  int status = 400;
  std::string text;
};

// One (WMS product, integration) pair: how that shop knows the product.
struct ProductIntegration {
  std::int64_t id = 0;
  std::int64_t product_id = 0;  // WMS id
  std::int64_t integration_id = 0;
  std::string shop_product_id;
  std::string shop_variant_id;
  std::int64_t created = 0;
};

struct Product {
  std::int64_t id = 0;
  std::string item_number;
  std::string description;
  std::string ean;
  std::string image_path;
  int state = kProductActive;
  ojson extra = ojson::object();  // every other field, as last sent (camelCase keys)
  std::int64_t on_hand = 0;
  std::int64_t reserved = 0;
  bool activity = false;  // ever part of a stock action or an order line
  std::int64_t created = 0;
  std::int64_t updated = 0;
};

struct StockAction {
  std::int64_t id = 0;
  std::int64_t product_id = 0;
  std::int64_t time = 0;
  int type = 0;  // 1 goods received, 2 counted, 3 picked (this simulator's codes)
  std::string reason;
  std::int64_t delta = 0;
  std::int64_t total = 0;
};

struct OrderLine {
  std::string order_line_id;
  std::string product_id;  // shop ids, as sent
  std::string variant_id;
  std::int64_t wms_product_id = 0;
  std::int64_t quantity = 0;
  int state = 0;
  ojson extra = ojson::object();
};

struct SalesOrder {
  std::int64_t id = 0;
  std::int64_t integration_id = 0;
  std::string order_id;  // the shop's
  int state = kOrderCreated;
  std::int64_t created = 0;
  ojson extra = ojson::object();  // addresses, prices and the other fields, as sent
  std::vector<OrderLine> lines;
  bool reserving = false;  // its lines hold reservations
};

struct Webhook {
  std::int64_t id = 0;
  std::int64_t integration_id = 0;
  int name = 0;
  std::string url;
};

// A keyset page request.
struct KeySet {
  std::int64_t last_id = 0;
  std::int64_t page_size = 250;
};

struct Simulator::Impl {
  explicit Impl(Options o);
  ~Impl();

  // ---- configuration and lifecycle -------------------------------------------------
  Options opts;
  std::string server_url;  // set by start()
  sim_common::ServerThreads host;  // the server, its io threads and held-back answers
  std::thread webhook_thread;
  std::unique_ptr<http::Client> webhook_client;
  bool started = false;
  bool stopped = false;

  void start();
  void stop();

  // ---- state (all under mu) ------------------------------------------------------------
  mutable std::mutex mu;
  std::optional<std::int64_t> frozen_now;
  std::int64_t now() const;

  std::vector<Integration> integrations;
  std::map<std::string, std::int64_t> integration_by_key;
  std::map<std::int64_t, Product> products;
  std::map<std::int64_t, ProductIntegration> links;  // product-integration rows by id
  // (integration, shop productId, shop variantId) -> link id
  std::map<std::tuple<std::int64_t, std::string, std::string>, std::int64_t> link_by_key;
  std::map<std::int64_t, StockAction> actions;
  std::map<std::int64_t, SalesOrder> orders;
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> order_by_shop_id;
  std::map<std::int64_t, Webhook> webhooks;
  // The shops behind the integrations: (integration, productId, variantId) -> product JSON.
  std::map<std::tuple<std::int64_t, std::string, std::string>, json> shop_catalogue;
  std::int64_t next_integration_id = 1, next_product_id = 1, next_link_id = 1, next_action_id = 1,
               next_order_id = 1, next_webhook_id = 1;

  Faults faults;
  std::mt19937_64 dice;
  Counters counters;
  struct Window {
    std::chrono::steady_clock::time_point start;
    int used = 0;
  };
  std::map<std::int64_t, Window> rate_windows;  // per integration

  Integration add_integration(const std::string& name, const std::string& key);

  // ---- products (products.cpp) ------------------------------------------------------------
  const ProductIntegration* link_of(std::int64_t product_id, std::int64_t integration) const;
  Product& product_or_throw(std::int64_t id);
  // A new product-integration row: how `integration` knows the product.
  const ProductIntegration& add_link(std::int64_t product_id, std::int64_t integration,
                                     const std::string& shop_product_id, const std::string& shop_variant_id);
  ojson product_json(const Product& p, const ProductIntegration& l) const;
  ojson link_json(const ProductIntegration& l) const;
  // The non-key fields of a product body applied to p.
  void apply_product_fields(Product& p, const json& body);
  ojson post_product(std::int64_t integration, const json& body);
  ojson put_product(std::int64_t integration, std::optional<std::int64_t> id, const json& body);
  ojson delete_product(std::int64_t integration, std::int64_t id);
  ojson get_variants(std::int64_t integration, const std::string& shop_product_id);
  ojson list_products(std::int64_t integration, const KeySet& k);
  // The integration's product-integration rows, by WMS product id ascending.
  std::map<std::int64_t, const ProductIntegration*> links_of(std::int64_t integration) const;
  ojson list_links(std::int64_t integration, const util::Query& q);          // simulator-only
  ojson refetch(std::int64_t integration, std::int64_t id);                  // simulator-only
  ojson set_state(std::int64_t integration, std::int64_t id, const json& body);  // simulator-only

  // ---- stock (stock.cpp) ----------------------------------------------------------------
  ojson stock_row(const Product& p, const ProductIntegration& l) const;
  ojson get_stock(std::int64_t integration, const std::string& shop_product_id, const util::Query& q);
  ojson list_stock(std::int64_t integration, const KeySet& k);
  ojson list_actions(std::int64_t integration, const KeySet& k, const util::Query& q);
  // A warehouse change of on hand: stock action, StockAdjust.
  void adjust(Product& p, std::int64_t delta, int type, const std::string& reason);
  void reserve(std::int64_t product_id, std::int64_t delta);

  // ---- orders (orders.cpp) ---------------------------------------------------------------
  ojson order_json(const SalesOrder& o) const;
  SalesOrder& order_for(std::int64_t integration, const std::string& ref);
  std::vector<OrderLine> read_lines(std::int64_t integration, const json& body);
  ojson post_order(std::int64_t integration, const json& body);
  ojson put_order(std::int64_t integration, std::optional<std::string> ref, const json& body);
  ojson cancel_order(std::int64_t integration, const std::string& ref);
  ojson delete_order(std::int64_t integration, const std::string& ref);
  void hold(SalesOrder& o, bool on);  // reserve or release every line
  void pick(SalesOrder& o);
  void pack(SalesOrder& o, const std::string& tracking);

  // ---- webhooks (webhooks.cpp) -------------------------------------------------------------
  struct Outgoing {
    std::string url;
    std::string body;
  };
  std::deque<Outgoing> outbox;
  bool sending = false;
  std::condition_variable webhook_cv;
  mutable std::condition_variable idle_cv;
  ojson post_webhook(std::int64_t integration, const json& body);
  ojson delete_webhook(std::int64_t integration, std::int64_t id);
  void notify(std::int64_t integration, int name, const ojson& payload);
  void webhook_loop();

  // ---- API (rest.cpp) ----------------------------------------------------------------------
  void handle(const http::ServerRequest& req, http::Respond respond);
  http::ServerResponse process(const http::ServerRequest& req);
  std::int64_t authenticate(const http::ServerRequest& req);  // throws ApiError 401
  std::optional<http::ServerResponse> rate_limited(std::int64_t integration);
  std::optional<http::ServerResponse> injected_fault();
  http::ServerResponse sim_endpoint(const http::ServerRequest& req);
};

// Shared helpers of the API layer.
http::ServerResponse json_response(int status, const ojson& body);
http::ServerResponse error_response(const ApiError& e);
// {"data","page","pageSize","totalRecords"} over rows with ascending "id".
ojson keyset_page(const std::vector<ojson>& rows, const KeySet& k);
KeySet read_keyset(const util::Query& q);

}  // namespace peakwms_sim
