// SKU matching: byte for byte, globs, and which pool a SKU belongs to.
#include <catch2/catch.hpp>

#include "engine/sku.hpp"

using stockrelay::config::Config;
using stockrelay::config::PoolConfig;
using stockrelay::engine::glob_match;
using stockrelay::engine::pool_covers;
using stockrelay::engine::pool_for;

namespace {

const char* const kEnDashSku = "A\xE2\x80\x93" "1";  // "A–1": U+2013 is three bytes in UTF-8

PoolConfig pool(std::string name, std::vector<std::string> members, std::vector<std::string> skus = {},
                std::vector<std::string> exclude = {}) {
  PoolConfig p;
  p.name = std::move(name);
  p.members = std::move(members);
  p.skus = std::move(skus);
  p.exclude_skus = std::move(exclude);
  return p;
}

}  // namespace

TEST_CASE("SKUs match byte for byte: an en dash is not a hyphen") {
  CHECK(glob_match("A-1", "A-1"));
  CHECK_FALSE(glob_match("A-1", kEnDashSku));
  CHECK_FALSE(glob_match(kEnDashSku, "A-1"));
  CHECK_FALSE(glob_match("A-*", kEnDashSku));
  CHECK(glob_match(kEnDashSku, kEnDashSku));
}

TEST_CASE("SKU patterns are case sensitive and never trim spaces") {
  CHECK_FALSE(glob_match("a-1", "A-1"));
  CHECK_FALSE(glob_match("A-1", "A-1 "));
  CHECK_FALSE(glob_match("A-1", " A-1"));
  CHECK_FALSE(glob_match("A-1 ", "A-1"));
  CHECK(glob_match("A-1 ", "A-1 "));
}

TEST_CASE("* matches any run of characters, including none") {
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*", "anything at all"));
  CHECK(glob_match("A-*", "A-"));
  CHECK(glob_match("A-*", "A-100"));
  CHECK(glob_match("*-RED", "SHIRT-RED"));
  CHECK(glob_match("A*1", "A1"));
  CHECK(glob_match("A*1", "A-10-1"));
  CHECK_FALSE(glob_match("A-*", "B-1"));
  CHECK_FALSE(glob_match("A*1", "A-10"));
  CHECK_FALSE(glob_match("", "A"));
  CHECK(glob_match("", ""));
}

TEST_CASE("a glob backtracks to find a later match") {
  CHECK(glob_match("*A*B", "xxAyyAzzB"));
  CHECK(glob_match("a*b*c", "abcbc"));
  CHECK(glob_match("*ab", "aab"));
  CHECK(glob_match("**x", "yyx"));
  CHECK_FALSE(glob_match("*A*B", "xxAyyAzz"));
  CHECK_FALSE(glob_match("a*b*c", "acb"));
}

TEST_CASE("? matches exactly one byte, so it never stands for a multi-byte look-alike") {
  CHECK(glob_match("A?1", "A-1"));
  CHECK(glob_match("A?1", "A_1"));
  CHECK_FALSE(glob_match("A?1", "A1"));
  CHECK_FALSE(glob_match("A?1", "A--1"));
  CHECK_FALSE(glob_match("A?1", kEnDashSku));
  CHECK(glob_match("A???1", kEnDashSku));
}

TEST_CASE("* in a pattern is a wildcard even where the SKU itself contains a *") {
  CHECK(glob_match("*", "*"));
  CHECK(glob_match("*B", "*AB"));
  CHECK(glob_match("*-1", "*X-1"));
  CHECK(glob_match("A*", "A*B"));
  CHECK(glob_match("?B", "*B"));
}

TEST_CASE("a pool without a SKU list covers every SKU") {
  PoolConfig all = pool("main", {"shop-a", "shop-b"});
  CHECK(pool_covers(all, "A-1"));
  CHECK(pool_covers(all, kEnDashSku));
  CHECK(pool_covers(all, ""));
}

TEST_CASE("a pool covers only the SKUs its patterns match") {
  PoolConfig p = pool("a-range", {"shop"}, {"A-*", "B-1?"});
  CHECK(pool_covers(p, "A-1"));
  CHECK(pool_covers(p, "B-10"));
  CHECK_FALSE(pool_covers(p, "B-1"));
  CHECK_FALSE(pool_covers(p, "C-1"));
  CHECK_FALSE(pool_covers(p, kEnDashSku));
}

TEST_CASE("a pool's exclude_skus wins over its skus") {
  PoolConfig p = pool("main", {"shop"}, {"A-*"}, {"A-GIFT*", "*-SAMPLE"});
  CHECK(pool_covers(p, "A-1"));
  CHECK_FALSE(pool_covers(p, "A-GIFT-5"));
  CHECK_FALSE(pool_covers(p, "A-1-SAMPLE"));

  PoolConfig all_but = pool("all", {"shop"}, {}, {"TEST-*"});
  CHECK(pool_covers(all_but, "A-1"));
  CHECK_FALSE(pool_covers(all_but, "TEST-1"));
}

TEST_CASE("a connection's pool for a SKU is the one that covers it") {
  Config cfg;
  cfg.pools = {
      pool("apparel", {"shop-a", "pos"}, {"SHIRT-*"}),
      pool("mugs", {"shop-a", "shop-b"}, {"MUG-*"}),
  };

  const PoolConfig* apparel = pool_for(cfg, "shop-a", "SHIRT-RED");
  REQUIRE(apparel != nullptr);
  CHECK(apparel->name == "apparel");

  const PoolConfig* mugs = pool_for(cfg, "shop-a", "MUG-1");
  REQUIRE(mugs != nullptr);
  CHECK(mugs->name == "mugs");

  CHECK(pool_for(cfg, "shop-b", "SHIRT-RED") == nullptr);  // shop-b is not in apparel
  CHECK(pool_for(cfg, "shop-a", "CAP-1") == nullptr);      // no pool covers it
  CHECK(pool_for(cfg, "warehouse", "MUG-1") == nullptr);   // not a member anywhere
  CHECK(pool_for(cfg, "Shop-A", "MUG-1") == nullptr);      // connection names are exact too
}
