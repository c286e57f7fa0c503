#include "rate_limiter.hpp"

#include <algorithm>
#include <chrono>

namespace peakwms {

SendLog::SendLog(int limit, std::int64_t window_ms)
    : limit_(std::max(1, limit)), span_(window_ms + std::max<std::int64_t>(window_ms / 100, 50)) {}

std::int64_t SendLog::wait_ms(std::int64_t now) const {
  std::int64_t until = held_until_;
  // With `limit` sends logged, the next one must come a whole span after
  // the oldest of them: then no window holds more than `limit`.
  if (static_cast<int>(sent_.size()) >= limit_) until = std::max(until, sent_.front() + span_);
  return std::max<std::int64_t>(0, until - now);
}

void SendLog::sent(std::int64_t now) {
  sent_.push_back(now);
  while (static_cast<int>(sent_.size()) > limit_) sent_.pop_front();
}

void SendLog::hold_until(std::int64_t t) { held_until_ = std::max(held_until_, t); }

RateLimiter::RateLimiter(int limit, std::int64_t window_ms, Clock clock)
    : clock_(std::move(clock)), log_(limit, window_ms) {}

std::int64_t RateLimiter::steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool RateLimiter::acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopped_) return false;
    const std::int64_t now = clock_();
    const std::int64_t wait = log_.wait_ms(now);
    if (wait == 0) {
      log_.sent(now);
      return true;
    }
    // Woken early by stop(); otherwise the clock is read again (another
    // thread may have taken the slot meanwhile).
    cv_.wait_for(lock, std::chrono::milliseconds(wait));
    waited_ += std::max<std::int64_t>(0, clock_() - now);
  }
}

void RateLimiter::hold_for(std::int64_t ms) {
  std::lock_guard lock(mu_);
  log_.hold_until(clock_() + ms);
}

void RateLimiter::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

std::int64_t RateLimiter::waited_ms() const {
  std::lock_guard lock(mu_);
  return waited_;
}

}  // namespace peakwms
