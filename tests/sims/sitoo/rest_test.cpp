// The API surface over real HTTP: paths, Basic auth and the IP allow-list,
// the error body, list envelopes (start/num/fields), sites, warehouses and
// products with SKU validation (sitoo.md §10 items 1-3 and 9).
#include <cstdio>
#include <fstream>

#include "test_support.hpp"

using namespace sitoo_sim;
using namespace sitoo_sim::testing;

TEST_CASE("auth: missing or wrong credentials get 401 with the error body - the right ones get 200") {
  Simulator sim;
  sim.start();
  Api api(sim);
  CHECK(api.get("/sites.json").status == 200);

  auto none = api.send("GET", "/sites.json", "", false);
  CHECK(error_text(none, 401).find("Authorization") != std::string::npos);

  Api wrong_password(sim);
  wrong_password.credentials(sim.api_id(), "not-the-password");
  error_text(wrong_password.get("/sites.json"), 401);

  Api wrong_id(sim);
  wrong_id.credentials("10020-999", sim.password());
  error_text(wrong_id.get("/sites.json"), 401);

  // The path's account must be the API ID's.
  auto other = api.get(sim.server_url() + "/v2/accounts/99999/sites.json");
  CHECK(error_text(other, 401).find("99999") != std::string::npos);

  CHECK(sim.counters().unauthorized == 4);
  CHECK(sim.api_id() == "10020-1");
  CHECK(sim.password().size() == 32);
}

TEST_CASE("auth: the API ID and password can be chosen - base_url names the account") {
  Options o;
  o.account_id = 10020;
  o.api_id = "10020-140";
  o.password = "s3cret";
  Simulator sim(o);
  sim.start();
  CHECK(sim.base_url() == sim.server_url() + "/v2/accounts/10020");
  Api api(sim);
  CHECK(api.get("/sites.json").status == 200);
}

TEST_CASE("auth: a client address outside the allow-list gets 403, one on it is served") {
  Options blocked;
  blocked.allowed_ips = {"10.1.2.3"};
  Simulator a(blocked);
  a.start();
  Api api_a(a);
  CHECK(error_text(api_a.get("/sites.json"), 403).find("127.0.0.1") != std::string::npos);
  CHECK(a.counters().forbidden == 1);

  Options allowed;
  allowed.allowed_ips = {"10.1.2.3", "127.0.0.1"};
  Simulator b(allowed);
  b.start();
  Api api_b(b);
  CHECK(api_b.get("/sites.json").status == 200);
}

TEST_CASE("paths: resources answer with and without .json - unknown ones get 404 with the error body") {
  Simulator sim;
  sim.add_product("A-1", 3);
  sim.start();
  Api api(sim);
  auto with = api.get("/sites/1/products.json");
  auto without = api.get("/sites/1/products");
  REQUIRE(with.status == 200);
  CHECK(body_of(with) == body_of(without));
  error_text(api.get("/sites/1/nothing.json"), 404);
  error_text(api.get("/sites/2/products.json"), 404);  // only eshopid 1
  error_text(api.get("/sites/1/products/999.json"), 404);
  error_text(api.get(sim.server_url() + "/v1/whatever"), 404);
  auto bad_json = api.send("POST", "/sites/1/products.json", "{not json");
  CHECK(error_text(bad_json, 400).find("JSON") != std::string::npos);
}

TEST_CASE("sites and warehouses: one site (eshopid 1) and one FIFO warehouse by default - a Virtual one can be added") {
  Simulator sim;
  auto virt = sim.add_warehouse("Web virtual", kWarehouseVirtual);
  sim.start();
  Api api(sim);
  auto sites = body_of(api.get("/sites.json"));
  CHECK(sites["totalcount"] == 1);
  CHECK(sites["items"][0]["eshopid"] == 1);
  auto whs = body_of(api.get("/sites/1/warehouses.json"));
  REQUIRE(whs["totalcount"] == 2);
  CHECK(whs["items"][0]["warehouseid"] == sim.warehouse_id());
  CHECK(whs["items"][0]["warehousetype"] == 10);
  CHECK(whs["items"][1]["warehouseid"] == virt);
  CHECK(whs["items"][1]["warehousetype"] == 20);
  auto one = body_of(api.get("/sites/1/warehouses/" + std::to_string(virt) + ".json"));
  CHECK(one["name"] == "Web virtual");
}

TEST_CASE("lists: envelope, start/num default to 0/10, fields projects, past the end is empty") {
  Simulator sim;
  sim.generate_catalog(25, "P");
  sim.start();
  Api api(sim);
  auto first = body_of(api.get("/sites/1/products.json"));
  CHECK(first.size() == 2);
  CHECK(first["totalcount"] == 25);
  REQUIRE(first["items"].size() == 10);
  CHECK(first["items"][0]["sku"] == "P-00001");

  auto last = body_of(api.get("/sites/1/products.json?start=20&num=10"));
  CHECK(last["totalcount"] == 25);
  REQUIRE(last["items"].size() == 5);
  CHECK(last["items"][4]["sku"] == "P-00025");
  CHECK(body_of(api.get("/sites/1/products.json?start=30"))["items"].empty());

  auto projected = body_of(api.get("/sites/1/products.json?num=3&fields=sku,productid"));
  REQUIRE(projected["items"].size() == 3);
  for (const auto& p : projected["items"]) {
    CHECK(p.size() == 2);
    CHECK(p.contains("sku"));
    CHECK(p.contains("productid"));
  }
  error_text(api.get("/sites/1/products.json?num=-1"), 400);
  error_text(api.get("/sites/1/products.json?start=x"), 400);
}

TEST_CASE("products: the sku filter takes a comma list and matches exact bytes only") {
  Simulator sim;
  sim.add_product("A-1");
  sim.add_product("A-2");
  sim.add_product("a-1");
  sim.start();
  Api api(sim);
  auto two = body_of(api.get("/sites/1/products.json?sku=A-1,A-2"));
  CHECK(two["totalcount"] == 2);
  auto exact = body_of(api.get("/sites/1/products.json?sku=A-1"));
  REQUIRE(exact["totalcount"] == 1);
  CHECK(exact["items"][0]["sku"] == "A-1");
  // An en dash is another SKU.
  CHECK(body_of(api.get("/sites/1/products.json?sku=A%E2%80%931"))["totalcount"] == 0);
}

TEST_CASE("products: POST adds a batch - one item answers the plain id, several a batch envelope - ids are unique") {
  Simulator sim;
  sim.start();
  Api api(sim);
  auto one = api.post("/sites/1/products.json", json::array({{{"sku", "N-1"}, {"title", "New one"}}}));
  REQUIRE(one.status == 200);
  auto first_id = body_of(one);
  CHECK(first_id.is_number_integer());

  auto many = api.post("/sites/1/products.json", json::array({{{"sku", "N-2"}, {"title", "Two"}},
                                                                  {{"sku", "N+3/x_y"}, {"title", "Three"}}}));
  REQUIRE(many.status == 200);
  auto env = body_of(many);
  REQUIRE(env.size() == 2);
  CHECK(env[0]["statuscode"] == 200);
  CHECK(env[1]["statuscode"] == 200);
  CHECK(env[0]["return"] != env[1]["return"]);
  CHECK(env[0]["return"] != first_id);
  CHECK(sim.product_count() == 3);

  auto got = body_of(api.get("/sites/1/products/" + std::to_string(env[1]["return"].get<int>()) + ".json"));
  CHECK(got["sku"] == "N+3/x_y");
  // Every product has a warehouse item (stock 0) in the default warehouse.
  REQUIRE(sim.stock("N-2"));
  CHECK(sim.stock("N-2")->total == 0);

  auto dup = api.post("/sites/1/products.json", json::array({{{"sku", "N-1"}, {"title", "again"}}}));
  CHECK(error_text(dup, 400).find("N-1") != std::string::npos);
}

TEST_CASE("sku validation: an en dash (or a space) in a product SKU is refused naming it, and nothing is added") {
  Simulator sim;
  sim.start();
  Api api(sim);
  const std::string en_dash_sku = "SHIRT\xE2\x80\x93" "42";
  auto r = api.post("/sites/1/products.json",
                    json::array({{{"sku", "OK-1"}, {"title", "fine"}}, {{"sku", en_dash_sku}, {"title", "lookalike"}}}));
  auto text = error_text(r, 400);
  CHECK(text.find("SHIRT\\xE2\\x80\\x9342") != std::string::npos);
  CHECK(text.find("product 1") != std::string::npos);
  CHECK(sim.product_count() == 0);  // the valid item was not added either
  error_text(api.post("/sites/1/products.json", json::array({{{"sku", "A B"}}})), 400);
  error_text(api.post("/sites/1/products.json", json::array({{{"title", "no sku"}}})), 400);
  CHECK_THROWS_AS(sim.add_product(en_dash_sku), std::invalid_argument);
  CHECK(sim.product_count() == 0);
}

TEST_CASE("set-up: a catalogue file seeds products and opening stock - a bad SKU in it is refused naming the item") {
  const std::string path = "sitoo_sim_catalog_test.json";
  {
    std::ofstream out(path);
    out << R"([{"sku":"C-1","title":"Cup","stock":4},{"sku":"C-2","stock":"2.500"},{"sku":"C-3"}])";
  }
  Simulator sim;
  sim.load_catalog_file(path);
  CHECK(sim.product_count() == 3);
  CHECK(sim.stock("C-1")->total == 4);
  CHECK(sim.stock("C-2")->total == 2.5);
  CHECK(sim.stock("C-3")->total == 0);
  CHECK_FALSE(sim.stock("C-3")->datelastmodified);  // never part of a transaction
  {
    std::ofstream out(path);
    out << "[{\"sku\":\"D\xE2\x80\x93" "1\"}]";
  }
  Simulator other;
  try {
    other.load_catalog_file(path);
    FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("item 0") != std::string::npos);
    CHECK(std::string(e.what()).find("D\\xE2\\x80\\x931") != std::string::npos);
  }
  CHECK_THROWS_AS(other.load_catalog_file("does-not-exist.json"), std::invalid_argument);
  std::remove(path.c_str());
}
