// Coalescing and backoff: pure helpers of the outbox.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace stockrelay::engine {

// Keeps, for every (target, key) with a non-empty key, only the newest item
// (the last in `items`), at the position of the oldest, so a batch still
// follows causal order for everything else. Items with an empty key are
// never merged. `Target` and `Key` extract the fields.
template <class T, class TargetFn, class KeyFn>
std::vector<T> coalesce(std::vector<T> items, TargetFn target, KeyFn key) {
  std::unordered_map<std::string, std::size_t> slot;  // target\0key -> index in out
  std::vector<T> out;
  out.reserve(items.size());
  for (auto& item : items) {
    const std::string& k = key(item);
    if (k.empty()) {
      out.push_back(std::move(item));
      continue;
    }
    std::string id = target(item) + '\0' + k;
    auto it = slot.find(id);
    if (it == slot.end()) {
      slot.emplace(std::move(id), out.size());
      out.push_back(std::move(item));
    } else {
      out[it->second] = std::move(item);  // the newest level wins
    }
  }
  return out;
}

// Exponential backoff with jitter: the n-th retry (n >= 1) waits between half
// and all of min(max, base * 2^(n-1)). `rand01` in [0, 1) comes from the
// caller, so this stays pure and testable.
inline std::int64_t backoff_ms(int attempt, std::int64_t base_ms, std::int64_t max_ms, double rand01) {
  std::int64_t ceiling = base_ms;
  for (int i = 1; i < attempt && ceiling < max_ms; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max_ms);
  auto half = ceiling / 2;
  return half + static_cast<std::int64_t>(static_cast<double>(ceiling - half) * std::clamp(rand01, 0.0, 1.0));
}

}  // namespace stockrelay::engine
