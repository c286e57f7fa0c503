// Pool membership changed by operators (`stockrelay pool join|leave`, the
// admin API) on top of the members the config names. Pure: the hub applies
// the store's rows to its copy of the pools at start and after each change.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "store/store.hpp"

namespace stockrelay::engine {

// Joining/active rows add the connection to the pool's members (if the pool
// exists); left rows remove it. Rows for unknown pools are ignored.
void apply_membership(std::vector<config::PoolConfig>& pools, const std::vector<store::PoolMember>& rows);

// Records that `connection` left `pool`: its membership row, its pending
// stock writes cancelled, a log line. The caller commits.
void record_leave(store::Transaction& tx, const std::string& pool, const std::string& connection, store::Millis now);

// Members of `pool` in `pools`, or nullptr when there is no such pool.
const config::PoolConfig* find_pool(const std::vector<config::PoolConfig>& pools, const std::string& pool);

}  // namespace stockrelay::engine
