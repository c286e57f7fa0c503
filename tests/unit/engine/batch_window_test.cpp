// The delivery batch window: send now or wait for a fuller batch.
#include <catch2/catch.hpp>

#include "engine/batch_window.hpp"

using stockrelay::engine::ArrivalMeter;
using stockrelay::engine::BatchWindowInput;
using stockrelay::engine::decide_batch;
using stockrelay::engine::dense_threshold;
using stockrelay::engine::quiet_gap_ms;

namespace {

BatchWindowInput input(std::size_t due, std::size_t recent) {
  BatchWindowInput in;
  in.now = 1000;
  in.due = due;
  in.batch_size = 100;
  in.max_wait_ms = 100;
  in.recent = recent;
  in.last_arrival = 1000;
  return in;
}

}  // namespace

TEST_CASE("a sparse stream is sent at once") {
  auto d = decide_batch(input(1, 1));
  CHECK(d.send);
  d = decide_batch(input(3, dense_threshold(100) - 1));
  CHECK(d.send);
}

TEST_CASE("a dense stream waits for a fuller batch, at most the window") {
  auto in = input(5, 60);
  auto d = decide_batch(in);
  REQUIRE_FALSE(d.send);
  // Looked at again by the end of the quiet gap after the newest arrival.
  CHECK(d.until == 1000 + quiet_gap_ms(100));

  // More arrived; the window stays open (opened at 1000).
  in.waiting_since = 1000;
  in.now = 1020;
  in.last_arrival = 1018;
  in.due = 40;
  d = decide_batch(in);
  REQUIRE_FALSE(d.send);
  CHECK(d.until == 1018 + quiet_gap_ms(100));

  // Arrivals keep coming: never later than the window's end.
  in.now = 1090;
  in.last_arrival = 1089;
  d = decide_batch(in);
  REQUIRE_FALSE(d.send);
  CHECK(d.until == 1100);

  in.now = 1100;
  in.last_arrival = 1100;
  CHECK(decide_batch(in).send);
}

TEST_CASE("a full batch goes at once, even in a dense stream") {
  auto in = input(100, 500);
  CHECK(decide_batch(in).send);
  in.waiting_since = 990;
  CHECK(decide_batch(in).send);
}

TEST_CASE("a pause in arrivals ends the burst") {
  auto in = input(30, 60);
  in.waiting_since = 1000;
  in.last_arrival = 1005;
  in.now = 1005 + quiet_gap_ms(100);
  CHECK(decide_batch(in).send);
  in.now -= 1;
  CHECK_FALSE(decide_batch(in).send);
}

TEST_CASE("no window configured, batches of one, nothing due: send") {
  auto in = input(5, 60);
  in.max_wait_ms = 0;
  CHECK(decide_batch(in).send);
  in = input(5, 60);
  in.batch_size = 1;
  CHECK(decide_batch(in).send);
  in = input(0, 60);
  CHECK(decide_batch(in).send);
}

TEST_CASE("a decision to wait always looks again later than now") {
  for (int wait : {1, 2, 7, 50, 100}) {
    for (int gap_age = 0; gap_age < 3; ++gap_age) {
      BatchWindowInput in;
      in.now = 500;
      in.due = 10;
      in.batch_size = 100;
      in.max_wait_ms = wait;
      in.recent = 90;
      in.last_arrival = 500 - gap_age;
      auto d = decide_batch(in);
      if (!d.send) CHECK(d.until > in.now);
      in.waiting_since = 500 - wait;  // the window is over
      CHECK(decide_batch(in).send);
    }
  }
}

TEST_CASE("the arrival meter counts what was queued within its span") {
  ArrivalMeter m(100);
  CHECK(m.recent(0) == 0);
  CHECK_FALSE(m.last(0));
  m.add(10, 3);
  m.add(10, 2);
  m.add(50, 4);
  CHECK(m.recent(50) == 9);
  CHECK(*m.last(50) == 50);
  CHECK(m.recent(109) == 9);
  CHECK(m.recent(110) == 4);  // the groups at 10 are out of (10, 110]
  CHECK(m.recent(150) == 0);
  CHECK_FALSE(m.last(150));
  m.add(140, 1);  // stamped before a later look: still counted
  CHECK(m.recent(150) == 1);
  m.add(0, 0);
  CHECK(m.recent(150) == 1);
}
