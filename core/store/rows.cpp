#include "store/rows.hpp"

#include <chrono>
#include <cstdint>
#include <limits>

namespace stockrelay::store {

// The names stored in outbox.state and order_sync.status (the schema CHECKs them).
const char* to_string(OutboxState s) {
  switch (s) {
    case OutboxState::Pending: return "pending";
    case OutboxState::InFlight: return "in_flight";
    case OutboxState::Done: return "done";
    case OutboxState::Failed: return "failed";
  }
  return "unknown";
}

const char* to_string(MemberState s) {
  switch (s) {
    case MemberState::Joining: return "joining";
    case MemberState::Active: return "active";
    case MemberState::Left: return "left";
  }
  return "unknown";
}

std::optional<MemberState> member_state_from(std::string_view name) {
  for (auto s : {MemberState::Joining, MemberState::Active, MemberState::Left})
    if (name == to_string(s)) return s;
  return std::nullopt;
}

const char* to_string(SyncStatus s) {
  switch (s) {
    case SyncStatus::Pending: return "pending";
    case SyncStatus::Synced: return "synced";
    case SyncStatus::Failed: return "failed";
  }
  return "unknown";
}

namespace rows {

namespace {

// Enum values come back from the database; the schema's CHECK constraints
// keep them within the names above, so a miss means a damaged store.
template <class E, std::size_t N>
E parse_enum(const Query& q, int col, const E (&values)[N]) {
  const std::string name = q.text(col);
  for (E v : values) {
    if (name == to_string(v)) return v;
  }
  throw StoreError("store " + q.db().path() + ": unknown state '" + name + "' in the database");
}

constexpr OutboxState kOutboxStates[] = {OutboxState::Pending, OutboxState::InFlight, OutboxState::Done,
                                         OutboxState::Failed};
constexpr SyncStatus kSyncStatuses[] = {SyncStatus::Pending, SyncStatus::Synced, SyncStatus::Failed};
constexpr MemberState kMemberStates[] = {MemberState::Joining, MemberState::Active, MemberState::Left};

}  // namespace

Product product(const Query& q) {
  Product p;
  p.connection = q.text(0);
  p.remote_id = q.text(1);
  p.remote_variation_id = q.text(2);
  p.sku = q.text(3);
  p.name = q.text(4);
  p.managed = q.integer(5) != 0;
  p.active = q.integer(6) != 0;
  p.updated_at = q.integer(7);
  p.shop_product_id = q.text(8);
  p.ean = q.text(9);
  p.status = q.text(10);
  return p;
}

Baseline baseline(const Query& q) {
  Baseline b;
  b.connection = q.text(0);
  b.sku = q.text(1);
  b.expected = sr::Quantity::from_milli(q.integer(2));
  b.last_written = quantity(q.optional_integer(3));
  b.last_observed = quantity(q.optional_integer(4));
  b.observed_version = q.text(5);
  b.written_at = q.integer(6);
  b.observed_at = q.integer(7);
  b.expected_alt = quantity(q.optional_integer(8));
  b.written_version = q.text(9);
  b.written_compared = q.integer(10) != 0;
  b.written_remote_at = q.integer(11);
  b.rereads = static_cast<int>(q.integer(12));
  b.alt_seen = q.integer(13) != 0;
  return b;
}

PoolMember pool_member(const Query& q) {
  PoolMember m;
  m.pool = q.text(0);
  m.connection = q.text(1);
  m.state = parse_enum(q, 2, kMemberStates);
  m.since = q.integer(3);
  m.message = q.text(4);
  return m;
}

OutboxItem outbox_item(const Query& q) {
  OutboxItem o;
  o.id = q.integer(0);
  o.target = q.text(1);
  o.command = q.text(2);
  o.coalesce_key = q.text(3);
  o.payload = q.text(4);
  o.source_ref = q.text(5);
  o.state = parse_enum(q, 6, kOutboxStates);
  o.attempts = static_cast<int>(q.integer(7));
  o.next_attempt_at = q.integer(8);
  o.created_at = q.integer(9);
  o.last_error = q.text(10);
  o.lane = q.text(11);
  return o;
}

OrderSync order_sync(const Query& q) {
  OrderSync o;
  o.source = q.text(0);
  o.order_id = q.text(1);
  o.target = q.text(2);
  o.status = parse_enum(q, 3, kSyncStatuses);
  o.reason = q.text(4);
  o.attempts = static_cast<int>(q.integer(5));
  o.remote_ref = q.text(6);
  o.outbox_id = q.integer(7);
  o.updated_at = q.integer(8);
  o.delivery_ref = q.text(9);
  o.cancel = q.text(10);
  return o;
}

Link link(const Query& q) {
  Link l;
  l.connection = q.text(0);
  l.sku = q.text(1);
  l.remote_id = q.text(2);
  l.remote_variation_id = q.text(3);
  l.active = q.integer(4) != 0;
  l.updated_at = q.integer(5);
  l.state = q.text(6);
  l.via = q.text(7);
  l.via_ref = q.text(8);
  l.reason = q.text(9);
  return l;
}

LogEntry log_entry(const Query& q) {
  LogEntry e;
  e.id = q.integer(0);
  e.at = q.integer(1);
  e.level = q.text(2);
  e.connection = q.text(3);
  e.sku = q.text(4);
  e.order_id = q.text(5);
  e.kind = q.text(6);
  e.old_quantity = quantity(q.optional_integer(7));
  e.new_quantity = quantity(q.optional_integer(8));
  e.cause = q.text(9);
  e.result = q.text(10);
  e.message = q.text(11);
  return e;
}

DeferredLevel deferred_level(const Query& q) {
  DeferredLevel d;
  d.connection = q.text(0);
  d.sku = q.text(1);
  d.observed = sr::Quantity::from_milli(q.integer(2));
  d.version = q.text(3);
  d.observed_at = q.integer(4);
  d.due_at = q.integer(5);
  d.holds = q.integer(6) != 0;
  d.read_at = q.integer(7);
  d.at = q.integer(8);
  d.stale = q.integer(9) != 0;
  return d;
}

std::optional<std::int64_t> milli(const std::optional<sr::Quantity>& q) {
  if (!q) return std::nullopt;
  return q->milli();
}

std::optional<sr::Quantity> quantity(const std::optional<std::int64_t>& milli) {
  if (!milli) return std::nullopt;
  return sr::Quantity::from_milli(*milli);
}

std::int64_t limit(std::size_t n) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(n > kMax ? kMax : n);
}

Millis wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace rows
}  // namespace stockrelay::store
