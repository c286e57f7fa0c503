// Pacing the requests made with one API key to PeakWMS's per-key limit
// (240 a minute): never more than `limit` requests in ANY window of
// `window_ms`. PeakWMS (and the simulator) count in a fixed window opened by
// the key's first request; a sliding log of our own send times, spaced by
// the window plus a small margin, can never put limit + 1 requests into one
// of those windows, wherever it starts, as long as network delays vary by
// less than the margin. Plain C++, no SDK: tests use it directly.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace peakwms {

// The pure part: when may the next request go, given when the last ones
// went. Times are ms on one monotonic clock.
class SendLog {
 public:
  SendLog(int limit, std::int64_t window_ms);

  // How long after `now` the next request may go (0: at once).
  std::int64_t wait_ms(std::int64_t now) const;
  // A request went at `now`.
  void sent(std::int64_t now);
  // PeakWMS answered 429 with Retry-After: nothing goes before `t`.
  void hold_until(std::int64_t t);

  // The window plus the safety margin: max(1 %, 50 ms).
  std::int64_t span_ms() const { return span_; }
  int limit() const { return limit_; }

 private:
  int limit_;
  std::int64_t span_;
  std::int64_t held_until_ = 0;
  std::deque<std::int64_t> sent_;  // the last `limit` send times, oldest first
};

// The waiting part: one per API key, shared by every call that uses the key
// (poll, deliver, webhook; any thread). acquire() blocks until a request may
// go and counts it; stop() ends every wait at once.
class RateLimiter {
 public:
  using Clock = std::function<std::int64_t()>;  // monotonic ms

  RateLimiter(int limit, std::int64_t window_ms, Clock clock = steady_ms);

  // Blocks until one more request may go and records it as sent. Returns
  // false, without recording, when stop() was called.
  bool acquire();
  // A 429 told us to wait `ms` (Retry-After) before the next request.
  void hold_for(std::int64_t ms);
  void stop();

  // How long acquire() calls have waited in all (for the log).
  std::int64_t waited_ms() const;

  static std::int64_t steady_ms();

 private:
  Clock clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  SendLog log_;
  bool stopped_ = false;
  std::int64_t waited_ = 0;
};

}  // namespace peakwms
