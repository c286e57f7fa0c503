// PeakWMS behind its integration API (/api/integration/v1), in-process, for
// the PeakWMS connector's tests, the benchmarks and `stockrelay-sim peakwms`.
// It follows ../shared/apis/peakwms.md section 7: bearer API keys, each key
// one web-shop integration; products keyed by productId + variantId per
// integration, with one product-integration row per (WMS product,
// integration); keyset paging {data, page, pageSize, totalRecords}; stock
// rows with availableToSell = on hand - reserved (never negative); sales
// orders that reserve, cancel that releases; StockAdjust and PickOrderPacked
// webhooks to registered URLs; 240 requests a minute per key (429); fault
// knobs. The proposal endpoints (/productIntegration, /product/{id}/refetch,
// /product/{id}/state) are SIMULATOR-ONLY: PeakWMS publishes nothing like them.
//
// The methods marked NOT PART OF PEAKWMS act as the warehouse does (goods
// received, a stock count, picking and packing an order), as the shop behind
// an integration does (the catalogue "Hent produkt" reads), or let tests look
// inside. Every public method is thread-safe; the HTTP server runs on its
// own threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace peakwms_sim {

// Webhook names (peakwms.md §4); the simulator sends these two.
constexpr int kWebhookStockAdjust = 100;
constexpr int kWebhookPickOrderPacked = 102;

// Sales order states (peakwms.md §4).
constexpr int kOrderCreated = 0;
constexpr int kOrderPicked = 2;
constexpr int kOrderPacked = 3;
constexpr int kOrderCancelled = 5;

// Product states; the values are this simulator's assumption (peakwms.md §6).
constexpr int kProductActive = 0;
constexpr int kProductInactive = 1;

struct Options {
  std::string listen = "127.0.0.1:0";  // port 0: any free port
  // Web-shop integrations created at construction, one API key each
  // (generated, 32 hex). More with add_integration().
  int integrations = 1;
  // POST /product with a (productId, variantId) the integration already has:
  // true updates it (upsert), false answers 400 (peakwms.md §7 item 2).
  bool upsert_on_post = true;
  // A second integration posting a product whose itemNumber a WMS product
  // already has: true attaches a product-integration row to that product,
  // false (default) creates a separate product (§7 item 3).
  bool match_by_item_number = false;
  // Rate limit per key (§7 item 7): at most rate_limit requests per window.
  bool rate_limit_enabled = true;
  int rate_limit = 240;
  int rate_window_ms = 60000;
  std::string warehouse_name = "Main warehouse";
  int webhook_timeout_ms = 10000;
  std::uint64_t seed = 1;  // fault dice
};

// Fault knobs; change them at any time with set_faults().
struct Faults {
  int latency_ms = 0;     // added to every API response
  int fail_next = 0;      // the next N API requests get 500 (not applied)
  double error_rate = 0;  // probability of a 500 per API request (not applied)
};

struct Counters {
  std::uint64_t requests = 0;         // API requests answered (any status)
  std::uint64_t unauthorized = 0;     // 401 answers
  std::uint64_t rate_limited = 0;     // 429 answers
  std::uint64_t errors_injected = 0;  // 500 from the fault knobs
  std::uint64_t products_created = 0;
  std::uint64_t products_updated = 0;
  std::uint64_t orders_created = 0;
  std::uint64_t orders_cancelled = 0;
  std::uint64_t webhook_posts = 0;     // webhook POSTs attempted
  std::uint64_t webhook_failures = 0;  // answered non-2xx or not at all (not retried)
};

// One WMS product's stock as the warehouse sees it.
struct StockLevel {
  std::int64_t on_hand = 0;
  std::int64_t reserved = 0;           // open sales orders
  std::int64_t available_to_sell = 0;  // max(0, on_hand - reserved)
  int state = kProductActive;
};

struct Integration {
  std::int64_t id = 0;
  std::string name;
  std::string api_key;
};

class Simulator {
 public:
  explicit Simulator(Options options = {});
  ~Simulator();  // stop()s
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void start();  // binds and serves; throws std::runtime_error naming the address on failure
  void stop();   // stops serving and delivering (webhooks still queued are dropped)

  std::string server_url() const;  // "http://127.0.0.1:PORT"
  std::string base_url() const;    // "http://127.0.0.1:PORT/api/integration/v1"

  // ---- set-up: web-shop integrations ------------------------------------------
  // A new integration; `api_key` empty = generated. Throws
  // std::invalid_argument for a key already in use.
  Integration add_integration(const std::string& name, const std::string& api_key = "");
  std::vector<Integration> integrations() const;
  std::string api_key(std::size_t index = 0) const;  // of integrations()[index]; throws std::out_of_range

  // ---- NOT PART OF PEAKWMS: warehouse operations on a WMS product id --------
  // Each changes on hand, writes a stock action and sends StockAdjust.
  // Throw std::invalid_argument for an unknown product or order.
  void goods_received(std::int64_t product_id, std::int64_t quantity);
  void count(std::int64_t product_id, std::int64_t counted);  // on hand becomes `counted`
  // Picks every line of an open order: on hand and reserved go down by the
  // line quantities; state Picked. Throws std::invalid_argument when the
  // order is not in state Created.
  void pick_order(std::int64_t order_id);
  // Packs a picked order: state Packed, PickOrderPacked to the order's integration.
  void pack_order(std::int64_t order_id, const std::string& tracking_number = "");

  // ---- NOT PART OF PEAKWMS: the shop behind an integration ---------------------
  // What POST /product/{id}/refetch ("Hent produkt") reads: the product as
  // the shop holds it, in the API's product shape (productId, variantId,
  // itemNumber, description, ...). remove_shop_product: the shop no longer has it.
  void set_shop_product(std::int64_t integration_id, const std::string& product_json);
  void remove_shop_product(std::int64_t integration_id, const std::string& product_id, const std::string& variant_id);

  // ---- NOT PART OF PEAKWMS: looking inside -------------------------------------
  std::optional<StockLevel> stock(std::int64_t product_id) const;
  // The WMS product id an integration knows as (productId, variantId).
  std::optional<std::int64_t> product_id(std::int64_t integration_id, const std::string& shop_product_id,
                                         const std::string& shop_variant_id) const;
  std::optional<int> order_state(std::int64_t order_id) const;
  std::size_t product_count() const;
  // Freezes the clock of createdAt/updatedAt, order dates and stock action
  // times (nullopt: wall clock again). Unix seconds. The rate window runs on
  // a steady clock of its own.
  void set_clock(std::optional<std::int64_t> unix_seconds);
  std::int64_t now() const;

  // ---- faults and counters ---------------------------------------------------------
  void set_faults(const Faults& f);
  Faults faults() const;
  Counters counters() const;
  void reset_counters();
  // Blocks until no webhook is queued or in flight (or timeout); false on timeout.
  bool wait_webhooks_idle(int timeout_ms) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace peakwms_sim
