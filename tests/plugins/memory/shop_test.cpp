// The memory shop library: a shop's stock rules, revisions, idempotent
// documents, fault knobs, and safe concurrent access to the shop file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shop.hpp"
#include "shop_file.hpp"
#include "test_support.hpp"

using memory_shop::Shop;
using memory_shop::Stock;
using sr::Quantity;

namespace {

Quantity q(const char* text) { return *Quantity::parse(text); }

struct ShopFixture {
  memory_test::TempDir dir;
  Shop shop{dir.file("shop.json")};
  ShopFixture() {
    REQUIRE(shop.create_product("A", q("10")).ok());
    REQUIRE(shop.create_product("B", q("5")).ok());
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a missing shop file is an empty shop, created by the first change") {
  memory_test::TempDir dir;
  Shop shop(dir.file("shop.json"));
  CHECK(shop.read().products.empty());
  CHECK(shop.read().revision == 0);
  CHECK_FALSE(std::filesystem::exists(shop.path()));
  REQUIRE(shop.ensure_products({}).ok());
  CHECK(std::filesystem::exists(shop.path()));
}

TEST_CASE_METHOD(ShopFixture, "placing an order holds each line's stock, for managed products only") {
  REQUIRE(shop.set_managed("B", false).ok());
  REQUIRE(shop.place_order("1001", {{"A", q("2")}, {"B", q("1")}}).ok());
  auto levels = shop.levels();
  CHECK(levels["A"] == q("8"));
  CHECK(levels["B"] == q("5"));
  auto o = shop.read().orders.at("1001");
  CHECK(o.status == "processing");
  CHECK(o.stock == Stock::Held);
  CHECK(o.number == "#1001");
  REQUIRE(o.lines.size() == 2);
  CHECK(o.lines[0].id == "1");
  CHECK(o.lines[1].id == "2");
}

TEST_CASE_METHOD(ShopFixture, "an order is refused whole when a line names an unknown SKU") {
  auto r = shop.place_order("1001", {{"A", q("2")}, {"NOPE", q("1")}});
  CHECK(r.error == "order 1001: unknown SKU NOPE");
  CHECK(shop.levels()["A"] == q("10"));
  CHECK(shop.orders().empty());
  CHECK_FALSE(shop.place_order("", {{"A", q("1")}}).ok());
  CHECK_FALSE(shop.place_order("1002", {}).ok());
  CHECK_FALSE(shop.place_order("1003", {{"A", q("0")}}).ok());
}

TEST_CASE_METHOD(ShopFixture, "cancelling an order gives its stock back exactly once") {
  REQUIRE(shop.place_order("1001", {{"A", q("2.5")}}).ok());
  REQUIRE(shop.cancel_order("1001").ok());
  CHECK(shop.levels()["A"] == q("10"));
  auto revision = shop.read().revision;
  REQUIRE(shop.cancel_order("1001").ok());
  CHECK(shop.levels()["A"] == q("10"));
  CHECK(shop.read().revision == revision);
  auto o = shop.read().orders.at("1001");
  CHECK(o.status == "cancelled");
  CHECK(o.stock == Stock::Released);
  CHECK(shop.cancel_order("999").error == "unknown order 999");
}

TEST_CASE_METHOD(ShopFixture, "a restocking refund returns stock and is counted on the line") {
  REQUIRE(shop.place_order("1001", {{"A", q("3")}}).ok());
  REQUIRE(shop.refund_line("1001", "1", q("1"), true).ok());
  CHECK(shop.levels()["A"] == q("8"));
  CHECK(shop.read().orders.at("1001").lines[0].restocked == q("1"));

  SECTION("a refund without restock leaves stock alone") {
    REQUIRE(shop.refund_line("1001", "1", q("1"), false).ok());
    CHECK(shop.levels()["A"] == q("8"));
  }
  SECTION("restocking more than is still sold is refused") {
    CHECK_FALSE(shop.refund_line("1001", "1", q("3"), true).ok());
    CHECK(shop.levels()["A"] == q("8"));
  }
  SECTION("a later cancel gives back only what is still sold") {
    REQUIRE(shop.cancel_order("1001").ok());
    CHECK(shop.levels()["A"] == q("10"));
  }
  SECTION("a cancelled order cannot be restocked again") {
    REQUIRE(shop.cancel_order("1001").ok());
    CHECK_FALSE(shop.refund_line("1001", "1", q("1"), true).ok());
    CHECK(shop.levels()["A"] == q("10"));
  }
  CHECK_FALSE(shop.refund_line("1001", "9", q("1"), true).ok());
}

TEST_CASE_METHOD(ShopFixture, "unknown SKUs are refused as values, never as exceptions") {
  CHECK(shop.apply_set_stock("NOPE", q("1")).error == "unknown SKU NOPE");
  CHECK(shop.apply_adjust("NOPE", q("1")).error == "unknown SKU NOPE");
  CHECK(shop.manual_set("NOPE", q("1")).error == "unknown SKU NOPE");
  CHECK(shop.set_price("NOPE", sr::Money{999, "EUR"}).error == "unknown SKU NOPE");
  CHECK_FALSE(shop.create_product("A", q("1")).ok());
}

TEST_CASE_METHOD(ShopFixture, "hub stock writes report the new level and revision") {
  auto set = shop.apply_set_stock("A", q("7"));
  REQUIRE(set.ok());
  CHECK(set.level == q("7"));
  CHECK_FALSE(set.compared);  // nothing to compare against
  auto cas = shop.apply_set_stock("A", q("7"), q("7"));
  REQUIRE(cas.ok());
  CHECK(cas.compared);
  set = cas;
  CHECK(set.revision == shop.read().revision);
  auto adj = shop.apply_adjust("A", q("-2.5"));
  REQUIRE(adj.ok());
  CHECK(adj.level == q("4.5"));
  CHECK(adj.revision == set.revision + 1);

  REQUIRE(shop.set_managed("B", false).ok());
  CHECK(shop.apply_set_stock("B", q("1")).error == "the shop does not track stock for SKU B");
}

TEST_CASE_METHOD(ShopFixture, "a hub write with an expected level is not made when the shop shows something else") {
  REQUIRE(shop.place_order("1001", {{"A", q("2")}}).ok());  // the sale lands before the hub's write
  auto before = shop.read().revision;
  auto w = shop.apply_set_stock("A", q("7"), q("10"));
  CHECK(w.conflict);
  CHECK(w.level == q("8"));
  CHECK(w.revision == before);
  CHECK(shop.levels()["A"] == q("8"));
  CHECK(shop.read().revision == before);

  auto matching = shop.apply_set_stock("A", q("7"), q("8"));
  REQUIRE(matching.ok());
  CHECK_FALSE(matching.conflict);
  CHECK(shop.levels()["A"] == q("7"));
}

TEST_CASE_METHOD(ShopFixture, "every change bumps the global revision and stamps only the records it touched") {
  auto before = shop.read();
  REQUIRE(shop.place_order("1001", {{"A", q("1")}}).ok());
  auto after = shop.read();
  CHECK(after.revision == before.revision + 1);
  CHECK(after.orders.at("1001").revision == after.revision);
  CHECK(after.products.at("A").revision == after.revision);
  CHECK(after.products.at("B").revision == before.products.at("B").revision);
  CHECK(after.products.at("A").modified_at > 0);

  REQUIRE(shop.add_note("1001", "synced").ok());
  CHECK(shop.read().revision == after.revision);  // notes are not changes a poller must see
  CHECK(shop.notes().at(0).note == "synced");
  CHECK_FALSE(shop.add_note("999", "x").ok());
}

TEST_CASE_METHOD(ShopFixture, "create_document is idempotent on the source order") {
  auto first = shop.create_document("woo", "1001", {{"A", q("2")}});
  REQUIRE(first.ok());
  CHECK(first.created);
  auto again = shop.create_document("woo", "1001", {{"A", q("2")}});
  CHECK_FALSE(again.created);
  CHECK(again.remote_ref == first.remote_ref);
  auto other = shop.create_document("pos", "1001", {{"A", q("2")}});
  CHECK(other.remote_ref != first.remote_ref);
  CHECK(shop.created_orders().size() == 2);
  CHECK(shop.levels()["A"] == q("10"));  // a document is a record, not a sale

  REQUIRE(shop.deliver_document(first.remote_ref).ok());
  REQUIRE(shop.deliver_document(first.remote_ref).ok());
  CHECK(shop.created_orders().at(0).delivered);
  CHECK_FALSE(shop.deliver_document("doc-99").ok());
}

TEST_CASE_METHOD(ShopFixture, "fail_skus makes the hub's writes fail like unknown SKUs while the merchant can still edit") {
  shop.set_fail_skus({"A"});
  CHECK(shop.apply_set_stock("A", q("1")).error == "unknown SKU A");
  CHECK(shop.apply_adjust("A", q("1")).error == "unknown SKU A");
  CHECK(shop.set_price("A", sr::Money{100, "EUR"}).error == "unknown SKU A");
  CHECK(shop.apply_set_stock("B", q("1")).ok());
  CHECK(shop.manual_set("A", q("3")).ok());
  shop.set_fail_skus({});
  CHECK(shop.apply_set_stock("A", q("1")).ok());
}

TEST_CASE_METHOD(ShopFixture, "retry_next counts down by one per deliver call") {
  shop.set_retry_next(2);
  CHECK(shop.consume_retry());
  CHECK(shop.consume_retry());
  CHECK_FALSE(shop.consume_retry());
  CHECK(shop.read().faults.retry_next == 0);
}

TEST_CASE("the shop file keeps decimals, prices, documents and faults") {
  memory_shop::State s;
  s.revision = 42;
  memory_shop::Product p;
  p.sku = "A";
  p.quantity = q("2.125");
  p.revision = 41;
  p.managed = false;
  p.price = sr::Money{1999, "EUR"};
  s.products["A"] = p;
  s.orders["7"] = {"7", "#7", "processing", Stock::Held, 42, 5, {{"1", "A", q("1.5"), q("0.5")}}};
  s.created_orders.push_back({"doc-1", "woo", "7", {{"A", q("1")}}, true});
  s.faults = {3, {"X", "Y"}};

  auto back = memory_shop::file::from_text(memory_shop::file::to_text(s), "test");
  CHECK(back.revision == 42);
  CHECK(back.products.at("A").quantity == q("2.125"));
  CHECK_FALSE(back.products.at("A").managed);
  CHECK(back.products.at("A").price == sr::Money{1999, "EUR"});
  CHECK(back.orders.at("7").lines.at(0).restocked == q("0.5"));
  CHECK(back.orders.at("7").stock == Stock::Held);
  CHECK(back.created_orders.at(0).delivered);
  CHECK(back.faults.retry_next == 3);
  CHECK(back.faults.fail_skus == std::vector<std::string>{"X", "Y"});
}

TEST_CASE("a hand-written partial shop file reads with defaults: a wrong type names the field") {
  auto s = memory_shop::file::from_text(R"({"products": {"A": {"quantity": "2.5"}}, "orders": {"9": {"lines": [{"sku": "A", "quantity": 1}]}}})", "f");
  CHECK(s.products.at("A").quantity == q("2.5"));
  CHECK(s.products.at("A").managed);
  CHECK(s.orders.at("9").stock == Stock::None);
  CHECK(s.orders.at("9").lines.at(0).id == "1");
  CHECK_THROWS_WITH(memory_shop::file::from_text(R"({"products": {"A": {"managed": "yes"}}})", "shop.json"),
                    Catch::Contains("shop.json: product 'A'") && Catch::Contains("managed"));
  CHECK_THROWS_WITH(memory_shop::file::from_text(R"({"products": {"A": {"quantity": 1.25}}})", "shop.json"),
                    Catch::Contains("quantity"));
  CHECK_THROWS_WITH(memory_shop::file::from_text("{", "shop.json"), Catch::Contains("not a JSON object"));
}

TEST_CASE_METHOD(ShopFixture, "two threads writing at once lose no update") {
  constexpr int kEach = 150;
  auto before = shop.read().revision;
  auto writer = [this](const char* sku) {
    Shop own(shop.path());  // like two processes: nothing shared but the file
    for (int i = 0; i < kEach; ++i) REQUIRE(own.apply_adjust(sku, q("1")).ok());
  };
  std::thread t1(writer, "A"), t2(writer, "A");
  t1.join();
  t2.join();
  CHECK(shop.levels()["A"] == Quantity::units(10 + 2 * kEach));
  CHECK(shop.read().revision == before + 2 * kEach);
}

TEST_CASE_METHOD(ShopFixture, "the shop file is replaced atomically: a reader without the lock never sees half a file") {
  struct stat st_before{};
  REQUIRE(::stat(shop.path().c_str(), &st_before) == 0);
  // Held open, the original file keeps its inode number: a freed one could
  // be given to one of the new files and make the check below meaningless.
  const int original = ::open(shop.path().c_str(), O_RDONLY);
  REQUIRE(original >= 0);
  std::map<std::string, Quantity> many;
  for (int i = 0; i < 300; ++i) many["SKU-" + std::to_string(i)] = Quantity::units(i);
  REQUIRE(shop.ensure_products(many).ok());  // a file large enough to be written in several chunks

  std::atomic<bool> done{false};
  std::thread writer([&] {
    Shop own(shop.path());
    for (int i = 0; i < 100; ++i) REQUIRE(own.apply_adjust("A", q("1")).ok());
    done = true;
  });
  int reads = 0;
  while (!done) {
    auto doc = nlohmann::json::parse(slurp(shop.path()), nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    REQUIRE(doc["products"].size() == 302);
    ++reads;
  }
  writer.join();
  CHECK(reads > 0);
  struct stat st_after{};
  REQUIRE(::stat(shop.path().c_str(), &st_after) == 0);
  CHECK(st_after.st_ino != st_before.st_ino);  // a new file renamed over the old, not rewritten in place
  ::close(original);
  CHECK(shop.levels()["A"] == q("110"));
}
