#include "http/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace stockrelay::http {

TokenBucket::TokenBucket(double rate_per_second)
    : rate_(rate_per_second > 0 ? rate_per_second / 1000.0 : 0),
      burst_(std::max(1.0, rate_per_second)),
      tokens_(burst_) {}

Millis TokenBucket::reserve(Millis now_ms) {
  if (rate_ <= 0) return 0;
  std::lock_guard lock(mu_);
  if (last_ms_ >= 0 && now_ms > last_ms_) {
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_);
  }
  last_ms_ = std::max(last_ms_, now_ms);
  tokens_ -= 1;
  if (tokens_ >= 0) return 0;
  // The token we just took becomes available when the deficit has refilled.
  return static_cast<Millis>(std::ceil(-tokens_ / rate_));
}

}  // namespace stockrelay::http
