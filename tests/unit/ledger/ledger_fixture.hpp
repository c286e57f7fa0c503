// Small builders for ledger tests: a pool, a SKU state, levels and deltas.
#pragma once

#include <algorithm>

#include "engine/ledger.hpp"

namespace ledger_test {

using sr::Quantity;
using namespace stockrelay;

inline Quantity q(long n) { return Quantity::units(n); }

inline config::PoolConfig shared_pool(std::vector<std::string> members, long buffer = 0) {
  config::PoolConfig p;
  p.name = "main";
  p.members = std::move(members);
  p.buffer = q(buffer);
  return p;
}

inline config::PoolConfig master_pool(std::string master, std::vector<std::string> members,
                                      config::MemberChange change = config::MemberChange::Overwrite) {
  auto p = shared_pool(std::move(members));
  p.master = std::move(master);
  p.on_member_change = change;
  return p;
}

// Every member shows `level` and the hub knows it.
inline engine::SkuState settled(const config::PoolConfig& pool, long level, const std::string& sku = "A") {
  engine::SkuState st;
  st.level = store::PoolLevel{pool.name, sku, q(level), pool.members.front(), 1};
  for (const auto& m : pool.members) {
    store::Baseline b;
    b.connection = m;
    b.sku = sku;
    b.expected = engine::shown(pool, q(level));
    b.observed_version = "000000000001";
    st.baselines.emplace(m, b);
  }
  return st;
}

inline sr::StockLevel level(long n, std::string version = "000000000002", std::string sku = "A") {
  sr::StockLevel l;
  l.key = "level:" + sku + ":" + version;
  l.sku = std::move(sku);
  l.quantity = q(n);
  l.version = std::move(version);
  return l;
}

inline std::vector<std::string> targets(const engine::Decision& d) {
  std::vector<std::string> out;
  for (const auto& w : d.writes) out.push_back(w.member);
  std::sort(out.begin(), out.end());
  return out;
}

inline bool all_writes_are(const engine::Decision& d, long n) {
  return std::all_of(d.writes.begin(), d.writes.end(), [&](const auto& w) { return w.quantity == q(n); });
}

inline const store::Baseline* baseline(const engine::Decision& d, const std::string& member) {
  for (const auto& b : d.baselines)
    if (b.connection == member) return &b;
  return nullptr;
}

}  // namespace ledger_test
