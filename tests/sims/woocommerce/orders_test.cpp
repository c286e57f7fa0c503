// Orders over real HTTP: stock moves exactly once per WooCommerce's rules,
// refunds, notes and list filters (woocommerce.md §12 items 9-10, §9).
#include <algorithm>

#include "test_support.hpp"

using namespace woo_sim;
using namespace woo_sim::testing;

namespace {

struct Shop {
  Shop() { sim.start(); }
  Simulator sim;
};

std::string reduced_meta(const json& line) {
  for (const auto& m : line["meta_data"]) {
    if (m["key"] == "_reduced_stock") return m["value"].get<std::string>();
  }
  return "";
}

std::vector<std::string> note_texts(Api& api, std::int64_t order) {
  std::vector<std::string> out;
  for (const auto& n : body_of(api.get("/orders/" + std::to_string(order) + "/notes"))) out.push_back(n["note"]);
  return out;
}

bool has_note(const std::vector<std::string>& notes, const std::string& text) {
  return std::find(notes.begin(), notes.end(), text) != notes.end();
}

}  // namespace

TEST_CASE("orders: POST with set_paid reduces stock once and marks each line's _reduced_stock") {
  Shop shop;
  auto pid = shop.sim.add_simple("MUG", 10, "Mug");
  Api api(shop.sim);
  auto r = api.post("/orders", {{"set_paid", true},
                                {"line_items", {{{"sku", "MUG"}, {"quantity", 2}}, {{"product_id", pid}, {"quantity", 1}}}}});
  REQUIRE(r.status == 201);
  CHECK(r.header("location").find("/wp-json/wc/v3/orders/") != std::string::npos);
  auto o = body_of(r);
  CHECK(o["status"] == "processing");
  CHECK(o["date_paid_gmt"].is_string());
  REQUIRE(o["line_items"].size() == 2);
  CHECK(reduced_meta(o["line_items"][0]) == "2");
  CHECK(reduced_meta(o["line_items"][1]) == "1");
  CHECK(o["line_items"][0]["sku"] == "MUG");
  CHECK(o["line_items"][0]["price"].is_number());
  CHECK(shop.sim.stock("MUG") == 7);
  auto id = o["id"].get<std::int64_t>();
  CHECK(has_note(note_texts(api, id), "Stock levels reduced: Mug (MUG) 10\u21928, Mug (MUG) 8\u21927"));

  // processing -> completed -> on-hold: no second reduction.
  CHECK(api.put("/orders/" + std::to_string(id), {{"status", "completed"}}).status == 200);
  CHECK(api.put("/orders/" + std::to_string(id), {{"status", "on-hold"}}).status == 200);
  CHECK(shop.sim.stock("MUG") == 7);
}

TEST_CASE("orders: pending creates take nothing, processing takes, cancelled and pending give back, again takes") {
  Shop shop;
  shop.sim.add_simple("PEN", 5, "Pen");
  Api api(shop.sim);
  auto o = body_of(api.post("/orders", {{"status", "pending"}, {"line_items", {{{"sku", "PEN"}, {"quantity", 2}}}}}));
  auto id = std::to_string(o["id"].get<std::int64_t>());
  CHECK(shop.sim.stock("PEN") == 5);
  CHECK(reduced_meta(o["line_items"][0]).empty());

  auto processing = body_of(api.put("/orders/" + id, {{"status", "processing"}}));
  CHECK(shop.sim.stock("PEN") == 3);
  CHECK(reduced_meta(processing["line_items"][0]) == "2");

  auto cancelled = body_of(api.put("/orders/" + id, {{"status", "cancelled"}}));
  CHECK(shop.sim.stock("PEN") == 5);
  CHECK(reduced_meta(cancelled["line_items"][0]).empty());
  CHECK(api.put("/orders/" + id, {{"status", "cancelled"}}).status == 200);
  CHECK(shop.sim.stock("PEN") == 5);  // nothing to give back twice

  api.put("/orders/" + id, {{"status", "on-hold"}});
  CHECK(shop.sim.stock("PEN") == 3);
  api.put("/orders/" + id, {{"status", "pending"}});
  CHECK(shop.sim.stock("PEN") == 5);
  api.put("/orders/" + id, {{"status", "failed"}});
  CHECK(shop.sim.stock("PEN") == 5);  // failed is not hooked
  api.put("/orders/" + id, {{"status", "completed"}});
  CHECK(shop.sim.stock("PEN") == 3);
  auto notes = note_texts(api, std::stoll(id));
  CHECK(has_note(notes, "Stock levels increased: Pen (PEN) 3\u21925"));
  CHECK(has_note(notes, "Order status changed from Pending payment to Processing."));
}

TEST_CASE("orders: refunded status never restocks, a refund restocks only with api_restock and line items") {
  Shop shop;
  shop.sim.add_simple("CUP", 10, "Cup");
  Api api(shop.sim);
  auto o = body_of(api.post("/orders", {{"status", "processing"}, {"line_items", {{{"sku", "CUP"}, {"quantity", 4}}}}}));
  auto id = std::to_string(o["id"].get<std::int64_t>());
  auto item = o["line_items"][0]["id"].get<std::int64_t>();
  CHECK(shop.sim.stock("CUP") == 6);

  // api_refund defaults to true and the store's gateway cannot pay back.
  auto gateway = api.post("/orders/" + id + "/refunds", {{"amount", "1.00"}});
  CHECK(error_code(gateway, 500) == "woocommerce_rest_cannot_create_order_refund");

  auto no_restock = api.post("/orders/" + id + "/refunds",
                             {{"api_refund", false}, {"api_restock", false}, {"line_items", {{{"id", item}, {"quantity", 1}, {"refund_total", "10.00"}}}}});
  CHECK(no_restock.status == 201);
  CHECK(shop.sim.stock("CUP") == 6);

  auto restock = api.post("/orders/" + id + "/refunds",
                          {{"api_refund", false}, {"line_items", {{{"id", item}, {"quantity", 1}, {"refund_total", "10.00"}}}}});
  CHECK(restock.status == 201);
  CHECK(body_of(restock)["amount"] == "10.00");
  CHECK(shop.sim.stock("CUP") == 7);
  auto after = body_of(api.get("/orders/" + id));
  CHECK(reduced_meta(after["line_items"][0]) == "3");
  CHECK(after["refunds"].size() == 2);
  CHECK(body_of(api.get("/orders/" + id + "/refunds")).size() == 2);

  api.put("/orders/" + id, {{"status", "refunded"}});
  CHECK(shop.sim.stock("CUP") == 7);
  CHECK(body_of(api.get("/orders/" + id))["status"] == "refunded");
  // Cancelling later gives back what is still reduced (3), not the original 4.
  api.put("/orders/" + id, {{"status", "cancelled"}});
  CHECK(shop.sim.stock("CUP") == 10);
  CHECK(has_note(note_texts(api, std::stoll(id)), "Item #" + std::to_string(shop.sim.product("CUP")->id) +
                                                      " stock increased from 6 to 7."));
}

TEST_CASE("orders: a parent-managed variation takes from the parent, whose date_modified_gmt bumps") {
  Shop shop;
  auto parent = shop.sim.add_variable("HAT", "Hat", 10);
  shop.sim.add_variation(parent, "HAT-S", ManageMode::Parent);
  auto own = shop.sim.add_variation(parent, "HAT-M", ManageMode::Own, 5);
  Api api(shop.sim);
  auto o = body_of(api.post("/orders", {{"set_paid", true},
                                        {"line_items", {{{"sku", "HAT-S"}, {"quantity", 3}}, {{"variation_id", own}, {"quantity", 1}}}}}));
  CHECK(o["line_items"][0]["product_id"] == parent);
  CHECK(o["line_items"][0]["variation_id"] != 0);
  CHECK(o["line_items"][1]["variation_id"] == own);
  CHECK(shop.sim.stock("HAT") == 7);
  CHECK(shop.sim.stock("HAT-S") == 7);
  CHECK(shop.sim.stock("HAT-M") == 4);
  auto notes = note_texts(api, o["id"].get<std::int64_t>());
  CHECK(has_note(notes, "Stock levels reduced: Hat - S (HAT-S) 10\u21927, Hat - M (HAT-M) 5\u21924"));
}

TEST_CASE("orders: lines for products without stock management move nothing") {
  Shop shop;
  shop.sim.add_simple("FREE", std::nullopt);
  shop.sim.add_simple("KEPT", 2);
  auto id = shop.sim.place_order({{"FREE", 3}, {"KEPT", 1}}, "processing");
  CHECK(shop.sim.stock("FREE") == std::nullopt);
  CHECK(shop.sim.stock("KEPT") == 1);
  shop.sim.set_order_status(id, "cancelled");
  CHECK(shop.sim.stock("KEPT") == 2);
  CHECK_THROWS_AS(shop.sim.place_order({{"NOPE", 1}}), std::invalid_argument);
}

TEST_CASE("orders: checkout may oversell into negative stock") {
  Shop shop;
  shop.sim.add_simple("LAST", 1);
  shop.sim.place_order({{"LAST", 3}});
  CHECK(shop.sim.stock("LAST") == -2);
  CHECK(shop.sim.product("LAST")->stock_status == "outofstock");
}

TEST_CASE("orders: merchant refund API with and without restock") {
  Shop shop;
  shop.sim.add_simple("BOX", 10);
  auto id = shop.sim.place_order({{"BOX", 5}});
  shop.sim.refund(id, {{"BOX", 2}}, false);
  CHECK(shop.sim.stock("BOX") == 5);
  shop.sim.refund(id, {{"BOX", 2}}, true);
  CHECK(shop.sim.stock("BOX") == 7);
  shop.sim.set_order_status(id, "refunded");
  CHECK(shop.sim.stock("BOX") == 7);
  CHECK(shop.sim.order_status(id) == "refunded");
}

TEST_CASE("notes: REST notes with the customer_note flag, type filter, automatic stock notes are system notes") {
  Shop shop;
  shop.sim.add_simple("NB", 3, "Notebook");
  Api api(shop.sim);
  auto id = shop.sim.place_order({{"NB", 1}});
  std::string base = "/orders/" + std::to_string(id) + "/notes";
  auto created = api.post(base, {{"note", "synced to POS"}, {"customer_note", false}});
  CHECK(created.status == 201);
  CHECK(body_of(created)["customer_note"] == false);
  auto customer = body_of(api.post(base, {{"note", "shipped"}, {"customer_note", true}}));
  CHECK(customer["customer_note"] == true);
  CHECK(body_of(api.get(base + "?type=customer")).size() == 1);
  auto all = body_of(api.get(base));
  CHECK(all[0]["note"] == "shipped");  // newest first
  CHECK(error_code(api.post(base, {{"customer_note", true}}), 400) == "rest_missing_callback_param");

  bool stock_note = false;
  for (const auto& n : shop.sim.notes(id)) {
    if (n.note == "Stock levels reduced: Notebook (NB) 3\u21922") {
      stock_note = true;
      CHECK_FALSE(n.added_by_user);
      CHECK_FALSE(n.customer_note);
    }
  }
  CHECK(stock_note);
  auto one = body_of(api.get(base + "/" + std::to_string(customer["id"].get<std::int64_t>())));
  CHECK(one["note"] == "shipped");
  CHECK(error_code(api.del(base + "/" + std::to_string(customer["id"].get<std::int64_t>())), 501) ==
        "woocommerce_rest_trash_not_supported");
  CHECK(api.del(base + "/" + std::to_string(customer["id"].get<std::int64_t>()) + "?force=true").status == 200);
  CHECK(error_code(api.get("/orders/999999/notes"), 404) == "woocommerce_rest_shop_order_invalid_id");
}

TEST_CASE("orders: list filters by status and modified_after, with paging headers") {
  Shop shop;
  shop.sim.add_simple("L", 100);
  auto a = shop.sim.place_order({{"L", 1}}, "processing");
  auto b = shop.sim.place_order({{"L", 1}}, "pending");
  auto c = shop.sim.place_order({{"L", 1}}, "completed");
  Api api(shop.sim);
  auto all = api.get("/orders");
  CHECK(all.header("x-wp-total") == "3");
  CHECK(body_of(all)[0]["id"] == c);
  CHECK(body_of(api.get("/orders?status=processing,completed")).size() == 2);
  CHECK(body_of(api.get("/orders?status%5B%5D=pending"))[0]["id"] == b);
  CHECK(error_code(api.get("/orders?status=bogus"), 400) == "rest_invalid_param");
  // The last stock change saved the product after every order was saved.
  std::string stamp = body_of(api.get("/products?sku=L"))[0]["date_modified_gmt"];
  CHECK(body_of(api.get("/orders?dates_are_gmt=true&modified_after=" + stamp)).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  shop.sim.set_order_status(a, "completed");
  auto changed = body_of(api.get("/orders?dates_are_gmt=true&modified_after=" + stamp));
  REQUIRE(changed.size() == 1);
  CHECK(changed[0]["id"] == a);
  // The stock change of an order saves the product: it shows up in modified_after too.
  auto products = body_of(api.get("/products?dates_are_gmt=true&modified_after=" + stamp));
  CHECK(products.empty());  // completing after processing moved no stock
  shop.sim.set_order_status(a, "cancelled");
  CHECK(body_of(api.get("/products?dates_are_gmt=true&modified_after=" + stamp)).size() == 1);
}

TEST_CASE("orders: unknown products and bad quantities are refused, batch creates orders") {
  Shop shop;
  shop.sim.add_simple("OK", 5);
  Api api(shop.sim);
  CHECK(error_code(api.post("/orders", {{"line_items", {{{"sku", "MISSING"}, {"quantity", 1}}}}}), 400) ==
        "woocommerce_rest_invalid_product_id");
  CHECK(error_code(api.post("/orders", {{"line_items", {{{"sku", "OK"}, {"quantity", 0}}}}}), 400) ==
        "woocommerce_rest_invalid_product_quantity");
  CHECK(error_code(api.post("/orders", {{"status", "shipped"}}), 400) == "rest_invalid_param");
  auto r = api.post("/orders/batch", {{"create", {{{"status", "processing"}, {"line_items", {{{"sku", "OK"}, {"quantity", 2}}}}},
                                                   {{"line_items", {{{"sku", "NOPE"}}}}}}}});
  CHECK(r.status == 200);
  auto j = body_of(r);
  CHECK(j["create"][0]["status"] == "processing");
  CHECK(j["create"][1]["id"] == 0);
  CHECK(shop.sim.stock("OK") == 3);
  CHECK(shop.sim.order_ids().size() == 1);
}
