#include "hub/hub.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "config/schema.hpp"
#include "engine/coalesce.hpp"
#include "engine/membership.hpp"
#include "http/server.hpp"

namespace stockrelay::hub {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

Hub::Hub(config::Config cfg, std::unique_ptr<store::Store> store, HubOptions options, const Clock& clock)
    : cfg_(std::move(cfg)), store_(std::move(store)), options_(options), clock_(clock) {
  auto& m = Metrics::global();
  m.describe("stockrelay_events_ingested_total", "counter", "Events journalled, by connection");
  m.describe("stockrelay_events_duplicate_total", "counter", "Events already journalled (no-op), by connection");
  m.describe("stockrelay_events_refused_total", "counter", "Emitted events refused as invalid, by connection");
  m.describe("stockrelay_commands_delivered_total", "counter", "Commands delivered, by connection and command");
  m.describe("stockrelay_commands_failed_total", "counter", "Commands failed for good, by connection and command");
  m.describe("stockrelay_commands_retried_total", "counter", "Commands sent back for a retry, by connection");
  m.describe("stockrelay_commands_conflict_total", "counter",
             "set_stock not applied because the target showed something else (re-planned), by connection");
  m.describe("stockrelay_plugin_calls_total", "counter", "Calls into a connection's plugin, by connection, call and status");
  m.describe("stockrelay_plugin_call_seconds_total", "counter",
             "Seconds spent inside a connection's plugin, by connection and call (its calls run one at a time)");
  m.describe("stockrelay_webhooks_total", "counter", "Webhook requests, by connection and HTTP status");
  m.describe("stockrelay_batch_windows_total", "counter",
             "Times a target's commands waited for a fuller batch (engine.batch_window_ms), by connection");
}

Hub::~Hub() { stop(); }

Errors Hub::open(const PluginResolver& resolve) {
  Errors errors;
  auto routes = engine::Routes::compile(cfg_.routes);
  if (!routes) errors.push_back(routes.error());
  else routes_ = std::move(*routes);

  Services services;
  services.store = store_.get();
  services.clock = &clock_;
  services.store_mutex = &store_mu_;
  services.emit = [this](const std::string& c, std::string_view doc) { return ingest(c, doc); };

  for (auto& cc : cfg_.connections) {
    if (!cc.enabled) continue;
    auto plugin = resolve(cc.plugin);
    if (!plugin) {
      errors.push_back(Error{cc.loc.str(), "connection '" + cc.name + "': " + plugin.error().message(),
                             "check `plugin:`; `stockrelay plugins list` shows what is installed"});
      continue;
    }
    auto setting_errors = config::validate_settings(cc, (*plugin)->description.config_schema, (*plugin)->description.id);
    if (!setting_errors.empty()) {
      errors.insert(errors.end(), setting_errors.begin(), setting_errors.end());
      continue;
    }
    auto c = std::make_unique<Conn>();
    c->connection = std::make_unique<Connection>(cc, *plugin, services);
    if (auto st = c->connection->create(); !st) {
      errors.push_back(st.error());
      continue;
    }
    c->parser = std::make_unique<EventParser>();
    c->batch_size = std::max(1, (*plugin)->description.limits.batch_size);
    c->arrivals = engine::ArrivalMeter(std::max(1, cfg_.engine.batch_window_ms));
    // The plugin's own rhythm, unless the config schedules this connection's polls.
    const int suggested = (*plugin)->description.limits.poll_seconds;
    c->poll_every_ms = (suggested > 0 ? suggested : cfg_.engine.default_poll_seconds) * 1000;
    for (const auto& s : cfg_.schedules) {
      bool mine = std::find(s.connections.begin(), s.connections.end(), cc.name) != s.connections.end();
      if (mine && s.action == "poll" && s.every_seconds) c->poll_every_ms = *s.every_seconds * 1000;
    }
    conns_.emplace(cc.name, std::move(c));
  }
  // Found here rather than as UNSUPPORTED on every delivery.
  auto route_errors = route_target_errors(cfg_, [this](const std::string& name) -> const sr::Description* {
    auto it = conns_.find(name);
    return it == conns_.end() ? nullptr : &it->second->connection->plugin().description;
  });
  errors.insert(errors.end(), route_errors.begin(), route_errors.end());
  // Joins and leaves by operators, on top of the members the config names.
  std::vector<store::PoolMember> rows;
  for (auto& row : store_->pool_members()) {
    if (!conns_.count(row.connection) || !engine::find_pool(cfg_.pools, row.pool)) {
      log::warn({row.connection, {}, {}}, "pool " + row.pool + ": membership of '" + row.connection +
                                              "' recorded in the store is ignored: no such pool or connection");
      continue;
    }
    rows.push_back(std::move(row));
  }
  engine::apply_membership(cfg_.pools, rows);
  processor_ = std::make_unique<engine::Processor>(
      cfg_, routes_, engine::ConnectionFacts{[this](const std::string& conn, const std::string& cap) {
        auto it = conns_.find(conn);
        return it != conns_.end() && it->second->connection->has_capability(cap);
      }});
  return errors;
}

Status Hub::start() {
  if (running_.exchange(true)) return Ok{};
  {
    std::lock_guard lock(store_mu_);
    if (auto n = store_->recover_in_flight(); n > 0)
      log::warn({}, std::to_string(n) + " commands were in flight when the hub last stopped; they will be sent again");
  }
  work_.emplace(io_.get_executor());
  engine_strand_ = std::make_unique<Strand>(io_.get_executor());
  for (auto& [name, c] : conns_) c->strand = std::make_unique<Strand>(io_.get_executor());

  if (cfg_.server.enabled) {
    http::ServerOptions so;
    so.listen = cfg_.server.listen;
    so.max_body_bytes = cfg_.server.max_body_bytes;
    so.request_timeout_ms = cfg_.server.request_timeout_ms;
    server_ = std::make_unique<http::Server>(io_, so);
    install_http_routes();
    auto port = server_->start();
    if (!port) {
      running_ = false;
      work_.reset();
      return Error{cfg_.server.loc.str(), port.error().message(), "change server.listen, or stop what uses that port"};
    }
    http_port_ = *port;
  }

  int n = options_.threads > 0 ? options_.threads : std::min<int>(16, 2 + static_cast<int>(conns_.size()));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });

  for (auto& [name, c] : conns_) {
    c->start_timer = std::make_unique<boost::asio::steady_timer>(io_);
    c->window_timer = std::make_unique<boost::asio::steady_timer>(io_);
    start_connection(*c, 0);
  }
  kick_process();
  for (auto& [name, c] : conns_) kick_deliver(name);
  timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  schedule_tick();
  log::info({}, "stockrelay running: " + std::to_string(conns_.size()) + " connections" +
                    (http_port_ ? ", http on " + base_url() : std::string()));
  return Ok{};
}

void Hub::stop() {
  if (!running_.exchange(false)) return;
  log::info({}, "stopping: finishing work in flight");
  if (server_) server_->stop();
  {
    std::lock_guard lock(jobs_mu_);
    for (auto& t : jobs_) t.join();
    jobs_.clear();
  }
  for (auto& [name, c] : conns_) c->connection->stop();
  if (timer_) boost::asio::post(io_, [this] { timer_->cancel(); });
  for (auto& [name, c] : conns_)
    if (c->start_timer) boost::asio::post(io_, [t = c->start_timer.get()] { t->cancel(); });
  // Commands waiting for a fuller batch stay in the outbox (sent after the
  // next start): the window's timer must not keep the hub up.
  for (auto& [name, c] : conns_)
    if (c->window_timer && c->strand)
      boost::asio::post(*c->strand, [t = c->window_timer.get(), conn = c.get()] {
        t->cancel();
        conn->window_since.reset();
        conn->window_open = false;
      });
  work_.reset();
  // Strands finish the call they are in (plugins return SR_STOPPED quickly);
  // queued work then sees running_ == false and returns.
  for (auto& t : threads_) t.join();
  threads_.clear();
  server_.reset();
  conns_.clear();  // destroys the instances
  log::info({}, "stopped");
}

std::string Hub::base_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }

Connection* Hub::connection(const std::string& name) {
  auto it = conns_.find(name);
  return it == conns_.end() ? nullptr : it->second->connection.get();
}

std::vector<std::string> Hub::connection_names() const {
  std::vector<std::string> out;
  for (const auto& [n, c] : conns_) out.push_back(n);
  return out;
}

sr_status Hub::ingest(const std::string& connection, std::string_view doc) {
  auto it = conns_.find(connection);
  if (it == conns_.end()) return SR_FAILED;
  auto batch = it->second->parser->parse(connection, doc, clock_.now_ms());
  it->second->ingested += batch.entries.size();
  for (const auto& e : batch.errors) log::error({connection, {}, {}}, e);
  if (!batch.errors.empty())
    Metrics::global().add("stockrelay_events_refused_total", {{"connection", connection}},
                          static_cast<double>(batch.errors.size()));
  if (!batch.entries.empty()) {
    store::IngestOutcome out;
    {
      std::lock_guard lock(store_mu_);
      out = store_->ingest(batch.entries);
    }
    Metrics::global().add("stockrelay_events_ingested_total", {{"connection", connection}},
                          static_cast<double>(out.inserted));
    if (out.duplicates)
      Metrics::global().add("stockrelay_events_duplicate_total", {{"connection", connection}},
                            static_cast<double>(out.duplicates));
    if (out.inserted) kick_process();
  }
  return batch.errors.empty() ? SR_OK : SR_INVALID;
}

void Hub::kick_process() {
  process_again_ = true;
  if (process_scheduled_.exchange(true) || !engine_strand_) return;
  ++busy_;
  boost::asio::post(*engine_strand_, [this] {
    process_scheduled_ = false;
    process_pending();
    --busy_;
  });
}

void Hub::process_pending() {
  process_again_ = false;
  for (;;) {
    engine::StepEffects fx;
    std::size_t n = 0;
    {
      std::lock_guard lock(store_mu_);
      auto records = store_->unprocessed(256);
      n = records.size();
      if (n == 0) break;
      // One transaction per batch of records: each record's changes and its
      // "processed" mark commit together, so a crash repeats nothing.
      auto tx = store_->begin();
      store::Millis now = clock_.now_ms();
      for (const auto& rec : records) processor_->apply_event(*tx, rec, now, fx);
      tx->commit();
    }
    after(fx);
  }
}

void Hub::after(const engine::StepEffects& fx) {
  if (!fx.queued.empty()) {
    store::Millis mono = SystemClock::instance().monotonic_ms();
    for (const auto& [target, n] : fx.queued) {
      auto it = conns_.find(target);
      if (it == conns_.end()) continue;
      std::lock_guard lock(it->second->arrivals_mu);
      it->second->arrivals.add(mono, n);
    }
  }
  for (const auto& t : fx.deliver) kick_deliver(t);
  if (fx.settle) settle_deferred();  // after this batch, not at the next tick
  for (const auto& p : fx.poll) {
    auto it = conns_.find(p);
    if (it != conns_.end()) kick_poll(*it->second, sr::PollMode::Orders);  // the cause of a waiting level
  }
}

void Hub::start_connection(Conn& c, int attempt) {
  ++busy_;  // a start under way keeps wait_quiet waiting; a retry's back-off does not
  boost::asio::post(*c.strand, [this, &c, attempt] {
    struct Done {
      std::atomic<int>& busy;
      ~Done() { --busy; }
    } done{busy_};
    if (!running_) return;
    Connection& conn = *c.connection;
    sr_status st = conn.start();
    if (st == SR_OK) {
      c.started = true;
      if (attempt > 0) log::info({conn.name(), {}, {}}, "started after " + std::to_string(attempt + 1) + " attempts");
      kick_poll(c, c.reconcile_wanted.exchange(false) ? sr::PollMode::Reconcile : sr::PollMode::Incremental);
      kick_deliver(conn.name());
      return;
    }
    // A shop that is down, slow or misconfigured at start-up must not stay
    // dead until the next restart: try again, backing off (an invalid setup
    // slowly, so the log says it once a minute rather than every second).
    int delay_ms = st == SR_RETRY || st == SR_STOPPED ? std::min(60000, 1000 << std::min(attempt, 6)) : 60000;
    log::error({conn.name(), {}, {}}, "start failed: " + conn.last_error() + "; trying again in " +
                                          std::to_string(delay_ms / 1000) + " s (the other connections carry on)");
    c.start_timer->expires_after(std::chrono::milliseconds(delay_ms));
    c.start_timer->async_wait([this, &c, attempt](const boost::system::error_code& ec) {
      if (!ec && running_) start_connection(c, attempt + 1);
    });
  });
}

void Hub::kick_deliver(const std::string& target) {
  if (options_.dry_run || !running_) return;
  auto it = conns_.find(target);
  if (it == conns_.end() || !it->second->strand) return;
  Conn* c = it->second.get();
  if (c->deliver_scheduled.exchange(true)) return;
  ++busy_;
  boost::asio::post(*c->strand, [this, c] {
    c->deliver_scheduled = false;
    if (c->started) deliver_pending(*c);  // else the start, once it succeeds, kicks it
    --busy_;
  });
}

store::Millis Hub::retry_at(const store::OutboxItem& item) {
  double r;
  {
    std::lock_guard lock(rng_mu_);
    r = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  return clock_.now_ms() + engine::backoff_ms(item.attempts + 1, cfg_.engine.retry_base_ms, cfg_.engine.retry_max_ms, r);
}

namespace {

sr::Outcome outcome_of(sr_status st) {
  switch (st) {
    case SR_OK: return sr::Outcome::Ok;
    case SR_RETRY: case SR_STOPPED: return sr::Outcome::Retry;
    case SR_INVALID: return sr::Outcome::Invalid;
    case SR_UNSUPPORTED: return sr::Outcome::Unsupported;
    default: return sr::Outcome::Failed;
  }
}

}  // namespace

bool Hub::batch_ready(Conn& c) {
  const int max_wait = cfg_.engine.batch_window_ms;
  auto open_window = [&c](bool open) {
    if (!open) c.window_since.reset();
    c.window_open = open;
  };
  if (!running_) {  // stopping: nothing new goes out, nothing waits
    open_window(false);
    return false;
  }
  if (max_wait <= 0 || c.batch_size <= 1) {
    open_window(false);
    return true;
  }
  // Real time, like the timer: batching is about requests on the wire, and
  // a test's fake clock must not hold a window open.
  engine::BatchWindowInput in;
  in.now = SystemClock::instance().monotonic_ms();
  in.batch_size = static_cast<std::size_t>(c.batch_size);
  in.max_wait_ms = max_wait;
  in.waiting_since = c.window_since;
  {
    std::lock_guard lock(c.arrivals_mu);
    in.recent = c.arrivals.recent(in.now);
    in.last_arrival = c.arrivals.last(in.now);
  }
  if (!in.waiting_since && in.recent < engine::dense_threshold(in.batch_size)) {
    open_window(false);
    return true;  // sparse: no need to count what is due
  }
  {
    std::lock_guard lock(store_mu_);
    in.due = store_->outbox_due(c.connection->name(), clock_.now_ms(), in.batch_size);
  }
  auto d = engine::decide_batch(in);
  if (d.send) {
    open_window(false);
    return true;
  }
  if (!c.window_since) {
    c.window_since = in.now;
    Metrics::global().add("stockrelay_batch_windows_total", {{"connection", c.connection->name()}});
  }
  c.window_open = true;
  // SystemClock's monotonic time is steady_clock's.
  c.window_timer->expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(d.until)));
  c.window_timer->async_wait(boost::asio::bind_executor(*c.strand, [this, &c](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    kick_deliver(c.connection->name());
  }));
  return false;
}

void Hub::deliver_pending(Conn& c) {
  Connection& conn = *c.connection;
  while (running_ && !conn.stopping()) {
    if (!batch_ready(c)) return;
    std::vector<store::OutboxItem> items;
    std::vector<sr::Command> commands;
    std::vector<store::OutboxItem> sent;
    std::vector<std::int64_t> superseded;
    {
      std::lock_guard lock(store_mu_);
      auto tx = store_->begin();
      items = tx->claim_due(conn.name(), clock_.now_ms(), static_cast<std::size_t>(c.batch_size));
      for (auto& item : engine::coalesce(items, [](const auto& i) -> const std::string& { return i.target; },
                                         [](const auto& i) -> const std::string& { return i.coalesce_key; })) {
        try {
          sr::Command cmd = sr::command_from_json(nlohmann::json::parse(item.payload));
          cmd.id = std::to_string(item.id);
          sent.push_back(item);
          if (auto* s = std::get_if<sr::SetStock>(&cmd.body)) {
            // One delivery at a time per target: every earlier write there
            // has been acknowledged, so this is our newest knowledge.
            processor_->prepare_write(*tx, conn.name(), *s);
            sent.back().payload = sr::to_json(cmd).dump();  // as it went out: the result is judged against it
          }
          commands.push_back(std::move(cmd));
        } catch (const std::exception& e) {
          tx->outbox_failed(item.id, std::string("stored command unreadable: ") + e.what());
        }
      }
      tx->commit();
    }
    if (items.empty()) return;
    for (const auto& i : items) {
      bool kept = std::any_of(sent.begin(), sent.end(), [&](const auto& s) { return s.id == i.id; });
      if (!kept) superseded.push_back(i.id);
    }
    std::vector<sr::CommandResult> reported;
    sr_status st = commands.empty() ? SR_OK : conn.deliver(sr::commands_document(commands), reported);
    std::string call_error = st == SR_OK ? std::string() : conn.last_error();
    if (st == SR_STOPPED) call_error = "stopped before delivery finished; will be sent again";

    engine::StepEffects fx;
    {
      std::lock_guard lock(store_mu_);
      auto tx = store_->begin();
      store::Millis now = clock_.now_ms();
      for (auto id : superseded) tx->outbox_done(id);  // a newer level for the same SKU went out instead
      for (const auto& item : sent) {
        auto rit = std::find_if(reported.begin(), reported.end(),
                                [&](const auto& r) { return r.id == std::to_string(item.id); });
        sr::CommandResult r = rit != reported.end() ? *rit : sr::CommandResult{std::to_string(item.id), outcome_of(st), call_error, {}, {}, {}};
        std::string cmd_label = item.command;
        if (r.outcome == sr::Outcome::Ok)
          Metrics::global().add("stockrelay_commands_delivered_total", {{"connection", conn.name()}, {"command", cmd_label}});
        else if (r.outcome == sr::Outcome::Retry)
          Metrics::global().add("stockrelay_commands_retried_total", {{"connection", conn.name()}});
        else if (r.outcome == sr::Outcome::Conflict)  // not a failure: the hub re-plans the write
          Metrics::global().add("stockrelay_commands_conflict_total", {{"connection", conn.name()}});
        else
          Metrics::global().add("stockrelay_commands_failed_total", {{"connection", conn.name()}, {"command", cmd_label}});
        processor_->apply_result(*tx, item, r, now, st == SR_STOPPED ? now : retry_at(item), fx);
      }
      tx->commit();
    }
    after(fx);
    if (st == SR_STOPPED || st == SR_RETRY) return;  // the tick picks retries up when due
  }
}

void Hub::kick_poll(Conn& c, sr::PollMode mode) {
  if (!running_ || !c.strand || !c.connection->plugin().has(loader::Slot::poll)) return;
  const bool reconcile = mode == sr::PollMode::Reconcile;
  if (!c.started) {
    // Polled as soon as it has started (start_connection).
    if (reconcile) c.reconcile_wanted = true;
    return;
  }
  if (!reconcile) {
    // One poll posted at a time; asked for again before it starts, it reads
    // the wider of the two.
    const int want = mode == sr::PollMode::Orders ? 1 : 2;
    int prev = c.poll_wanted.load();
    while (prev < want && !c.poll_wanted.compare_exchange_weak(prev, want)) {
    }
    if (want == 2) c.next_poll_at = clock_.monotonic_ms() + c.poll_every_ms;
    if (prev != 0) return;
  }
  ++busy_;
  boost::asio::post(*c.strand, [this, &c, reconcile] {
    sr::PollMode m = sr::PollMode::Reconcile;
    if (!reconcile) m = c.poll_wanted.exchange(0) == 1 ? sr::PollMode::Orders : sr::PollMode::Incremental;
    store::Millis started = clock_.now_ms();
    c.poll_running = true;
    struct Ran {
      std::atomic<bool>& flag;
      ~Ran() { flag = false; }
    } ran{c.poll_running};
    // Every kind of poll reads the orders changed since the cursor: levels
    // waiting for their cause are judged after it.
    if (running_ && c.connection->poll(m) == SR_OK) {
      store::Millis prev = c.polled_from.load();
      while (prev < started && !c.polled_from.compare_exchange_weak(prev, started)) {
      }
    }
    if (reconcile) ++c.reconciles_done;
    --busy_;
  });
}

void Hub::poll_now(const std::string& connection, bool reconcile) {
  auto it = conns_.find(connection);
  if (it != conns_.end()) kick_poll(*it->second, reconcile ? sr::PollMode::Reconcile : sr::PollMode::Incremental);
}

void Hub::poll_all(bool reconcile) {
  for (auto& [n, c] : conns_) kick_poll(*c, reconcile ? sr::PollMode::Reconcile : sr::PollMode::Incremental);
}

void Hub::schedule_tick() {
  if (!running_) return;
  timer_->expires_after(std::chrono::milliseconds(options_.tick_ms));
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    tick();
    schedule_tick();
  });
}

void Hub::tick() {
  settle_deferred();
  store::Millis mono = clock_.monotonic_ms();
  for (auto& [name, c] : conns_) {
    if (c->poll_every_ms > 0 && mono >= c->next_poll_at) kick_poll(*c, sr::PollMode::Incremental);
    std::size_t depth;
    {
      std::lock_guard lock(store_mu_);
      depth = store_->outbox_depth(name);
    }
    if (depth > 0) kick_deliver(name);
  }
  run_daily_schedules();
}

void Hub::settle_deferred() {
  if (!engine_strand_) return;
  ++busy_;
  boost::asio::post(*engine_strand_, [this] {
    // Whatever the last polls journalled is applied first: it may explain
    // the levels that wait.
    process_pending();
    engine::StepEffects fx;
    {
      std::lock_guard lock(store_mu_);
      auto tx = store_->begin();
      store::Millis now = clock_.now_ms();
      for (const auto& d : tx->due_deferred(now, 256)) {
        // Judged only after a poll of its member's orders that started
        // after it was seen; until then it is looked at again, and still
        // unexplained it asks for that poll (fx.poll). Levels explained in
        // the meantime (their order's webhook came) need no poll at all.
        auto it = conns_.find(d.connection);
        bool polled = it == conns_.end() || !it->second->connection->plugin().has(loader::Slot::poll) ||
                      it->second->polled_from.load() >= d.observed_at;
        // A poll already asked for or under way: its end decides (a shop
        // whose polls hang must not have its levels looked at every tick).
        // A connection not started cannot be polled yet; its start polls it.
        if (!polled && (it->second->poll_wanted || it->second->poll_running || !it->second->started)) continue;
        processor_->apply_deferred(*tx, d, polled ? engine::Pass::Due : engine::Pass::Recheck, now, fx);
      }
      tx->commit();
    }
    after(fx);
    --busy_;
  });
}

void Hub::run_daily_schedules() {
  std::time_t t = static_cast<std::time_t>(clock_.now_ms() / 1000);
  std::tm local{};
  localtime_r(&t, &local);
  int minute = local.tm_hour * 60 + local.tm_min;
  int day = local.tm_year * 400 + local.tm_yday;
  for (const auto& s : cfg_.schedules) {
    if (!s.daily_minute || minute < *s.daily_minute) continue;
    auto& done = daily_done_[s.name];
    if (done == day) continue;
    bool first = done == 0;
    done = day;
    if (first && minute > *s.daily_minute + 1) continue;  // started after today's time: wait for tomorrow
    log::info({}, "schedule '" + s.name + "': " + s.action);
    for (const auto& cn : s.connections) poll_now(cn, s.action == "reconcile");
  }
  for (const auto& s : cfg_.schedules) {
    if (s.action != "reconcile" || !s.every_seconds) continue;
    auto& last = daily_done_["every:" + s.name];
    int now_s = static_cast<int>(clock_.monotonic_ms() / 1000);
    if (last != 0 && now_s - last < *s.every_seconds) continue;
    if (last != 0) {
      for (const auto& cn : s.connections) poll_now(cn, true);
    }
    last = std::max(1, now_s);
  }
}

bool Hub::wait_quiet(int timeout_ms, bool ignore_retries) {
  store::Millis deadline = SystemClock::instance().monotonic_ms() + timeout_ms;
  int quiet_rounds = 0;
  while (SystemClock::instance().monotonic_ms() < deadline) {
    bool quiet = busy_.load() == 0;
    if (quiet) {
      std::lock_guard lock(store_mu_);
      quiet = store_->unprocessed(1).empty();
      // A rehearsal delivers nothing, so its outbox stays full and the levels
      // waiting for those writes keep waiting: the journal is all there is.
      if (quiet && !options_.dry_run) {
        auto tx = store_->begin();
        quiet = tx->due_deferred(INT64_MAX, 1).empty();
      }
      for (auto& [name, c] : conns_) {
        if (!quiet || options_.dry_run) break;  // a rehearsal delivers nothing: its outbox stays full
        if (c->window_open) {  // commands wait for a fuller batch
          quiet = false;
          break;
        }
        if (ignore_retries) {
          for (const auto& item : store_->outbox(name, false, 1000))
            if (item.state == store::OutboxState::InFlight ||
                (item.state == store::OutboxState::Pending && item.attempts == 0))
              quiet = false;
        } else {
          quiet = store_->outbox_depth(name) == 0;
        }
      }
    }
    quiet_rounds = quiet ? quiet_rounds + 1 : 0;
    if (quiet_rounds >= 3) return true;  // stayed quiet across ticks
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max(10, options_.tick_ms / 2)));
  }
  return false;
}

void Hub::refetch_product(const std::string& connection, const sr::FetchProduct& what) {
  engine::StepEffects fx;
  {
    std::lock_guard lock(store_mu_);
    auto tx = store_->begin();
    processor_->refetch_product(*tx, connection, what, clock_.now_ms(), fx);
    tx->commit();
  }
  after(fx);
}

std::size_t Hub::retry_failed_orders(const std::optional<std::string>& source,
                                     const std::optional<std::string>& order_id) {
  std::size_t n = 0;
  engine::StepEffects fx;
  {
    std::lock_guard lock(store_mu_);
    store::OrderQuery q;
    q.failed_only = true;
    q.source = source;
    q.limit = 100000;
    auto failed = store_->orders(q);
    auto tx = store_->begin();
    for (const auto& o : failed) {
      if (order_id && o.order_id != *order_id) continue;
      if (processor_->retry_order(*tx, o.source, o.order_id, o.target, clock_.now_ms(), fx)) ++n;
    }
    tx->commit();
  }
  after(fx);
  return n;
}

Errors route_target_errors(const config::Config& cfg,
                           const std::function<const sr::Description*(const std::string& connection)>& describe_of) {
  static const std::map<std::string, std::string> kNeeds{
      {"set_stock", "stock.out"},    {"adjust_stock", "stock.out"}, {"create_order", "orders.out"},
      {"deliver", "orders.out"},     {"add_note", "notes.out"},     {"set_price", "prices.out"}};
  Errors errors;
  for (const auto& route : cfg.routes)
    for (const auto& a : route.actions) {
      auto need = kNeeds.find(a.command);
      if (need == kNeeds.end()) continue;
      for (const auto& target : a.to) {
        const sr::Description* d = describe_of(target);
        if (!d || std::find(d->capabilities.begin(), d->capabilities.end(), need->second) != d->capabilities.end())
          continue;
        errors.push_back(Error{a.loc.str(),
                               "route '" + route.name + "': connection '" + target + "' (plugin " + d->id +
                                   ") does not take " + a.command + ": it declares no '" + need->second + "'",
                               "send it to a connection whose plugin does (`stockrelay plugins inspect " + d->id +
                                   "` lists what it takes), or remove '" + target + "' from `to:`"});
      }
    }
  return errors;
}

}  // namespace stockrelay::hub
