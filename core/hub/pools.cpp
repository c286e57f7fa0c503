// Pool membership at run time: join (an import) and leave.
#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "common/log.hpp"
#include "engine/membership.hpp"
#include "engine/sku.hpp"
#include "hub/hub.hpp"

namespace stockrelay::hub {
namespace {

store::LogEntry membership_log(store::Millis now, const std::string& connection, const std::string& cause,
                               const std::string& result, const std::string& message) {
  store::LogEntry e;
  e.at = now;
  e.connection = connection;
  e.kind = "membership";
  e.cause = cause;
  e.result = result;
  e.message = message;
  return e;
}

}  // namespace

void Hub::on_engine(const std::function<void()>& f) {
  std::promise<void> done;
  auto fut = done.get_future();
  boost::asio::post(*engine_strand_, [&] {
    try {
      f();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  fut.get();
}

Status Hub::check_membership_change(const std::string& pool, const std::string& connection) const {
  if (!running_ || !engine_strand_) return Error{"pool " + pool, "the hub is not running", {}};
  std::lock_guard members(members_mu_);
  const auto* p = engine::find_pool(cfg_.pools, pool);
  if (!p) {
    std::string known;
    for (const auto& q : cfg_.pools) known += (known.empty() ? "" : ", ") + q.name;
    return Error{"pool " + pool, "no pool '" + pool + "' in the configuration", "pools: " + known};
  }
  if (!conns_.count(connection))
    return Error{"pool " + pool, "no enabled connection '" + connection + "'", "add it under connections: first"};
  if (p->master && *p->master == connection)
    return Error{"pool " + pool, connection + " is the pool's master; change `master:` in the configuration instead", {}};
  return Ok{};
}

Result<JoinReport> Hub::join_pool(const std::string& pool, const std::string& connection,
                                  const std::function<void(const JoinProgress&)>& progress, int timeout_ms) {
  if (auto st = check_membership_change(pool, connection); !st) return st.error();
  Conn& c = *conns_.at(connection);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running_ && !c.started && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (!c.started) return Error{"connection " + connection, "has not started (see its log); nothing was read", {}};
  const store::Millis since = clock_.now_ms();
  std::set<std::string> before;  // the pool's SKUs before the join
  bool rejoin = false;
  for (const auto& l : store_->pool_levels(pool)) before.insert(l.sku);
  for (const auto& m : store_->pool_members())
    if (m.pool == pool && m.connection == connection && m.state == store::MemberState::Left) rejoin = true;

  on_engine([&] {
    std::lock_guard lock(store_mu_);
    auto tx = store_->begin();
    tx->put_pool_member(store::PoolMember{pool, connection, store::MemberState::Joining, since, "import started"});
    tx->append_log(membership_log(since, connection, "join of " + connection, "started",
                                  "joining pool " + pool + (rejoin ? " again" : "") + ": reading its catalogue"));
    tx->commit();
    std::lock_guard members(members_mu_);
    engine::apply_membership(cfg_.pools, {store::PoolMember{pool, connection, store::MemberState::Joining, since, {}}});
    joins_[{pool, connection}] = JoinProgress{"reading", 0, 0, 0, since};
  });
  log::info({connection, {}, {}}, "joining pool " + pool + ": reading the whole catalogue");

  auto report_progress = [&](JoinProgress p) {
    {
      std::lock_guard members(members_mu_);
      joins_[{pool, connection}] = p;
    }
    if (progress) progress(p);
  };
  const std::size_t read_from = c.ingested.load();
  const std::size_t reconciles_before = c.reconciles_done.load();
  JoinProgress p{"reading", 0, 0, 0, since};
  report_progress(p);  // the member is recorded as joining from here on
  kick_poll(c, sr::PollMode::Reconcile);
  // Phase 1: the reconcile poll reads every product; the engine links them
  // by SKU and plans the writes as it goes.
  while (running_ && c.reconciles_done.load() == reconciles_before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    p.read = c.ingested.load() - read_from;
    report_progress(p);
  }
  bool joined = false;
  bool quiet = false;
  // Phase 2: the pool's quantities are written to the joining connection.
  while (running_ && std::chrono::steady_clock::now() < deadline) {
    quiet = wait_quiet(200, true);
    if (quiet && !joined) {
      // Levels known from before the join (its journal keys are not new, so
      // the reconcile did not bring them again) are judged now.
      std::vector<std::string> skus;
      for (const auto& b : store_->baselines(connection)) skus.push_back(b.sku);
      on_engine([&] {
        engine::StepEffects fx;
        {
          std::lock_guard lock(store_mu_);
          auto tx = store_->begin();
          processor_->join_member(*tx, *engine::find_pool(cfg_.pools, pool), connection, skus, clock_.now_ms(), fx);
          tx->commit();
        }
        after(fx);
      });
      joined = true;
      quiet = false;
      continue;
    }
    auto [done, total] = store_->outbox_progress(connection, since);
    p.phase = "writing";
    p.read = c.ingested.load() - read_from;
    p.done = done;
    p.total = total;
    report_progress(p);
    if (quiet) break;
  }

  JoinReport r;
  r.completed = quiet;
  std::set<std::string> here;
  for (const auto& b : store_->baselines(connection)) here.insert(b.sku);
  std::vector<std::string> members;
  {
    std::lock_guard lock(members_mu_);
    if (const auto* pc = engine::find_pool(cfg_.pools, pool)) members = pc->members;
  }
  for (const auto& l : store_->pool_levels(pool)) {
    if (here.count(l.sku)) ++r.linked;
    else r.pool_only.push_back(l.sku);
    if (!before.count(l.sku) && l.origin == connection) r.new_in_pool.push_back(l.sku);
  }
  for (const auto& i : store_->outbox(connection, true, 1000000)) {
    if (i.created_at < since || i.command != "set_stock") continue;
    if (i.state == store::OutboxState::Done) ++r.written;
    if (i.state == store::OutboxState::Failed) ++r.failed;
  }
  // The SKU audit between the joining connection and the other members.
  std::vector<engine::SkuSighting> sightings;
  for (const auto& prod : store_->products(std::nullopt)) {
    if (std::find(members.begin(), members.end(), prod.connection) == members.end()) continue;
    sightings.push_back(engine::sighting_of(prod));
  }
  for (auto& f : engine::audit_skus(sightings)) {
    bool involves = std::any_of(f.places.begin(), f.places.end(),
                                [&](const std::string& place) { return place.rfind(connection + " ", 0) == 0; });
    if (involves) r.findings.push_back(std::move(f));
  }

  std::string summary = std::to_string(r.linked) + " SKUs linked, " + std::to_string(r.written) + " levels written, " +
                        std::to_string(r.new_in_pool.size()) + " new to the pool, " +
                        std::to_string(r.pool_only.size()) + " pool SKUs not found there, " +
                        std::to_string(r.findings.size()) + " audit findings" +
                        (r.completed ? "" : " (not finished: timed out or stopping)");
  store::Millis now = clock_.now_ms();
  // The progress says done before the member shows as active: whoever sees
  // the state change (the admin API) sees the finished progress with it.
  p.phase = r.completed ? "done" : "failed";
  report_progress(p);
  on_engine([&] {
    std::lock_guard lock(store_mu_);
    auto tx = store_->begin();
    auto state = r.completed ? store::MemberState::Active : store::MemberState::Joining;
    tx->put_pool_member(store::PoolMember{pool, connection, state, since, summary});
    tx->append_log(membership_log(now, connection, "join of " + connection, r.completed ? "ok" : "incomplete",
                                  "pool " + pool + ": " + summary));
    for (const auto& f : r.findings) {
      auto e = membership_log(now, connection, "join of " + connection, "reported", engine::describe(f));
      e.level = "warn";
      e.kind = "audit";
      e.sku = f.spellings.empty() ? std::string() : f.spellings.front();
      tx->append_log(e);
    }
    tx->commit();
  });
  log::info({connection, {}, {}}, "joined pool " + pool + ": " + summary);
  return r;
}

Status Hub::leave_pool(const std::string& pool, const std::string& connection) {
  if (auto st = check_membership_change(pool, connection); !st) return st;
  on_engine([&] {
    store::Millis now = clock_.now_ms();
    {
      std::lock_guard lock(store_mu_);
      auto tx = store_->begin();
      engine::record_leave(*tx, pool, connection, now);
      tx->commit();
    }
    std::lock_guard members(members_mu_);
    engine::apply_membership(cfg_.pools, {store::PoolMember{pool, connection, store::MemberState::Left, now, {}}});
    joins_.erase({pool, connection});
  });
  log::info({connection, {}, {}}, "left pool " + pool);
  return Ok{};
}

std::vector<Hub::PoolView> Hub::pools() const {
  std::lock_guard members(members_mu_);
  std::vector<PoolView> out;
  for (const auto& p : cfg_.pools) {
    PoolView v;
    v.name = p.name;
    v.members = p.members;
    for (const auto& [key, progress] : joins_)
      if (key.first == p.name) v.joining[key.second] = progress;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace stockrelay::hub
