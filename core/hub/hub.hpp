// The running hub: connections on strands, the processor, delivery, the
// scheduler and the HTTP surface, around one store.
//
//   plugin --emit--> journal --process--> ledger/rules --> outbox --deliver--> plugin
//
// Threads: one io_context run by a small pool. Each connection has a strand,
// so the host calls one plugin instance from one thread at a time (abi.h
// rule 5); the processor has its own strand, so journal records are applied
// one step at a time in journal order. Store access is serialised by one
// mutex: SQLite is single-writer anyway, and each step is short.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <utility>  // before Asio: its awaitable.hpp uses std::exchange

#include <boost/asio.hpp>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "config/config.hpp"
#include "engine/batch_window.hpp"
#include "engine/processor.hpp"
#include "engine/sku_audit.hpp"
#include "engine/rules.hpp"
#include "common/timed_mutex.hpp"
#include "hub/connection.hpp"
#include "hub/ingest.hpp"
#include "store/store.hpp"

namespace stockrelay::http {
class Server;
}

namespace stockrelay::hub {

// Finds the plugin a connection names (id or path). The CLI passes the
// loader's registry; tests may pass in-memory tables.
using PluginResolver = std::function<Result<std::shared_ptr<const loader::Plugin>>(const std::string& id_or_path)>;

// Routes that send a connection a command its plugin does not take (no
// matching "*.out" capability, docs/sdk.md), one error per route target,
// at the action's file:line:column. `describe_of` gives a connection's
// plugin description, or nullptr when it is not loaded (then not checked).
Errors route_target_errors(const config::Config& cfg,
                           const std::function<const sr::Description*(const std::string& connection)>& describe_of);

// Where a pool join stands (admin API, CLI progress bar).
struct JoinProgress {
  std::string phase = "reading";   // reading (the catalogue) | writing (pool levels) | done | failed
  std::size_t read = 0;            // events read from the joining connection so far
  std::size_t done = 0;            // writes to it finished
  std::size_t total = 0;           // writes to it planned so far
  store::Millis since = 0;
};

// What a finished join found.
struct JoinReport {
  std::size_t linked = 0;                 // pool SKUs the connection now has a level for
  std::size_t written = 0;                // levels written to it
  std::size_t failed = 0;                 // writes that failed (see `stockrelay log`)
  std::vector<std::string> pool_only;     // in the pool, not found in the connection
  std::vector<std::string> new_in_pool;   // first seen in the connection: its quantity became the pool's
  std::vector<engine::SkuFinding> findings;  // duplicates, look-alikes, unmanaged involving the connection
  bool completed = false;                 // false: timed out or stopped before everything was written
};

struct HubOptions {
  bool dry_run = false;   // process, but deliver nothing (commands stay in the outbox)
  int threads = 0;        // 0: 2 + number of connections, at most 16
  int tick_ms = 100;      // scheduler, retries and deferred levels are checked this often
};

class Hub {
 public:
  Hub(config::Config cfg, std::unique_ptr<store::Store> store, HubOptions options = {},
      const Clock& clock = SystemClock::instance());
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Loads every connection's plugin, validates its settings against the
  // plugin's schema and creates the instances. All problems are returned.
  Errors open(const PluginResolver& resolve);

  // Starts threads, the HTTP server (if enabled), the connections and the
  // scheduler. Returns once running.
  Status start();

  // Stops gracefully: no new webhooks, plugins asked to stop, in-flight work
  // finished or parked durably (undelivered commands stay in the outbox).
  void stop();

  // --- for the CLI, tests and benchmarks -------------------------------------
  void poll_now(const std::string& connection, bool reconcile = false);
  void poll_all(bool reconcile = false);
  // Waits until the journal is processed, no deferred level waits, and no
  // command is pending or in flight (or only future retries remain when
  // `ignore_retries`). False on timeout.
  bool wait_quiet(int timeout_ms, bool ignore_retries = false);
  std::uint16_t http_port() const { return http_port_; }
  std::string base_url() const;
  store::Store& store() { return *store_; }
  TimedMutex& store_mutex() { return store_mu_; }
  const config::Config& config() const { return cfg_; }
  Connection* connection(const std::string& name);
  std::vector<std::string> connection_names() const;
  // Joins `connection` to `pool` (an import: products are linked by SKU and
  // the connection takes the pool's quantities; SKUs new to the pool take its
  // quantity) and waits until done. `progress` is called about every 200 ms.
  Result<JoinReport> join_pool(const std::string& pool, const std::string& connection,
                               const std::function<void(const JoinProgress&)>& progress, int timeout_ms);
  // Stops syncing `connection` in `pool`; the other members are untouched.
  Status leave_pool(const std::string& pool, const std::string& connection);
  // The effective members (config + joins - leaves) and running joins.
  struct PoolView {
    std::string name;
    std::vector<std::string> members;
    std::map<std::string, JoinProgress> joining;
  };
  std::vector<PoolView> pools() const;

  // Operator retry of failed orders; returns how many were queued again.
  std::size_t retry_failed_orders(const std::optional<std::string>& source, const std::optional<std::string>& order_id);
  // Asks `connection` to read one product again (`stockrelay links refetch`
  // does the same through the store).
  void refetch_product(const std::string& connection, const sr::FetchProduct& what);

 private:
  struct Conn {
    std::unique_ptr<Connection> connection;
    std::unique_ptr<boost::asio::strand<boost::asio::io_context::executor_type>> strand;
    std::unique_ptr<EventParser> parser;
    std::atomic<bool> deliver_scheduled{false};
    // A poll (not a reconcile) posted and not started yet, and what it will
    // read: 0 none, 1 orders only (looking for the cause of a level), 2
    // incremental (covers 1). Asked for again meanwhile, it is widened.
    std::atomic<int> poll_wanted{0};
    std::atomic<bool> poll_running{false};  // a poll (not a reconcile) is under way
    int batch_size = 100;
    store::Millis next_poll_at = 0;  // monotonic
    // Wall time at which the newest successful poll started: a level that
    // waits for its cause is judged only after a poll that started later
    // has been processed (DESIGN: look for the cause first).
    std::atomic<store::Millis> polled_from{0};
    int poll_every_ms = 0;
    // Set once start() returned OK. Before, webhooks are answered 503 at
    // once: a shop may call back (e.g. a ping) while start() waits for it.
    std::atomic<bool> started{false};
    std::unique_ptr<boost::asio::steady_timer> start_timer;  // retries a failed start()
    std::atomic<bool> reconcile_wanted{false};               // asked for before it started
    std::atomic<std::size_t> ingested{0};    // events journalled from this connection
    std::atomic<std::size_t> reconciles_done{0};  // reconcile polls finished (any outcome)
    // The delivery batch window (engine/batch_window.hpp): commands queued
    // for this target, by real monotonic time, and the window the strand
    // holds them back in.
    std::mutex arrivals_mu;
    engine::ArrivalMeter arrivals;                            // under arrivals_mu
    std::optional<store::Millis> window_since;                // strand only: when the window opened
    std::atomic<bool> window_open{false};                     // the same, for wait_quiet
    std::unique_ptr<boost::asio::steady_timer> window_timer;  // strand only: looks again at the window's end
  };

  sr_status ingest(const std::string& connection, std::string_view events_json);
  void kick_process();
  void process_pending();
  void kick_deliver(const std::string& target);
  // Calls the plugin's start() on the connection's strand; on failure tries
  // again later, backing off. Polls and deliveries wait until it succeeded.
  void start_connection(Conn& c, int attempt);
  void deliver_pending(Conn& c);
  // On the target's strand: true to send what is due now, false when the
  // batch window holds it back (the window's timer looks again).
  bool batch_ready(Conn& c);
  void kick_poll(Conn& c, sr::PollMode mode);
  void after(const engine::StepEffects& fx);
  void schedule_tick();
  void tick();
  void settle_deferred();
  void run_daily_schedules();
  void install_http_routes();
  store::Millis retry_at(const store::OutboxItem& item);
  // Runs `f` on the engine strand (after the steps queued before it) and waits.
  void on_engine(const std::function<void()>& f);
  Status check_membership_change(const std::string& pool, const std::string& connection) const;

  config::Config cfg_;
  std::unique_ptr<store::Store> store_;
  HubOptions options_;
  const Clock& clock_;
  engine::Routes routes_;
  std::unique_ptr<engine::Processor> processor_;
  std::map<std::string, std::unique_ptr<Conn>> conns_;

  TimedMutex store_mu_;  // its held and waited seconds are in /metrics
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<boost::asio::strand<boost::asio::io_context::executor_type>> engine_strand_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::vector<std::thread> threads_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t http_port_ = 0;
  std::atomic<bool> process_scheduled_{false};
  std::atomic<bool> process_again_{false};
  std::atomic<bool> running_{false};
  std::atomic<int> busy_{0};  // steps and deliveries under way, for wait_quiet
  std::map<std::string, int> daily_done_;  // schedule name -> day number it last ran
  std::mt19937_64 rng_{std::random_device{}()};
  std::mutex rng_mu_;
  // Guards cfg_.pools' member lists for readers off the engine strand; the
  // engine strand is the only writer.
  mutable std::mutex members_mu_;
  std::map<std::pair<std::string, std::string>, JoinProgress> joins_;  // (pool, connection), under members_mu_
  // Pool joins/leaves started from the admin API; joined in stop() while the
  // io threads still run (they wait for the engine strand).
  std::mutex jobs_mu_;
  std::vector<std::thread> jobs_;
};

}  // namespace stockrelay::hub
