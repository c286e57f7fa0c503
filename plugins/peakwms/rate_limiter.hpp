// Pacing the requests made with one API key to PeakWMS's per-key limit
// (240 a minute): never more than `limit` requests in ANY window of
// `window_ms`, as the server counts them (PeakWMS, and the simulator, count
// in a fixed window opened by the key's first request).
//
// The server sees a request at some moment between our sending it and our
// getting its answer. So a request occupies a slot from when it is sent
// until one window after its answer came: a new one may go only while fewer
// than `limit` requests are in flight or were answered within the last
// window (plus a small margin for the two clocks). Then no window the server
// may open holds more than `limit` of them, however long any request spent
// on the way, and a sequential sender still runs at the limit's pace (one
// window plus one answer's time per `limit` requests). Plain C++, no SDK:
// tests use it directly.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace peakwms {

// The pure part: when may the next request go, given the requests in flight
// and when the last ones were answered. Times are ms on one monotonic clock.
class SendLog {
 public:
  SendLog(int limit, std::int64_t window_ms);

  // How long after `now` the next request may go (0: at once). With `limit`
  // requests in flight: one span (an answer may free a slot sooner).
  std::int64_t wait_ms(std::int64_t now) const;
  // A request went out.
  void sent();
  // A request sent before came back (answered or failed) at `now`; `now`
  // never goes back.
  void answered(std::int64_t now);
  // PeakWMS answered 429 with Retry-After: nothing goes before `t`.
  void hold_until(std::int64_t t);

  // The window plus the safety margin: max(1 %, 50 ms).
  std::int64_t span_ms() const { return span_; }

 private:
  int limit_;
  std::int64_t span_;
  std::int64_t held_until_ = 0;
  int in_flight_ = 0;
  std::deque<std::int64_t> answered_;  // the last `limit` answer times, oldest first
};

// The waiting part: one per API key, shared by every call that uses the key
// (poll, deliver, webhook; any thread). acquire() blocks until a request may
// go, answered() frees its slot's in-flight part; stop() ends every wait.
class RateLimiter {
 public:
  using Clock = std::function<std::int64_t()>;  // monotonic ms

  RateLimiter(int limit, std::int64_t window_ms, Clock clock = steady_ms);

  // Blocks until one more request may go and counts it as in flight.
  // Returns false, counting nothing, when stop() was called.
  bool acquire();
  // The request acquire() let go came back (answered or not).
  void answered();
  // A 429 told us to wait `ms` (Retry-After) before the next request.
  void hold_for(std::int64_t ms);
  void stop();

  // How long acquire() calls have waited in all (for the log).
  std::int64_t waited_ms() const;
  // How long from now until acquire() would let a request go (0: at once).
  std::int64_t ready_in_ms() const;

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
