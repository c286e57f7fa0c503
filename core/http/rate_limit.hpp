// A per-connection request rate limit: a token bucket that refills smoothly
// at `rate` tokens per second and holds at most one second's worth, so an
// idle connection may burst that much and is then paced evenly.
//
// It hands out reservations rather than blocking: reserve() takes a token
// (possibly one that only exists in the future) and says how long the caller
// must wait before using it. Waiting is the caller's business, so it can be
// interrupted, and the arithmetic is testable with a fake clock.
#pragma once

#include <mutex>

#include "common/clock.hpp"

namespace stockrelay::http {

class TokenBucket {
 public:
  // rate <= 0 means unlimited: reserve() always returns 0.
  explicit TokenBucket(double rate_per_second);

  // Takes one token at monotonic time `now_ms`; returns the milliseconds to
  // wait before sending (0 when a token was available). Thread-safe.
  Millis reserve(Millis now_ms);

 private:
  const double rate_;   // tokens per millisecond
  const double burst_;  // bucket size in tokens (>= 1)
  std::mutex mu_;
  double tokens_;       // may go negative: tokens promised to waiting callers
  Millis last_ms_ = -1;  // -1: never used, the bucket starts full
};

}  // namespace stockrelay::http
