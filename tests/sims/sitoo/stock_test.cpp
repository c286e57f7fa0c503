// Warehouse items and warehouse transactions over real HTTP (sitoo.md §10
// items 4-5): exact-SKU stock with total/reserved/available as 3-decimal
// strings, datelastmodified moved by transactions only, the batch POST and
// its limits, item logs, and the transaction list's filters and sort.
#include "test_support.hpp"

using namespace sitoo_sim;
using namespace sitoo_sim::testing;

namespace {

constexpr std::int64_t kT0 = 1'800'000'000;

json tx(std::int64_t warehouse, int type, const std::string& sku, const std::string& qty) {
  return {{"warehouseid", warehouse},
          {"transactiontype", type},
          {"description", "test"},
          {"items", json::array({{{"sku", sku}, {"decimalquantity", qty}}})}};
}

std::string tx_path() { return "/sites/1/warehousetransactions.json"; }

}  // namespace

TEST_CASE("warehouse items: decimals as 3-decimal strings, keyed by exact SKU bytes, sku filter as a comma list") {
  Simulator sim;
  sim.add_product("A-1", 5);
  sim.add_product("A-2", 2.5);
  sim.add_product("a-1", 7);
  sim.start();
  Api api(sim);
  auto all = body_of(api.get(items_path(sim)));
  CHECK(all["totalcount"] == 3);
  auto two = body_of(api.get(items_path(sim, "sku=A-1,A-2")));
  REQUIRE(two["totalcount"] == 2);
  const auto& a1 = two["items"][0];
  CHECK(a1["sku"] == "A-1");
  CHECK(a1["decimaltotal"] == "5.000");
  CHECK(a1["decimalreserved"] == "0.000");
  CHECK(a1["decimalavailable"] == "5.000");
  CHECK(a1["warehouseid"] == sim.warehouse_id());
  CHECK(two["items"][1]["decimaltotal"] == "2.500");
  CHECK(body_of(api.get(items_path(sim, "sku=A%E2%80%931")))["totalcount"] == 0);
  CHECK(sim.counters().warehouse_item_reads == 3);
}

TEST_CASE("transactions: one item answers the plain id, moves the level and writes an item log with the level after") {
  Simulator sim;
  sim.add_product("A-1", 5);
  sim.start();
  Api api(sim);
  auto r = api.post(tx_path(), json::array({tx(sim.warehouse_id(), kTxMoveOut, "A-1", "-2.000")}));
  REQUIRE(r.status == 200);
  auto id = body_of(r);
  REQUIRE(id.is_number_integer());
  CHECK(sim.stock("A-1")->total == 3);

  auto in = api.post(tx_path(), json::array({{{"warehouseid", sim.warehouse_id()},
                                               {"transactiontype", kTxMoveIn},
                                               {"externalid", "PO-7"},
                                               {"items", json::array({{{"sku", "A-1"}, {"decimalquantity", "4.5"},
                                                                       {"moneypricein", "10.00"}}})}}}));
  REQUIRE(in.status == 200);
  auto id2 = body_of(in).get<std::int64_t>();
  CHECK(id2 > id.get<std::int64_t>());

  auto one = body_of(api.get("/sites/1/warehouses/" + std::to_string(sim.warehouse_id()) + "/warehousetransactions/" +
                             std::to_string(id2) + ".json"));
  CHECK(one["transactiontype"] == 10);
  CHECK(one["externalid"] == "PO-7");
  REQUIRE(one["items"].size() == 1);
  CHECK(one["items"][0]["sku"] == "A-1");
  CHECK(one["items"][0]["decimalquantity"] == "4.500");
  CHECK(one["items"][0]["decimaltotal"] == "7.500");  // 3 + 4.5
  CHECK(one["items"][0]["moneypricein"] == "10.00");
  CHECK(one["items"][0]["moneyvalue"] == "45.00");
  CHECK(one["items"][0]["warehousetransactionid"] == id2);
  CHECK(sim.counters().transactions_posted == 2);
}

TEST_CASE("transactions: several answer a batch envelope with increasing ids") {
  Simulator sim;
  sim.add_product("A-1", 5);
  sim.add_product("B-1", 5);
  sim.start();
  Api api(sim);
  auto w = sim.warehouse_id();
  auto r = api.post(tx_path(), json::array({tx(w, kTxMoveIn, "A-1", "1.000"), tx(w, kTxMoveOut, "B-1", "-1.000"),
                                            tx(w, kTxMoveIn, "B-1", "3")}));
  REQUIRE(r.status == 200);
  auto env = body_of(r);
  REQUIRE(env.size() == 3);
  for (const auto& e : env) CHECK(e["statuscode"] == 200);
  CHECK(env[0]["return"] < env[1]["return"]);
  CHECK(env[1]["return"] < env[2]["return"]);
  CHECK(sim.stock("A-1")->total == 6);
  CHECK(sim.stock("B-1")->total == 7);
}

TEST_CASE("transactions: more than 1000 items in one request is 400 and nothing moves - 1000 is fine") {
  Simulator sim;
  sim.add_product("A-1", 0);
  sim.start();
  Api api(sim);
  auto make = [&](int n) {
    json items = json::array();
    for (int i = 0; i < n; ++i) items.push_back({{"sku", "A-1"}, {"decimalquantity", "1.000"}});
    // Split over two transactions: the cap counts items in the whole request.
    json first = {{"warehouseid", sim.warehouse_id()}, {"transactiontype", 10}, {"items", json::array()}};
    json second = first;
    for (int i = 0; i < n; ++i) (i % 2 ? first : second)["items"].push_back(items[static_cast<std::size_t>(i)]);
    return json::array({first, second});
  };
  CHECK(error_text(api.post(tx_path(), make(1001)), 400).find("1000") != std::string::npos);
  CHECK(sim.stock("A-1")->total == 0);
  CHECK(api.post(tx_path(), make(1000)).status == 200);
  CHECK(sim.stock("A-1")->total == 1000);
}

TEST_CASE("transactions: read-only types, wrong signs, Virtual warehouses and unknown SKUs are 400 and move nothing") {
  Simulator sim;
  sim.add_product("A-1", 5);
  auto virt = sim.add_warehouse("Virtual", kWarehouseVirtual);
  sim.start();
  Api api(sim);
  auto w = sim.warehouse_id();
  for (int type : {kTxPosSale, kTxOrderDelivery, kTxStocktaking, 60, 0}) {
    INFO("type " << type);
    CHECK(error_text(api.post(tx_path(), json::array({tx(w, type, "A-1", "-1.000")})), 400).find("read-only") !=
          std::string::npos);
  }
  error_text(api.post(tx_path(), json::array({tx(w, kTxMoveIn, "A-1", "-1.000")})), 400);
  error_text(api.post(tx_path(), json::array({tx(w, kTxMoveOut, "A-1", "1.000")})), 400);
  CHECK(error_text(api.post(tx_path(), json::array({tx(virt, kTxMoveIn, "A-1", "1.000")})), 400).find("Virtual") !=
        std::string::npos);
  // An unknown SKU (here an en dash lookalike) is named; the valid first transaction is not applied either.
  auto text = error_text(api.post(tx_path(), json::array({tx(w, kTxMoveIn, "A-1", "1.000"),
                                                          tx(w, kTxMoveIn, "A\xE2\x80\x93" "1", "1.000")})),
                         400);
  CHECK(text.find("A\\xE2\\x80\\x931") != std::string::npos);
  CHECK(text.find("transaction 1") != std::string::npos);
  error_text(api.post(tx_path(), json::object({{"warehouseid", w}})), 400);  // not an array
  error_text(api.post(tx_path(), json::array({tx(w, kTxMoveIn, "A-1", "abc")})), 400);
  CHECK(sim.stock("A-1")->total == 5);
  CHECK(body_of(api.get(tx_path()))["totalcount"] == 0);
}

TEST_CASE("datelastmodified: moved by transactions, not by a reservation (the documented gap) - from/to filter it") {
  Simulator sim;
  sim.set_clock(kT0);
  sim.add_product("A-1", 10);
  sim.add_product("B-1", 10);
  sim.start();
  Api api(sim);
  CHECK(sim.stock("A-1")->datelastmodified == kT0);

  sim.advance_clock(100);
  // A reservation: reserved and available move, datelastmodified does not.
  REQUIRE(api.post("/sites/1/orders.json", {{"ordertypeid", 10},
                                            {"warehouseid", sim.warehouse_id()},
                                            {"orderitems", json::array({{{"productname", "A"}, {"sku", "A-1"}, {"quantity", 2}}})}})
              .status == 200);
  CHECK(sim.stock("A-1")->reserved == 2);
  CHECK(sim.stock("A-1")->datelastmodified == kT0);
  auto changed = body_of(api.get(items_path(sim, "datelastmodifiedfrom=" + std::to_string(kT0 + 50))));
  CHECK(changed["totalcount"] == 0);  // a changed-since poll does not see the reservation

  sim.advance_clock(100);
  sim.pos_sale(sim.warehouse_id(), "B-1", 1);  // a transaction
  CHECK(sim.stock("B-1")->datelastmodified == kT0 + 200);
  changed = body_of(api.get(items_path(sim, "datelastmodifiedfrom=" + std::to_string(kT0 + 50))));
  REQUIRE(changed["totalcount"] == 1);
  CHECK(changed["items"][0]["sku"] == "B-1");
  CHECK(changed["items"][0]["datelastmodified"] == kT0 + 200);
  auto before = body_of(api.get(items_path(sim, "datelastmodifiedto=" + std::to_string(kT0 + 50))));
  REQUIRE(before["totalcount"] == 1);
  CHECK(before["items"][0]["sku"] == "A-1");
}

TEST_CASE("datelastmodified: with the gap switched off a reservation moves it too") {
  Options o;
  o.datelastmodified_only_on_transactions = false;
  Simulator sim(o);
  sim.set_clock(kT0);
  sim.add_product("A-1", 10);
  sim.start();
  Api api(sim);
  sim.advance_clock(100);
  REQUIRE(api.post("/sites/1/orders.json", {{"ordertypeid", 10},
                                            {"warehouseid", sim.warehouse_id()},
                                            {"orderitems", json::array({{{"productname", "A"}, {"sku", "A-1"}, {"quantity", 2}}})}})
              .status == 200);
  CHECK(sim.stock("A-1")->datelastmodified == kT0 + 100);
}

TEST_CASE("transaction lists: newest first by default, sort ascending, id from (>=) / to (<), type and date filters") {
  Simulator sim;
  sim.set_clock(kT0);
  sim.add_product("A-1", 50);
  auto second = sim.add_warehouse("Store 2");
  sim.start();
  Api api(sim);
  auto w = sim.warehouse_id();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    sim.advance_clock(10);
    ids.push_back(sim.goods_received(w, "A-1", 1));
  }
  sim.advance_clock(10);
  ids.push_back(sim.pos_sale(second, "A-1", 1));  // 5th, other warehouse, type 30

  auto all = body_of(api.get(tx_path()));
  REQUIRE(all["totalcount"] == 5);
  CHECK(all["items"][0]["warehousetransactionid"] == ids[4]);  // -warehousetransactionid
  CHECK(all["items"][4]["warehousetransactionid"] == ids[0]);

  auto asc = body_of(api.get(tx_path() + "?sort=warehousetransactionid"));
  CHECK(asc["items"][0]["warehousetransactionid"] == ids[0]);
  error_text(api.get(tx_path() + "?sort=datecreated"), 400);

  auto window = body_of(api.get(tx_path() + "?sort=warehousetransactionid&warehousetransactionidfrom=" +
                                std::to_string(ids[1]) + "&warehousetransactionidto=" + std::to_string(ids[3])));
  REQUIRE(window["totalcount"] == 2);
  CHECK(window["items"][0]["warehousetransactionid"] == ids[1]);
  CHECK(window["items"][1]["warehousetransactionid"] == ids[2]);

  auto per_wh = body_of(api.get("/sites/1/warehouses/" + std::to_string(w) + "/warehousetransactions.json"));
  CHECK(per_wh["totalcount"] == 4);
  auto sales = body_of(api.get(tx_path() + "?transactiontype=30"));
  REQUIRE(sales["totalcount"] == 1);
  CHECK(sales["items"][0]["warehouseid"] == second);
  CHECK(body_of(api.get(tx_path() + "?warehouseid=" + std::to_string(second)))["totalcount"] == 1);
  CHECK(body_of(api.get(tx_path() + "?transactiontype=10,30"))["totalcount"] == 5);

  auto dated = body_of(api.get(tx_path() + "?datecreatedfrom=" + std::to_string(kT0 + 20) +
                               "&datecreatedto=" + std::to_string(kT0 + 40)));
  CHECK(dated["totalcount"] == 2);  // +20 and +30
  auto paged = body_of(api.get(tx_path() + "?num=2&start=1&fields=warehousetransactionid"));
  CHECK(paged["totalcount"] == 5);
  REQUIRE(paged["items"].size() == 2);
  CHECK(paged["items"][0] == json{{"warehousetransactionid", ids[3]}});
}

TEST_CASE("shop floor (not part of Sitoo): sale, goods received and a count are transactions with their types") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.start();
  Api api(sim);
  auto w = sim.warehouse_id();
  sim.pos_sale(w, "A-1", 3);
  sim.goods_received(w, "A-1", 5);
  auto count = sim.manual_count(w, "A-1", 4);
  CHECK(sim.stock("A-1")->total == 4);
  auto t = body_of(api.get("/sites/1/warehouses/" + std::to_string(w) + "/warehousetransactions/" +
                           std::to_string(count) + ".json"));
  CHECK(t["transactiontype"] == kTxStocktaking);
  CHECK(t["items"][0]["decimalquantity"] == "-8.000");
  CHECK(t["items"][0]["decimaltotal"] == "4.000");
  auto types = body_of(api.get(tx_path() + "?sort=warehousetransactionid&fields=transactiontype"));
  CHECK(types["items"] == json::array({{{"transactiontype", 30}}, {{"transactiontype", 10}}, {{"transactiontype", 50}}}));
  CHECK_THROWS_AS(sim.pos_sale(w, "NOPE", 1), std::invalid_argument);
  CHECK(body_of(api.get(items_path(sim, "sku=A-1")))["items"][0]["datelaststocktaking"].is_number_integer());
}
