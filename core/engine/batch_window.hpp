// The delivery batch window: whether a target's pending commands go out now
// or wait a little for a fuller batch. Pure: plain numbers in, a decision
// out; the hub owns the clock, the timer and the store.
//
// A target's writes arrive as a stream of small groups (one per processing
// step). Sent as soon as anything is pending, a burst of 1,000 changes
// leaves as hundreds of small requests; held back always, every single
// change pays the wait. So the hub waits only while the target's stream is
// dense: enough commands arrived within the last window to fill a good part
// of a batch. Sparse traffic is sent at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

namespace stockrelay::engine {

using WindowMillis = std::int64_t;

// Commands queued for one target, counted over a sliding span of time.
class ArrivalMeter {
 public:
  explicit ArrivalMeter(WindowMillis span_ms = 100) : span_(span_ms > 0 ? span_ms : 1) {}

  // `n` commands were queued at `at` (times must not go backwards much;
  // a group stamped earlier than the newest one is counted as the newest).
  void add(WindowMillis at, std::size_t n) {
    if (n == 0) return;
    if (!groups_.empty() && at < groups_.back().first) at = groups_.back().first;
    if (!groups_.empty() && groups_.back().first == at) groups_.back().second += n;
    else groups_.emplace_back(at, n);
    total_ += n;
    prune(at);
  }

  // Commands queued in (now - span, now].
  std::size_t recent(WindowMillis now) {
    prune(now);
    return total_;
  }

  // When the newest group was queued; nullopt if none within the span.
  std::optional<WindowMillis> last(WindowMillis now) {
    prune(now);
    if (groups_.empty()) return std::nullopt;
    return groups_.back().first;
  }

  WindowMillis span() const { return span_; }

 private:
  void prune(WindowMillis now) {
    while (!groups_.empty() && groups_.front().first <= now - span_) {
      total_ -= groups_.front().second;
      groups_.pop_front();
    }
  }

  WindowMillis span_;
  std::deque<std::pair<WindowMillis, std::size_t>> groups_;  // (queued at, how many)
  std::size_t total_ = 0;
};

struct BatchWindowInput {
  WindowMillis now = 0;
  std::size_t due = 0;         // commands ready to go, counted up to batch_size
  std::size_t batch_size = 1;  // the most one request carries
  int max_wait_ms = 0;         // engine.batch_window_ms; 0: never wait
  std::size_t recent = 0;      // commands queued within the last max_wait_ms (ArrivalMeter::recent)
  std::optional<WindowMillis> last_arrival;   // when the newest of them was queued
  std::optional<WindowMillis> waiting_since;  // when the hub first held these back (the window opened)
};

struct BatchWindowDecision {
  bool send = true;       // send now (whatever is due, up to batch_size)
  WindowMillis until = 0; // !send: look again at this time, at the latest
};

// How many commands arriving within one window make a stream dense: a
// quarter of a batch (at least 2). Below that a window gains too little to
// be worth the latency.
inline std::size_t dense_threshold(std::size_t batch_size) {
  return batch_size / 4 > 2 ? batch_size / 4 : 2;
}

// Arrivals that pause this long end a burst: what is due goes at once.
inline WindowMillis quiet_gap_ms(int max_wait_ms) { return max_wait_ms / 4 > 1 ? max_wait_ms / 4 : 1; }

// Send now, or wait until `until`:
//   - nothing due, a full batch, no window configured, or a batch of one: send;
//   - the window opened max_wait_ms ago: send (a command never waits longer);
//   - no window open yet and the stream sparse: send at once;
//   - arrivals paused for quiet_gap_ms (the burst is over): send;
//   - otherwise wait until the earlier of the window's end and the end of
//     the quiet gap after the newest arrival (looked at again sooner if more
//     commands come: a full batch goes at once).
inline BatchWindowDecision decide_batch(const BatchWindowInput& in) {
  BatchWindowDecision send_now{true, in.now};
  if (in.due == 0 || in.max_wait_ms <= 0 || in.batch_size <= 1 || in.due >= in.batch_size) return send_now;
  const WindowMillis opened = in.waiting_since.value_or(in.now);
  const WindowMillis deadline = opened + in.max_wait_ms;
  if (in.now >= deadline) return send_now;
  if (!in.waiting_since && in.recent < dense_threshold(in.batch_size)) return send_now;
  const WindowMillis last = in.last_arrival.value_or(opened);
  const WindowMillis quiet_end = last + quiet_gap_ms(in.max_wait_ms);
  if (in.now >= quiet_end) return send_now;
  return BatchWindowDecision{false, quiet_end < deadline ? quiet_end : deadline};
}

}  // namespace stockrelay::engine
