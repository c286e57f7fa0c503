// Ingest: a plugin's emitted stockrelay.events/1 batch becomes journal entries;
// bad items are refused one by one with a message naming connection and item.
#include <catch2/catch.hpp>

#include <string>

#include "hub/ingest.hpp"

using Catch::Matchers::Contains;
using stockrelay::hub::EventParser;
using stockrelay::hub::ParsedBatch;

namespace {

std::string batch(const std::string& items) {
  return R"({"schema": "stockrelay.events/1", "items": [)" + items + "]}";
}

const char* const kLevel = R"({"kind": "stock_level", "key": "level:A-1:7", "sku": "A-1", "quantity": 4})";
const char* const kOrder = R"({"kind": "order", "key": "order:1001:2", "order": {"id": "1001", "lines": []}})";

}  // namespace

TEST_CASE("every valid item of a batch becomes one journal entry with its key, kind and JSON") {
  EventParser parser;
  ParsedBatch out = parser.parse("shop-a", batch(std::string(kLevel) + ", " + kOrder), 1700000000123);

  CHECK(out.errors.empty());
  REQUIRE(out.entries.size() == 2);
  CHECK(out.entries[0].connection == "shop-a");
  CHECK(out.entries[0].key == "level:A-1:7");
  CHECK(out.entries[0].kind == "stock_level");
  CHECK(out.entries[0].payload == R"({"kind":"stock_level","key":"level:A-1:7","sku":"A-1","quantity":4})");
  CHECK(out.entries[0].received_at == 1700000000123);
  CHECK(out.entries[1].key == "order:1001:2");
  CHECK(out.entries[1].kind == "order");
  CHECK(out.entries[1].payload == R"({"kind":"order","key":"order:1001:2","order":{"id":"1001","lines":[]}})");
}

TEST_CASE("a batch with one bad item keeps the good ones and names the bad one") {
  EventParser parser;
  ParsedBatch out = parser.parse(
      "shop-a",
      batch(std::string(kLevel) + R"(, {"kind": "stock_level", "key": "level:nosku", "quantity": 1}, )" + kOrder),
      5);

  REQUIRE(out.entries.size() == 2);
  CHECK(out.entries[0].key == "level:A-1:7");
  CHECK(out.entries[1].key == "order:1001:2");
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0] == "connection 'shop-a': emitted events: item 2 (key 'level:nosku') has no 'sku'");
}

TEST_CASE("an item without a key is refused, since the key is what makes a redelivery a no-op") {
  EventParser parser;
  ParsedBatch out = parser.parse("shop-a",
                                 batch(R"({"kind": "stock_level", "sku": "A-1", "quantity": 1},
                                          {"kind": "stock_level", "key": "", "sku": "A-1", "quantity": 1})"),
                                 5);

  CHECK(out.entries.empty());
  REQUIRE(out.errors.size() == 2);
  CHECK(out.errors[0] ==
        "connection 'shop-a': emitted events: item 1 has no 'key' (every event needs an idempotency key)");
  CHECK_THAT(out.errors[1], Contains("item 2 has no 'key'"));
}

TEST_CASE("an item of unknown or missing kind is refused, naming its key") {
  EventParser parser;
  ParsedBatch out = parser.parse("pos",
                                 batch(R"({"kind": "refund", "key": "r:1", "sku": "A-1"},
                                          {"key": "x:2", "sku": "A-1"})"),
                                 5);

  CHECK(out.entries.empty());
  REQUIRE(out.errors.size() == 2);
  CHECK(out.errors[0] ==
        "connection 'pos': emitted events: item 1 (key 'r:1') has no known 'kind' "
        "(order, stock_level, stock_delta, product)");
  CHECK_THAT(out.errors[1], Contains("item 2 (key 'x:2') has no known 'kind'"));
}

TEST_CASE("stock events and product changes without a SKU are refused") {
  EventParser parser;
  ParsedBatch out = parser.parse("pos",
                                 batch(R"({"kind": "stock_delta", "key": "d:1", "delta": -1},
                                          {"kind": "product", "key": "p:1", "sku": ""},
                                          {"kind": "stock_level", "key": "l:1", "sku": null},
                                          {"kind": "product", "key": "p:2", "sku": "A-1"})"),
                                 5);

  REQUIRE(out.entries.size() == 1);
  CHECK(out.entries[0].key == "p:2");
  REQUIRE(out.errors.size() == 3);
  CHECK_THAT(out.errors[0], Contains("item 1 (key 'd:1') has no 'sku'"));
  CHECK_THAT(out.errors[1], Contains("item 2 (key 'p:1') has no 'sku'"));
  CHECK_THAT(out.errors[2], Contains("item 3 (key 'l:1') has no 'sku'"));
}

TEST_CASE("an order is accepted with a string or an integer id, as shop APIs send both") {
  EventParser parser;
  ParsedBatch out = parser.parse("web",
                                 batch(R"({"kind": "order", "key": "o:1", "order": {"id": "A100"}},
                                          {"kind": "order", "key": "o:2", "order": {"id": 1001}})"),
                                 5);

  CHECK(out.errors.empty());
  REQUIRE(out.entries.size() == 2);
  CHECK(out.entries[0].key == "o:1");
  CHECK(out.entries[1].key == "o:2");
}

TEST_CASE("an order event without an order id is refused, naming the item") {
  EventParser parser;
  ParsedBatch out = parser.parse("web",
                                 batch(R"({"kind": "order", "key": "o:1", "order": {"number": "#5"}},
                                          {"kind": "order", "key": "o:2", "order": {"id": true}})"),
                                 5);

  CHECK(out.entries.empty());
  REQUIRE(out.errors.size() == 2);
  CHECK(out.errors[0] == "connection 'web': emitted events: item 1 (key 'o:1') is an order without 'order.id'");
  CHECK_THAT(out.errors[1], Contains("item 2 (key 'o:2') is an order without 'order.id'"));
}

TEST_CASE("an order event without an order object is refused, not a crash") {
  EventParser parser;
  ParsedBatch out = parser.parse("web",
                                 batch(R"({"kind": "order", "key": "o:1"},
                                          {"kind": "order", "key": "o:2", "order": "1001"},
                                          {"kind": "order", "key": "o:3", "order": {"id": "3"}})"),
                                 5);

  REQUIRE(out.entries.size() == 1);
  CHECK(out.entries[0].key == "o:3");
  REQUIRE(out.errors.size() == 2);
  CHECK_THAT(out.errors[0], Contains("item 1 (key 'o:1') is an order without 'order.id'"));
  CHECK_THAT(out.errors[1], Contains("item 2 (key 'o:2') is an order without 'order.id'"));
}

TEST_CASE("items that are not objects are refused by position") {
  EventParser parser;
  ParsedBatch out = parser.parse("pos", batch(std::string(R"("level", 42, null, )") + kLevel), 5);

  REQUIRE(out.entries.size() == 1);
  CHECK(out.entries[0].key == "level:A-1:7");
  REQUIRE(out.errors.size() == 3);
  CHECK(out.errors[0] == "connection 'pos': emitted events: item 1 is not an object");
  CHECK(out.errors[1] == "connection 'pos': emitted events: item 2 is not an object");
  CHECK(out.errors[2] == "connection 'pos': emitted events: item 3 is not an object");
}

TEST_CASE("a document that is not JSON is refused as a whole, naming the connection") {
  EventParser parser;
  ParsedBatch out = parser.parse("shop-b", R"({"schema": "stockrelay.events/1", "items": [)", 5);

  CHECK(out.entries.empty());
  REQUIRE(out.errors.size() == 1);
  CHECK_THAT(out.errors[0], Catch::Matchers::StartsWith("connection 'shop-b': emitted events: not valid JSON ("));
}

TEST_CASE("a document of another schema or without an items list is refused") {
  EventParser parser;

  ParsedBatch wrong = parser.parse("pos", R"({"schema": "stockrelay.commands/1", "items": []})", 5);
  CHECK(wrong.entries.empty());
  REQUIRE(wrong.errors.size() == 1);
  CHECK(wrong.errors[0] == "connection 'pos': emitted events: the document's schema must be \"stockrelay.events/1\"");

  ParsedBatch missing = parser.parse("pos", R"({"items": []})", 5);
  REQUIRE(missing.errors.size() == 1);
  CHECK_THAT(missing.errors[0], Contains("schema must be"));

  ParsedBatch not_object = parser.parse("pos", R"([1, 2])", 5);
  REQUIRE(not_object.errors.size() == 1);
  CHECK_THAT(not_object.errors[0], Contains("schema must be"));

  ParsedBatch no_items = parser.parse("pos", R"({"schema": "stockrelay.events/1", "items": {}})", 5);
  REQUIRE(no_items.errors.size() == 1);
  CHECK(no_items.errors[0] == "connection 'pos': emitted events: 'items' must be an array");
}

TEST_CASE("an empty batch is accepted and journals nothing") {
  EventParser parser;
  ParsedBatch out = parser.parse("pos", batch(""), 5);
  CHECK(out.entries.empty());
  CHECK(out.errors.empty());
}

TEST_CASE("unknown fields are kept in the journalled item, so either side can grow") {
  EventParser parser;
  ParsedBatch out = parser.parse(
      "pos", batch(R"({"kind": "stock_level", "key": "l:1", "sku": "A-1", "quantity": "2.5", "future": {"x": [1, 2]}})"),
      5);
  CHECK(out.errors.empty());
  REQUIRE(out.entries.size() == 1);
  CHECK(out.entries[0].payload ==
        R"({"kind":"stock_level","key":"l:1","sku":"A-1","quantity":"2.5","future":{"x":[1,2]}})");
}

TEST_CASE("one parser serves batch after batch without mixing them up") {
  EventParser parser;
  ParsedBatch first = parser.parse("shop-a", batch(kLevel), 1);
  ParsedBatch bad = parser.parse("shop-a", "not json", 2);
  ParsedBatch second = parser.parse("shop-b", batch(kOrder), 3);

  REQUIRE(first.entries.size() == 1);
  CHECK(first.entries[0].key == "level:A-1:7");
  CHECK(first.entries[0].received_at == 1);
  REQUIRE(bad.errors.size() == 1);
  REQUIRE(second.entries.size() == 1);
  CHECK(second.entries[0].connection == "shop-b");
  CHECK(second.entries[0].key == "order:1001:2");
  CHECK(second.entries[0].received_at == 3);
}
