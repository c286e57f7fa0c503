// The stock ledger: what a pool's quantity of one SKU is, what every member
// should show, and what must be written where. Pure functions over plain
// data: no store, no sockets, no clock (time comes in as an argument).
//
// Semantics (docs/ARCHITECTURE.md, "Stock semantics"):
//  - Shared pool (no master): the ledger's quantity is the truth. Sales are
//    counted from orders, once per order line; a member's level that the hub
//    cannot explain is a manual change and applies its difference.
//  - Master pool: the master's level is the truth and is mirrored to every
//    other member. A member's own manual change is overwritten (default) or
//    kept until the master next changes.
//  - Every member shows pool quantity minus the pool's buffer (floored at 0).
//  - `expected` per member is the level the hub can explain: what it last
//    wrote there, moved by the sales that member took itself. An observed
//    level equal to `expected` is an echo or explained; nothing happens.
//  - An observation older (by remote version) than the newest accepted one,
//    or arriving while a write to that member is pending, is not judged:
//    stale observations are dropped, busy ones wait.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "store/store.hpp"
#include "stockrelay/payload.hpp"

namespace stockrelay::engine {

// Everything the ledger needs to know about one SKU in one pool.
struct SkuState {
  std::optional<store::PoolLevel> level;
  std::map<std::string, store::Baseline> baselines;   // by member connection
  // Members with a write pending or in flight; for the member whose level
  // holds our writes (deferred->holds), only one in flight counts.
  std::set<std::string> busy;
  std::optional<store::DeferredLevel> deferred;       // for the member being judged, if any
};

struct Write {
  std::string member;
  sr::Quantity quantity;
};

// What the ledger decided. The engine stores it in one transaction.
struct Decision {
  std::optional<store::PoolLevel> level;        // new pool level, if it changed or appeared
  std::vector<store::Baseline> baselines;       // changed baselines
  std::vector<Write> writes;                    // absolute levels to write
  std::optional<store::DeferredLevel> defer;    // judge this observation later
  bool clear_deferred = false;                  // the member's deferred observation is settled (its writes may go)
  bool want_poll = false;                       // poll the member's orders: look for the cause
  bool judge_now = false;                       // `defer` was made due now: judge it after this step
  std::vector<store::LogEntry> log;
  // Why the writes are made, as the target's log shows it ("manual change in
  // shop-b (5 -> 7)", "join of shop-c"); empty: the event's own cause.
  std::string cause;
};

struct LedgerContext {
  const config::PoolConfig& pool;
  std::string sku;
  store::Millis now = 0;
  int settle_ms = 0;
};

// What a member should show for a pool quantity: quantity - buffer, >= 0.
sr::Quantity shown(const config::PoolConfig& pool, sr::Quantity pool_quantity);

// A member sold (`sold` > 0) or restored (`sold` < 0) stock through an order
// line. The member's shop has already changed its own level by the same
// amount, unless a write of ours replaced it: `sale_at` (the order's
// modification time on the member's clock, 0: not known) earlier than the
// second of our last acknowledged write there (Baseline::written_remote_at),
// made without an atomic compare, means the sale landed before that write,
// which erased it there: the member shows the write, not moved by the sale.
// In the same second it may be either: `expected_alt` keeps the other level
// until a reading tells. A level of the member waiting for its cause that
// the sale brings `expected` to is made due now (judged after the events
// that came with this one), not settled on the spot. `cause` is for the log
// ("order 123 in shop-a"). `against`: the member's own account of where
// the change landed against our last write there (sr::OrderLine::
// against_write); when it names that write, it decides instead of the times.
Decision on_sale(const LedgerContext&, const SkuState&, const std::string& member, sr::Quantity sold,
                 const std::string& cause, const std::string& order_id, store::Millis sale_at = 0,
                 const std::optional<sr::AgainstWrite>& against = std::nullopt);

// How an observed level is looked at.
//   Fresh    it has just arrived: explained or not, or waits `settle_ms`
//            for its cause (an order not read yet) without asking for a poll
//            (the order's own webhook usually comes within milliseconds);
//   Recheck  a waiting level whose settle time passed, while the member's
//            orders were not read since it was seen: still unexplained, it
//            keeps waiting and asks for a poll of the member (want_poll);
//   Due      a waiting level whose settle time passed and whose member was
//            polled since: explained, or a manual change. Unless a sale or
//            restore counted there while it waited was made in the same
//            second as the reading or later (DeferredLevel::stale): the
//            reading may predate it, so the member is read again (a write
//            of the pool's level that compares first) instead, at most
//            kMaxRereads times in a row;
//   Refused  what the member showed when it refused a write of ours
//            (outcome conflict of compare-before-write): read just now, after
//            every earlier write of ours there was acknowledged. Otherwise
//            like Fresh.
enum class Pass { Fresh, Recheck, Due, Refused };
inline constexpr int kMaxRereads = 3;
// Recheck and Due look again at a level that waits (a deferred level).
inline bool looks_again(Pass p) { return p == Pass::Recheck || p == Pass::Due; }

// A member reported an absolute level.
Decision on_level(const LedgerContext&, const SkuState&, const std::string& member, const sr::StockLevel& obs,
                  Pass pass);

// A member reported a relative change with its cause (receipt, count, ...).
Decision on_delta(const LedgerContext&, const SkuState&, const std::string& member, const sr::StockDelta& delta);

// The last step of a pool join for one SKU that `member` had a level for
// before (as a non-member, or before it left): in the pool already, the
// member takes the pool's level; new to the pool, the member's level becomes
// the pool's (first appearance wins) and reaches the members that have it.
Decision on_join(const LedgerContext&, const SkuState&, const std::string& member);

// A write of ours to `member` was acknowledged: it now shows `written`
// (or `observed`, if the remote said what it shows now). `counted_since`:
// the sales (< 0) and restores (> 0) counted in that member while the
// write was on its way. `compared`: the target compared and wrote in one
// step, so they happened after it and the member shows `written` moved by
// them. Otherwise each may have landed between the target's compare and
// its write (replaced by it: the member shows `written`) or after it:
// `expected` is `written`, and `expected_alt` the level moved by them, until
// a reading tells which (on_level: one that shows `expected_alt` tells only
// once the member's orders were read since, Pass::Due). A level of the member that waited only
// because this write was on its way is superseded by the answer when it
// shows the same, or is older (clear_deferred).
// `remote_at`: when the answer's state was made on the member's clock
// (CommandResult::at; 0: not known), kept for on_sale.
Decision on_written(const LedgerContext&, const SkuState&, const std::string& member, sr::Quantity written,
                    const std::optional<sr::Quantity>& observed, const std::string& version,
                    sr::Quantity counted_since = {}, bool compared = true, store::Millis remote_at = 0);

// An order seen for the first time after it gave `back` back to stock in
// `member` (cancelled, or refunded with restock). If it took that stock
// before, the shop's level moved by both, or, when a write of ours replaced
// the taking, by the give-back alone: the member may show `expected + back`
// (Baseline::expected_alt) until a reading tells which. Only if a write of
// ours there was acknowledged after the order was placed (`placed_at`, ms;
// one second of slack for sources that keep whole seconds), and the target
// did not compare and write it in one step: otherwise nothing could have
// replaced the taking.
// `changed_at`: the order's modification time on the member's clock (0:
// not known); a level of the member waiting for its cause may predate the
// give-back (DeferredLevel::stale).
Decision on_unseen_give_back(const LedgerContext&, const SkuState&, const std::string& member, sr::Quantity back,
                             store::Millis placed_at, store::Millis changed_at = 0);

// ---- order lines --------------------------------------------------------------

// How much of each line of an order counts as sold now, given what was
// counted before. Lines that disappeared from the order count 0.
struct LineChange {
  store::OrderLineCount now;   // the new count to store
  sr::Quantity sold;           // now.counted - before (negative: restored)
};
std::vector<LineChange> count_order(const std::string& connection, const sr::Order& order,
                                    const std::vector<store::OrderLineCount>& before);

// Whether `copy` is older than the copy of the order its stored line counts
// come from: modified earlier, or modified in the same (coarse) moment but
// read before that one was. Such a copy is not counted: a poll's page read
// before a cancel and handed over after the cancel's webhook would count the
// sale again. Copies or counts without times (0) are never older.
bool older_copy(const sr::OrderEvent& copy, const std::vector<store::OrderLineCount>& before);

}  // namespace stockrelay::engine
