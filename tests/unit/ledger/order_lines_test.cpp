#include <catch2/catch.hpp>

#include "ledger_fixture.hpp"

using namespace ledger_test;
using namespace stockrelay::engine;

namespace {

sr::Order order(sr::OrderStock stock, std::vector<std::pair<std::string, long>> lines) {
  sr::Order o;
  o.id = "100";
  o.stock = stock;
  int n = 0;
  for (auto& [sku, qty] : lines) {
    sr::OrderLine l;
    l.id = std::to_string(++n);
    l.sku = sku;
    l.quantity = q(qty);
    o.lines.push_back(l);
  }
  return o;
}

std::vector<stockrelay::store::OrderLineCount> stored(const std::vector<LineChange>& changes) {
  std::vector<stockrelay::store::OrderLineCount> out;
  for (const auto& c : changes) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& o) { return o.line_id == c.now.line_id; });
    if (it != out.end()) *it = c.now;
    else out.push_back(c.now);
  }
  return out;
}

}  // namespace

TEST_CASE("each order line is counted once as sold when the shop holds its stock") {
  auto o = order(sr::OrderStock::Held, {{"A", 2}, {"B", 1}});
  auto c = count_order("shop-a", o, {});
  REQUIRE(c.size() == 2);
  CHECK(c[0].now.sku == "A");
  CHECK(c[0].sold == q(2));
  CHECK(c[1].sold == q(1));
}

TEST_CASE("the same order seen again counts nothing more") {
  auto o = order(sr::OrderStock::Held, {{"A", 2}});
  auto first = count_order("shop-a", o, {});
  CHECK(count_order("shop-a", o, stored(first)).empty());
}

TEST_CASE("an order that does not hold stock yet counts nothing") {
  CHECK(count_order("shop-a", order(sr::OrderStock::None, {{"A", 2}}), {}).empty());
}

TEST_CASE("a cancelled order gives back exactly what was counted, once") {
  auto held = count_order("shop-a", order(sr::OrderStock::Held, {{"A", 2}}), {});
  auto cancel = count_order("shop-a", order(sr::OrderStock::Released, {{"A", 2}}), stored(held));
  REQUIRE(cancel.size() == 1);
  CHECK(cancel[0].sold == q(-2));
  CHECK(cancel[0].now.counted == q(0));
  CHECK(count_order("shop-a", order(sr::OrderStock::Released, {{"A", 2}}), stored(cancel)).empty());
}

TEST_CASE("a refund with restock gives back only the restocked quantity") {
  auto held = count_order("shop-a", order(sr::OrderStock::Held, {{"A", 5}}), {});
  auto o = order(sr::OrderStock::Held, {{"A", 5}});
  o.lines[0].restocked = q(2);
  auto refund = count_order("shop-a", o, stored(held));
  REQUIRE(refund.size() == 1);
  CHECK(refund[0].sold == q(-2));
  CHECK(refund[0].now.counted == q(3));
}

TEST_CASE("a line removed from an order gives its stock back: lines without SKU are ignored") {
  auto held = count_order("shop-a", order(sr::OrderStock::Held, {{"A", 1}, {"B", 4}}), {});
  auto edited = order(sr::OrderStock::Held, {{"A", 1}, {"", 1}});
  auto c = count_order("shop-a", edited, stored(held));
  REQUIRE(c.size() == 1);
  CHECK(c[0].now.sku == "B");
  CHECK(c[0].sold == q(-4));
}

TEST_CASE("a line whose SKU was changed restores the old SKU and counts the new one") {
  auto held = count_order("shop-a", order(sr::OrderStock::Held, {{"A", 3}}), {});
  auto c = count_order("shop-a", order(sr::OrderStock::Held, {{"A2", 3}}), stored(held));
  REQUIRE(c.size() == 2);
  CHECK(c[0].now.sku == "A");
  CHECK(c[0].sold == q(-3));
  CHECK(c[1].now.sku == "A2");
  CHECK(c[1].sold == q(3));
}

TEST_CASE("an older copy of an order than the one counted is known as such") {
  using stockrelay::store::OrderLineCount;
  std::vector<OrderLineCount> counted{OrderLineCount{"shop-a", "100", "1", "A", q(0), 5000, 7100}};
  auto copy = [](std::int64_t at, std::int64_t read_at) {
    sr::OrderEvent e;
    e.key = "order:100";
    e.at = at;
    e.read_at = read_at;
    return e;
  };
  // Modified earlier: older, however late it was read.
  CHECK(older_copy(copy(4000, 9000), counted));
  CHECK_FALSE(older_copy(copy(6000, 1000), counted));
  // The same (one-second) modification time: the copy read earlier is older.
  CHECK(older_copy(copy(5000, 7000), counted));
  CHECK_FALSE(older_copy(copy(5000, 7100), counted));  // the same copy again
  CHECK_FALSE(older_copy(copy(5000, 7200), counted));
  // Without times nothing can be told: counted as before.
  CHECK_FALSE(older_copy(copy(5000, 0), counted));
  CHECK_FALSE(older_copy(copy(0, 0), counted));
  CHECK_FALSE(older_copy(copy(4000, 9000), {OrderLineCount{"shop-a", "100", "1", "A", q(0), 0, 0}}));
  CHECK_FALSE(older_copy(copy(4000, 9000), {}));
}
