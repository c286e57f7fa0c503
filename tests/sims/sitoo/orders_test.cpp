// Orders and order deliveries over real HTTP (sitoo.md §10 items 6-7):
// required fields, externalid rules, reservation arithmetic, cancel
// releases, no DELETE, list filters and sort, partial deliveries and
// over-delivery refused, the delivery's transaction.
#include "test_support.hpp"

using namespace sitoo_sim;
using namespace sitoo_sim::testing;

namespace {

json order(const Simulator& sim, const std::string& externalid, std::vector<std::pair<std::string, int>> lines) {
  json items = json::array();
  for (const auto& [sku, q] : lines) {
    items.push_back({{"productname", "Item " + sku}, {"sku", sku}, {"quantity", q}, {"moneyrowprice", "125.00"},
                     {"vatvalue", 25}});
  }
  json o = {{"ordertypeid", 10},
            {"warehouseid", sim.warehouse_id()},
            {"orderstateid", 0},
            {"paymentstateid", 20},
            {"email", "buyer@example.com"},
            {"additionaldata", {{"weborder", "true"}}},
            {"orderitems", items}};
  if (!externalid.empty()) o["externalid"] = externalid;
  return o;
}

std::int64_t place(Api& api, const json& body) {
  auto r = api.post("/sites/1/orders.json", body);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return body_of(r).get<std::int64_t>();
}

std::string order_path(std::int64_t id) { return "/sites/1/orders/" + std::to_string(id) + ".json"; }
std::string deliveries_path(std::int64_t id) { return "/sites/1/orders/" + std::to_string(id) + "/orderdeliveries.json"; }

}  // namespace

TEST_CASE("orders: an order for a warehouse reserves its SKUs: reserved up, available down, total unchanged") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.add_product("B-1", 4);
  sim.start();
  Api api(sim);
  auto id = place(api, order(sim, "WC-1001", {{"A-1", 3}, {"B-1", 1}}));
  auto a = sim.stock("A-1");
  CHECK(a->total == 10);
  CHECK(a->reserved == 3);
  CHECK(a->available == 7);
  auto items = body_of(api.get(items_path(sim, "sku=A-1")))["items"][0];
  CHECK(items["decimaltotal"] == "10.000");
  CHECK(items["decimalreserved"] == "3.000");
  CHECK(items["decimalavailable"] == "7.000");

  auto got = body_of(api.get(order_path(id)));
  CHECK(got["orderid"] == id);
  CHECK(got["externalid"] == "WC-1001");
  CHECK(got["eshopid"] == 1);
  CHECK(got["email"] == "buyer@example.com");
  CHECK(got["additionaldata"]["weborder"] == "true");
  REQUIRE(got["orderitems"].size() == 2);
  CHECK(got["orderitems"][0]["orderitemid"] == 0);
  CHECK(got["orderitems"][1]["orderitemid"] == 1);
  CHECK(got["orderitems"][1]["sku"] == "B-1");
  CHECK(got["moneytotal_gross_all"] == "250.00");
  CHECK(got["moneytotal_net"] == "200.00");
  CHECK(got["moneytotal_vat"] == "50.00");
  CHECK(sim.counters().orders_created == 1);
}

TEST_CASE("orders: ordertypeid is required") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.start();
  Api api(sim);
  json o = order(sim, "X-1", {{"A-1", 1}});
  o.erase("ordertypeid");
  CHECK(error_text(api.post("/sites/1/orders.json", o), 400).find("ordertypeid") != std::string::npos);
  CHECK(sim.stock("A-1")->reserved == 0);
}

TEST_CASE("orders: externalid is unique and 1-40 characters of [A-Za-z0-9_-]") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.start();
  Api api(sim);
  auto first = place(api, order(sim, "WC_2002-a", {{"A-1", 1}}));
  auto dup = error_text(api.post("/sites/1/orders.json", order(sim, "WC_2002-a", {{"A-1", 1}})), 400);
  CHECK(dup.find("WC_2002-a") != std::string::npos);
  CHECK(dup.find(std::to_string(first)) != std::string::npos);
  for (const std::string& bad : {std::string("has space"), std::string("dot.ted"), std::string(41, 'x'), std::string("")}) {
    INFO(bad);
    json o = order(sim, "", {{"A-1", 1}});
    o["externalid"] = bad;
    error_text(api.post("/sites/1/orders.json", o), 400);
  }
  place(api, order(sim, std::string(40, 'x'), {{"A-1", 1}}));
  CHECK(sim.stock("A-1")->reserved == 2);  // refused orders reserved nothing
}

TEST_CASE("orders: an item SKU unknown in the warehouse refuses the whole order, naming the SKU") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.start();
  Api api(sim);
  auto text = error_text(api.post("/sites/1/orders.json", order(sim, "WC-9", {{"A-1", 2}, {"A\xE2\x80\x93" "1", 1}})), 400);
  CHECK(text.find("A\\xE2\\x80\\x931") != std::string::npos);
  CHECK(sim.stock("A-1")->reserved == 0);  // no partial order
  CHECK(body_of(api.get("/sites/1/orders.json"))["totalcount"] == 0);
  // The externalid is still free.
  place(api, order(sim, "WC-9", {{"A-1", 2}}));
}

TEST_CASE("orders: cancelling (orderstateid 20) releases what is still reserved - there is no DELETE") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.start();
  Api api(sim);
  auto id = place(api, order(sim, "WC-3", {{"A-1", 4}}));
  CHECK(sim.stock("A-1")->available == 6);

  auto del = api.del(order_path(id));
  CHECK(error_text(del, 405).find("DELETE") != std::string::npos);
  CHECK(sim.stock("A-1")->reserved == 4);

  auto put = api.put(order_path(id), {{"orderstateid", 20}});
  REQUIRE(put.status == 200);
  CHECK(body_of(put) == true);
  auto a = sim.stock("A-1");
  CHECK(a->reserved == 0);
  CHECK(a->available == 10);
  CHECK(a->total == 10);
  CHECK(body_of(api.get(order_path(id)))["orderstateid"] == 20);
  // Cancelled stays cancelled; a second cancel releases nothing twice.
  error_text(api.put(order_path(id), {{"orderstateid", 0}}), 400);
  CHECK(api.put(order_path(id), {{"orderstateid", 20}}).status == 200);
  CHECK(sim.stock("A-1")->reserved == 0);
  error_text(api.put(order_path(999), {{"orderstateid", 20}}), 404);
}

TEST_CASE("order lists: newest first, sort=orderid, externalid/orderid/orderstate filters, items only on request") {
  Simulator sim;
  sim.add_product("A-1", 100);
  sim.start();
  Api api(sim);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(place(api, order(sim, "E-" + std::to_string(i), {{"A-1", 1}})));
  REQUIRE(api.put(order_path(ids[3]), {{"orderstateid", 20}}).status == 200);

  auto page = body_of(api.get("/sites/1/orders.json"));
  CHECK(page["totalcount"] == 12);
  REQUIRE(page["items"].size() == 10);
  CHECK(page["items"][0]["orderid"] == ids[11]);
  CHECK_FALSE(page["items"][0].contains("orderitems"));
  auto asc = body_of(api.get("/sites/1/orders.json?sort=orderid&start=10"));
  REQUIRE(asc["items"].size() == 2);
  CHECK(asc["items"][0]["orderid"] == ids[10]);

  auto by_ext = body_of(api.get("/sites/1/orders.json?externalid=E-2,E-5,nope"));
  CHECK(by_ext["totalcount"] == 2);
  auto by_id = body_of(api.get("/sites/1/orders.json?orderid=" + std::to_string(ids[0])));
  REQUIRE(by_id["totalcount"] == 1);
  CHECK(by_id["items"][0]["externalid"] == "E-0");
  auto cancelled = body_of(api.get("/sites/1/orders.json?orderstate=20"));
  REQUIRE(cancelled["totalcount"] == 1);
  CHECK(cancelled["items"][0]["orderid"] == ids[3]);
  CHECK(body_of(api.get("/sites/1/orders.json?orderstate=0,20"))["totalcount"] == 12);
  auto with_items = body_of(api.get("/sites/1/orders.json?num=1&fields=orderid,orderitems"));
  REQUIRE(with_items["items"][0].size() == 2);
  CHECK(with_items["items"][0]["orderitems"][0]["sku"] == "A-1");
  CHECK(body_of(api.get("/orders.json?eshopid=1"))["totalcount"] == 12);
  error_text(api.get("/sites/1/orders.json?orderid=abc"), 400);
}

TEST_CASE("deliveries: partial deliveries lower total and reserved together and write a transaction pointing back") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.add_product("B-1", 5);
  sim.start();
  Api api(sim);
  auto id = place(api, order(sim, "WC-7", {{"A-1", 3}, {"B-1", 2}}));
  auto w = sim.warehouse_id();

  auto first = api.post(deliveries_path(id), {{"warehouseid", w},
                                              {"orderdeliveryref", "TRACK-1"},
                                              {"orderdeliveryitems", json::array({{{"orderitemid", 0}, {"quantity", 2}}})}});
  REQUIRE(first.status == 200);
  auto delivery = body_of(first).get<std::int64_t>();
  auto a = sim.stock("A-1");
  CHECK(a->total == 8);
  CHECK(a->reserved == 1);
  CHECK(a->available == 7);  // unchanged by the delivery

  auto txs = body_of(api.get("/sites/1/warehousetransactions.json"));
  REQUIRE(txs["totalcount"] == 1);
  CHECK(txs["items"][0]["orderdeliveryid"] == delivery);
  CHECK(txs["items"][0]["transactiontype"] == kTxOrderDelivery);
  CHECK(txs["items"][0]["items"][0]["decimalquantity"] == "-2.000");
  CHECK(txs["items"][0]["items"][0]["decimaltotal"] == "8.000");

  // The rest, in a second delivery.
  REQUIRE(api.post(deliveries_path(id), {{"warehouseid", w},
                                         {"orderdeliveryitems", json::array({{{"orderitemid", 0}, {"quantity", 1}},
                                                                            {{"orderitemid", 1}, {"quantity", 2}}})}})
              .status == 200);
  CHECK(sim.stock("A-1")->total == 7);
  CHECK(sim.stock("A-1")->reserved == 0);
  CHECK(sim.stock("B-1")->total == 3);
  CHECK(sim.stock("B-1")->reserved == 0);

  auto list = body_of(api.get(deliveries_path(id)));
  REQUIRE(list["totalcount"] == 2);
  CHECK(list["items"][0]["orderdeliveryid"] == delivery);
  CHECK(list["items"][0]["orderdeliveryref"] == "TRACK-1");
  CHECK(list["items"][0]["orderdeliveryitems"] == json::array({{{"orderitemid", 0}, {"quantity", 2}}}));
  CHECK(sim.counters().deliveries_created == 2);
}

TEST_CASE("deliveries: over-delivery, unknown item ids, missing fields and cancelled orders are refused with nothing moved") {
  Simulator sim;
  sim.add_product("A-1", 10);
  sim.start();
  Api api(sim);
  auto id = place(api, order(sim, "WC-8", {{"A-1", 3}}));
  auto w = sim.warehouse_id();
  auto post = [&](json items, std::int64_t order_id) {
    return api.post(deliveries_path(order_id), {{"warehouseid", w}, {"orderdeliveryitems", std::move(items)}});
  };
  CHECK(error_text(post(json::array({{{"orderitemid", 0}, {"quantity", 4}}}), id), 400).find("undelivered 3") !=
        std::string::npos);
  // Split over two lines of the same item, still more than ordered.
  error_text(post(json::array({{{"orderitemid", 0}, {"quantity", 2}}, {{"orderitemid", 0}, {"quantity", 2}}}), id), 400);
  CHECK(error_text(post(json::array({{{"orderitemid", 5}, {"quantity", 1}}}), id), 400).find("orderitemid 5") !=
        std::string::npos);
  error_text(post(json::array({{{"orderitemid", 0}, {"quantity", 0}}}), id), 400);
  error_text(post(json::array(), id), 400);
  error_text(api.post(deliveries_path(id), {{"orderdeliveryitems", json::array({{{"orderitemid", 0}, {"quantity", 1}}})}}),
             400);  // no warehouseid
  error_text(post(json::array({{{"orderitemid", 0}, {"quantity", 1}}}), 4242), 404);
  CHECK(sim.stock("A-1")->total == 10);
  CHECK(sim.stock("A-1")->reserved == 3);

  REQUIRE(post(json::array({{{"orderitemid", 0}, {"quantity", 3}}}), id).status == 200);
  error_text(post(json::array({{{"orderitemid", 0}, {"quantity", 1}}}), id), 400);  // all delivered

  auto other = place(api, order(sim, "WC-8b", {{"A-1", 1}}));
  REQUIRE(api.put(order_path(other), {{"orderstateid", 20}}).status == 200);
  error_text(post(json::array({{{"orderitemid", 0}, {"quantity", 1}}}), other), 400);
  CHECK(sim.stock("A-1")->total == 7);
  CHECK(sim.stock("A-1")->reserved == 0);
}
