// The outbox's pure helpers: coalescing pending commands and retry backoff.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/coalesce.hpp"

using stockrelay::engine::backoff_ms;
using stockrelay::engine::coalesce;

namespace {

struct Pending {
  std::string target;
  std::string key;    // "" : never coalesced
  std::string label;  // what the test looks at
};

std::vector<std::string> labels_after_coalescing(std::vector<Pending> items) {
  auto out = coalesce(
      std::move(items), [](const Pending& p) -> const std::string& { return p.target; },
      [](const Pending& p) -> const std::string& { return p.key; });
  std::vector<std::string> labels;
  for (const auto& p : out) labels.push_back(p.label);
  return labels;
}

}  // namespace

TEST_CASE("the newest level for a SKU and target wins") {
  auto out = labels_after_coalescing({
      {"shop", "set_stock:A-1", "A-1=5"},
      {"shop", "set_stock:A-1", "A-1=4"},
      {"shop", "set_stock:A-1", "A-1=3"},
  });
  CHECK(out == std::vector<std::string>{"A-1=3"});
}

TEST_CASE("the winning level takes the place of the first, so everything else keeps its causal order") {
  auto out = labels_after_coalescing({
      {"shop", "set_stock:A-1", "A-1=5"},
      {"shop", "", "order 1"},
      {"shop", "set_stock:B-2", "B-2=1"},
      {"shop", "set_stock:A-1", "A-1=4"},
      {"shop", "", "note 1"},
  });
  CHECK(out == std::vector<std::string>{"A-1=4", "order 1", "B-2=1", "note 1"});
}

TEST_CASE("the same SKU is kept once per target, not once overall") {
  auto out = labels_after_coalescing({
      {"shop-a", "set_stock:A-1", "a:5"},
      {"shop-b", "set_stock:A-1", "b:5"},
      {"shop-a", "set_stock:A-1", "a:4"},
  });
  CHECK(out == std::vector<std::string>{"a:4", "b:5"});
}

TEST_CASE("a price and a level for the same SKU do not replace each other") {
  auto out = labels_after_coalescing({
      {"shop", "set_stock:A-1", "level"},
      {"shop", "set_price:A-1", "price"},
  });
  CHECK(out == std::vector<std::string>{"level", "price"});
}

TEST_CASE("commands without a coalesce key are never merged") {
  auto out = labels_after_coalescing({
      {"pos", "", "order 1"},
      {"pos", "", "order 1 again"},
      {"pos", "", "note"},
  });
  CHECK(out == std::vector<std::string>{"order 1", "order 1 again", "note"});
}

TEST_CASE("coalescing works with keys computed on the fly") {
  struct Cmd {
    std::string target;
    std::string sku;
    int level;
  };
  std::vector<Cmd> in{{"shop", "A-1", 5}, {"shop", "A-1", 2}, {"shop", "B-2", 9}};
  auto out = coalesce(
      std::move(in), [](const Cmd& c) { return c.target; }, [](const Cmd& c) { return "set_stock:" + c.sku; });
  REQUIRE(out.size() == 2);
  CHECK(out[0].sku == "A-1");
  CHECK(out[0].level == 2);
  CHECK(out[1].sku == "B-2");
  CHECK(out[1].level == 9);
}

TEST_CASE("the first retry waits between half and all of the base delay") {
  CHECK(backoff_ms(1, 500, 300000, 0.0) == 250);
  CHECK(backoff_ms(1, 500, 300000, 0.5) == 375);
  CHECK(backoff_ms(1, 500, 300000, 0.999999) == 499);
  // Attempt numbers below 1 are treated as the first retry.
  CHECK(backoff_ms(0, 500, 300000, 0.0) == 250);
  CHECK(backoff_ms(-3, 500, 300000, 0.0) == 250);
}

TEST_CASE("backoff doubles up to the cap and stays within jitter bounds") {
  const std::int64_t base = 500, cap = 300000;
  std::int64_t expected_ceiling = base;
  for (int attempt = 1; attempt <= 40; ++attempt) {
    INFO("attempt " << attempt);
    std::int64_t ceiling = std::min(expected_ceiling, cap);
    CHECK(backoff_ms(attempt, base, cap, 0.0) == ceiling / 2);
    for (double r : {0.1, 0.37, 0.5, 0.9, 0.9999}) {
      auto wait = backoff_ms(attempt, base, cap, r);
      CHECK(wait >= ceiling / 2);
      CHECK(wait < ceiling);
    }
    if (expected_ceiling < cap) expected_ceiling *= 2;
  }
  CHECK(backoff_ms(2, base, cap, 0.0) == 500);
  CHECK(backoff_ms(3, base, cap, 0.0) == 1000);
  CHECK(backoff_ms(10, base, cap, 0.0) == 128000);  // 500 * 2^9 = 256000
  CHECK(backoff_ms(11, base, cap, 0.0) == 150000);  // 512000 capped to 300000
  CHECK(backoff_ms(1000000, base, cap, 0.0) == 150000);
}

TEST_CASE("backoff clamps a random value outside 0 to 1 to the bounds") {
  CHECK(backoff_ms(3, 500, 300000, -2.0) == 1000);
  CHECK(backoff_ms(3, 500, 300000, 7.0) == 2000);
}

TEST_CASE("a cap below the base delay still caps the wait") {
  CHECK(backoff_ms(1, 1000, 300, 0.0) == 150);
  CHECK(backoff_ms(5, 1000, 300, 0.999) <= 300);
}
