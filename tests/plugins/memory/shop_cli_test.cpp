// The memory-shop tool: what integration tests in another process use to
// play merchant and customer.
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#include "shop.hpp"
#include "test_support.hpp"

namespace {

// Runs the tool through the shell; returns its exit status.
int tool(const std::string& args) {
  std::string cmd = std::string(MEMORY_SHOP_CLI) + " " + args + " 2>/dev/null >/dev/null";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

sr::Quantity q(const char* text) { return *sr::Quantity::parse(text); }

}  // namespace

TEST_CASE("the memory-shop tool's changes are what the shop library reads") {
  memory_test::TempDir dir;
  std::string file = dir.file("shop.json");
  REQUIRE(tool(file + " create A 10") == 0);
  REQUIRE(tool(file + " create B 2.5") == 0);
  REQUIRE(tool(file + " order 1001 A:2 B:0.5") == 0);
  REQUIRE(tool(file + " refund 1001 1 1 restock") == 0);
  REQUIRE(tool(file + " set B 4") == 0);
  REQUIRE(tool(file + " retry 2") == 0);
  REQUIRE(tool(file + " fail-skus A") == 0);
  REQUIRE(tool(file + " show") == 0);

  memory_shop::Shop shop(file);
  auto s = shop.read();
  CHECK(s.products.at("A").quantity == q("9"));
  CHECK(s.products.at("B").quantity == q("4"));
  CHECK(s.orders.at("1001").stock == memory_shop::Stock::Held);
  CHECK(s.faults.retry_next == 2);
  CHECK(s.faults.fail_skus == std::vector<std::string>{"A"});

  REQUIRE(tool(file + " cancel 1001") == 0);
  CHECK(shop.levels()["A"] == q("10"));
}

TEST_CASE("the memory-shop tool exits 1 when the shop refuses and 2 on bad usage") {
  memory_test::TempDir dir;
  std::string file = dir.file("shop.json");
  CHECK(tool(file + " order 1 NOPE:1") == 1);
  CHECK(tool(file + " cancel 1") == 1);
  CHECK(tool(file + " order 1 A") == 2);
  CHECK(tool(file + " create A many") == 2);
  CHECK(tool(file + " dance") == 2);
}

TEST_CASE("two memory-shop processes placing orders at once both take their stock") {
  memory_test::TempDir dir;
  std::string file = dir.file("shop.json");
  REQUIRE(tool(file + " create A 100") == 0);
  std::string script = "run() { for i in $(seq 1 20); do " + std::string(MEMORY_SHOP_CLI) + " " + file +
                       " order $1-$i A:1 >/dev/null || return 1; done; }; "
                       "run x & a=$!; run y & b=$!; wait $a && wait $b";
  REQUIRE(std::system(script.c_str()) == 0);
  memory_shop::Shop shop(file);
  CHECK(shop.levels()["A"] == q("60"));
  CHECK(shop.orders().size() == 40);
}
