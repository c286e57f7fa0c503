#include "engine/membership.hpp"

#include <algorithm>

namespace stockrelay::engine {

void apply_membership(std::vector<config::PoolConfig>& pools, const std::vector<store::PoolMember>& rows) {
  for (const auto& row : rows) {
    auto pool = std::find_if(pools.begin(), pools.end(), [&](const auto& p) { return p.name == row.pool; });
    if (pool == pools.end()) continue;
    auto& members = pool->members;
    auto it = std::find(members.begin(), members.end(), row.connection);
    if (row.state == store::MemberState::Left) {
      if (it != members.end()) members.erase(it);
    } else if (it == members.end()) {
      members.push_back(row.connection);
    }
  }
}

void record_leave(store::Transaction& tx, const std::string& pool, const std::string& connection, store::Millis now) {
  tx.put_pool_member(store::PoolMember{pool, connection, store::MemberState::Left, now, "left by an operator"});
  std::size_t cancelled = tx.outbox_cancel(connection, "set_stock:", "not sent: " + connection + " left pool " + pool);
  store::LogEntry e;
  e.at = now;
  e.connection = connection;
  e.kind = "membership";
  e.cause = "leave of " + connection;
  e.result = "ok";
  e.message = "left pool " + pool + "; " + std::to_string(cancelled) +
              " pending stock writes to it cancelled; the other members are untouched";
  tx.append_log(e);
}

const config::PoolConfig* find_pool(const std::vector<config::PoolConfig>& pools, const std::string& pool) {
  auto it = std::find_if(pools.begin(), pools.end(), [&](const auto& p) { return p.name == pool; });
  return it == pools.end() ? nullptr : &*it;
}

}  // namespace stockrelay::engine
