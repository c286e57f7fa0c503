#include "engine/processor.hpp"

#include <set>

#include "common/log.hpp"
#include "engine/sku.hpp"
#include "engine/log_entry.hpp"
#include "engine/sku_audit.hpp"

namespace stockrelay::engine {
namespace {

using sr::Quantity;

// Targets outside any pool still get baselines (echo suppression); the
// ledger functions then run against this empty pool.
const config::PoolConfig& no_pool() {
  static const config::PoolConfig empty;
  return empty;
}

std::string sku_of(const sr::Command& c) {
  if (auto* s = std::get_if<sr::SetStock>(&c.body)) return s->sku;
  if (auto* a = std::get_if<sr::AdjustStock>(&c.body)) return a->sku;
  if (auto* p = std::get_if<sr::SetPrice>(&c.body)) return p->sku;
  if (auto* u = std::get_if<sr::UpsertProduct>(&c.body)) return u->sku;
  if (auto* f = std::get_if<sr::FetchProduct>(&c.body)) return f->sku;
  return {};
}

// Commands about one shop's products and orders keep their order to a
// target; different shops' take turns (each may have a rate limit of its
// own there, as PeakWMS's API keys do). Stock writes share one lane.
std::string lane_of(const sr::Command& c) {
  if (auto* u = std::get_if<sr::UpsertProduct>(&c.body)) return "shop:" + u->connection;
  if (auto* o = std::get_if<sr::CreateOrder>(&c.body)) return "shop:" + o->source.connection;
  if (auto* d = std::get_if<sr::DeliverOrder>(&c.body)) return "shop:" + d->source.connection;
  if (auto* k = std::get_if<sr::CancelOrder>(&c.body)) return "shop:" + k->source.connection;
  return {};
}

std::string order_of(const sr::Command& c) {
  if (auto* o = std::get_if<sr::CreateOrder>(&c.body)) return o->source.order_id;
  if (auto* d = std::get_if<sr::DeliverOrder>(&c.body)) return d->source.order_id;
  if (auto* k = std::get_if<sr::CancelOrder>(&c.body)) return k->source.order_id;
  if (auto* n = std::get_if<sr::AddNote>(&c.body)) return n->order_id;
  return {};
}

}  // namespace

Processor::Processor(const config::Config& cfg, const Routes& routes, ConnectionFacts facts)
    : cfg_(cfg), routes_(routes), facts_(std::move(facts)) {}

void Processor::apply_event(store::Transaction& tx, const store::JournalRecord& rec, store::Millis now,
                            StepEffects& fx) {
  sr::Event event;
  try {
    auto j = nlohmann::json::parse(rec.payload);
    event = sr::event_from_json(j);
  } catch (const std::exception& e) {
    // Journalled but not understood: say so where the operator looks, and
    // move on so that one bad event does not block every later one.
    std::string msg = "event '" + rec.key + "' is invalid and was not applied: " + e.what();
    log::error({rec.connection, {}, {}}, msg);
    tx.append_log(log_entry(now, "error", rec.connection, {}, {}, "invalid", "event " + rec.key, "failed", msg));
    tx.mark_processed(rec.seq);
    return;
  }
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, sr::OrderEvent>) {
          apply_order(tx, rec.connection, ev, now, fx);
        } else if constexpr (std::is_same_v<T, sr::StockLevel>) {
          apply_level(tx, rec.connection, ev, Pass::Fresh, now, fx);
        } else if constexpr (std::is_same_v<T, sr::StockDelta>) {
          if (const auto* pool = pool_for(cfg_, rec.connection, ev.sku)) {
            LedgerContext ctx{*pool, ev.sku, now, cfg_.engine.settle_ms};
            auto d = on_delta(ctx, load(tx, *pool, ev.sku, rec.connection), rec.connection, ev);
            store_decision(tx, *pool, ev.sku, d, ev.reference, now, fx);
          }
          apply_routes(tx, rec.connection, event, now, fx);
        } else {
          apply_product(tx, rec.connection, ev, now, fx);
          apply_routes(tx, rec.connection, event, now, fx);
        }
      },
      event);
  tx.mark_processed(rec.seq);
}

void Processor::apply_order(store::Transaction& tx, const std::string& conn, const sr::OrderEvent& ev,
                            store::Millis now, StepEffects& fx) {
  const sr::Order& order = ev.order;
  std::string cause = "order " + (order.number.empty() ? order.id : order.number) + " in " + conn;
  const auto before = tx.order_lines(conn, order.id);
  if (older_copy(ev, before)) {
    tx.append_log(log_entry(now, "info", conn, {}, order.id, "order", cause, "skipped",
                            "an older copy of the order (modified at " + std::to_string(ev.at) +
                                ") than the one already counted; nothing changes"));
    return;
  }
  if (before.empty()) {
    // First seen after it gave stock back (cancelled, or refunded with
    // restock): if it took stock before, a write of ours may have replaced
    // that, and then only the give-back is in the shop's level.
    for (const auto& line : order.lines) {
      if (line.sku.empty()) continue;
      Quantity back = order.stock == sr::OrderStock::Released ? line.quantity : line.restocked;
      const auto* pool = pool_for(cfg_, conn, line.sku);
      if (back <= Quantity() || !pool || excluded(tx, conn, line.sku, now, order.id)) continue;
      LedgerContext ctx{*pool, line.sku, now, cfg_.engine.settle_ms};
      store_decision(tx, *pool, line.sku,
                     on_unseen_give_back(ctx, load(tx, *pool, line.sku, conn), conn, back, order.created_at, ev.at),
                     cause, now, fx);
    }
  }
  const auto changes = count_order(conn, order, before);
  for (const auto& change : changes) {
    tx.put_order_line(change.now);
    if (change.sold == Quantity()) continue;
    const auto* pool = pool_for(cfg_, conn, change.now.sku);
    if (!pool) continue;
    if (excluded(tx, conn, change.now.sku, now, order.id)) continue;
    LedgerContext ctx{*pool, change.now.sku, now, cfg_.engine.settle_ms};
    std::optional<sr::AgainstWrite> against;
    for (const auto& line : order.lines)
      if (line.id == change.now.line_id && line.sku == change.now.sku) against = line.against_write;
    auto d = on_sale(ctx, load(tx, *pool, change.now.sku, conn), conn, change.sold, cause, order.id, ev.at, against);
    store_decision(tx, *pool, change.now.sku, d, cause, now, fx);
    if (d.clear_deferred) {
      tx.delete_deferred(conn, change.now.sku);
      fx.deliver.insert(conn);  // writes it held
    }
  }
  // Which copy the counts are from: every line with a SKU gets a row (a
  // count of 0 until the order takes stock), so an older copy is known as
  // such and a redelivery is not a first sight.
  std::set<std::string> stored;
  for (const auto& b : before) stored.insert(b.line_id);
  for (const auto& c : changes) stored.insert(c.now.line_id);
  for (const auto& line : order.lines)
    if (!line.sku.empty() && !stored.count(line.id))
      tx.put_order_line(store::OrderLineCount{conn, order.id, line.id, line.sku, Quantity()});
  tx.mark_order_seen(conn, order.id, ev.at, ev.read_at);
  apply_routes(tx, conn, sr::Event(ev), now, fx);
}

void Processor::apply_level(store::Transaction& tx, const std::string& conn, const sr::StockLevel& obs,
                            Pass pass, store::Millis now, StepEffects& fx) {
  const bool waiting = looks_again(pass);  // a deferred level looked at again
  auto products = tx.products_with_sku(conn, obs.sku);
  if (!obs.remote_id.empty()) remember_product(tx, conn, obs, products, now);
  auto before = tx.baseline(conn, obs.sku);
  bool echo = before && before->expected == obs.quantity;
  const auto* pool = pool_for(cfg_, conn, obs.sku);
  if (pool && duplicated(tx, conn, obs.sku, products, now, {})) {
    if (waiting) tx.delete_deferred(conn, obs.sku);
    return;
  }
  if (pool) {
    LedgerContext ctx{*pool, obs.sku, now, cfg_.engine.settle_ms};
    auto d = on_level(ctx, load(tx, *pool, obs.sku, conn), conn, obs, pass);
    store_decision(tx, *pool, obs.sku, d, "level in " + conn, now, fx);
    if (d.clear_deferred) {
      tx.delete_deferred(conn, obs.sku);
      fx.deliver.insert(conn);  // writes it held
    }
  } else {
    if (waiting) tx.delete_deferred(conn, obs.sku);
    store::Baseline b;
    if (before) b = *before;
    b.connection = conn;
    b.sku = obs.sku;
    b.expected = obs.quantity;
    b.last_observed = obs.quantity;
    b.observed_at = now;
    if (!obs.version.empty()) b.observed_version = obs.version;
    tx.put_baseline(b);
  }
  if (!obs.remote_id.empty() && !linked_pool(conn, obs.sku) && !tx.link(conn, obs.sku)) {
    tx.put_link(store::Link{conn, obs.sku, obs.remote_id, obs.remote_variation_id, true, now});
  }
  // A level we wrote ourselves echoing back is routed nowhere (no ping-pong).
  if (!echo && !waiting) apply_routes(tx, conn, sr::Event(obs), now, fx);
}

void Processor::apply_product(store::Transaction& tx, const std::string& conn, const sr::ProductChange& p,
                              store::Millis now, StepEffects& fx) {
  std::optional<store::Product> prev;
  if (!p.remote_id.empty()) {
    prev = tx.product(conn, p.remote_id, p.remote_variation_id);
    tx.put_product(store::Product{conn, p.remote_id, p.remote_variation_id, p.sku, p.name, p.managed, p.active, now,
                                  p.shop_product_id, p.ean, p.status});
  }
  if (prev && prev->sku != p.sku) sku_moved(tx, conn, *prev, p.sku, now);
  if (const auto* pool = linked_pool(conn, p.sku)) {
    integrate_product(tx, *pool, conn, p, prev, now, fx);
    return;
  }
  auto old = tx.link(conn, p.sku);
  // A second product with this SKU: said once per product event; the first link is kept.
  if (p.active && excluded(tx, conn, p.sku, now, {}) && old && p.remote_id != old->remote_id) return;
  store::Link link = old ? *old : store::Link{};
  link.connection = conn;
  link.sku = p.sku;
  link.remote_id = p.remote_id;
  link.remote_variation_id = p.remote_variation_id;
  link.active = p.active;
  link.updated_at = now;
  tx.put_link(link);
  if (old && old->active && !p.active) {
    tx.append_log(log_entry(now, "warn", conn, p.sku, {}, "link", "product inactive in " + conn, "unlinked",
                            "the product is inactive there: stock is no longer synced to it"));
  }
}

void Processor::apply_deferred(store::Transaction& tx, const store::DeferredLevel& d, Pass pass, store::Millis now,
                               StepEffects& fx) {
  sr::StockLevel obs;
  obs.key = "deferred:" + d.sku;
  obs.sku = d.sku;
  obs.quantity = d.observed;
  obs.version = d.version;
  obs.read_at = d.read_at;  // read before a write of ours was acknowledged: stale
  obs.at = d.at;
  // Left in place: the ledger either settles it (cleared) or keeps it waiting
  // with its first-seen time (replaced).
  apply_level(tx, d.connection, obs, pass, now, fx);
}

bool Processor::excluded(store::Transaction& tx, const std::string& conn, const std::string& sku, store::Millis now,
                         const std::string& order_id) {
  return duplicated(tx, conn, sku, tx.products_with_sku(conn, sku), now, order_id);
}

bool Processor::duplicated(store::Transaction& tx, const std::string& conn, const std::string& sku,
                           const std::vector<store::Product>& products, store::Millis now, const std::string& order_id) {
  if (products.size() < 2) return false;
  std::string ids;
  for (const auto& p : products)
    ids += (ids.empty() ? "" : ", ") + p.remote_id + (p.remote_variation_id.empty() ? "" : "/" + p.remote_variation_id);
  std::string msg = "SKU '" + visible_sku(sku) + "' is on " + std::to_string(products.size()) + " products in " + conn +
                    " (" + ids + "): excluded from sync there until only one remains";
  log::warn({conn, sku, order_id}, msg);
  tx.append_log(log_entry(now, "warn", conn, sku, order_id, "duplicate", "duplicate SKU in " + conn, "excluded", msg));
  return true;
}

void Processor::remember_product(store::Transaction& tx, const std::string& conn, const sr::StockLevel& obs,
                                 std::vector<store::Product>& known, store::Millis now) {
  for (const auto& p : known)
    if (p.remote_id == obs.remote_id && p.remote_variation_id == obs.remote_variation_id) return;
  // Known already, inactive (a draft still has a level) or under another SKU
  // its product event will move: a level never makes a product active.
  if (auto p = tx.product(conn, obs.remote_id, obs.remote_variation_id); p && (!p->active || p->sku != obs.sku)) return;
  known.push_back(store::Product{conn, obs.remote_id, obs.remote_variation_id, obs.sku, {}, obs.managed, true, now});
  tx.put_product(known.back());
}

SkuState Processor::load(store::Transaction& tx, const config::PoolConfig& pool, const std::string& sku,
                         const std::string& member) {
  SkuState st;
  st.level = tx.pool_level(pool.name, sku);
  st.deferred = tx.deferred(member, sku);
  for (const auto& m : pool.members) {
    if (auto b = tx.baseline(m, sku)) st.baselines.emplace(m, *b);
    // Writes held by the member's waiting level are not on their way.
    bool held = m == member && st.deferred && st.deferred->holds;
    if (tx.outbox_busy(m, "set_stock:" + sku, held)) st.busy.insert(m);
  }
  return st;
}

void Processor::store_decision(store::Transaction& tx, const config::PoolConfig& pool, const std::string& sku,
                               const Decision& d, const std::string& cause, store::Millis now, StepEffects& fx) {
  if (d.level) tx.put_pool_level(*d.level);
  for (const auto& b : d.baselines) tx.put_baseline(b);
  for (const auto& w : d.writes) {
    if (!facts_.has_capability(w.member, "stock.out")) continue;  // a read-only member
    if (excluded(tx, w.member, sku, now, {})) continue;
    if (!stock_linked(tx, pool, w.member, sku, now)) continue;
    sr::Command c;
    std::optional<sr::RemoteRef> ref;
    if (auto link = tx.link(w.member, sku); link && link->active)
      ref = sr::RemoteRef{link->remote_id, link->remote_variation_id};
    sr::SetStock set;
    set.sku = sku;
    set.quantity = w.quantity;
    set.link = ref;
    c.body = std::move(set);  // `expected` is filled in when it is sent (hub.cpp)
    enqueue(tx, w.member, c, "set_stock:" + sku, d.cause.empty() ? cause : d.cause, now, fx);
  }
  if (d.defer) tx.put_deferred(*d.defer);
  if (d.judge_now) fx.settle = true;
  if (d.want_poll && d.defer) fx.poll.insert(d.defer->connection);
  for (auto e : d.log) {
    if (e.sku.empty()) e.sku = sku;
    if (e.message.empty() && !pool.name.empty()) e.message = "pool " + pool.name;
    tx.append_log(e);
  }
}

std::int64_t Processor::enqueue(store::Transaction& tx, const std::string& target, const sr::Command& c,
                                const std::string& key, const std::string& cause, store::Millis now,
                                StepEffects& fx) {
  store::OutboxItem item;
  item.target = target;
  item.command = sr::name_of(c);
  item.coalesce_key = key;
  item.payload = sr::to_json(c).dump();
  item.source_ref = cause;
  item.created_at = now;
  item.next_attempt_at = now;
  item.lane = lane_of(c);
  fx.deliver.insert(target);
  ++fx.queued[target];
  return tx.enqueue(item);
}

void Processor::apply_routes(store::Transaction& tx, const std::string& conn, const sr::Event& e,
                             store::Millis now, StepEffects& fx) {
  for (auto& r : routes_.route(conn, e)) {
    std::string cause = "route " + r.route + ": " + sr::kind_of(e) + " from " + conn;
    if (auto* co = std::get_if<sr::CreateOrder>(&r.command.body)) {
      // The route's switch ("send orders to <target>": off keeps them in the source).
      if (!r.command.options.value("send_orders", true)) continue;
      // A cancelled order gives back what it reserved in the target.
      if (co->order.stock == sr::OrderStock::Released) {
        cancel_order(tx, conn, co->source.order_id, r.target, r.command.options, now, fx);
        continue;
      }
      // An order is sent once per target, and only once the source counts
      // it as a sale (stock held): an unpaid order must not reserve stock.
      if (co->order.stock != sr::OrderStock::Held && !r.command.options.value("send_unpaid", false)) continue;
      if (tx.order_sync(conn, co->source.order_id, r.target)) continue;
      auto id = enqueue(tx, r.target, r.command, {}, cause, now, fx);
      store::OrderSync sync;
      sync.source = conn;
      sync.order_id = co->source.order_id;
      sync.target = r.target;
      sync.outbox_id = id;
      sync.updated_at = now;
      tx.put_order_sync(sync);
      tx.append_log(log_entry(now, "info", r.target, {}, co->source.order_id, "order", cause, "pending",
                              "order queued for " + r.target));
      continue;
    }
    if (auto* dv = std::get_if<sr::DeliverOrder>(&r.command.body)) {
      auto sync = tx.order_sync(conn, dv->source.order_id, r.target);
      if (!sync || sync->status != store::SyncStatus::Synced) continue;  // delivered after the create succeeds
      dv->remote_ref = sync->remote_ref;
    }
    enqueue(tx, r.target, r.command, r.coalesce_key, cause, now, fx);
  }
}

void Processor::note_back(store::Transaction& tx, const store::OrderSync& sync, const std::string& text,
                          store::Millis now, StepEffects& fx) {
  if (!facts_.has_capability(sync.source, "notes.out")) return;
  sr::Command c;
  sr::AddNote note{sync.order_id, text, false};
  // The same status as order meta the shop's admin can filter on.
  note.meta = {{"stockrelay_" + sync.target + "_status", store::to_string(sync.status)},
               {"stockrelay_" + sync.target + "_ref", sync.remote_ref}};
  c.body = std::move(note);
  enqueue(tx, sync.source, c, {}, "order " + sync.order_id + " sync to " + sync.target, now, fx);
}

void Processor::cancel_order(store::Transaction& tx, const std::string& source, const std::string& order_id,
                             const std::string& target, const nlohmann::json& options, store::Millis now,
                             StepEffects& fx) {
  auto sync = tx.order_sync(source, order_id, target);
  if (!sync || !sync->cancel.empty() || !options.value("cancel", true)) return;
  if (!facts_.has_capability(target, "orders.cancel.out")) {
    tx.append_log(log_entry(now, "warn", target, {}, order_id, "order", "order cancelled in " + source, "skipped",
                            target + " cannot cancel orders; cancel it there by hand"));
    return;
  }
  sync->updated_at = now;
  if (sync->status == store::SyncStatus::Failed) {
    // Nothing was created there, and a retry must not create it now.
    sync->cancel = "not_needed";
    tx.put_order_sync(*sync);
    tx.append_log(log_entry(now, "info", target, {}, order_id, "order", "order cancelled in " + source, "ok",
                            "it never reached " + target + "; it will not be retried"));
    return;
  }
  if (sync->status == store::SyncStatus::Pending) {
    sync->cancel = "wanted";  // sent once the create is through
    tx.put_order_sync(*sync);
    tx.append_log(log_entry(now, "info", target, {}, order_id, "order", "order cancelled in " + source, "pending",
                            "cancel waits for the order to reach " + target));
    return;
  }
  send_cancel(tx, *sync, options, now, fx);
}

void Processor::send_cancel(store::Transaction& tx, store::OrderSync& sync, const nlohmann::json& options,
                            store::Millis now, StepEffects& fx) {
  sr::Command c;
  c.options = options;
  c.body = sr::CancelOrder{{sync.source, sync.order_id}, sync.remote_ref};
  enqueue(tx, sync.target, c, {}, "order " + sync.order_id + " cancelled in " + sync.source, now, fx);
  sync.cancel = "pending";
  sync.updated_at = now;
  tx.put_order_sync(sync);
  tx.append_log(log_entry(now, "info", sync.target, {}, sync.order_id, "order", "order cancelled in " + sync.source,
                          "pending", "cancel of " + (sync.remote_ref.empty() ? "the order" : sync.remote_ref) +
                                         " queued for " + sync.target));
}

std::string Processor::lookalikes(store::Transaction& tx, const std::string& target,
                                  const std::vector<std::string>& unknown) {
  const std::vector<store::Product> known = tx.active_products(target);
  std::string out;
  for (const auto& sku : unknown) {
    const std::string key = lookalike_key(sku);
    std::set<std::string> spellings;
    for (const auto& p : known)
      if (p.sku != sku && lookalike_key(p.sku) == key) spellings.insert(p.sku);
    for (const auto& other : spellings)
      out += "; look-alike SKU: the order has '" + visible_sku(sku) + "', " + target + " has '" + visible_sku(other) +
             "'";
  }
  return out;
}

void Processor::prepare_write(store::Transaction& tx, const std::string& target, sr::SetStock& s) {
  if (const auto* pool = pool_for(cfg_, target, s.sku); pool && !(pool->master && *pool->master == target)) {
    if (auto level = tx.pool_level(pool->name, s.sku)) s.quantity = shown(*pool, level->quantity);
  }
  if (auto b = tx.baseline(target, s.sku)) {
    s.expected = b->expected;
    s.expected_version = b->observed_version;
  }
}

void Processor::apply_result(store::Transaction& tx, const store::OutboxItem& item, const sr::CommandResult& r,
                             store::Millis now, store::Millis retry_at, StepEffects& fx) {
  sr::Command cmd;
  try {
    cmd = sr::command_from_json(nlohmann::json::parse(item.payload));
  } catch (const std::exception& e) {
    tx.outbox_failed(item.id, std::string("stored command unreadable: ") + e.what());
    return;
  }
  std::string sku = sku_of(cmd);
  std::string order = order_of(cmd);
  auto outcome = r.outcome;
  std::string message = r.message;
  if (outcome == sr::Outcome::Retry && item.attempts + 1 >= cfg_.engine.max_attempts) {
    outcome = sr::Outcome::Failed;
    message = "gave up after " + std::to_string(item.attempts + 1) + " attempts: " + message;
  }
  auto* create = std::get_if<sr::CreateOrder>(&cmd.body);
  auto* delivery = std::get_if<sr::DeliverOrder>(&cmd.body);
  auto* cancel = std::get_if<sr::CancelOrder>(&cmd.body);
  std::optional<store::OrderSync> sync;
  if (create) sync = tx.order_sync(create->source.connection, create->source.order_id, item.target);
  if (delivery) sync = tx.order_sync(delivery->source.connection, delivery->source.order_id, item.target);
  if (cancel) sync = tx.order_sync(cancel->source.connection, cancel->source.order_id, item.target);
  if (outcome == sr::Outcome::Failed && create && !r.unknown_skus.empty())
    message += lookalikes(tx, item.target, r.unknown_skus);
  if (auto* up = std::get_if<sr::UpsertProduct>(&cmd.body); up && outcome != sr::Outcome::Retry) {
    upload_done(tx, item, *up, outcome, r.remote_ref, message, now, fx);
    return;
  }
  if (auto* fetch = std::get_if<sr::FetchProduct>(&cmd.body);
      fetch && outcome != sr::Outcome::Retry && outcome != sr::Outcome::Ok)
    fetch_failed(tx, item.target, *fetch, message, now);

  if (outcome == sr::Outcome::Ok) {
    tx.outbox_done(item.id);
    auto entry = log_entry(now, "info", item.target, sku, order, item.command, item.source_ref, "ok", r.message);
    if (auto* s = std::get_if<sr::SetStock>(&cmd.body)) {
      const auto* pool = pool_for(cfg_, item.target, s->sku);
      const auto& p = pool ? *pool : no_pool();
      LedgerContext ctx{p, s->sku, now, cfg_.engine.settle_ms};
      auto before = tx.baseline(item.target, s->sku);
      entry.old_quantity = before ? std::optional<Quantity>(before->expected) : std::nullopt;
      entry.new_quantity = s->quantity;
      SkuState st;
      if (before) st.baselines.emplace(item.target, *before);
      st.deferred = tx.deferred(item.target, s->sku);
      // Sales and restores counted there since the write went out: after it
      // when the target compared and wrote in one step, before or after it
      // otherwise (the ledger keeps both levels until a reading decides).
      Quantity counted_since;
      if (s->expected && before) counted_since = before->expected - *s->expected;
      auto d = on_written(ctx, st, item.target, s->quantity, r.level, r.version, counted_since, r.compared, r.at);
      for (const auto& b : d.baselines) tx.put_baseline(b);
      if (d.clear_deferred) tx.delete_deferred(item.target, s->sku);
    }
    tx.append_log(entry);
    if (create && sync) {
      sync->status = store::SyncStatus::Synced;
      sync->remote_ref = r.remote_ref;
      sync->reason.clear();
      sync->attempts = item.attempts + 1;
      sync->updated_at = now;
      tx.put_order_sync(*sync);
      note_back(tx, *sync, "stockrelay: synced to " + item.target + (r.remote_ref.empty() ? "" : " as " + r.remote_ref),
                now, fx);
      if (sync->cancel == "wanted") {
        // Cancelled in the source while the create was on its way.
        send_cancel(tx, *sync, cmd.options, now, fx);
      } else if (cmd.options.value("deliver", false)) {
        sr::Command d;
        d.options = cmd.options;
        d.body = sr::DeliverOrder{create->source, r.remote_ref};
        enqueue(tx, item.target, d, {}, "deliver order " + create->source.order_id, now, fx);
      }
    }
    if (delivery && sync) {
      sync->delivery_ref = r.remote_ref.empty() ? "yes" : r.remote_ref;
      if (sync->status == store::SyncStatus::Failed) sync->reason.clear();  // a retried delivery went through
      sync->status = store::SyncStatus::Synced;
      sync->updated_at = now;
      tx.put_order_sync(*sync);
      note_back(tx, *sync,
                "stockrelay: delivered in " + item.target + (r.remote_ref.empty() ? "" : " (delivery " + r.remote_ref + ")"),
                now, fx);
    }
    if (cancel && sync) {
      sync->cancel = "done";
      sync->updated_at = now;
      tx.put_order_sync(*sync);
      note_back(tx, *sync, "stockrelay: cancelled in " + item.target + (r.message.empty() ? "" : ": " + r.message), now, fx);
    }
    return;
  }
  if (outcome == sr::Outcome::Conflict) {
    // The target did not show what we expected, so the write was not made.
    // What it shows is an observation like any other: the ledger looks for
    // its cause (an order we have not seen yet, or a manual change) and
    // plans the write again.
    tx.outbox_done(item.id);
    auto* s = std::get_if<sr::SetStock>(&cmd.body);
    auto entry = log_entry(now, "info", item.target, sku, order, item.command, item.source_ref, "conflict",
                           "the shop showed something else; not written, looking for the cause");
    if (s) {
      if (auto b = tx.baseline(item.target, s->sku)) entry.old_quantity = b->expected;  // what we expected there
    }
    entry.new_quantity = r.level;
    tx.append_log(entry);
    if (s && r.level) {
      sr::StockLevel seen;
      seen.key = "conflict:" + std::to_string(item.id);
      seen.sku = s->sku;
      seen.quantity = *r.level;
      seen.version = r.version;
      seen.at = r.at;
      // A target that compares atomically cannot have replaced a sale.
      apply_level(tx, item.target, seen, r.compared ? Pass::Fresh : Pass::Refused, now, fx);
    }
    return;
  }
  if (outcome == sr::Outcome::Retry) {
    tx.outbox_retry(item.id, retry_at, message);
    tx.append_log(log_entry(now, "warn", item.target, sku, order, item.command, item.source_ref, "retry", message));
    if (sync) {
      sync->attempts = item.attempts + 1;
      sync->reason = message;
      sync->updated_at = now;
      tx.put_order_sync(*sync);
    }
    return;
  }
  tx.outbox_failed(item.id, message);
  log::error({item.target, sku, order}, item.command + " failed: " + message);
  tx.append_log(log_entry(now, "error", item.target, sku, order, item.command, item.source_ref,
                          sr::to_string(outcome), message));
  if (create && sync) {
    sync->status = store::SyncStatus::Failed;
    sync->reason = message;
    sync->attempts = item.attempts + 1;
    sync->updated_at = now;
    if (sync->cancel == "wanted") sync->cancel = "not_needed";
    tx.put_order_sync(*sync);
    note_back(tx, *sync, "stockrelay: sync to " + item.target + " failed: " + message, now, fx);
  }
  if (delivery && sync) {
    // The order is there but not delivered: a retry sends the delivery again.
    sync->status = store::SyncStatus::Failed;
    sync->reason = "delivery failed: " + message;
    sync->outbox_id = item.id;
    sync->updated_at = now;
    tx.put_order_sync(*sync);
    note_back(tx, *sync, "stockrelay: delivery in " + item.target + " failed: " + message, now, fx);
  }
  if (cancel && sync) {
    sync->cancel = "failed";
    sync->reason = "cancel failed: " + message;
    sync->updated_at = now;
    tx.put_order_sync(*sync);
    note_back(tx, *sync, "stockrelay: cancel in " + item.target + " failed: " + message, now, fx);
  }
}

void Processor::join_member(store::Transaction& tx, const config::PoolConfig& pool, const std::string& member,
                            const std::vector<std::string>& skus, store::Millis now, StepEffects& fx) {
  for (const auto& sku : skus) {
    if (!pool_covers(pool, sku) || excluded(tx, member, sku, now, {})) continue;
    LedgerContext ctx{pool, sku, now, cfg_.engine.settle_ms};
    auto d = on_join(ctx, load(tx, pool, sku, member), member);
    store_decision(tx, pool, sku, d, d.cause, now, fx);
  }
}

bool Processor::retry_order(store::Transaction& tx, const std::string& source, const std::string& order_id,
                            const std::string& target, store::Millis now, StepEffects& fx) {
  auto sync = tx.order_sync(source, order_id, target);
  if (!sync || sync->status != store::SyncStatus::Failed || sync->cancel == "not_needed") return false;
  refresh_order_skus(tx, *sync, now);
  tx.outbox_requeue(sync->outbox_id, now);
  sync->status = store::SyncStatus::Pending;
  sync->reason.clear();
  sync->updated_at = now;
  tx.put_order_sync(*sync);
  tx.append_log(log_entry(now, "info", target, {}, order_id, "order", "operator retry", "pending",
                          "order from " + source + " queued again"));
  fx.deliver.insert(target);
  return true;
}

void Processor::refresh_order_skus(store::Transaction& tx, const store::OrderSync& sync, store::Millis now) {
  auto item = tx.outbox_item(sync.outbox_id);
  if (!item || item->command != "create_order") return;
  sr::Command cmd;
  try {
    cmd = sr::command_from_json(nlohmann::json::parse(item->payload));
  } catch (const std::exception&) {
    return;  // sent as stored; its failure says why
  }
  auto* co = std::get_if<sr::CreateOrder>(&cmd.body);
  if (!co) return;
  // The order as it reads now, with each line's SKU as the source's product
  // carries it today (the merchant fixed a SKU), routed again so the route's
  // SKU transforms apply to the new spelling.
  sr::OrderEvent e;
  e.order = co->order;
  std::vector<bool> fresh(e.order.lines.size(), false);
  bool changed = false;
  for (std::size_t i = 0; i < e.order.lines.size(); ++i) {
    auto& l = e.order.lines[i];
    if (l.remote_id.empty()) continue;
    auto p = tx.product(sync.source, l.remote_id, l.remote_variation_id);
    if (!p || p->sku.empty()) continue;
    fresh[i] = true;
    changed = changed || p->sku != l.sku;
    l.sku = p->sku;
  }
  if (!changed) return;
  std::optional<sr::Command> again;
  for (auto& r : routes_.route(sync.source, e))
    if (r.target == sync.target && std::holds_alternative<sr::CreateOrder>(r.command.body)) {
      again = std::move(r.command);
      break;
    }
  if (!again) return;
  auto& lines = std::get<sr::CreateOrder>(again->body).order.lines;
  for (std::size_t i = 0; i < lines.size() && i < fresh.size(); ++i) {
    // Lines whose product is not known keep what was sent (already transformed).
    if (!fresh[i]) lines[i].sku = co->order.lines[i].sku;
  }
  std::string before, after;
  for (std::size_t i = 0; i < lines.size() && i < co->order.lines.size(); ++i)
    if (lines[i].sku != co->order.lines[i].sku) {
      before += (before.empty() ? "" : ", ") + visible_sku(co->order.lines[i].sku);
      after += (after.empty() ? "" : ", ") + visible_sku(lines[i].sku);
    }
  std::get<sr::CreateOrder>(again->body).source = co->source;
  again->options = cmd.options;
  tx.outbox_set_payload(item->id, sr::to_json(*again).dump());
  tx.append_log(log_entry(now, "info", sync.target, {}, sync.order_id, "order", "operator retry", "updated",
                          "SKU now " + after + " (was " + before + "), as " + sync.source + " has it"));
}

}  // namespace stockrelay::engine
