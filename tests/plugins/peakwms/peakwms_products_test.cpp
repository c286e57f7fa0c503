// upsert_product: one PeakWMS product per SKU with one product-integration
// row per shop; an update is no second product; a product a shop stops
// selling loses only that shop's row.
#include "peakwms_fixture.hpp"

using namespace peakwms_test;

TEST_CASE("an upload makes one PeakWMS product with one product integration per shop, and emits its level") {
  Warehouse w;
  w.start();
  auto a = w.run(upsert_cmd("u1", "shop-a", "A-1", "P-100"));
  INFO(a.message);
  REQUIRE(a.outcome == sr::Outcome::Ok);
  auto b = w.run(upsert_cmd("u2", "shop-b", "A-1", "P-900"));
  REQUIRE(b.outcome == sr::Outcome::Ok);
  CHECK(a.remote_ref == b.remote_ref);  // the same PeakWMS product
  CHECK(w.sim.product_count() == 1);
  const std::int64_t id = std::stoll(a.remote_ref);

  json rows = w.links(id);
  REQUIRE(rows.size() == 2);
  std::set<std::pair<std::int64_t, std::string>> seen;
  for (const auto& r : rows) seen.insert({r["integrationId"].get<std::int64_t>(), r["shopProductId"].get<std::string>()});
  CHECK(seen == std::set<std::pair<std::int64_t, std::string>>{{w.integration_id(kShopA), "P-100"},
                                                               {w.integration_id(kShopB), "P-900"}});
  json as_a = w.api(kShopA, "GET", "/product/P-100");
  REQUIRE(as_a.size() == 1);
  CHECK(as_a[0]["itemNumber"] == "A-1");
  CHECK(as_a[0]["description"] == "Item A-1");
  CHECK(as_a[0]["ean"] == "5701234567890");

  // The host learns the master's level from the answer.
  auto level = level_of(w.host.events(), "A-1");
  REQUIRE(level);
  CHECK(level->quantity == q(0));
  CHECK(level->remote_id == a.remote_ref);
}

TEST_CASE("a variant keys on the shop's product id and variant id, and shop_product_id wins over remote_id") {
  Warehouse w;
  w.start();
  auto c = upsert_cmd("u1", "shop-a", "TEE-M", "woo-17", "woo-18");
  std::get<sr::UpsertProduct>(c.body).shop_product_id = "ERP-4711";
  REQUIRE(w.run(c).outcome == sr::Outcome::Ok);
  json p = w.api(kShopA, "GET", "/product/ERP-4711");
  REQUIRE(p.size() == 1);
  CHECK(p[0]["variantId"] == "woo-18");
  CHECK(w.api(kShopA, "GET", "/product/woo-17").empty());
}

TEST_CASE("uploading the same product again updates it: no second product, no second row") {
  Warehouse w;
  w.start();
  auto first = w.run(upsert_cmd("u1", "shop-a", "A-1", "P-100"));
  auto again_cmd = upsert_cmd("u2", "shop-a", "A-1", "P-100");
  std::get<sr::UpsertProduct>(again_cmd.body).name = "Mug, blue";
  auto again = w.run(again_cmd);
  REQUIRE(again.outcome == sr::Outcome::Ok);
  CHECK(again.remote_ref == first.remote_ref);
  CHECK(w.sim.product_count() == 1);
  CHECK(w.sim.counters().products_created == 1);
  CHECK(w.links(std::stoll(first.remote_ref)).size() == 1);
  CHECK(w.api(kShopA, "GET", "/product/P-100")[0]["description"] == "Mug, blue");
}

TEST_CASE("a PeakWMS that refuses POST for a product it has gets a PUT") {
  auto o = sim_options();
  o.upsert_on_post = false;
  Warehouse w(o);
  w.start();
  auto first = w.run(upsert_cmd("u1", "shop-a", "A-1", "P-100"));
  auto again_cmd = upsert_cmd("u2", "shop-a", "A-1", "P-100");
  std::get<sr::UpsertProduct>(again_cmd.body).name = "Mug, red";
  auto again = w.run(again_cmd);
  INFO(again.message);
  REQUIRE(again.outcome == sr::Outcome::Ok);
  CHECK(again.remote_ref == first.remote_ref);
  CHECK(w.api(kShopA, "GET", "/product/P-100")[0]["description"] == "Mug, red");
}

TEST_CASE("a product a shop stops selling loses only that shop's product integration") {
  Warehouse w;
  w.start();
  auto a = w.run(upsert_cmd("u1", "shop-a", "A-1", "P-100"));
  w.run(upsert_cmd("u2", "shop-b", "A-1", "P-900"));
  const std::int64_t id = std::stoll(a.remote_ref);

  w.start();  // a new instance: no index, the product is found by its shop ids
  auto gone = w.run(upsert_cmd("u3", "shop-a", "A-1", "P-100", "", false));
  INFO(gone.message);
  REQUIRE(gone.outcome == sr::Outcome::Ok);
  CHECK(gone.remote_ref == a.remote_ref);
  json rows = w.links(id);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["integrationId"] == w.integration_id(kShopB));
  CHECK(w.api(kShopA, "GET", "/product/P-100").empty());
  CHECK(w.api(kShopB, "GET", "/product/P-900").size() == 1);  // shop-b keeps its own
  CHECK(w.sim.product_count() == 1);

  SECTION("again: nothing there") {
    auto twice = w.run(upsert_cmd("u4", "shop-a", "A-1", "P-100", "", false));
    CHECK(twice.outcome == sr::Outcome::Ok);
    CHECK_THAT(twice.message, Catch::StartsWith("nothing to remove"));
  }
  SECTION("the last shop, with stock on hand: PeakWMS keeps it, inactive") {
    w.sim.goods_received(id, 4);
    auto last = w.run(upsert_cmd("u5", "shop-b", "A-1", "P-900", "", false));
    CHECK(last.outcome == sr::Outcome::Ok);
    CHECK_THAT(last.message, Catch::Contains("inactive"));
    CHECK(w.stock(id).state == peakwms_sim::kProductInactive);
    CHECK(w.sim.product_count() == 1);
  }
}

TEST_CASE("an upload for a shop without a key or without ids fails with what to fix, and stock writes are refused") {
  Warehouse w;
  w.start();
  auto unknown = w.run(upsert_cmd("u1", "shop-x", "A-1", "P-1"));
  CHECK(unknown.outcome == sr::Outcome::Failed);
  CHECK(unknown.message == "no API key for shop shop-x in settings.shops");
  auto no_id = w.run(upsert_cmd("u2", "shop-a", "A-1", ""));
  CHECK(no_id.outcome == sr::Outcome::Failed);
  CHECK_THAT(no_id.message, Catch::Contains("has no product id"));

  sr::Command set{"s1", json::object(), sr::SetStock{"A-1", q(5), std::nullopt, std::nullopt, ""}};
  auto refused = w.run(set);
  CHECK(refused.outcome == sr::Outcome::Unsupported);
  CHECK_THAT(refused.message, Catch::StartsWith("PeakWMS is the master of stock"));
  CHECK(w.sim.product_count() == 0);
}
