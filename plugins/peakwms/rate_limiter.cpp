#include "rate_limiter.hpp"

#include <algorithm>
#include <chrono>

namespace peakwms {

SendLog::SendLog(int limit, std::int64_t window_ms)
    : limit_(std::max(1, limit)), span_(window_ms + std::max<std::int64_t>(window_ms / 100, 50)) {}

std::int64_t SendLog::wait_ms(std::int64_t now) const {
  std::int64_t until = held_until_;
  // Slots left beside the requests in flight; each needs an answer at
  // least a span old.
  const int free = limit_ - in_flight_;
  if (free <= 0) return std::max<std::int64_t>(span_, until - now);
  if (static_cast<int>(answered_.size()) >= free) until = std::max(until, answered_[answered_.size() - free] + span_);
  return std::max<std::int64_t>(0, until - now);
}

void SendLog::sent() { ++in_flight_; }

void SendLog::answered(std::int64_t now) {
  in_flight_ = std::max(0, in_flight_ - 1);
  answered_.push_back(std::max(now, answered_.empty() ? now : answered_.back()));
  while (static_cast<int>(answered_.size()) > limit_) answered_.pop_front();
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
      log_.sent();
      return true;
    }
    // Woken early by stop() or an answer; the clock is read again (another
    // thread may have taken the slot meanwhile).
    cv_.wait_for(lock, std::chrono::milliseconds(wait));
    waited_ += std::max<std::int64_t>(0, clock_() - now);
  }
}

std::int64_t RateLimiter::ready_in_ms() const {
  std::lock_guard lock(mu_);
  return log_.wait_ms(clock_());
}

void RateLimiter::answered() {
  {
    std::lock_guard lock(mu_);
    log_.answered(clock_());
  }
  cv_.notify_all();
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
