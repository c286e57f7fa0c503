// One Sitoo account behind the Sitoo REST API v2 (/v2/accounts/{accountid}),
// in-process, for the sitoo connector's tests, the benchmarks and
// `stockrelay-sim sitoo`. It follows ../shared/apis/sitoo.md section 10:
// HTTP Basic auth with API ID/password and an optional IP allow-list, list
// envelopes with start/num/fields/sort and comma-separated filters, the
// {"statuscode","errortext"} error body, warehouse items keyed by exact SKU
// bytes (total, reserved, available = total - reserved, datelastmodified
// moved by transactions only), batch warehouse transactions (<= 1000 items,
// types 10/20 only, no Virtual warehouses, item logs with the level after),
// orders that reserve stock (unique externalid, cancel releases), order
// deliveries that turn reservations into stock decreases through a
// transaction, the Events SPI (arrays of <= 10 events, block-and-retry on
// 429/503/504, drop on other 4xx) and fault knobs.
//
// The methods marked NOT PART OF SITOO act as the shop floor and back office
// do (a POS sale, goods received, a stock count) or let tests look inside;
// they change state the way Sitoo would, through transactions and events.
// Every public method is thread-safe; the HTTP server runs on its own threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sitoo_sim {

// Warehouse types (sitoo.md §6).
constexpr int kWarehouseFifo = 10;
constexpr int kWarehouseVirtual = 20;

// Transaction types. 10 and 20 are the only ones a client may POST; the
// others are written by the simulator itself. 50 (stocktaking) is Sitoo's;
// 30 and 40 are this simulator's choice (Sitoo's full code table is not
// known, sitoo.md §6).
constexpr int kTxMoveIn = 10;
constexpr int kTxMoveOut = 20;
constexpr int kTxPosSale = 30;
constexpr int kTxOrderDelivery = 40;
constexpr int kTxStocktaking = 50;

struct Options {
  std::string listen = "127.0.0.1:0";  // port 0: any free port
  std::int64_t account_id = 10020;
  std::string api_id;                  // default "{account_id}-1"
  std::string password;                // generated (32 hex) when empty
  std::int64_t site_id = 1;            // the eshopid
  std::string site_title = "Web shop";
  std::int64_t warehouse_id = 1;       // id of the default FIFO warehouse
  std::string warehouse_name = "Main warehouse";
  std::string currency = "SEK";
  // Client addresses allowed to call the API ("127.0.0.1", "::1"); empty =
  // everyone. Others get 403 with the error body.
  std::vector<std::string> allowed_ips;
  // Sitoo documents datelastmodified as "the last date this item was part of
  // a transaction", so a reservation (an order placed, no transaction yet)
  // leaves it alone. false: reservations and releases move it too.
  bool datelastmodified_only_on_transactions = true;

  // ---- Events SPI -----------------------------------------------------------
  std::string events_url;       // empty: no events are sent
  std::string events_user;      // optional HTTP Basic on the callbacks
  std::string events_password;
  int max_events_per_post = 10;
  int event_timeout_ms = 15000;  // Sitoo waits 15 s for an answer
  // Events created within this window of the oldest waiting one go in the
  // same array.
  int event_batch_window_ms = 20;
  // Delay before retry k of a blocked array (the last value repeats). Sitoo:
  // about ten retries in the first hour, then hourly.
  std::vector<int> event_retry_delays_ms = {30000, 60000, 120000, 300000, 300000, 300000,
                                            600000, 600000, 600000, 900000, 3600000};
  // A blocked array is dropped once it has waited this long (Sitoo: ~24 h).
  std::int64_t event_give_up_ms = 24LL * 3600 * 1000;

  std::uint64_t seed = 1;  // generated catalogues and fault dice
};

// Fault knobs; change them at any time with set_faults().
struct Faults {
  int latency_ms = 0;        // added to every API response
  int rate_limit_next = 0;   // the next N API requests get 429 (before auth, not applied)
  int fail_next = 0;         // the next N API requests get 500 (not applied)
  double error_rate = 0;     // probability of a 500 per API request (not applied)
  int duplicate_events_next = 0;    // the next N delivered arrays are sent a second time
  double duplicate_event_rate = 0;  // probability a delivered array is sent a second time
};

struct Counters {
  std::uint64_t requests = 0;            // API requests answered (any status)
  std::uint64_t reads = 0;               // GET
  std::uint64_t writes = 0;              // POST/PUT/DELETE
  std::uint64_t unauthorized = 0;        // 401 answers
  std::uint64_t forbidden = 0;           // 403 answers (IP allow-list)
  std::uint64_t rate_limited = 0;        // 429 from the fault knob
  std::uint64_t errors_injected = 0;     // 500 from the fault knobs
  std::uint64_t warehouse_item_reads = 0;  // GET warehouseitems
  std::uint64_t transactions_posted = 0;   // transactions created through the API
  std::uint64_t transaction_items = 0;     // their item lines
  std::uint64_t orders_created = 0;
  std::uint64_t order_updates = 0;
  std::uint64_t deliveries_created = 0;
  std::uint64_t event_posts = 0;         // event arrays POSTed (retries and duplicates count)
  std::uint64_t events_delivered = 0;    // events in arrays answered 2xx (first time)
  std::uint64_t event_retries = 0;       // re-sends of a blocked array
  std::uint64_t events_dropped = 0;      // events discarded (other 4xx, or gave up)
  std::uint64_t event_duplicates = 0;    // events sent again by the duplicate knobs
};

struct StockLevel {
  double total = 0;
  double reserved = 0;
  double available = 0;  // total - reserved
  std::optional<std::int64_t> datelastmodified;  // unix seconds; none before any transaction
};

class Simulator {
 public:
  explicit Simulator(Options options = {});
  ~Simulator();  // stop()s
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void start();  // binds and serves; throws std::runtime_error naming the address on failure
  void stop();   // stops serving and delivering (events still queued are dropped)

  std::string server_url() const;  // "http://127.0.0.1:PORT"
  std::string base_url() const;    // "http://127.0.0.1:PORT/v2/accounts/ACCOUNT"
  const std::string& api_id() const;
  const std::string& password() const;
  std::int64_t account_id() const;
  std::int64_t site_id() const;
  std::int64_t warehouse_id() const;  // the default warehouse

  // ---- set-up (back office) -------------------------------------------------
  // A warehouse of type kWarehouseFifo or kWarehouseVirtual; returns its id.
  std::int64_t add_warehouse(const std::string& name, int type = kWarehouseFifo);
  // A product and its warehouse item in every warehouse. `stock` is the
  // opening level in `warehouse` (0 = the default): set directly, as an
  // import before the test begins (no transaction, no event). Throws
  // std::invalid_argument for a SKU with characters outside [A-Za-z0-9_+-/]
  // or one already in use. Returns the productid.
  std::int64_t add_product(const std::string& sku, double stock = 0, const std::string& title = "",
                           std::int64_t warehouse = 0);
  // n products "<prefix>-00001"... with opening stock 0..50 from the seed.
  void generate_catalog(int n, const std::string& prefix = "SKU");
  // [{"sku", "title"?, "stock"?}] into the default warehouse.
  void load_catalog_file(const std::string& path);
  std::size_t product_count() const;

  // ---- NOT PART OF SITOO: shop-floor events, each a warehouse transaction --
  // (so datelastmodified, the transaction list and events behave as in
  // Sitoo). Throw std::invalid_argument for an unknown warehouse or SKU.
  // Return the warehousetransactionid.
  std::int64_t pos_sale(std::int64_t warehouse, const std::string& sku, double quantity);        // type 30, -qty
  std::int64_t goods_received(std::int64_t warehouse, const std::string& sku, double quantity);  // type 10, +qty
  std::int64_t manual_count(std::int64_t warehouse, const std::string& sku, double counted);     // type 50, to `counted`

  // ---- NOT PART OF SITOO: looking inside ------------------------------------
  std::optional<StockLevel> stock(std::int64_t warehouse, const std::string& sku) const;
  std::optional<StockLevel> stock(const std::string& sku) const { return stock(warehouse_id(), sku); }
  // Freezes the simulator's clock at `unix_seconds` (nullopt: wall clock
  // again), so tests can place changes in distinct seconds without sleeping.
  void set_clock(std::optional<std::int64_t> unix_seconds);
  void advance_clock(std::int64_t seconds);  // only while frozen
  std::int64_t now() const;

  // ---- faults and counters --------------------------------------------------
  void set_faults(const Faults& f);
  Faults faults() const;
  Counters counters() const;
  void reset_counters();
  // Blocks until no event is queued or in flight (or timeout); false on timeout.
  bool wait_events_idle(int timeout_ms) const;
  std::size_t events_pending() const;  // queued plus the array in flight

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sitoo_sim
