// A WooCommerce shop behind REST API v3 (/wp-json/wc/v3), in-process, for the
// connector's tests, the benchmarks and `stockrelay demo`. It follows
// ../shared/apis/woocommerce.md section 12: auth modes and their 401 codes,
// error bodies, paging headers, the SKU filter (products and variations),
// modified_after with dates_are_gmt, unique SKUs, manage_stock rules,
// parent-managed variations, batch endpoints (100-item cap, per-item errors),
// order status transitions that move stock exactly as WooCommerce does, order
// notes, refunds, webhooks (ping, X-WC-Webhook-* headers, base64 HMAC-SHA256,
// async delivery built at send time, collapsed duplicates, no retries,
// disabled after the failure threshold) and fault knobs.
//
// The merchant/customer methods below act as the shop's admin UI and checkout
// do: they change state directly and fire the webhooks WooCommerce would.
// Every public method is thread-safe; the HTTP server runs on its own threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace woo_sim {

struct Options {
  std::string listen = "127.0.0.1:0";   // port 0: any free port
  std::string consumer_key;             // generated ("ck_" + 40 hex) when empty
  std::string consumer_secret;          // generated ("cs_" + 40 hex) when empty
  std::string read_only_key;            // optional second key with read permission only
  std::string read_only_secret;         // its secret; consumer_secret when empty
  std::string site_url;                 // X-WC-Webhook-Source; default base_url() + "/"
  // Mimic WordPress on plain HTTP: Basic and query-string keys are refused,
  // only OAuth 1.0a is accepted. Off by default (loopback simulator).
  bool strict_https_auth = false;
  // A failure while the consecutive-failure counter is already above this
  // disables the webhook (WooCommerce: > 5, i.e. the 7th failure).
  int webhook_failure_threshold = 5;
  // Deliveries wait this long in the queue (Action Scheduler latency); a
  // second change of the same resource meanwhile collapses into one delivery.
  int webhook_delay_ms = 20;
  std::uint64_t seed = 1;               // for generated catalogues and fault dice
  std::string name = "shop";            // for logs and product names
  // The site's time zone as an offset from UTC: dates without _gmt and
  // date filters without dates_are_gmt use it, as WordPress does.
  int utc_offset_minutes = 0;
};

// Fault knobs; change them at any time with set_faults().
struct Faults {
  int latency_ms = 0;                 // added to every REST response
  int fail_next = 0;                  // the next N REST requests get an HTML 500/504 page
  int fail_batch_after_items = -1;    // >= 0: the next batch applies this many items, then answers HTML 500
  int rate_limit_next = 0;            // the next N REST requests get 429 (Retry-After: 1) from the "host layer"
  double error_rate = 0;              // probability of an HTML 500 per REST request
  double webhook_drop_rate = 0;       // a delivery is silently not sent
  double webhook_duplicate_rate = 0;  // a delivery is sent twice
  double webhook_reorder_rate = 0;    // a delivery is held back behind the next one
  // NOT PART OF WOOCOMMERCE: runs once, when the next batch write arrives and
  // before it is applied (outside the shop's lock, so it may place orders or
  // edit stock): a sale landing between a client's read and its write.
  std::function<void()> before_batch;
};

enum class ManageMode { None, Own, Parent };  // variation stock: untracked, own, the parent's

struct LineSpec {
  std::string sku;                    // product or variation SKU
  int quantity = 1;
};

struct RefundLine {
  std::string sku;
  int quantity = 1;
};

struct Note {
  std::int64_t id = 0;
  std::string note;
  bool customer_note = false;
  bool added_by_user = false;         // false for system notes (stock changes)
};

struct ProductView {
  std::int64_t id = 0;
  std::int64_t parent_id = 0;         // variations: the variable product
  std::string type;                   // simple | variable | variation
  std::string sku;
  std::string status;                 // publish | draft | private | pending | trash
  bool manage_stock = false;          // as REST shows it (parent-managed variations: true)
  std::optional<int> stock_quantity;  // as REST shows it
  std::string stock_status;
  std::string date_modified_gmt;
};

struct WebhookView {
  std::int64_t id = 0;
  std::string topic;
  std::string delivery_url;
  std::string status;                 // active | paused | disabled
  int failure_count = 0;
};

struct Counters {
  std::uint64_t requests = 0;          // REST requests answered (any status)
  std::uint64_t reads = 0;             // GET
  std::uint64_t writes = 0;            // POST/PUT/PATCH/DELETE (batch counts once)
  std::uint64_t batch_requests = 0;
  std::uint64_t batch_items = 0;
  std::uint64_t errors_injected = 0;   // 5xx and 429 from fault knobs
  std::uint64_t unauthorized = 0;      // 401 answers
  std::uint64_t webhooks_sent = 0;     // deliveries attempted (duplicates count)
  std::uint64_t webhooks_failed = 0;   // non-2xx/3xx or transport error
  std::uint64_t webhooks_dropped = 0;  // dropped by the fault knob
  std::uint64_t stock_writes = 0;      // product/variation saves that changed stock_quantity via REST
  // REST stock writes that erased a merchant's edit (set_stock/adjust_stock)
  // no REST read had shown yet: WooCommerce has no conditional or relative
  // stock write, so an edit landing between a client's read and its write is
  // lost. NOT PART OF WOOCOMMERCE: the simulator's own bookkeeping.
  std::uint64_t manual_overwritten = 0;
};

class Simulator {
 public:
  explicit Simulator(Options options = {});
  ~Simulator();  // stop()s
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void start();  // binds and serves; throws std::runtime_error naming the address on failure
  void stop();   // stops serving and delivering (pending deliveries are dropped)

  std::string base_url() const;  // "http://127.0.0.1:PORT" (the store URL; API under /wp-json/wc/v3)
  const std::string& consumer_key() const;
  const std::string& consumer_secret() const;

  // ---- catalogue (merchant admin) ------------------------------------------
  // Throw std::invalid_argument on a duplicate SKU (SKUs are unique across
  // products and variations, except via force_duplicate_sku below).
  std::int64_t add_simple(const std::string& sku, std::optional<int> stock, const std::string& name = "",
                          const std::string& status = "publish");
  // A variable product; parent_stock set = the parent manages stock.
  std::int64_t add_variable(const std::string& sku, const std::string& name = "",
                            std::optional<int> parent_stock = std::nullopt);
  std::int64_t add_variation(std::int64_t parent_id, const std::string& sku, ManageMode mode,
                             std::optional<int> stock = std::nullopt);
  // Generates n SKUs: ~80 % simple, the rest variable products with 2-4
  // variations (some parent-managed), a few with manage_stock off. SKUs are
  // "<prefix>-00001"...; stock 0..50 from the seed.
  void generate_catalog(int n, const std::string& prefix = "SKU");
  // Loads a JSON catalogue: [{"sku","name","stock"|null,"status","meta":{key: value},
  // "variations":[{"sku","stock"|null,"manage":"own"|"parent"|"none"}]}].
  void load_catalog_file(const std::string& path);
  // Admin edits. Each saves the product: date_modified_gmt bumps and
  // product.updated fires.
  void set_stock(const std::string& sku, std::optional<int> stock);   // nullopt: manage_stock off
  // The admin types "+delta": read and written under the shop's lock, so the
  // intended change is exactly `delta` even while the hub writes. Returns
  // the new quantity.
  int adjust_stock(const std::string& sku, int delta);
  void set_status(const std::string& sku, const std::string& status); // publish/draft/private/trash
  void set_sku(const std::string& old_sku, const std::string& new_sku);
  // Sets (or adds) one meta_data entry of the product, as a plugin or an
  // import writes product fields; saves the product.
  void set_meta(const std::string& sku, const std::string& key, const std::string& value);
  // A simple product copied as WooCommerce's "Duplicate" does (name, stock
  // and every meta_data entry), shown here as the merchant leaves it: with
  // its own SKU, published. Returns the copy's id.
  std::int64_t duplicate_product(const std::string& sku, const std::string& new_sku);
  // Bypasses the uniqueness rule (as a direct database import can): for tests
  // of duplicate-SKU handling. Returns the new product's id.
  std::int64_t force_duplicate_sku(const std::string& sku, std::optional<int> stock);

  std::optional<ProductView> product(const std::string& sku) const;  // first product/variation with that SKU
  std::optional<int> stock(const std::string& sku) const;            // as REST shows it
  std::vector<ProductView> products() const;                         // all, ids ascending

  // ---- orders (customer checkout and admin) ---------------------------------
  // Creates an order; "processing"/"on-hold"/"completed" reduce stock (once),
  // "pending" does not. Throws std::invalid_argument for an unknown SKU.
  std::int64_t place_order(const std::vector<LineSpec>& lines, const std::string& status = "processing");
  // Status change with WooCommerce's stock rules (reduce on processing/on-hold/
  // completed, restore on cancelled/pending, refunded does not restock).
  void set_order_status(std::int64_t order_id, const std::string& status);
  // A refund of some lines; restock = the admin's "restock refunded items".
  void refund(std::int64_t order_id, const std::vector<RefundLine>& lines, bool restock);
  std::vector<Note> notes(std::int64_t order_id) const;
  std::string order_status(std::int64_t order_id) const;
  std::vector<std::int64_t> order_ids() const;

  // ---- webhooks -------------------------------------------------------------
  std::vector<WebhookView> webhooks() const;
  void set_webhook_status(std::int64_t id, const std::string& status);  // e.g. force "disabled"

  // ---- faults and counters --------------------------------------------------
  void set_faults(const Faults& f);
  Faults faults() const;
  Counters counters() const;
  // Every change of a SKU's stock, in order, with its cause ("order 12",
  // "cancel of order 12", "refund 3 of order 12", "merchant", "REST write").
  // NOT PART OF WOOCOMMERCE: for tests that must explain a level.
  struct StockChange {
    std::int64_t at_ms = 0;  // wall clock
    int before = 0, after = 0;
    std::string cause;
  };
  std::vector<StockChange> stock_history(const std::string& sku) const;
  // SKU -> the sum of merchant edits erased unseen by REST writes (see
  // Counters::manual_overwritten).
  std::map<std::string, int> manual_lost() const;
  void reset_counters();
  // Blocks until no webhook delivery is queued or in flight (or timeout).
  bool wait_webhooks_idle(int timeout_ms) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace woo_sim
