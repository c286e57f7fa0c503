// Wall and monotonic clocks behind one interface, so tests can fake time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace stockrelay {

using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now_ms() const = 0;        // Unix time, milliseconds
  virtual Millis monotonic_ms() const = 0;  // never goes backwards
};

class SystemClock final : public Clock {
 public:
  Millis now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  Millis monotonic_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
  static SystemClock& instance() {
    static SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Millis start = 1'700'000'000'000) : now_(start), mono_(0) {}
  Millis now_ms() const override { return now_.load(); }
  Millis monotonic_ms() const override { return mono_.load(); }
  void advance(Millis ms) { now_ += ms; mono_ += ms; }

 private:
  std::atomic<Millis> now_;
  std::atomic<Millis> mono_;
};

}  // namespace stockrelay
