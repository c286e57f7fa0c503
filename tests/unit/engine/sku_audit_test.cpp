// The SKU audit: exact matching stays exact; look-alikes, duplicates and
// unmanaged products are reported with both spellings and where they occur.
#include <catch2/catch.hpp>

#include "engine/sku.hpp"
#include "engine/sku_audit.hpp"

using namespace stockrelay::engine;

namespace {

SkuSighting at(std::string conn, std::string sku, std::string where = "product 1", bool managed = true) {
  return SkuSighting{std::move(conn), std::move(sku), std::move(where), managed, true};
}

std::vector<SkuFinding> of_kind(const std::vector<SkuFinding>& all, SkuFinding::Kind k) {
  std::vector<SkuFinding> out;
  for (const auto& f : all)
    if (f.kind == k) out.push_back(f);
  return out;
}

}  // namespace

TEST_CASE("dashes, spaces, case and homoglyphs share one look-alike key") {
  const std::string plain = lookalike_key("ABC-1");
  CHECK(plain == "abc-1");
  CHECK(lookalike_key("ABC\u20131") == plain);        // en dash
  CHECK(lookalike_key("ABC\u20141") == plain);        // em dash
  CHECK(lookalike_key("ABC\u22121") == plain);        // minus sign
  CHECK(lookalike_key(" ABC-1\u00A0") == plain);      // leading space, trailing no-break space
  CHECK(lookalike_key("abc-1") == plain);             // case
  CHECK(lookalike_key("\u0410\u0412\u0421-1") == plain);  // Cyrillic A, VE, ES
  CHECK(lookalike_key("AB\u200BC-1") == plain);       // zero-width space
  CHECK(lookalike_key("ABC-2") != plain);
  CHECK(lookalike_key("ABC_1") != plain);
  // Matching itself never folds anything.
  CHECK_FALSE(glob_match("ABC-1", "ABC\u20131"));
}

TEST_CASE("visible_sku names every character a reader could misread") {
  CHECK(visible_sku("ABC-1") == "ABC-1");
  CHECK(visible_sku("ABC\u20131") == "ABC<U+2013 EN DASH>1");
  CHECK(visible_sku(" A ") == "<space>A<space>");
  CHECK(visible_sku("A B") == "A B");
  CHECK(visible_sku("\u0410-1") == "<U+0410 CYRILLIC CAPITAL LETTER A>-1");
  CHECK(visible_sku(std::string("A\xff", 2)) == "A<0xFF>");
  CHECK(visible_sku("A\u00E9") == "A<U+00E9>");  // not confusable, still shown exactly
}

TEST_CASE("look-alikes across connections are reported with both spellings and where") {
  auto findings = audit_skus({at("shop-a", "TEE-RED-M", "product 10"), at("shop-b", "TEE\u2013RED-M", "product 77"),
                              at("shop-c", "TEE-RED-M", "product 5"), at("shop-c", "OTHER", "product 6")});
  auto looks = of_kind(findings, SkuFinding::Kind::LookAlike);
  REQUIRE(looks.size() == 1);
  CHECK(looks[0].spellings == std::vector<std::string>{"TEE-RED-M", "TEE\u2013RED-M"});
  REQUIRE(looks[0].places.size() == 3);
  CHECK_THAT(describe(looks[0]), Catch::Contains("shop-b product 77 'TEE<U+2013 EN DASH>RED-M'") &&
                                     Catch::Contains("shop-a product 10 'TEE-RED-M'") && Catch::Contains("dash"));
  CHECK(of_kind(findings, SkuFinding::Kind::Duplicate).empty());
}

TEST_CASE("each kind of look-alike is named") {
  auto why = [](std::string a, std::string b) {
    auto f = of_kind(audit_skus({at("x", std::move(a)), at("y", std::move(b))}), SkuFinding::Kind::LookAlike);
    REQUIRE(f.size() == 1);
    return f[0].why;
  };
  CHECK_THAT(why("A-1", "a-1"), Catch::Contains("letter case"));
  CHECK_THAT(why("A-1", "A-1 "), Catch::Contains("leading/trailing space"));
  CHECK_THAT(why("A 1", "A\u00A01"), Catch::Contains("space"));
  CHECK_THAT(why("KOT-1", "K\u041eT-1"), Catch::Contains("homoglyph"));
  CHECK_THAT(why("A-1", "A\u22121"), Catch::Contains("dash"));
}

TEST_CASE("the same SKU twice in one connection is a duplicate, across connections it is not") {
  auto findings = audit_skus({at("shop-a", "MUG", "product 1"), at("shop-a", "MUG", "product 2"),
                              at("shop-b", "MUG", "product 9")});
  auto dups = of_kind(findings, SkuFinding::Kind::Duplicate);
  REQUIRE(dups.size() == 1);
  CHECK(dups[0].spellings == std::vector<std::string>{"MUG"});
  CHECK(dups[0].places == std::vector<std::string>{"shop-a product 1 'MUG'", "shop-a product 2 'MUG'"});
  CHECK_THAT(dups[0].why, Catch::Contains("excluded"));
  CHECK(of_kind(findings, SkuFinding::Kind::LookAlike).empty());
}

TEST_CASE("products without stock tracking are listed, inactive ones and empty SKUs are not") {
  std::vector<SkuSighting> s{at("shop-a", "GIFT", "product 3", false), at("shop-a", "", "product 4"),
                             at("shop-a", "OLD", "product 5"), at("shop-a", "OLD", "product 6")};
  s[3].active = false;  // a trashed copy is no duplicate
  auto findings = audit_skus(s);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == SkuFinding::Kind::Unmanaged);
  CHECK(findings[0].spellings == std::vector<std::string>{"GIFT"});
}
