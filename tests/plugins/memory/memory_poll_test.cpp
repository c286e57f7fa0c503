// libmemory.so: start, describe and poll, through the real C table.
#include "memory_fixture.hpp"

using namespace memory_test;
using sr::PollMode;

namespace {

std::vector<std::string> kinds(const std::vector<sr::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(sr::kind_of(e));
  return out;
}

const sr::StockLevel& level_of(const std::vector<sr::Event>& events, const std::string& sku) {
  for (const auto& e : events)
    if (auto l = std::get_if<sr::StockLevel>(&e); l && l->sku == sku) return *l;
  FAIL("no level for " << sku);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("describe declares the memory shop's id, capabilities, limits and secret settings") {
  auto d = sr::description_from_json(nlohmann::json::parse(sr::from_sr(memory_plugin()->describe())));
  CHECK(d.id == "memory");
  CHECK(d.version == "1.0.0");
  CHECK(d.limits.batch_size == 50);
  CHECK(d.limits.max_concurrency == 1);
  CHECK(d.capabilities == std::vector<std::string>{"orders.in", "stock.in", "products.in", "stock.out", "orders.out",
                                                   "notes.out", "prices.out", "poll", "webhooks"});
  CHECK(d.config_schema["properties"]["webhook_secret"]["x-secret"] == true);
  CHECK(d.config_schema["required"] == nlohmann::json::array({"shop_file"}));
  CHECK(memory_plugin()->poll != nullptr);
  CHECK(memory_plugin()->on_webhook != nullptr);
  CHECK(memory_plugin()->deliver != nullptr);
}

TEST_CASE("settings without a shop_file are refused as invalid, naming the field") {
  sr::testing::FakeHost host;
  sr_status rc = SR_OK;
  std::string error;
  CHECK_FALSE(host.try_create(memory_plugin(), {{"webhook_secret", "s"}}, rc, error));
  CHECK(rc == SR_INVALID);
  CHECK_THAT(error, Catch::Contains("shop_file"));
  CHECK_FALSE(host.try_create(memory_plugin(), {{"shop_file", "/tmp/x"}, {"create_products", {{"A", "lots"}}}}, rc, error));
  CHECK(rc == SR_INVALID);
  CHECK_THAT(error, Catch::Contains("create_products.A"));
}

TEST_CASE("start creates the shop file and the configured products, keeping levels the shop already has") {
  TempDir dir;
  memory_shop::Shop shop(dir.file("shop.json"));
  REQUIRE(shop.create_product("A", q("3")).ok());
  sr::testing::FakeHost host;
  auto plugin = host.create(memory_plugin(), {{"shop_file", shop.path()}, {"create_products", {{"A", 10}, {"B", "2.5"}}}});
  REQUIRE(plugin->start() == SR_OK);
  CHECK(shop.levels() == std::map<std::string, sr::Quantity>{{"A", q("3")}, {"B", q("2.5")}});

  memory_shop::Shop fresh(dir.file("new.json"));
  auto empty = host.create(memory_plugin(), {{"shop_file", fresh.path()}});
  REQUIRE(empty->start() == SR_OK);
  CHECK(std::filesystem::exists(fresh.path()));
}

TEST_CASE("an incremental poll emits changed orders before the levels, and stores the cursors only after emitting") {
  MemoryConnector m;
  REQUIRE(m.shop.place_order("1001", {{"A", q("2")}}).ok());
  auto order_rev = m.shop.read().orders.at("1001").revision;

  auto events = m.poll();
  REQUIRE(kinds(events) == std::vector<std::string>{"order", "stock_level", "stock_level"});
  CHECK(sr::key_of(events[0]) == "order:1001:" + std::to_string(order_rev));
  CHECK(level_of(events, "A").quantity == q("8"));
  CHECK(level_of(events, "B").quantity == q("5"));

  auto calls = m.host.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].service == "emit");
  CHECK(calls[1].service == "state_put");
  CHECK(calls[2].service == "state_put");
  CHECK(m.host.state("orders_rev") == std::to_string(order_rev));
  CHECK(m.host.state("products_rev") == std::to_string(m.shop.read().revision));
  CHECK(m.host.violations().empty());
}

TEST_CASE("a second poll with no change in the shop emits nothing and leaves the cursors alone") {
  MemoryConnector m;
  m.poll();
  auto cursors = m.host.state();
  CHECK(m.poll().empty());
  CHECK(m.host.calls().empty());
  CHECK(m.host.state() == cursors);
}

TEST_CASE("a sale, a cancel and a restocking refund each show in the next poll with the shop's stock field") {
  MemoryConnector m;
  m.poll();

  REQUIRE(m.shop.place_order("1001", {{"A", q("2")}, {"B", q("1")}}).ok());
  auto sale = m.poll();
  REQUIRE(sale.size() == 3);
  CHECK(as<sr::OrderEvent>(sale[0]).order.stock == sr::OrderStock::Held);
  CHECK(as<sr::OrderEvent>(sale[0]).order.lines.at(0).remote_id == "p-A");
  CHECK(level_of(sale, "A").quantity == q("8"));
  CHECK(level_of(sale, "B").quantity == q("4"));

  REQUIRE(m.shop.refund_line("1001", "1", q("1"), true).ok());
  auto refund = m.poll();
  REQUIRE(refund.size() == 2);
  const auto& refunded = as<sr::OrderEvent>(refund[0]).order;
  CHECK(refunded.stock == sr::OrderStock::Held);
  CHECK(refunded.lines.at(0).restocked == q("1"));
  CHECK(level_of(refund, "A").quantity == q("9"));

  REQUIRE(m.shop.cancel_order("1001").ok());
  auto cancel = m.poll();
  REQUIRE(cancel.size() == 3);
  CHECK(as<sr::OrderEvent>(cancel[0]).order.stock == sr::OrderStock::Released);
  CHECK(as<sr::OrderEvent>(cancel[0]).order.status == "cancelled");
  CHECK(level_of(cancel, "A").quantity == q("10"));
  CHECK(level_of(cancel, "B").quantity == q("5"));
}

TEST_CASE("a merchant's manual change shows as a level with a newer version") {
  MemoryConnector m;
  auto first = level_of(m.poll(), "A");
  REQUIRE(m.shop.manual_set("A", q("4")).ok());
  auto events = m.poll();
  REQUIRE(events.size() == 1);
  CHECK(level_of(events, "A").quantity == q("4"));
  CHECK(level_of(events, "A").version > first.version);
}

TEST_CASE("level versions are zero-padded revisions, so their text order is their numeric order") {
  MemoryConnector m;
  for (int i = 0; i < 12; ++i) REQUIRE(m.shop.manual_set("A", sr::Quantity::units(i)).ok());
  auto level = level_of(m.poll(), "A");
  auto revision = m.shop.read().products.at("A").revision;
  REQUIRE(revision >= 10);
  CHECK(level.version == std::string(10, '0') + std::to_string(revision));
  CHECK(level.key == "level:A:" + std::to_string(revision));
  CHECK(std::string("000000000009") < level.version);
}

TEST_CASE("an unmanaged product is reported with managed false, and a sale leaves its level alone") {
  MemoryConnector m;
  REQUIRE(m.shop.set_managed("B", false).ok());
  m.poll();
  REQUIRE(m.shop.place_order("1001", {{"B", q("1")}}).ok());
  auto events = m.poll();
  REQUIRE(kinds(events) == std::vector<std::string>{"order"});
  auto reconcile = m.poll(PollMode::Reconcile);
  CHECK_FALSE(level_of(reconcile, "B").managed);
  CHECK(level_of(reconcile, "B").quantity == q("5"));
}

TEST_CASE("when the host does not take the events the cursors stay, and the next poll emits them again") {
  MemoryConnector m;
  REQUIRE(m.shop.place_order("1001", {{"A", q("1")}}).ok());
  m.host.fail_emits(SR_RETRY);
  CHECK(m.plugin->poll() == SR_RETRY);
  CHECK_FALSE(m.host.state("orders_rev"));
  CHECK_FALSE(m.host.state("products_rev"));
  auto again = m.poll();
  CHECK(kinds(again) == std::vector<std::string>{"order", "stock_level", "stock_level"});
}

TEST_CASE("a reconcile emits every order, product and level again without rewinding the cursors") {
  MemoryConnector m;
  REQUIRE(m.shop.place_order("1001", {{"A", q("1")}}).ok());
  m.poll();
  auto cursors = m.host.state();

  auto all = m.poll(PollMode::Reconcile);
  CHECK(kinds(all) == std::vector<std::string>{"order", "product", "product", "stock_level", "stock_level"});
  CHECK(level_of(all, "A").quantity == q("9"));
  CHECK(level_of(all, "B").quantity == q("5"));
  CHECK(m.host.state() == cursors);
  CHECK(m.poll().empty());
}

TEST_CASE("more than 500 changes are emitted in batches of at most 500 events") {
  MemoryConnector m;
  std::map<std::string, sr::Quantity> many;
  for (int i = 0; i < 1100; ++i) many["SKU-" + std::to_string(i)] = sr::Quantity::units(i);
  REQUIRE(m.shop.ensure_products(many).ok());
  auto events = m.poll();
  CHECK(events.size() == 1102);
  std::vector<std::size_t> sizes;
  for (const auto& c : m.host.calls())
    if (c.service == "emit") sizes.push_back(static_cast<std::size_t>(std::count(c.detail.begin(), c.detail.end(), ',') + 1));
  CHECK(sizes == std::vector<std::size_t>{500, 500, 102});
}

TEST_CASE("after a restart the new instance continues from the stored cursors") {
  MemoryConnector m;
  m.poll();
  REQUIRE(m.shop.place_order("1001", {{"A", q("1")}}).ok());
  m.restart();
  auto events = m.poll();
  CHECK(kinds(events) == std::vector<std::string>{"order", "stock_level"});
}

TEST_CASE("a damaged cursor is read as 'from the start', with a warning") {
  MemoryConnector m;
  REQUIRE(m.shop.place_order("1001", {{"A", q("1")}}).ok());
  m.host.set_state("orders_rev", "yesterday");
  CHECK(m.poll().size() == 3);
  CHECK(m.host.logged("orders_rev is not a revision", SR_LOG_WARN));
  CHECK(m.host.state("orders_rev") == std::to_string(m.shop.read().revision));
}
