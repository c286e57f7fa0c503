// A mutex that keeps count of how long it was held and waited for, so a
// lock every part of the process shares (the hub's store lock) can show in
// /metrics how close it is to saturation. BasicLockable: use it with
// std::lock_guard / std::unique_lock like std::mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace stockrelay {

class TimedMutex {
 public:
  void lock() {
    const auto asked = Clock::now();
    mu_.lock();
    since_ = Clock::now();
    waited_ns_.fetch_add(ns(since_ - asked), std::memory_order_relaxed);
  }
  void unlock() {
    held_ns_.fetch_add(ns(Clock::now() - since_), std::memory_order_relaxed);
    mu_.unlock();
  }
  bool try_lock() {
    if (!mu_.try_lock()) return false;
    since_ = Clock::now();
    return true;
  }

  // Totals since start, in seconds.
  double held_seconds() const { return static_cast<double>(held_ns_.load()) / 1e9; }
  double waited_seconds() const { return static_cast<double>(waited_ns_.load()) / 1e9; }

 private:
  using Clock = std::chrono::steady_clock;
  static std::uint64_t ns(Clock::duration d) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  }
  std::mutex mu_;
  Clock::time_point since_;  // written and read only by the holder
  std::atomic<std::uint64_t> held_ns_{0};
  std::atomic<std::uint64_t> waited_ns_{0};
};

}  // namespace stockrelay
