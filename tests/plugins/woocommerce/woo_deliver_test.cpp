// libwoocommerce.so: set_stock, set_price and add_note against the simulated store.
#include <algorithm>
#include <atomic>
#include <ctime>

#include "woo_fixture.hpp"

using namespace woo_test;

namespace {

// WooCommerce's "YYYY-MM-DDTHH:MM:SS" (GMT) in ms since the epoch.
std::int64_t ms_of_gmt(const std::string& text) {
  std::tm t{};
  strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &t);
  return static_cast<std::int64_t>(timegm(&t)) * 1000;
}

std::string sku_n(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "S-%03d", i);
  return buf;
}

sr::CommandResult result_of(WooShop& shop, const std::string& id) {
  auto r = shop.host.result(id);
  INFO("command " << id);
  REQUIRE(r);
  return *r;
}

std::size_t update_items(const json& req) {
  auto body = json::parse(req.value("body", std::string("{}")), nullptr, false);
  return body.is_object() && body.contains("update") ? body["update"].size() : 0;
}

}  // namespace

TEST_CASE("250 set_stock commands go out as exactly 3 batch writes, each result with level and version") {
  WooShop shop;
  for (int i = 0; i < 250; ++i) shop.sim.add_simple(sku_n(i), 1);
  shop.start();
  shop.sim.reset_counters();
  std::vector<sr::Command> batch;
  for (int i = 0; i < 250; ++i) batch.push_back(shop.set_stock(std::to_string(1000 + i), sku_n(i), 5 + i % 3, 1));
  REQUIRE(shop.plugin->deliver(batch) == SR_OK);

  auto c = shop.sim.counters();
  CHECK(c.writes == 3);
  CHECK(c.batch_requests == 3);
  CHECK(c.batch_items == 250);
  CHECK(c.reads == 3);  // verify_before_write: one look-up per 100 SKUs
  CHECK(shop.host.results().size() == 250);
  for (int i = 0; i < 250; ++i) {
    auto r = result_of(shop, std::to_string(1000 + i));
    CHECK(r.outcome == sr::Outcome::Ok);
    CHECK(r.level == q(5 + i % 3));
    CHECK(r.version == shop.sim.product(sku_n(i))->date_modified_gmt);
    CHECK(shop.sim.stock(sku_n(i)) == 5 + i % 3);
  }
  CHECK(shop.host.violations().empty());
  CHECK(shop.host.refusals().empty());
}

TEST_CASE("a 413 splits the batch in halves until the store takes it") {
  WooShop shop;
  for (int i = 0; i < 100; ++i) shop.sim.add_simple(sku_n(i), 0);
  shop.start();
  // A store whose batch limit was lowered to 30 items.
  std::atomic<int> refused{0};
  shop.host.on_http([&](const json& req) -> sr::HttpResponse {
    if (req.value("method", "") == "POST" && req["url"].get<std::string>().find("/batch") != std::string::npos &&
        update_items(req) > 30) {
      ++refused;
      return {413, {{"content-type", "application/json"}},
              R"({"code":"woocommerce_rest_request_entity_too_large","message":"Unable to accept more than 30 items for this request.","data":{"status":413}})"};
    }
    return shop.forward(req);
  });
  shop.sim.reset_counters();
  std::vector<sr::Command> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(shop.set_stock(std::to_string(i), sku_n(i), 9));
  REQUIRE(shop.plugin->deliver(batch) == SR_OK);
  CHECK(refused == 3);                            // 100, then 50 and 50
  CHECK(shop.sim.counters().batch_requests == 4);  // 4 x 25
  for (int i = 0; i < 100; ++i) {
    CHECK(result_of(shop, std::to_string(i)).outcome == sr::Outcome::Ok);
    CHECK(shop.sim.stock(sku_n(i)) == 9);
  }
  CHECK(shop.host.logged("answered 413", SR_LOG_INFO));
}

TEST_CASE("per-item errors fail only their command, naming the SKU and WooCommerce's code") {
  WooShop shop;
  shop.sim.add_simple("A", 1);
  shop.sim.add_simple("B", 1);
  shop.start();
  auto ghost = shop.set_stock("2", "GHOST", 4);
  std::get<sr::SetStock>(ghost.body).link = sr::RemoteRef{"999999", ""};  // a product deleted since it was linked
  REQUIRE(shop.plugin->deliver({shop.set_stock("1", "A", 4), ghost, shop.set_stock("3", "B", 6)}) == SR_OK);
  CHECK(result_of(shop, "1").outcome == sr::Outcome::Ok);
  CHECK(result_of(shop, "3").outcome == sr::Outcome::Ok);
  auto bad = result_of(shop, "2");
  CHECK(bad.outcome == sr::Outcome::Failed);
  CHECK(bad.message.find("GHOST") != std::string::npos);
  CHECK(bad.message.find("woocommerce_rest_product_invalid_id") != std::string::npos);
  CHECK(shop.sim.stock("A") == 4);
  CHECK(shop.sim.stock("B") == 6);
}

TEST_CASE("unknown SKUs, manage_stock off and duplicate SKUs are failed and not written") {
  WooShop shop;
  shop.sim.add_simple("A", 1);
  shop.sim.add_simple("U", std::nullopt);
  auto d1 = shop.sim.add_simple("D", 2);
  auto d2 = shop.sim.force_duplicate_sku("D", 3);
  shop.start();
  shop.sim.reset_counters();
  REQUIRE(shop.plugin->deliver({shop.set_stock("1", "NOPE", 4), shop.set_stock("2", "U", 4), shop.set_stock("3", "D", 4),
                                shop.set_stock("4", "A", 4)}) == SR_OK);
  auto unknown = result_of(shop, "1");
  CHECK(unknown.outcome == sr::Outcome::Failed);
  CHECK(unknown.message.find("unknown SKU NOPE") != std::string::npos);
  auto unmanaged = result_of(shop, "2");
  CHECK(unmanaged.outcome == sr::Outcome::Failed);
  CHECK(unmanaged.message == "manage_stock is off for SKU U: not written");
  auto dup = result_of(shop, "3");
  INFO(dup.message);
  CHECK(dup.outcome == sr::Outcome::Failed);
  CHECK(dup.message.find(std::to_string(d1) + " and " + std::to_string(d2)) != std::string::npos);
  CHECK(result_of(shop, "4").outcome == sr::Outcome::Ok);
  CHECK(shop.sim.stock("U") == std::nullopt);
  CHECK(shop.sim.counters().batch_items == 1);

  SECTION("without verify_before_write, a linked unmanaged product is caught from the answer") {
    shop.start({{"verify_before_write", false}});
    auto linked = shop.set_stock("5", "U", 4);
    std::get<sr::SetStock>(linked.body).link = sr::RemoteRef{std::to_string(shop.sim.product("U")->id), ""};
    shop.sim.reset_counters();
    REQUIRE(shop.plugin->deliver({linked}) == SR_OK);
    CHECK(shop.sim.counters().reads == 0);  // the link names the product: no look-up
    CHECK(result_of(shop, "5").message == "manage_stock is off for SKU U: not written");
    CHECK(shop.sim.stock("U") == std::nullopt);
  }
}

TEST_CASE("variations are written through their parent's batch, parent-managed ones are refused") {
  WooShop shop;
  auto v = shop.sim.add_variable("V", "Shirt", 20);
  shop.sim.add_variation(v, "V-S", woo_sim::ManageMode::Parent);
  shop.sim.add_variation(v, "V-M", woo_sim::ManageMode::Own, 5);
  shop.sim.add_simple("A", 1);
  shop.start();
  std::vector<std::string> posts;
  shop.host.on_http([&](const json& req) {
    if (req.value("method", "") == "POST") posts.push_back(req["url"]);
    return shop.forward(req);
  });
  REQUIRE(shop.plugin->deliver({shop.set_stock("1", "V-M", 8), shop.set_stock("2", "V-S", 7), shop.set_stock("3", "A", 2),
                                shop.set_stock("4", "V", 25)}) == SR_OK);
  CHECK(result_of(shop, "1").outcome == sr::Outcome::Ok);
  CHECK(shop.sim.stock("V-M") == 8);
  auto parent_managed = result_of(shop, "2");
  CHECK(parent_managed.outcome == sr::Outcome::Failed);
  CHECK(parent_managed.message.find("takes its stock from V") != std::string::npos);
  CHECK(result_of(shop, "4").outcome == sr::Outcome::Ok);
  CHECK(shop.sim.stock("V") == 25);
  CHECK(shop.sim.stock("V-S") == 25);  // still the parent's
  CHECK(shop.sim.stock("A") == 2);
  REQUIRE(posts.size() == 2);
  auto has = [&](const std::string& fragment) {
    return std::any_of(posts.begin(), posts.end(), [&](const std::string& u) { return u.find(fragment) != std::string::npos; });
  };
  CHECK(has("/products/" + std::to_string(v) + "/variations/batch"));
  CHECK(has("/wp-json/wc/v3/products/batch"));
}

TEST_CASE("verify_before_write: a level that is not the expected one is a conflict, and nothing is written") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.sim.add_simple("B", 10);
  shop.start();
  shop.sim.set_stock("A", 8);  // a manual change the hub has not seen yet
  REQUIRE(shop.plugin->deliver({shop.set_stock("1", "A", 12, 10), shop.set_stock("2", "B", 12, 10)}) == SR_OK);
  auto conflict = result_of(shop, "1");
  CHECK(conflict.outcome == sr::Outcome::Conflict);
  CHECK(conflict.level == q(8));
  CHECK(conflict.version == shop.sim.product("A")->date_modified_gmt);
  // When the level found was made: the hub tells a sale counted later, made
  // in that second or after, from one the level already shows.
  CHECK(conflict.at == ms_of_gmt(shop.sim.product("A")->date_modified_gmt));
  CHECK(conflict.at > 0);
  CHECK(shop.sim.stock("A") == 8);
  CHECK(result_of(shop, "2").outcome == sr::Outcome::Ok);
  CHECK(shop.sim.stock("B") == 12);

  SECTION("switched off, the write is unconditional") {
    shop.start({{"verify_before_write", false}});
    REQUIRE(shop.plugin->deliver({shop.set_stock("3", "A", 12, 10)}) == SR_OK);
    CHECK(result_of(shop, "3").outcome == sr::Outcome::Ok);
    CHECK(shop.sim.stock("A") == 12);
  }
  SECTION("a level already at the target is not written again") {
    shop.sim.reset_counters();
    REQUIRE(shop.plugin->deliver({shop.set_stock("4", "B", 12, 12)}) == SR_OK);
    auto r = result_of(shop, "4");
    CHECK(r.outcome == sr::Outcome::Ok);
    CHECK(r.level == q(12));
    CHECK(shop.sim.counters().writes == 0);
    // Nothing written, nothing replaced; the expected level was found, so
    // sales the hub counted meanwhile came after the read.
    CHECK(r.compared);
    CHECK(r.at == ms_of_gmt(shop.sim.product("B")->date_modified_gmt));
    // Without the expected level checked, a sale may have come before the read.
    REQUIRE(shop.plugin->deliver({shop.set_stock("5", "B", 12)}) == SR_OK);
    CHECK_FALSE(result_of(shop, "5").compared);
  }
  SECTION("a real write compared by a read first is not atomic") {
    CHECK_FALSE(result_of(shop, "2").compared);
    CHECK(result_of(shop, "2").at == ms_of_gmt(shop.sim.product("B")->date_modified_gmt));
  }
}

TEST_CASE("the order's stock note places a sale against our write: replaced between read and write, or after it") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.sim.add_simple("B", 10);
  shop.start();
  // Two orders waiting for payment: placed before the write, paid around it.
  auto early = shop.sim.place_order({{"A", 2}, {"B", 1}}, "pending");
  auto late = shop.sim.place_order({{"A", 1}}, "pending");
  shop.poll();
  // Paid after our read of A (10, as the hub expects) and before our write
  // of 7: WooCommerce takes 10 -> 8 and 10 -> 9, then the write sets A to 7.
  auto f = shop.sim.faults();
  f.before_batch = [&] { shop.sim.set_order_status(early, "processing"); };
  shop.sim.set_faults(f);
  REQUIRE(shop.plugin->deliver({shop.set_stock("1", "A", 7, 10)}) == SR_OK);
  auto w = result_of(shop, "1");
  REQUIRE(w.outcome == sr::Outcome::Ok);
  CHECK(shop.sim.stock("A") == 7);  // the sale is gone from A's level
  CHECK(shop.sim.stock("B") == 9);
  // Paid after the write: 7 -> 6.
  shop.sim.set_order_status(late, "processing");

  auto events = shop.poll();
  auto first = find_order(events, early);
  REQUIRE(first);
  REQUIRE(first->order.lines.size() == 2);
  const auto& a = first->order.lines[0];
  CHECK(a.sku == "A");
  REQUIRE(a.against_write);
  CHECK(a.against_write->replaced);
  CHECK(a.against_write->version == w.version);
  CHECK_FALSE(first->order.lines[1].against_write);  // B was not written

  auto second = find_order(events, late);
  REQUIRE(second);
  REQUIRE(second->order.lines.at(0).against_write);
  CHECK_FALSE(second->order.lines[0].against_write->replaced);
  CHECK(second->order.lines[0].against_write->version == w.version);

  // A refund that restocks between the read and the next write: its note
  // names the product by id ("Item #id stock increased from 6 to 7.").
  CHECK(shop.sim.stock("A") == 6);
  f = shop.sim.faults();
  f.before_batch = [&] { shop.sim.refund(late, {{"A", 1}}, true); };
  shop.sim.set_faults(f);
  REQUIRE(shop.plugin->deliver({shop.set_stock("2", "A", 4, 6)}) == SR_OK);
  auto w2 = result_of(shop, "2");
  REQUIRE(w2.outcome == sr::Outcome::Ok);
  CHECK(shop.sim.stock("A") == 4);
  auto refunded = find_order(shop.poll(), late);
  REQUIRE(refunded);
  const auto& line = refunded->order.lines.at(0);
  CHECK(line.restocked == q(1));
  REQUIRE(line.against_write);
  CHECK(line.against_write->replaced);
  CHECK(line.against_write->version == w2.version);
}

TEST_CASE("a sale whose note starts from the level read before our write, made after a change that followed it, came after the write") {
  WooShop shop;
  shop.sim.add_simple("A", 14);
  shop.start();
  auto taken = shop.sim.place_order({{"A", 4}});            // 14 -> 10, before our read
  auto early = shop.sim.place_order({{"A", 1}}, "pending");  // paid after our write
  auto late = shop.sim.place_order({{"A", 1}}, "pending");
  shop.poll();
  REQUIRE(shop.plugin->deliver({shop.set_stock("1", "A", 7, 10)}) == SR_OK);  // read 10, wrote 7
  auto w = result_of(shop, "1");
  REQUIRE(w.outcome == sr::Outcome::Ok);
  shop.sim.set_order_status(early, "processing");  // 7 -> 6: starts from our write
  auto first = find_order(shop.poll(), early);
  REQUIRE(first);
  REQUIRE(first->order.lines.at(0).against_write);
  CHECK_FALSE(first->order.lines[0].against_write->replaced);
  // A cancel brings A back to exactly the level read before the write, and
  // the next sale's note starts from it (10 -> 9): by its number it was made
  // after the note above, so after the write too.
  shop.sim.set_order_status(taken, "cancelled");  // 6 -> 10
  shop.sim.set_order_status(late, "processing");  // 10 -> 9
  CHECK(shop.sim.stock("A") == 9);
  auto events = shop.poll();
  auto sale = find_order(events, late);
  REQUIRE(sale);
  REQUIRE(sale->order.lines.at(0).against_write);
  CHECK_FALSE(sale->order.lines[0].against_write->replaced);
  CHECK(sale->order.lines[0].against_write->version == w.version);
  auto cancel = find_order(events, taken);
  REQUIRE(cancel);
  REQUIRE(cancel->order.lines.at(0).against_write);
  CHECK_FALSE(cancel->order.lines[0].against_write->replaced);
}

TEST_CASE("an HTML 500 in the middle of a batch: what landed is Ok, the rest Retry") {
  WooShop shop;
  for (int i = 0; i < 10; ++i) shop.sim.add_simple(sku_n(i), 0);
  shop.start();
  woo_sim::Faults f;
  f.fail_batch_after_items = 4;
  shop.sim.set_faults(f);
  std::vector<sr::Command> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(shop.set_stock(std::to_string(i), sku_n(i), 7));
  REQUIRE(shop.plugin->deliver(batch) == SR_OK);
  int ok = 0, retry = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = result_of(shop, std::to_string(i));
    if (r.outcome == sr::Outcome::Ok) {
      ++ok;
      CHECK(shop.sim.stock(sku_n(i)) == 7);
      CHECK(r.level == q(7));
      CHECK(!r.version.empty());
    } else {
      CHECK(r.outcome == sr::Outcome::Retry);
      ++retry;
      CHECK(shop.sim.stock(sku_n(i)) == 0);
      CHECK(r.message.find(sku_n(i)) != std::string::npos);
    }
  }
  CHECK(ok == 4);
  CHECK(retry == 6);
  CHECK(shop.host.logged("reading 10 SKU(s) again", SR_LOG_WARN));

  // The retry finishes the job.
  shop.host.clear_records();
  REQUIRE(shop.plugin->deliver(batch) == SR_OK);
  for (int i = 0; i < 10; ++i) CHECK(result_of(shop, std::to_string(i)).outcome == sr::Outcome::Ok);
}

TEST_CASE("notes go to the order, prices in batches, other commands are unsupported") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  auto v = shop.sim.add_variable("V", "Shirt");
  shop.sim.add_variation(v, "V-S", woo_sim::ManageMode::Own, 2);
  shop.start();
  auto order = shop.sim.place_order({{"A", 1}}, "processing");

  sr::Command note;
  note.id = "n1";
  note.body = sr::AddNote{std::to_string(order), "stockrelay: synced to pos as SO-1", false,
                          {{"stockrelay_pos_status", "synced"}, {"stockrelay_pos_ref", "SO-1"}}};
  sr::Command visible;
  visible.id = "n2";
  visible.body = sr::AddNote{std::to_string(order), "Your parcel is on its way", true};
  sr::Command missing;
  missing.id = "n3";
  missing.body = sr::AddNote{"987654", "to nowhere", false};
  sr::Command price;
  price.id = "p1";
  price.body = sr::SetPrice{"A", *sr::Money::parse("29.90", "EUR")};
  sr::Command vprice;
  vprice.id = "p2";
  vprice.body = sr::SetPrice{"V-S", *sr::Money::parse("9.5", "EUR")};
  sr::Command adjust;
  adjust.id = "x1";
  adjust.body = sr::AdjustStock{"A", q(-1), sr::DeltaCause::Sale, "order 1"};

  REQUIRE(shop.plugin->deliver({note, visible, missing, price, vprice, adjust}) == SR_OK);
  CHECK(result_of(shop, "n1").outcome == sr::Outcome::Ok);
  CHECK(!result_of(shop, "n1").remote_ref.empty());
  CHECK(result_of(shop, "n2").outcome == sr::Outcome::Ok);
  CHECK(result_of(shop, "n3").outcome == sr::Outcome::Failed);
  CHECK(result_of(shop, "n3").message.find("987654") != std::string::npos);
  CHECK(result_of(shop, "p1").outcome == sr::Outcome::Ok);
  CHECK(result_of(shop, "p2").outcome == sr::Outcome::Ok);
  CHECK(result_of(shop, "x1").outcome == sr::Outcome::Unsupported);
  // The note's meta is on the order, where the shop's admin can filter on it.
  std::map<std::string, std::string> meta;
  const json with_meta = shop.rest("GET", "/orders/" + std::to_string(order));
  for (const auto& m : with_meta["meta_data"])
    if (m["value"].is_string()) meta[m["key"]] = m["value"];
  CHECK(meta["stockrelay_pos_status"] == "synced");
  CHECK(meta["stockrelay_pos_ref"] == "SO-1");

  auto notes = shop.sim.notes(order);
  auto find_note = [&](const std::string& text) {
    return std::find_if(notes.begin(), notes.end(), [&](const woo_sim::Note& n) { return n.note == text; });
  };
  REQUIRE(find_note("stockrelay: synced to pos as SO-1") != notes.end());
  CHECK(!find_note("stockrelay: synced to pos as SO-1")->customer_note);
  REQUIRE(find_note("Your parcel is on its way") != notes.end());
  CHECK(find_note("Your parcel is on its way")->customer_note);
  CHECK(shop.rest("GET", "/products/" + std::to_string(shop.sim.product("A")->id))["regular_price"] == "29.90");
  CHECK(shop.rest("GET", "/products/" + std::to_string(v) + "/variations/" +
                             std::to_string(shop.sim.product("V-S")->id))["regular_price"] == "9.50");
  CHECK(shop.host.violations().empty());
}

TEST_CASE("a store that does not answer during deliver: every command is Retry") {
  WooShop shop;
  shop.sim.add_simple("A", 10);
  shop.start();
  shop.sim.stop();
  sr_status st = shop.plugin->deliver({shop.set_stock("1", "A", 3)});
  // The look-up before the write found no store: the whole batch is retried.
  CHECK(st == SR_RETRY);
  CHECK(shop.plugin->last_error().find(shop.sim.consumer_secret()) == std::string::npos);
}

TEST_CASE("fetch_product reads one product again, by SKU or id, and emits it with its shop id, status and EAN") {
  WooShop shop;
  auto mug = shop.sim.add_simple("MUG-1", 4, "Mug");
  shop.sim.set_meta("MUG-1", "_product_no", "2003");
  shop.sim.add_simple("CAP-1", 2, "Cap", "private");
  shop.start({{"product_id_meta", "_product_no"}});
  auto events = shop.poll();
  auto first = find_sku<sr::ProductChange>(events, "MUG-1");
  REQUIRE(first);
  CHECK(first->shop_product_id == "2003");
  CHECK(first->status == "publish");
  CHECK(first->active);
  auto cap = find_sku<sr::ProductChange>(events, "CAP-1");
  REQUIRE(cap);
  CHECK_FALSE(cap->active);  // private: seen by the shop's staff only, not sold
  CHECK(cap->status == "private");

  // Unchanged, and still emitted: a fetch is an operator asking again.
  sr::Command by_sku;
  by_sku.id = "f1";
  by_sku.body = sr::FetchProduct{"MUG-1", {}, {}};
  sr::Command by_id;
  by_id.id = "f2";
  by_id.body = sr::FetchProduct{{}, std::to_string(mug), {}};
  sr::Command gone;
  gone.id = "f3";
  gone.body = sr::FetchProduct{"NO-SUCH", {}, {}};
  shop.host.clear_records();
  REQUIRE(shop.plugin->deliver({by_sku, by_id, gone}) == SR_OK);
  auto again = of_kind<sr::ProductChange>(shop.host.events());
  REQUIRE(again.size() == 2);
  for (const auto& p : again) {
    CHECK(p.sku == "MUG-1");
    CHECK(p.shop_product_id == "2003");
    CHECK(p.key != first->key);  // a key of its own: not dropped as a repeat
  }
  CHECK(again[0].key != again[1].key);
  CHECK(result_of(shop, "f1").outcome == sr::Outcome::Ok);
  CHECK(result_of(shop, "f2").outcome == sr::Outcome::Ok);
  auto r = result_of(shop, "f3");
  CHECK(r.outcome == sr::Outcome::Failed);
  CHECK(r.message.find("there is no product with SKU 'NO-SUCH'") != std::string::npos);

  // A draft is found too, and said to be one.
  shop.sim.set_status("MUG-1", "draft");
  shop.host.clear_records();
  by_sku.id = "f4";
  REQUIRE(shop.plugin->deliver({by_sku}) == SR_OK);
  auto draft = of_kind<sr::ProductChange>(shop.host.events());
  REQUIRE(draft.size() == 1);
  CHECK_FALSE(draft[0].active);
  CHECK(draft[0].status == "draft");
  CHECK(result_of(shop, "f4").message.find("draft") != std::string::npos);
}
