// libmemory.so: the hub's commands, delivered through the real C table.
#include "memory_fixture.hpp"

using namespace memory_test;

namespace {

sr::Command set_stock(const std::string& id, const std::string& sku, const char* qty) {
  sr::SetStock body;
  body.sku = sku;
  body.quantity = q(qty);
  return {id, nlohmann::json::object(), body};
}

sr::Command adjust(const std::string& id, const std::string& sku, const char* delta) {
  return {id, nlohmann::json::object(), sr::AdjustStock{sku, q(delta), sr::DeltaCause::Receipt, "PO 7"}};
}

sr::Command create_order(const std::string& id, const std::string& source_order) {
  sr::Order o;
  o.id = source_order;
  sr::OrderLine line;
  line.id = "1";
  line.sku = "A";
  line.quantity = q("2");
  o.lines.push_back(line);
  return {id, nlohmann::json::object(), sr::CreateOrder{{"woo", source_order}, o}};
}

}  // namespace

TEST_CASE("set_stock writes the level and reports it with the shop's version") {
  MemoryConnector m;
  REQUIRE(m.plugin->deliver({set_stock("c1", "A", "7.5")}) == SR_OK);
  CHECK(m.shop.levels()["A"] == q("7.5"));
  auto r = m.host.result("c1");
  REQUIRE(r);
  CHECK(r->outcome == sr::Outcome::Ok);
  CHECK(r->level == q("7.5"));
  CHECK(r->version.size() == 12);  // zero-padded, so versions compare as text
  CHECK(std::stoll(r->version) == m.shop.read().products.at("A").revision);
  CHECK(m.host.violations().empty());
}

TEST_CASE("set_stock expecting a level the shop no longer shows is not applied and reports a conflict with what it shows") {
  MemoryConnector m;
  REQUIRE(m.shop.place_order("1001", {{"A", q("3")}}).ok());
  sr::Command stale = set_stock("c1", "A", "10");
  std::get<sr::SetStock>(stale.body).expected = q("10");
  sr::Command current = set_stock("c2", "B", "4");
  std::get<sr::SetStock>(current.body).expected = q("5");
  REQUIRE(m.plugin->deliver({stale, current}) == SR_OK);
  auto r = m.host.result("c1");
  REQUIRE(r);
  CHECK(r->outcome == sr::Outcome::Conflict);
  CHECK(r->level == q("7"));
  CHECK(std::stoll(r->version) == m.shop.read().products.at("A").revision);
  CHECK(m.shop.levels()["A"] == q("7"));
  CHECK(m.host.result("c2")->outcome == sr::Outcome::Ok);
  CHECK(m.shop.levels()["B"] == q("4"));
}

TEST_CASE("adjust_stock adds the delta to the level the shop has now") {
  MemoryConnector m;
  REQUIRE(m.shop.place_order("1001", {{"A", q("3")}}).ok());
  REQUIRE(m.plugin->deliver({adjust("c1", "A", "5")}) == SR_OK);
  CHECK(m.shop.levels()["A"] == q("12"));
  CHECK(m.host.result("c1")->level == q("12"));
}

TEST_CASE("a SKU in fail_skus fails alone with 'unknown SKU' while the rest of the batch is applied") {
  MemoryConnector m;
  m.shop.set_fail_skus({"B"});
  REQUIRE(m.plugin->deliver({set_stock("c1", "A", "1"), set_stock("c2", "B", "2"), adjust("c3", "A", "1")}) == SR_OK);
  CHECK(m.host.result("c1")->outcome == sr::Outcome::Ok);
  CHECK(m.host.result("c2")->outcome == sr::Outcome::Failed);
  CHECK(m.host.result("c2")->message == "unknown SKU B");
  CHECK(m.host.result("c3")->level == q("2"));
  CHECK(m.shop.levels()["B"] == q("5"));
}

TEST_CASE("a SKU the shop does not have fails with 'unknown SKU'") {
  MemoryConnector m;
  REQUIRE(m.plugin->deliver({set_stock("c1", "NOPE", "1")}) == SR_OK);
  CHECK(m.host.result("c1")->outcome == sr::Outcome::Failed);
  CHECK(m.host.result("c1")->message == "unknown SKU NOPE");
}

TEST_CASE("retry_next makes the next deliver calls return SR_RETRY without applying anything") {
  MemoryConnector m;
  m.shop.set_retry_next(2);
  CHECK(m.plugin->deliver({set_stock("c1", "A", "1")}) == SR_RETRY);
  CHECK(m.plugin->deliver({set_stock("c1", "A", "1")}) == SR_RETRY);
  CHECK_THAT(m.plugin->last_error(), Catch::Contains("retry_next"));
  CHECK(m.shop.levels()["A"] == q("10"));
  CHECK(m.host.results().empty());
  CHECK(m.plugin->deliver({set_stock("c1", "A", "1")}) == SR_OK);
  CHECK(m.shop.levels()["A"] == q("1"));
}

TEST_CASE("create_order twice for the same source order makes one order with the same remote_ref") {
  MemoryConnector m;
  REQUIRE(m.plugin->deliver({create_order("c1", "1001")}) == SR_OK);
  REQUIRE(m.plugin->deliver({create_order("c2", "1001")}) == SR_OK);
  auto first = m.host.result("c1");
  auto second = m.host.result("c2");
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->outcome == sr::Outcome::Ok);
  CHECK_FALSE(first->remote_ref.empty());
  CHECK(second->remote_ref == first->remote_ref);
  auto created = m.shop.created_orders();
  REQUIRE(created.size() == 1);
  CHECK(created[0].source_connection == "woo");
  CHECK(created[0].lines.at(0).quantity == q("2"));
}

TEST_CASE("deliver marks the created order delivered: an unknown remote_ref fails") {
  MemoryConnector m;
  REQUIRE(m.plugin->deliver({create_order("c1", "1001")}) == SR_OK);
  std::string ref = m.host.result("c1")->remote_ref;
  sr::Command deliver{"c2", nlohmann::json::object(), sr::DeliverOrder{{"woo", "1001"}, ref}};
  sr::Command unknown{"c3", nlohmann::json::object(), sr::DeliverOrder{{"woo", "1002"}, "doc-404"}};
  REQUIRE(m.plugin->deliver({deliver, unknown}) == SR_OK);
  CHECK(m.host.result("c2")->outcome == sr::Outcome::Ok);
  CHECK(m.shop.created_orders().at(0).delivered);
  CHECK(m.host.result("c3")->outcome == sr::Outcome::Failed);
}

TEST_CASE("add_note writes the note on the order without making the order look changed") {
  MemoryConnector m;
  REQUIRE(m.shop.place_order("1001", {{"A", q("1")}}).ok());
  m.poll();
  sr::Command note{"c1", nlohmann::json::object(), sr::AddNote{"1001", "Synced to POS as doc-1", false}};
  sr::Command orphan{"c2", nlohmann::json::object(), sr::AddNote{"999", "lost", false}};
  REQUIRE(m.plugin->deliver({note, orphan}) == SR_OK);
  CHECK(m.host.result("c1")->outcome == sr::Outcome::Ok);
  CHECK(m.host.result("c2")->outcome == sr::Outcome::Failed);
  REQUIRE(m.shop.notes().size() == 1);
  CHECK(m.shop.notes()[0].note == "Synced to POS as doc-1");
  CHECK(m.poll().empty());
}

TEST_CASE("set_price changes the product's price, which a reconcile reports") {
  MemoryConnector m;
  sr::Command price{"c1", nlohmann::json::object(), sr::SetPrice{"A", sr::Money{1250, "EUR"}}};
  REQUIRE(m.plugin->deliver({price}) == SR_OK);
  CHECK(m.host.result("c1")->outcome == sr::Outcome::Ok);
  CHECK(m.shop.read().products.at("A").price == sr::Money{1250, "EUR"});
  for (const auto& e : m.poll(sr::PollMode::Reconcile))
    if (auto p = std::get_if<sr::ProductChange>(&e); p && p->sku == "A") CHECK(p->price == sr::Money{1250, "EUR"});
}

TEST_CASE("the hub's own write comes back in the next poll as a level with its reported version") {
  MemoryConnector m;
  m.poll();
  REQUIRE(m.plugin->deliver({set_stock("c1", "A", "4")}) == SR_OK);
  std::string reported = m.host.result("c1")->version;
  auto events = m.poll();
  REQUIRE(events.size() == 1);
  CHECK(as<sr::StockLevel>(events[0]).version == reported);
}

TEST_CASE("a malformed commands document is refused as invalid and changes nothing") {
  MemoryConnector m;
  CHECK(m.plugin->deliver(R"({"schema":"stockrelay.commands/1","items":[{"id":"c1","command":"set_stock","sku":"A"}]})") ==
        SR_INVALID);
  CHECK_THAT(m.plugin->last_error(), Catch::Contains("quantity"));
  CHECK(m.shop.levels()["A"] == q("10"));
}
