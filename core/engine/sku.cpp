#include "engine/sku.hpp"

#include <algorithm>

namespace stockrelay::engine {

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    // '*' first: it is a wildcard even where the text holds a literal '*'.
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool pool_covers(const config::PoolConfig& pool, std::string_view sku) {
  auto matches = [&](const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return glob_match(p, sku); });
  };
  if (!pool.skus.empty() && !matches(pool.skus)) return false;
  return !matches(pool.exclude_skus);
}

const config::PoolConfig* pool_for(const config::Config& cfg, std::string_view connection, std::string_view sku) {
  for (const auto& pool : cfg.pools) {
    if (std::find(pool.members.begin(), pool.members.end(), connection) == pool.members.end()) continue;
    if (pool_covers(pool, sku)) return &pool;
  }
  return nullptr;
}

}  // namespace stockrelay::engine
