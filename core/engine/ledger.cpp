#include "engine/ledger.hpp"

#include <algorithm>

namespace stockrelay::engine {
namespace {

using sr::Quantity;

bool is_master(const config::PoolConfig& pool, const std::string& member) {
  return pool.master && *pool.master == member;
}

store::Baseline& baseline_for(Decision& d, const SkuState& st, const LedgerContext& ctx, const std::string& member) {
  for (auto& b : d.baselines)
    if (b.connection == member) return b;
  auto it = st.baselines.find(member);
  if (it != st.baselines.end()) {
    d.baselines.push_back(it->second);
  } else {
    store::Baseline b;
    b.connection = member;
    b.sku = ctx.sku;
    d.baselines.push_back(b);
  }
  return d.baselines.back();
}

const store::Baseline* current(const Decision& d, const SkuState& st, const std::string& member) {
  for (const auto& b : d.baselines)
    if (b.connection == member) return &b;
  auto it = st.baselines.find(member);
  return it == st.baselines.end() ? nullptr : &it->second;
}

store::LogEntry entry(const LedgerContext& ctx, const std::string& connection, std::string kind,
                      std::optional<Quantity> old_q, std::optional<Quantity> new_q, std::string cause,
                      std::string result, std::string message = {}) {
  store::LogEntry e;
  e.at = ctx.now;
  e.connection = connection;
  e.sku = ctx.sku;
  e.kind = std::move(kind);
  e.old_quantity = old_q;
  e.new_quantity = new_q;
  e.cause = std::move(cause);
  e.result = std::move(result);
  e.message = std::move(message);
  return e;
}

// The member's second expected level, set or dropped: whether a reading
// showed it (alt_seen) is about this one only.
void set_alt(store::Baseline& b, std::optional<Quantity> alt) {
  b.expected_alt = alt;
  b.alt_seen = false;
}

void set_level(Decision& d, const LedgerContext& ctx, const SkuState& st, Quantity q, const std::string& origin) {
  store::PoolLevel lv = d.level ? *d.level : (st.level ? *st.level : store::PoolLevel{});
  lv.pool = ctx.pool.name;
  lv.sku = ctx.sku;
  if (lv.origin.empty()) lv.origin = origin;
  lv.quantity = q;
  lv.updated_at = ctx.now;
  d.level = lv;
}

// Writes the pool's shown level to every member the SKU is known in (it has a
// baseline), except the master, where the member does not already show it.
// Members in `always` get the write even when they seem to show it: their
// own sale may have raced with an earlier absolute write of ours, which the
// remote applied after the sale and so erased it there.
void write_members(Decision& d, const LedgerContext& ctx, const SkuState& st, Quantity pool_q,
                   const std::vector<std::string>& always = {}) {
  Quantity target = shown(ctx.pool, pool_q);
  for (const auto& m : ctx.pool.members) {
    if (is_master(ctx.pool, m)) continue;
    const store::Baseline* b = current(d, st, m);
    bool forced = std::find(always.begin(), always.end(), m) != always.end();
    if (!b && !forced) continue;  // the SKU is not known there: nothing to write to
    if (!forced && b->expected == target) continue;
    d.writes.push_back({m, target});
  }
}

// A sale or restore made at `changed_at` (member's clock) was counted while
// the member's level waited for its cause: if it was made in the same second
// as that reading or later, the reading may not include it.
void mark_stale(Decision& d, const SkuState& st, const std::string& member, store::Millis changed_at) {
  if (d.clear_deferred || d.defer || !st.deferred || st.deferred->connection != member || st.deferred->stale) return;
  const store::Millis at = st.deferred->at;
  if (changed_at <= 0 || at <= 0 || changed_at < at - at % 1000) return;
  d.defer = *st.deferred;
  d.defer->stale = true;
}

}  // namespace

Quantity shown(const config::PoolConfig& pool, Quantity q) {
  Quantity s = q - pool.buffer;
  return s < Quantity() ? Quantity() : s;
}

Decision on_sale(const LedgerContext& ctx, const SkuState& st, const std::string& member, Quantity sold,
                 const std::string& cause, const std::string& order_id, store::Millis sale_at,
                 const std::optional<sr::AgainstWrite>& against) {
  Decision d;
  if (sold == Quantity()) return d;
  auto note = [&](std::string kind, std::optional<Quantity> old_q, std::optional<Quantity> new_q, std::string result,
                  std::string message = {}) {
    auto e = entry(ctx, member, std::move(kind), old_q, new_q, cause, std::move(result), std::move(message));
    e.order_id = order_id;
    d.log.push_back(std::move(e));
  };
  bool known_here = st.baselines.count(member) > 0;
  if (!st.level && !known_here) {
    // Nothing is known of this SKU yet: the first level seen will already
    // include this sale, so counting it now would count it twice.
    note("order", std::nullopt, std::nullopt, "skipped", "no level known for this SKU yet; the first level seen includes it");
    return d;
  }
  if (known_here) {
    // The member's own shop already moved its level by the sale, unless our
    // last write there replaced it (see the header). (A member that never
    // showed this SKU gets the pool's level written below.)
    auto& b = baseline_for(d, st, ctx, member);
    const bool by_read = b.written_at > 0 && !b.written_compared && b.written_remote_at > 0 && sale_at > 0;
    const store::Millis second = b.written_remote_at - b.written_remote_at % 1000;
    // The source's own account of where the change landed, if it is about
    // our last write there (one that compared by a read first).
    std::optional<bool> replaced;
    if (against && b.written_at > 0 && !b.written_compared && !b.written_version.empty() &&
        against->version == b.written_version)
      replaced = against->replaced;
    if (replaced ? *replaced : (by_read && sale_at < second)) {
      auto e = entry(ctx, member, "observe", b.expected, b.expected, cause, "ok",
                     "landed before the hub's write of " + (b.last_written ? b.last_written->to_string() : std::string("?")) +
                         " there, which replaced it: " + member + " shows that write, not moved by it" +
                         (replaced ? " (as " + member + " records it)" : ""));
      e.order_id = order_id;
      d.log.push_back(std::move(e));
    } else if (!replaced && by_read && sale_at < second + 1000 && !b.expected_alt) {
      // The same second as the write: before it (replaced) or after it.
      auto e = entry(ctx, member, "observe", b.expected, b.expected - sold, cause, "either",
                     "made in the same second as the hub's write of " +
                         (b.last_written ? b.last_written->to_string() : std::string("?")) + " there: " + member +
                         " shows " + (b.expected - sold).to_string() + " if it came after the write, " +
                         b.expected.to_string() + " if the write replaced it; kept both until a reading tells");
      e.order_id = order_id;
      d.log.push_back(std::move(e));
      set_alt(b, b.expected);
      b.expected -= sold;
    } else {
      if (replaced) {  // (false: after the write, as the member records it)
        auto e = entry(ctx, member, "observe", b.expected, b.expected - sold, cause, "ok",
                       "landed after the hub's write of " +
                           (b.last_written ? b.last_written->to_string() : std::string("?")) + " there (as " + member +
                           " records it): " + member + " shows the write moved by it");
        e.order_id = order_id;
        d.log.push_back(std::move(e));
      }
      b.expected -= sold;
      if (b.expected_alt) *b.expected_alt -= sold;
    }
    // The level that waited for its cause shows this sale: it is judged at
    // once, after the other events that came with this one (a poll brings
    // many orders; a sum part way through them can match by chance), and
    // explained then, the writes it held go.
    if (st.deferred && st.deferred->connection == member && st.deferred->observed == b.expected) {
      d.defer = *st.deferred;
      d.defer->due_at = ctx.now;
      d.judge_now = true;
    } else {
      mark_stale(d, st, member, sale_at);
    }
  }

  if (ctx.pool.master && !is_master(ctx.pool, member)) {
    // The master hears of the order through a route and its level change is
    // mirrored back; counting it here as well would count it twice.
    note("order", std::nullopt, std::nullopt, "counted", "sale recorded for the member; the master's level decides the pool");
    return d;
  }
  if (!st.level) {
    auto e = entry(ctx, member, "order", std::nullopt, std::nullopt, cause, "skipped",
                   "the pool has no level for this SKU yet; the sale is kept in the member's baseline");
    e.level = "warn";
    e.order_id = order_id;
    d.log.push_back(std::move(e));
    return d;
  }
  Quantity old_q = st.level->quantity;
  Quantity new_q = old_q - sold;
  set_level(d, ctx, st, new_q, member);
  note(sold > Quantity() ? "sale" : "restore", old_q, new_q, "counted");
  write_members(d, ctx, st, new_q, {member});
  return d;
}

Decision on_level(const LedgerContext& ctx, const SkuState& st, const std::string& member, const sr::StockLevel& obs,
                  Pass pass) {
  Decision d;
  // A waiting level looked at again is settled unless it is put back.
  d.clear_deferred = looks_again(pass);
  auto known = st.baselines.find(member);
  const store::Baseline* prev = known == st.baselines.end() ? nullptr : &known->second;

  if (prev && !obs.version.empty() && !prev->observed_version.empty() && obs.version < prev->observed_version) {
    d.log.push_back(entry(ctx, member, "observe", prev->last_observed, obs.quantity, "stale observation",
                          "skipped", "version " + obs.version + " is older than " + prev->observed_version));
    return d;
  }
  if (prev && obs.read_at > 0 && prev->written_at > 0 && obs.read_at < prev->written_at &&
      (obs.version.empty() || obs.version <= prev->observed_version)) {
    // Read before our last write there was acknowledged, and no newer than
    // it: it shows the level before our write, not a change.
    d.log.push_back(entry(ctx, member, "observe", prev->last_observed, obs.quantity, "stale observation",
                          "skipped", "read before the hub's write of " + prev->expected.to_string() +
                                         " was acknowledged (version " + obs.version + ")"));
    return d;
  }
  if (!obs.managed) {
    d.log.push_back(entry(ctx, member, "observe", std::nullopt, std::nullopt, "stock not managed there",
                          "skipped", "the product does not track stock; it is not synced"));
    return d;
  }
  // The same reading seen again (a later poll reads it too: same level, same
  // version).
  const bool again = st.deferred && st.deferred->observed == obs.quantity && st.deferred->version == obs.version;
  if (st.busy.count(member)) {
    // A write of ours is on its way there: this level may predate it.
    // It keeps the time it was first seen, so it is not re-polled forever
    // while a target stays down.
    d.clear_deferred = false;
    d.defer = store::DeferredLevel{member, ctx.sku, obs.quantity, obs.version,
                                   looks_again(pass) && st.deferred ? st.deferred->observed_at : ctx.now,
                                   st.deferred ? st.deferred->due_at : ctx.now + std::max(ctx.settle_ms, 1),
                                   st.deferred && st.deferred->holds, obs.read_at, obs.at,
                                   again && st.deferred->stale};
    return d;
  }

  auto& b = baseline_for(d, st, ctx, member);
  bool first_here = prev == nullptr;
  b.last_observed = obs.quantity;
  b.observed_at = ctx.now;
  if (!obs.version.empty()) b.observed_version = obs.version;
  bool master_member = is_master(ctx.pool, member);

  if (!st.level) {
    b.expected = obs.quantity;
    if (ctx.pool.master && !master_member) return d;  // the master decides the pool's level
    // First appearance in the pool: this member's quantity becomes the pool's.
    set_level(d, ctx, st, obs.quantity, member);
    d.cause = "first seen in " + member;
    d.log.push_back(entry(ctx, member, "appear", std::nullopt, obs.quantity, d.cause, "ok"));
    write_members(d, ctx, st, obs.quantity);
    return d;
  }

  Quantity pool_q = st.level->quantity;
  if (master_member) {
    b.expected = obs.quantity;
    if (obs.quantity != pool_q) {
      set_level(d, ctx, st, obs.quantity, member);
      d.log.push_back(entry(ctx, member, "master", pool_q, obs.quantity, "level in master " + member, "ok"));
      d.cause = "level in master " + member;
    }
    write_members(d, ctx, st, obs.quantity);
    return d;
  }
  if (first_here) {
    // The member joins this SKU: it takes the pool's quantity.
    b.expected = obs.quantity;
    if (obs.quantity != shown(ctx.pool, pool_q)) {
      d.cause = "join of " + member;
      d.log.push_back(entry(ctx, member, "join", obs.quantity, shown(ctx.pool, pool_q), d.cause, "ok"));
      d.writes.push_back({member, shown(ctx.pool, pool_q)});
    }
    return d;
  }

  Quantity expected = prev->expected;
  // The second level is dropped once a reading is judged against `expected`
  // alone; a reading that waits for its cause keeps it.
  bool drop_alt = false;
  bool alt_to_prove = false;  // this reading shows the second level: prove it with a poll at once
  if (prev->expected_alt) {
    // Showing the second level is taken as its proof only once the member's
    // orders were read (Due): sales not heard of yet can bring a reading to
    // it by chance (a lost order webhook, or orders sold while the hub was
    // down), and it then waits like any unexplained level. Without a settle
    // time there is no waiting.
    // Nor is a reading that may predate sales counted while it waited (it is
    // read again first, below).
    const bool reread_first = st.deferred && st.deferred->stale && prev->rereads < kMaxRereads;
    const bool proof = (pass == Pass::Due && !reread_first) || ctx.settle_ms <= 0;
    const bool shows_alt = obs.quantity == *prev->expected_alt && obs.quantity != expected;
    // Judged after the member's orders were read, a reading that shows
    // neither level (a manual change since) is judged against the one an
    // earlier reading showed.
    const bool seen_before = proof && prev->alt_seen && obs.quantity != expected;
    if (proof && (shows_alt || seen_before)) {
      // The sales counted while our last write was on its way landed after
      // it (rather than being replaced by it): the member shows the written
      // level moved by them.
      d.log.push_back(entry(ctx, member, "observe", prev->expected, *prev->expected_alt,
                            "sale(s) counted around the hub's write: " + member + " shows the second level" +
                                (shows_alt ? "" : " (an earlier reading showed it)"),
                            "ok"));
      expected = *prev->expected_alt;
      b.expected = expected;
      set_alt(b, std::nullopt);
    } else if (shows_alt) {
      // Noted; it waits below for the member's orders, read at once.
      b.alt_seen = true;
      alt_to_prove = true;
    } else if (pass == Pass::Refused || pass == Pass::Due) {
      // A reading made after every write of ours there was acknowledged
      // (Refused), or judged after the member's orders were read (Due):
      // whatever it shows is decided below against `expected` alone.
      drop_alt = true;
    }
  }
  if (pass == Pass::Refused && !ctx.pool.master && prev->last_written && obs.quantity == *prev->last_written &&
      obs.quantity != expected && prev->written_at > 0 && !prev->written_compared && prev->written_remote_at == 0 &&
      (obs.version.empty() ? prev->written_version.empty() : obs.version == prev->written_version)) {
    // Read just now, the member shows exactly our last acknowledged write
    // (one that compared by a read first: an atomic one replaced nothing),
    // unmodified since (the version that write gave it), while the sales counted there since
    // say it should be lower: they landed between the target's compare and
    // its write (a compare by a read before the write, as with WooCommerce)
    // and the write replaced them. The pool has counted them; what the
    // member shows is explained, and it gets the pool's level again below.
    // Not a manual change. (Only for such a fresh read: a webhook built
    // before a later change can show the same level and version, one-second
    // versions cannot tell them apart. And only when the write's answer did
    // not say when it was made: then on_sale placed each sale by its time
    // already, keeping both levels for the same second, and a sale and a
    // cancel not heard of yet can bring the member back to our write by
    // chance.)
    expected = obs.quantity;
    b.expected = expected;
    d.log.push_back(entry(ctx, member, "observe", prev->expected, obs.quantity,
                          "sale(s) replaced by the hub's write in " + member, "ok",
                          "shows the hub's last write of " + obs.quantity.to_string() + "; writing " +
                              shown(ctx.pool, pool_q).to_string() + " again"));
  }

  Quantity diff = obs.quantity - expected;
  if (diff == Quantity()) {
    if (drop_alt) set_alt(b, std::nullopt);
    b.rereads = 0;
    // Explained, and at least as new as a level still waiting for its cause:
    // that one is superseded. Remote versions may have one-second resolution,
    // so a level read before our write in the same second can arrive late
    // looking like a change; a fresh read that matches settles it.
    if (pass != Pass::Due && st.deferred && obs.version >= st.deferred->version) d.clear_deferred = true;
    // Our own write echoing back, or explained by known orders. In a shared
    // pool the member must also show the pool's level: if a write of ours
    // was refused (a conflict) or failed, make it again now.
    if (!ctx.pool.master && obs.quantity != shown(ctx.pool, pool_q)) d.writes.push_back({member, shown(ctx.pool, pool_q)});
    return d;
  }

  if (pass != Pass::Due && ctx.settle_ms > 0) {
    // Unexplained: before calling it a manual change, give the member's
    // orders the chance to explain it (a dropped order webhook looks exactly
    // like a manual decrease).
    // The same reading seen again (a later poll reads it too: same level,
    // same version) keeps the time it was first seen, so it is judged after
    // a poll that started later than that, not re-deferred by every poll. A
    // newer version may hold a newer sale: its own time counts.
    d.clear_deferred = false;
    // A reading made in the same second as our last write there may have
    // been made before it (a webhook built just before the write and
    // received after its answer): it is read again rather than judged. (Not
    // one the target gave when it refused a write of ours: that was read
    // after every earlier write of ours there was acknowledged.)
    const bool write_second = pass != Pass::Refused && obs.at > 0 && prev->written_remote_at > 0 &&
                              obs.at / 1000 == prev->written_remote_at / 1000;
    // Until it is judged, no write of ours replaces what the member shows.
    d.defer = store::DeferredLevel{member, ctx.sku, obs.quantity, obs.version,
                                   again ? st.deferred->observed_at : ctx.now,
                                   st.deferred ? st.deferred->due_at : ctx.now + ctx.settle_ms, true, obs.read_at,
                                   obs.at, pass != Pass::Refused && ((again && st.deferred->stale) || write_second)};
    // A poll is asked for once it has waited the settle time (a sale that
    // matched it for a moment made it due early: it waits out the rest).
    d.want_poll = pass == Pass::Recheck && ctx.now - d.defer->observed_at >= ctx.settle_ms;
    if (pass == Pass::Recheck && !d.want_poll) d.defer->due_at = d.defer->observed_at + ctx.settle_ms;
    if (alt_to_prove) {
      // Most likely the second level is what it shows; the member's orders,
      // read now rather than after the settle time, make that proof (its
      // writes wait meanwhile).
      d.want_poll = true;
      d.defer->due_at = pass == Pass::Recheck ? ctx.now + std::max(ctx.settle_ms / 4, 1) : ctx.now;
      return d;
    }
    // Looked at again a quarter of the settle time later: soon after the
    // poll, and a member whose polls fail is not asked (and logged) again
    // at every tick.
    if (d.want_poll) {
      d.defer->due_at = ctx.now + std::max(ctx.settle_ms / 4, 1);
      d.log.push_back(entry(ctx, member, "observe", expected, obs.quantity, "unexplained level in " + member, "waiting",
                            "still unexplained " + std::to_string(ctx.settle_ms) + " ms after it was seen (version " +
                                obs.version + "); reading " + member + "'s orders before calling it a manual change"));
    }
    return d;
  }

  if (pass == Pass::Due && st.deferred && st.deferred->stale && prev->rereads < kMaxRereads) {
    // Sales or restores counted while it waited may be newer than this
    // reading: judged against a level that includes them, it would look like
    // a manual change. Read the member again, with a write of the pool's
    // level that compares first: it finds `expected`, or shows what the
    // member holds now, judged afresh (Pass::Refused).
    b.rereads = prev->rereads + 1;
    d.writes.push_back({member, shown(ctx.pool, pool_q)});
    d.log.push_back(entry(ctx, member, "observe", expected, obs.quantity, "unexplained level in " + member, "re-read",
                          "sales or restores counted since may be newer than this reading (version " + obs.version +
                              "); reading " + member + " again before calling it a manual change"));
    return d;
  }

  std::string cause = "manual change in " + member + " (" + prev->expected.to_string() + " -> " +
                      obs.quantity.to_string() + ")";
  d.cause = cause;
  set_alt(b, std::nullopt);
  b.rereads = 0;
  if (!ctx.pool.master) {
    Quantity new_q = pool_q + diff;
    b.expected = obs.quantity;
    set_level(d, ctx, st, new_q, member);
    d.log.push_back(entry(ctx, member, "manual", pool_q, new_q, cause, "applied"));
    write_members(d, ctx, st, new_q);
    return d;
  }
  b.expected = obs.quantity;
  if (ctx.pool.on_member_change == config::MemberChange::Keep) {
    d.log.push_back(entry(ctx, member, "manual", prev->expected, obs.quantity, cause, "kept",
                          "kept until the master's level next changes"));
    return d;
  }
  d.log.push_back(entry(ctx, member, "manual", obs.quantity, shown(ctx.pool, pool_q), cause, "overwritten",
                        "the master's level wins"));
  d.writes.push_back({member, shown(ctx.pool, pool_q)});
  return d;
}

Decision on_delta(const LedgerContext& ctx, const SkuState& st, const std::string& member, const sr::StockDelta& dl) {
  std::string cause = std::string(sr::to_string(dl.cause)) + (dl.reference.empty() ? "" : " " + dl.reference) +
                      " in " + member;
  if (dl.cause == sr::DeltaCause::Sale) return on_sale(ctx, st, member, -dl.delta, cause, dl.reference, dl.at);

  Decision d;
  auto& b = baseline_for(d, st, ctx, member);
  b.expected += dl.delta;
  if (b.expected_alt) *b.expected_alt += dl.delta;
  if (!st.level) {
    auto e = entry(ctx, member, "delta", std::nullopt, std::nullopt, cause, "skipped",
                   "the pool has no level for this SKU yet; waiting for a level");
    e.level = "warn";
    d.log.push_back(std::move(e));
    return d;
  }
  Quantity pool_q = st.level->quantity;
  if (ctx.pool.master && !is_master(ctx.pool, member)) {
    if (ctx.pool.on_member_change == config::MemberChange::Keep) {
      d.log.push_back(entry(ctx, member, "delta", pool_q, pool_q, cause, "kept"));
    } else {
      d.log.push_back(entry(ctx, member, "delta", b.expected, shown(ctx.pool, pool_q), cause, "overwritten"));
      d.writes.push_back({member, shown(ctx.pool, pool_q)});
    }
    return d;
  }
  Quantity new_q = pool_q + dl.delta;
  set_level(d, ctx, st, new_q, member);
  d.log.push_back(entry(ctx, member, "delta", pool_q, new_q, cause, "applied"));
  write_members(d, ctx, st, new_q);
  return d;
}

Decision on_unseen_give_back(const LedgerContext& ctx, const SkuState& st, const std::string& member, Quantity back,
                             store::Millis placed_at, store::Millis changed_at) {
  Decision d;
  auto known = st.baselines.find(member);
  if (known == st.baselines.end() || back <= Quantity()) return d;
  mark_stale(d, st, member, changed_at);
  if (known->second.expected_alt) return d;
  const auto& w = known->second;
  if (w.written_at == 0 || w.written_compared || w.written_at + 1000 < placed_at) return d;
  auto& b = baseline_for(d, st, ctx, member);
  set_alt(b, b.expected + back);
  return d;
}

Decision on_join(const LedgerContext& ctx, const SkuState& st, const std::string& member) {
  Decision d;
  auto known = st.baselines.find(member);
  if (known == st.baselines.end()) return d;
  const Quantity have = known->second.expected;
  d.cause = "join of " + member;
  if (!st.level) {
    if (ctx.pool.master && !is_master(ctx.pool, member)) return d;  // the master decides the pool's level
    set_level(d, ctx, st, have, member);
    d.log.push_back(entry(ctx, member, "appear", std::nullopt, have, "first seen in " + member + " (join)", "ok"));
    write_members(d, ctx, st, have);
    return d;
  }
  Quantity target = shown(ctx.pool, st.level->quantity);
  if (have != target) {
    d.log.push_back(entry(ctx, member, "join", have, target, d.cause, "ok"));
    d.writes.push_back({member, target});
  }
  return d;
}

Decision on_written(const LedgerContext& ctx, const SkuState& st, const std::string& member, Quantity written,
                    const std::optional<Quantity>& observed, const std::string& version, Quantity counted_since,
                    bool compared, store::Millis remote_at) {
  Decision d;
  auto& b = baseline_for(d, st, ctx, member);
  b.expected = compared ? written + counted_since : written;
  set_alt(b, std::nullopt);
  if (!compared && counted_since != Quantity()) {
    // The target's answer, made just after the write, shows what it holds:
    // with the sales moved by them they landed after the write (they had
    // all landed before the hub counted them).
    if (observed && *observed == written + counted_since) b.expected = *observed;
    else set_alt(b, written + counted_since);
  }
  b.last_written = written;
  b.written_at = ctx.now;
  b.written_version = version;
  b.written_compared = compared;
  b.written_remote_at = remote_at;
  if (observed) {
    b.last_observed = *observed;
    b.observed_at = ctx.now;
  }
  if (!version.empty() && version > b.observed_version) b.observed_version = version;
  // A level that waited only because this write was on its way (it holds
  // nothing) is superseded by the answer, which is read after the write:
  // when it shows what the answer shows, is older than it, or was read
  // before it and is no newer. (Seen after the answer in the same second
  // showing something else, it is still judged.)
  if (st.deferred && st.deferred->connection == member && !st.deferred->holds && observed) {
    const auto& w = *st.deferred;
    bool older = !version.empty() && !w.version.empty() && w.version < version;
    bool read_before = w.read_at > 0 && w.read_at < ctx.now && (w.version.empty() || w.version <= version);
    if (w.observed == *observed || older || read_before) d.clear_deferred = true;
  }
  return d;
}

std::vector<LineChange> count_order(const std::string& connection, const sr::Order& order,
                                    const std::vector<store::OrderLineCount>& before) {
  std::vector<LineChange> out;
  auto previous = [&](const std::string& line_id) -> const store::OrderLineCount* {
    for (const auto& b : before)
      if (b.line_id == line_id) return &b;
    return nullptr;
  };
  for (const auto& line : order.lines) {
    if (line.sku.empty()) continue;  // fees, shipping: no stock
    Quantity counted;
    if (order.stock == sr::OrderStock::Held) {
      counted = line.quantity - line.restocked;
      if (counted < Quantity()) counted = Quantity();
    }
    const store::OrderLineCount* prev = previous(line.id);
    Quantity old_q = prev ? prev->counted : Quantity();
    if (prev && prev->sku != line.sku) {
      // The line now names another SKU: restore the old one, count the new one.
      out.push_back({store::OrderLineCount{connection, order.id, prev->line_id, prev->sku, Quantity()}, -old_q});
      old_q = Quantity();
    }
    if (counted == old_q) continue;
    out.push_back({store::OrderLineCount{connection, order.id, line.id, line.sku, counted}, counted - old_q});
  }
  for (const auto& b : before) {
    // A line still counts only while it names a SKU.
    bool still = std::any_of(order.lines.begin(), order.lines.end(),
                             [&](const auto& l) { return l.id == b.line_id && !l.sku.empty(); });
    if (!still && b.counted != Quantity()) {
      out.push_back({store::OrderLineCount{connection, order.id, b.line_id, b.sku, Quantity()}, -b.counted});
    }
  }
  return out;
}

bool older_copy(const sr::OrderEvent& copy, const std::vector<store::OrderLineCount>& before) {
  if (copy.at <= 0) return false;
  std::int64_t at = 0, read_at = 0;
  for (const auto& b : before)
    if (b.order_at > at || (b.order_at == at && b.read_at > read_at)) {
      at = b.order_at;
      read_at = b.read_at;
    }
  if (at == 0) return false;
  if (copy.at != at) return copy.at < at;
  return copy.read_at > 0 && copy.read_at < read_at;
}

}  // namespace stockrelay::engine
