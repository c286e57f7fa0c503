// Mapping between the store's rows and its structs, shared by the read side
// (sqlite_store.cpp) and the Transaction (sqlite_transaction.cpp). Each
// k*Columns list is the SELECT list its reader expects, in that order.
#pragma once

#include <optional>
#include <string_view>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace stockrelay::store::rows {

// The outbox items of target ?1 that are due at ?2: pending, their time has
// come, and not a write held by a level of that SKU waiting for its cause.
inline constexpr const char* kOutboxDueWhere =
    "target = ?1 AND state = 'pending' AND next_attempt_at <= ?2 "
    "AND NOT (coalesce_key LIKE 'set_stock:%' AND EXISTS (SELECT 1 FROM deferred_levels d "
    "WHERE d.connection = outbox.target AND d.sku = substr(outbox.coalesce_key, 11) AND d.holds))";

inline constexpr const char* kOutboxColumns =
    "id, target, command, coalesce_key, payload, source_ref, state, attempts, next_attempt_at, created_at, "
    "last_error, lane";
OutboxItem outbox_item(const Query& q);

inline constexpr const char* kOrderSyncColumns =
    "source, order_id, target, status, reason, attempts, remote_ref, outbox_id, updated_at, delivery_ref, cancel";
OrderSync order_sync(const Query& q);

inline constexpr const char* kLinkColumns =
    "connection, sku, remote_id, remote_variation_id, active, updated_at, state, via, via_ref, reason";
Link link(const Query& q);

inline constexpr const char* kProductColumns =
    "connection, remote_id, remote_variation_id, sku, name, managed, active, updated_at, shop_product_id, ean, status";
Product product(const Query& q);

inline constexpr const char* kBaselineColumns =
    "connection, sku, expected, last_written, last_observed, observed_version, written_at, observed_at, expected_alt, written_version, written_compared, written_remote_at, rereads, alt_seen";
Baseline baseline(const Query& q);

inline constexpr const char* kPoolMemberColumns = "pool, connection, state, since, message";
PoolMember pool_member(const Query& q);

inline constexpr const char* kLogColumns =
    "id, at, level, connection, sku, order_id, kind, old_qty, new_qty, cause, result, message";
LogEntry log_entry(const Query& q);

inline constexpr const char* kDeferredColumns = "connection, sku, observed, version, observed_at, due_at, holds, read_at, at, stale";
DeferredLevel deferred_level(const Query& q);

// Quantities are stored as INTEGER milli-units; NULL is "none".
std::optional<std::int64_t> milli(const std::optional<sr::Quantity>& q);
std::optional<sr::Quantity> quantity(const std::optional<std::int64_t>& milli);

// A LIMIT parameter: SQLite takes a signed 64-bit value.
std::int64_t limit(std::size_t n);

// For updated_at columns, which only tell an operator when a row last
// changed: the engine's (fakeable) clock is not passed to every method.
Millis wall_clock_ms();

}  // namespace stockrelay::store::rows
