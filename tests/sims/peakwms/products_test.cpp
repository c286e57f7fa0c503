// Auth, products, keyset paging and the simulator-only product endpoints
// over real HTTP (peakwms.md §7 items 1-4, 8 and the §6 proposal).
#include "test_support.hpp"

using namespace peakwms_sim;
using namespace peakwms_sim::testing;

TEST_CASE("auth: no key, another scheme and an unknown key get 401 with a message, a good key pings") {
  Simulator sim;
  sim.start();
  Api api(sim);
  CHECK(message_of(api.send("GET", "/ping", "", false), 401).find("Bearer") != std::string::npos);
  Api stranger(sim, std::string("not-a-key"));
  CHECK(message_of(stranger.get("/ping"), 401) == "Unknown API key");
  auto ping = api.get("/ping");
  CHECK(ping.status == 200);
  CHECK(sim.counters().unauthorized == 2);
}

TEST_CASE("products: PascalCase in, camelCase out, the stored product carries the WMS id and stock fields") {
  Simulator sim;
  sim.start();
  Api api(sim);
  json body = {{"ProductId", "P1"}, {"VariantId", "V1"}, {"ItemNumber", "SKU-1"},
               {"Description", "Shirt"}, {"Ean", "123"}, {"Brand", "Acme"}};
  auto r = api.post("/product", body);
  REQUIRE(r.status == 200);
  json p = body_of(r);
  CHECK(p.at("id").get<std::int64_t>() >= 1);
  CHECK(p.at("productId") == "P1");
  CHECK(p.at("variantId") == "V1");
  CHECK(p.at("itemNumber") == "SKU-1");
  CHECK(p.at("brand") == "Acme");
  CHECK(p.at("availableToSell") == 0);
  CHECK(p.at("state") == kProductActive);

  auto missing = api.post("/product", json{{"productId", "P2"}, {"variantId", ""}, {"description", "x"}});
  CHECK(message_of(missing, 400).find("itemNumber") != std::string::npos);
}

TEST_CASE("products: POST of an existing key upserts by default and is refused when configured") {
  SECTION("upsert") {
    Simulator sim;
    sim.start();
    Api api(sim);
    auto id = api.create_product("P1", "V1", "SKU-1");
    json again = Api::product("P1", "V1", "SKU-1");
    again["description"] = "Renamed";
    auto r = api.post("/product", again);
    REQUIRE(r.status == 200);
    CHECK(body_of(r).at("id") == id);
    CHECK(body_of(r).at("description") == "Renamed");
    CHECK(sim.product_count() == 1);
  }
  SECTION("duplicate refused") {
    Options o;
    o.upsert_on_post = false;
    Simulator sim(o);
    sim.start();
    Api api(sim);
    api.create_product("P1", "V1", "SKU-1");
    CHECK(message_of(api.post("/product", Api::product("P1", "V1", "SKU-1")), 400).find("already exists") !=
          std::string::npos);
    CHECK(sim.product_count() == 1);
  }
}

TEST_CASE("products: PUT by key and by id, GET all variants of a shop product id, 404 for unknown ones") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto a = api.create_product("P1", "red", "SKU-R");
  api.create_product("P1", "blue", "SKU-B");
  api.create_product("P2", "", "SKU-2");
  json change = Api::product("P1", "red", "SKU-R");
  change["description"] = "Red shirt";
  REQUIRE(api.put("/product", change).status == 200);
  auto by_id = api.put("/product/" + std::to_string(a), json{{"ean", "999"}});
  REQUIRE(by_id.status == 200);
  CHECK(body_of(by_id).at("description") == "Red shirt");
  CHECK(body_of(by_id).at("ean") == "999");

  json variants = body_of(api.get("/product/P1"));
  REQUIRE(variants.is_array());
  CHECK(variants.size() == 2);
  message_of(api.put("/product", Api::product("P9", "x", "SKU-9")), 404);
  message_of(api.put("/product/999", json{{"ean", "1"}}), 404);
}

TEST_CASE("paging: keyset pages with LastId/PageSize in either casing, ids ascending, envelope totals") {
  Simulator sim;
  sim.start();
  Api api(sim);
  for (int i = 1; i <= 5; ++i) api.create_product("P" + std::to_string(i), "", "SKU-" + std::to_string(i));
  json first = body_of(api.get("/product/keySet?LastId=0&PageSize=2"));
  CHECK(first.at("totalRecords") == 5);
  CHECK(first.at("pageSize") == 2);
  CHECK(first.at("page") == 1);
  REQUIRE(first.at("data").size() == 2);
  auto last = first["data"][1]["id"].get<std::int64_t>();
  CHECK(first["data"][0]["id"].get<std::int64_t>() < last);
  json second = body_of(api.get("/product?lastId=" + std::to_string(last) + "&pageSize=2"));
  CHECK(second.at("page") == 2);
  REQUIRE(second.at("data").size() == 2);
  CHECK(second["data"][0]["id"].get<std::int64_t>() > last);
  json third = body_of(api.get("/product/keySet?LastId=" + second["data"][1]["id"].dump() + "&PageSize=2"));
  CHECK(third.at("data").size() == 1);
  json after = body_of(api.get("/product/keySet?LastId=" + third["data"][0]["id"].dump() + "&PageSize=2"));
  CHECK(after.at("data").empty());
  message_of(api.get("/product/keySet?PageSize=0"), 400);
}

TEST_CASE("integrations: each key sees only its own products, one integration row per product and shop") {
  Options o;
  o.integrations = 2;
  Simulator sim(o);
  sim.start();
  Api shop1(sim, 0), shop2(sim, 1);
  auto id1 = shop1.create_product("P1", "", "SKU-1");
  auto id2 = shop2.create_product("P1", "", "SKU-1");  // same item number: separate product by default
  CHECK(id1 != id2);
  CHECK(body_of(shop2.get("/product")).at("totalRecords") == 1);
  json rows = body_of(shop1.get("/productIntegration?productId=" + std::to_string(id1)));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("integrationId") == sim.integrations()[0].id);
  CHECK(rows[0].at("shopProductId") == "P1");
}

TEST_CASE("integrations: match_by_item_number puts a second shop's row on the same WMS product") {
  Options o;
  o.integrations = 2;
  o.match_by_item_number = true;
  Simulator sim(o);
  sim.start();
  Api shop1(sim, 0), shop2(sim, 1);
  auto id1 = shop1.create_product("P1", "", "SKU-1");
  auto id2 = shop2.create_product("X-77", "v", "SKU-1");
  CHECK(id1 == id2);
  CHECK(sim.product_count() == 1);
  json rows = body_of(shop1.get("/productIntegration?productId=" + std::to_string(id1)));
  CHECK(rows.size() == 2);
  // Each shop sees the product under its own ids.
  CHECK(body_of(shop2.get("/product")).at("data")[0].at("productId") == "X-77");
  CHECK(sim.product_id(sim.integrations()[1].id, "X-77", "v") == id1);
}

TEST_CASE("delete: untouched product is deleted, one with stock is set inactive") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto plain = api.create_product("P1", "", "SKU-1");
  auto stocked = api.create_product("P2", "", "SKU-2");
  sim.goods_received(stocked, 3);
  json gone = body_of(api.del("/product/" + std::to_string(plain)));
  CHECK(gone.at("deleted") == true);
  CHECK_FALSE(sim.stock(plain).has_value());
  json kept = body_of(api.del("/product/" + std::to_string(stocked)));
  CHECK(kept.at("deleted") == false);
  CHECK(kept.at("state") == kProductInactive);
  CHECK(sim.stock(stocked)->state == kProductInactive);
  message_of(api.del("/product/" + std::to_string(plain)), 404);
}

TEST_CASE("simulator-only: product state and refetch from the shop behind the integration") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto id = api.create_product("P1", "V1", "SKU-1");
  auto r = api.put("/product/" + std::to_string(id) + "/state", json{{"state", 1}});
  REQUIRE(r.status == 200);
  CHECK(body_of(r).at("state") == kProductInactive);
  message_of(api.put("/product/" + std::to_string(id) + "/state", json{{"state", 7}}), 400);

  // The shop does not have it: 404.
  message_of(api.post("/product/" + std::to_string(id) + "/refetch", json::object()), 404);
  json shop = Api::product("P1", "V1", "SKU-1");
  shop["description"] = "From the shop";
  sim.set_shop_product(sim.integrations()[0].id, shop.dump());
  auto fetched = api.post("/product/" + std::to_string(id) + "/refetch", json::object());
  REQUIRE(fetched.status == 200);
  CHECK(body_of(fetched).at("description") == "From the shop");
}

TEST_CASE("simulator-only: refetch through another integration creates its integration row") {
  Options o;
  o.integrations = 2;
  Simulator sim(o);
  sim.start();
  Api shop1(sim, 0), shop2(sim, 1);
  auto id = shop1.create_product("P1", "", "SKU-1");
  CHECK(body_of(shop2.get("/product")).at("totalRecords") == 0);
  sim.set_shop_product(sim.integrations()[1].id, Api::product("P1", "", "SKU-1").dump());
  REQUIRE(shop2.post("/product/" + std::to_string(id) + "/refetch", json::object()).status == 200);
  CHECK(body_of(shop2.get("/product")).at("totalRecords") == 1);
  CHECK(body_of(shop1.get("/productIntegration?productId=" + std::to_string(id))).size() == 2);
}

TEST_CASE("set-up: integrations with given keys, a key in use twice is refused, start twice is an error") {
  Simulator sim;
  auto shop = sim.add_integration("Second shop", "fixed-key");
  CHECK(shop.id == 2);
  CHECK(sim.api_key(1) == "fixed-key");
  CHECK_THROWS_AS(sim.add_integration("Copy", "fixed-key"), std::invalid_argument);
  CHECK_THROWS_AS(sim.api_key(5), std::out_of_range);
  sim.start();
  CHECK_THROWS_AS(sim.start(), std::runtime_error);
  Api api(sim, std::string("fixed-key"));
  CHECK(api.get("/ping").status == 200);
  sim.stop();
  sim.stop();  // idempotent
}

TEST_CASE("routing: unknown paths are 404 and a known path with another method is 405, both with a message") {
  Simulator sim;
  sim.start();
  Api api(sim);
  CHECK(message_of(api.get("/nothing"), 404).find("/api/integration/v1/nothing") != std::string::npos);
  CHECK(message_of(api.del("/ping"), 405).find("DELETE") != std::string::npos);
  CHECK(message_of(api.send("POST", "/product", "{not json"), 400).find("JSON") != std::string::npos);
}
