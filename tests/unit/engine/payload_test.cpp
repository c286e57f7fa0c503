// The SDK's payload JSON: what crosses the plugin boundary, exactly.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "stockrelay/payload.hpp"

using Catch::Matchers::Contains;
using json = nlohmann::json;
using sr::Money;
using sr::Quantity;

namespace {

Quantity q(const char* text) {
  auto v = Quantity::parse(text);
  REQUIRE(v.has_value());
  return *v;
}

// Round trips through text, as it crosses the boundary.
sr::Event event_round_trip(const sr::Event& e) { return sr::event_from_json(json::parse(sr::to_json(e).dump())); }
sr::Command command_round_trip(const sr::Command& c) {
  return sr::command_from_json(json::parse(sr::to_json(c).dump()));
}

// The payload_error message `j` raises as an event.
std::string event_error(const json& j) {
  try {
    sr::event_from_json(j);
  } catch (const sr::payload_error& e) {
    return e.what();
  }
  FAIL("no payload_error for " << j.dump());
  return {};
}

sr::Order full_order() {
  sr::Order o;
  o.id = "1001";
  o.number = "#1001";
  o.status = "processing";
  o.stock = sr::OrderStock::Held;
  o.currency = "EUR";
  o.total = Money{4398, "EUR", 2};
  o.created_at = 1700000000000;
  o.customer_name = "Ann Example";
  o.customer_email = "ann@example.com";
  sr::OrderLine a;
  a.id = "11";
  a.sku = "A-1";
  a.quantity = q("2");
  a.restocked = q("1");
  a.name = "Mug";
  a.unit_price = Money{1999, "EUR", 2};
  a.remote_id = "501";
  a.remote_variation_id = "502";
  a.against_write = sr::AgainstWrite{"2026-11-24T00:00:10", true};
  sr::OrderLine b;
  b.id = "12";
  b.sku = "B\xE2\x80\x93" "2";  // en dash kept byte for byte
  b.quantity = q("0.25");
  o.lines = {a, b};
  o.extra = {{"channel", "web"}, {"store_id", 7}};
  return o;
}

void check_same_order(const sr::Order& got, const sr::Order& want) {
  CHECK(got.id == want.id);
  CHECK(got.number == want.number);
  CHECK(got.status == want.status);
  CHECK(got.stock == want.stock);
  CHECK(got.currency == want.currency);
  CHECK(got.total == want.total);
  CHECK(got.created_at == want.created_at);
  CHECK(got.customer_name == want.customer_name);
  CHECK(got.customer_email == want.customer_email);
  CHECK(got.extra == want.extra);
  REQUIRE(got.lines.size() == want.lines.size());
  for (std::size_t i = 0; i < got.lines.size(); ++i) {
    INFO("line " << i + 1);
    CHECK(got.lines[i].id == want.lines[i].id);
    CHECK(got.lines[i].sku == want.lines[i].sku);
    CHECK(got.lines[i].quantity == want.lines[i].quantity);
    CHECK(got.lines[i].restocked == want.lines[i].restocked);
    CHECK(got.lines[i].name == want.lines[i].name);
    CHECK(got.lines[i].unit_price == want.lines[i].unit_price);
    CHECK(got.lines[i].remote_id == want.lines[i].remote_id);
    CHECK(got.lines[i].remote_variation_id == want.lines[i].remote_variation_id);
    REQUIRE(got.lines[i].against_write.has_value() == want.lines[i].against_write.has_value());
    if (want.lines[i].against_write) {
      CHECK(got.lines[i].against_write->version == want.lines[i].against_write->version);
      CHECK(got.lines[i].against_write->replaced == want.lines[i].against_write->replaced);
    }
  }
}

}  // namespace

// ---- quantities --------------------------------------------------------------------------

TEST_CASE("quantities parse integers, decimals and signs exactly") {
  CHECK(q("12").milli() == 12000);
  CHECK(q("-3").milli() == -3000);
  CHECK(q("+4").milli() == 4000);
  CHECK(q("2.5").milli() == 2500);
  CHECK(q("0.125").milli() == 125);
  CHECK(q("2.500").milli() == 2500);
  CHECK(q("2.5000").milli() == 2500);  // trailing zeros past thousandths lose nothing
  CHECK(q("-0.001").milli() == -1);
  CHECK(q("-0").milli() == 0);
  CHECK(q("007").milli() == 7000);
}

TEST_CASE("more than three decimals are refused, not rounded") {
  CHECK_FALSE(Quantity::parse("0.1234"));
  CHECK_FALSE(Quantity::parse("2.5001"));
  CHECK_FALSE(Quantity::parse("-0.0005"));
}

TEST_CASE("anything that is not a plain decimal is refused as a quantity") {
  for (const char* bad : {"", "-", "+", ".5", "5.", "1.2.3", "1e3", " 1", "1 ", "1,5", "NaN", "inf", "0x10", "--1", "1-"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(Quantity::parse(bad));
  }
}

TEST_CASE("a quantity too large to hold exactly is refused rather than wrapped") {
  // The largest whole quantity: INT64_MAX thousandths, truncated.
  CHECK(q("9223372036854775").milli() == 9223372036854775000);
  CHECK(q("9223372036854775.807").milli() == INT64_MAX);
  CHECK(q("-9223372036854775.807").milli() == -INT64_MAX);
  CHECK_FALSE(Quantity::parse("9223372036854775.808"));
  CHECK_FALSE(Quantity::parse("9223372036854776"));
  CHECK_FALSE(Quantity::parse("9223372036854779"));
  CHECK_FALSE(Quantity::parse("-9223372036854779"));
  CHECK_FALSE(Quantity::parse("99999999999999999999"));
  // Nor in JSON, as an integer or a float.
  CHECK_THROWS_AS(json(9223372036854776LL).get<Quantity>(), sr::payload_error);
  CHECK_THROWS_AS(json(-9223372036854776LL).get<Quantity>(), sr::payload_error);
  CHECK_THROWS_AS(json(18446744073709551615ULL).get<Quantity>(), sr::payload_error);
  CHECK_THROWS_AS(json(1e300).get<Quantity>(), sr::payload_error);
  CHECK(json(9223372036854775LL).get<Quantity>().milli() == 9223372036854775000);
  CHECK(event_error({{"kind", "stock_level"}, {"key", "l:1"}, {"sku", "A-1"}, {"quantity", 10000000000000000LL}}) ==
        "stock_level 'l:1': field 'quantity': quantity 10000000000000000 is out of range");
}

TEST_CASE("quantities print their shortest exact form") {
  CHECK(q("12").to_string() == "12");
  CHECK(q("2.500").to_string() == "2.5");
  CHECK(q("0.05").to_string() == "0.05");
  CHECK(q("-0.001").to_string() == "-0.001");
  CHECK(q("-2.5").to_string() == "-2.5");
  CHECK(q("0").to_string() == "0");
  CHECK(Quantity::from_milli(1010).to_string() == "1.01");
}

TEST_CASE("quantities never drift: a tenth added thirty times is exactly three") {
  Quantity sum;
  for (int i = 0; i < 30; ++i) sum += q("0.1");
  CHECK(sum == Quantity::units(3));
  CHECK(sum.to_string() == "3");
  CHECK((q("0.3") - q("0.1") - q("0.2")) == Quantity());
  CHECK(q("2.5").whole() == 2);
  CHECK(q("-2.5").whole() == -2);
  CHECK_FALSE(q("2.5").is_whole());
  CHECK(q("2.000").is_whole());
}

TEST_CASE("quantities in JSON: whole numbers as integers, fractions as decimal strings") {
  CHECK(json(q("3")) == json(3));
  CHECK(json(q("-3")) == json(-3));
  CHECK(json(q("2.5")) == json("2.5"));
  CHECK(json(q("-0.125")) == json("-0.125"));
  CHECK(json(3).get<Quantity>() == q("3"));
  CHECK(json("2.500").get<Quantity>() == q("2.5"));
}

TEST_CASE("a float quantity is accepted only when it is exact in thousandths") {
  CHECK(json(2.5).get<Quantity>() == q("2.5"));
  CHECK(json(-0.125).get<Quantity>() == q("-0.125"));
  CHECK(json(0.1).get<Quantity>() == q("0.1"));
  CHECK_THROWS_WITH(json(0.1 + 0.2).get<Quantity>(), Contains("is not exact in thousandths"));
  CHECK_THROWS_AS(json(0.0001).get<Quantity>(), sr::payload_error);
  CHECK_THROWS_WITH(json("2.5001").get<Quantity>(), "'2.5001' is not a quantity (at most 3 decimals)");
  CHECK_THROWS_WITH(json(true).get<Quantity>(), "a quantity must be an integer or a decimal string");
  CHECK_THROWS_AS(json::array().get<Quantity>(), sr::payload_error);
}

// ---- money -------------------------------------------------------------------------------

TEST_CASE("money is kept in minor units of its currency's scale") {
  CHECK(Money::parse("21.99", "EUR") == Money{2199, "EUR", 2});
  CHECK(Money::parse("21.9", "EUR") == Money{2190, "EUR", 2});
  CHECK(Money::parse("21", "EUR") == Money{2100, "EUR", 2});
  CHECK(Money::parse("21.990", "EUR") == Money{2199, "EUR", 2});
  CHECK(Money::parse("-0.05", "EUR") == Money{-5, "EUR", 2});
  CHECK(Money::parse("500", "JPY", 0) == Money{500, "JPY", 0});
  CHECK(Money::parse("1.250", "KWD", 3) == Money{1250, "KWD", 3});

  CHECK(Money{2199, "EUR", 2}.amount_string() == "21.99");
  CHECK(Money{2100, "EUR", 2}.amount_string() == "21.00");
  CHECK(Money{-5, "EUR", 2}.amount_string() == "-0.05");
  CHECK(Money{500, "JPY", 0}.amount_string() == "500");
  CHECK(Money{1250, "KWD", 3}.amount_string() == "1.250");
}

TEST_CASE("money with more places than its currency has, or that is not a decimal, is refused") {
  CHECK_FALSE(Money::parse("21.999", "EUR"));
  CHECK_FALSE(Money::parse("500.5", "JPY", 0));
  for (const char* bad : {"", "-", ".", "abc", "1,50", "1.2.3", "1e2", " 1"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(Money::parse(bad, "EUR"));
  }
  CHECK_FALSE(Money::parse("1", "EUR", 7));
  CHECK_FALSE(Money::parse("1", "EUR", -1));
}

TEST_CASE("an amount too large for minor units is refused rather than wrapped") {
  CHECK(Money::parse("92233720368547758.07", "EUR") == Money{INT64_MAX, "EUR", 2});
  CHECK_FALSE(Money::parse("92233720368547758.08", "EUR"));
  CHECK_FALSE(Money::parse("100000000000000000", "EUR"));  // 10^17 EUR is 10^19 cents
  CHECK_FALSE(Money::parse("99999999999999999999", "JPY", 0));
}

TEST_CASE("money survives JSON with its currency and scale") {
  for (const Money& m : {Money{2199, "EUR", 2}, Money{-5, "EUR", 2}, Money{500, "JPY", 0}, Money{1250, "KWD", 3}}) {
    INFO(m.amount_string() << " " << m.currency);
    json j = m;
    CHECK(j.get<Money>() == m);
  }
  CHECK(json(Money{2199, "EUR", 2}) == json{{"amount", "21.99"}, {"currency", "EUR"}});
  CHECK(json(Money{500, "JPY", 0}) == json{{"amount", "500"}, {"currency", "JPY"}, {"scale", 0}});
  CHECK_THROWS_WITH((json{{"amount", 21.99}, {"currency", "EUR"}}.get<Money>()), "money.amount must be a decimal string");
  CHECK_THROWS_WITH(json("21.99").get<Money>(), Contains("money must be"));
  CHECK_THROWS_WITH((json{{"amount", "1.999"}, {"currency", "EUR"}}.get<Money>()),
                    "money.amount '1.999' is not a decimal with at most 2 places");
}

// ---- events ------------------------------------------------------------------------------

TEST_CASE("a stock level survives the boundary with every field") {
  sr::StockLevel l;
  l.key = "level:A-1:2024-05-01T10:00:00";
  l.at = 1714557600000;
  l.sku = "A-1";
  l.quantity = q("12.5");
  l.version = "2024-05-01T10:00:00";
  l.managed = false;
  l.remote_id = "501";
  l.remote_variation_id = "502";

  auto got = std::get<sr::StockLevel>(event_round_trip(l));

  CHECK(got.key == l.key);
  CHECK(got.at == l.at);
  CHECK(got.sku == "A-1");
  CHECK(got.quantity == q("12.5"));
  CHECK(got.version == l.version);
  CHECK_FALSE(got.managed);
  CHECK(got.remote_id == "501");
  CHECK(got.remote_variation_id == "502");
  CHECK(std::string(sr::kind_of(sr::Event{got})) == "stock_level");
}

TEST_CASE("a stock delta survives the boundary with each cause") {
  for (auto cause : {sr::DeltaCause::Sale, sr::DeltaCause::Return, sr::DeltaCause::Receipt, sr::DeltaCause::Count,
                     sr::DeltaCause::Correction, sr::DeltaCause::Other}) {
    INFO(sr::to_string(cause));
    sr::StockDelta d;
    d.key = "delta:1";
    d.sku = "A-1";
    d.delta = q("-1.5");
    d.cause = cause;
    d.reference = "PO 77";

    auto got = std::get<sr::StockDelta>(event_round_trip(d));

    CHECK(got.delta == q("-1.5"));
    CHECK(got.cause == cause);
    CHECK(got.reference == "PO 77");
    CHECK(sr::delta_cause_from(sr::to_string(cause)) == cause);
  }
  // A delta without a cause is "other".
  auto bare = std::get<sr::StockDelta>(
      sr::event_from_json(json{{"kind", "stock_delta"}, {"key", "d"}, {"sku", "A-1"}, {"delta", 2}}));
  CHECK(bare.cause == sr::DeltaCause::Other);
  CHECK(bare.delta == Quantity::units(2));
}

TEST_CASE("a product change survives the boundary with and without level and price") {
  sr::ProductChange p;
  p.key = "product:501";
  p.at = 5;
  p.sku = "A-1";
  p.remote_id = "501";
  p.remote_variation_id = "0";
  p.name = "Mug";
  p.active = false;
  p.managed = false;
  p.quantity = q("3");
  p.price = Money{1999, "EUR", 2};

  auto got = std::get<sr::ProductChange>(event_round_trip(p));
  CHECK(got.name == "Mug");
  CHECK(got.remote_id == "501");
  CHECK(got.remote_variation_id == "0");
  CHECK_FALSE(got.active);
  CHECK_FALSE(got.managed);
  CHECK(got.quantity == q("3"));
  CHECK(got.price == Money{1999, "EUR", 2});

  p.quantity.reset();
  p.price.reset();
  auto bare = std::get<sr::ProductChange>(event_round_trip(p));
  CHECK_FALSE(bare.quantity.has_value());
  CHECK_FALSE(bare.price.has_value());
}

TEST_CASE("an order survives the boundary with its lines, customer, totals and extra fields") {
  sr::OrderEvent e{"order:1001:2", 1700000000500, full_order()};

  auto got = std::get<sr::OrderEvent>(event_round_trip(e));

  CHECK(got.key == "order:1001:2");
  CHECK(got.at == 1700000000500);
  check_same_order(got.order, e.order);
  for (auto s : {sr::OrderStock::None, sr::OrderStock::Held, sr::OrderStock::Released}) {
    sr::Order o = full_order();
    o.stock = s;
    CHECK(sr::order_from_json(sr::to_json(o)).stock == s);
  }
}

TEST_CASE("numeric ids from shop APIs are read as text") {
  auto e = std::get<sr::OrderEvent>(sr::event_from_json(json::parse(
      R"({"kind": "order", "key": 17, "order": {"id": 1001, "lines": [{"sku": "A-1", "quantity": 1, "remote_id": 501}]}})")));
  CHECK(e.key == "17");
  CHECK(e.order.id == "1001");
  REQUIRE(e.order.lines.size() == 1);
  CHECK(e.order.lines[0].id == "1");  // a line without an id is numbered
  CHECK(e.order.lines[0].remote_id == "501");
}

TEST_CASE("unknown fields in an event are ignored, so either side can grow") {
  auto l = std::get<sr::StockLevel>(sr::event_from_json(json::parse(
      R"({"kind": "stock_level", "key": "k", "sku": "A-1", "quantity": "4", "warehouse": "main", "v2": {"x": 1}})")));
  CHECK(l.sku == "A-1");
  CHECK(l.quantity == Quantity::units(4));
}

TEST_CASE("payload errors name the event and the field that is wrong") {
  CHECK(event_error({{"kind", "stock_level"}, {"key", "l:1"}, {"sku", "A-1"}, {"quantity", "2.5001"}}) ==
        "stock_level 'l:1': field 'quantity': '2.5001' is not a quantity (at most 3 decimals)");
  CHECK(event_error({{"kind", "stock_level"}, {"key", "l:1"}, {"quantity", 1}}) ==
        "stock_level 'l:1': missing field 'sku'");
  CHECK(event_error({{"kind", "stock_level"}, {"key", "l:1"}, {"sku", ""}, {"quantity", 1}}) ==
        "stock_level 'l:1': field 'sku' must not be empty");
  CHECK(event_error({{"kind", "stock_level"}, {"key", "l:1"}, {"sku", "A-1"}}) ==
        "stock_level 'l:1': missing field 'quantity'");
  CHECK(event_error({{"kind", "stock_level"}, {"key", "l:1"}, {"sku", "A-1"}, {"quantity", 1}, {"managed", "yes"}}) ==
        "stock_level 'l:1': field 'managed' must be true or false");
  CHECK(event_error({{"kind", "stock_level"}, {"key", "l:1"}, {"sku", "A-1"}, {"quantity", 1}, {"at", "today"}}) ==
        "stock_level 'l:1': field 'at' must be an integer");
  CHECK(event_error({{"kind", "stock_delta"}, {"key", "d:1"}, {"sku", "A-1"}, {"delta", 1}, {"cause", "theft"}}) ==
        "stock_delta 'd:1': field 'cause' must be sale, return, receipt, count, correction or other, not 'theft'");
  CHECK(event_error({{"kind", "product"}, {"key", "p:1"}, {"sku", "A-1"}, {"price", {{"amount", "1.999"}}}}) ==
        "product 'p:1': field 'price': money.amount '1.999' is not a decimal with at most 2 places");
  CHECK(event_error({{"kind", "product"}, {"key", "p:1"}, {"sku", {{"a", 1}}}}) ==
        "product 'p:1': field 'sku' must be a string");
  CHECK(event_error({{"kind", "refund"}, {"key", "r:1"}, {"sku", "A-1"}}) ==
        "refund 'r:1': unknown kind 'refund' (order, stock_level, stock_delta, product)");
  CHECK(event_error({{"kind", "stock_level"}, {"sku", "A-1"}}) == "event: missing field 'key'");
  CHECK(event_error({{"kind", "stock_level"}, {"key", ""}, {"sku", "A-1"}}) == "event: field 'key' must not be empty");
  CHECK(event_error({{"key", "x"}}) == "event: missing field 'kind'");
  CHECK(event_error(json::array()) == "event must be an object");
}

TEST_CASE("order errors name the order and the line") {
  json o = json::parse(R"({"kind": "order", "key": "o:1", "order": {"id": "1001", "lines": [
      {"sku": "A-1", "quantity": 1}, {"sku": "B-2", "quantity": "0.0001"}]}})");
  CHECK(event_error(o) == "order '1001' line 2: field 'quantity': '0.0001' is not a quantity (at most 3 decimals)");

  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1", "order": {"id": "1001"}})")) ==
        "order '1001': missing field 'lines'");
  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1", "order": {"id": "1001", "lines": {}}})")) ==
        "order '1001': field 'lines' must be an array");
  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1", "order": {"id": "1", "stock": "gone", "lines": []}})")) ==
        "order '1': field 'stock' must be none, held or released, not 'gone'");
  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1", "order": {"id": "1", "lines": [7]}})")) ==
        "order '1' line 1: must be an object");
  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1"})")) == "order 'o:1': missing field 'order'");
  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1", "order": {"lines": []}})")) ==
        "order: missing field 'id'");
  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1", "order": {"id": "1", "lines": [
      {"sku": "A", "quantity": 1, "against_write": {"replaced": true}}]}})")) ==
        "order '1' line 1 against_write: missing field 'version'");
  CHECK(event_error(json::parse(R"({"kind": "order", "key": "o:1", "order": {"id": "1", "lines": [
      {"sku": "A", "quantity": 1, "against_write": {"version": "v", "replaced": "yes"}}]}})")) ==
        "order '1' line 1 against_write: field 'replaced' must be true or false");
}

// ---- commands ----------------------------------------------------------------------------

TEST_CASE("every command kind survives the boundary") {
  sr::Command set;
  set.id = "1";
  set.options = {{"warehouse", "main"}};
  set.body = sr::SetStock{"A-1", q("4.5"), sr::RemoteRef{"501", "502"}, q("6"), "000000000042"};
  auto s = command_round_trip(set);
  CHECK(s.id == "1");
  CHECK(std::string(sr::name_of(s)) == "set_stock");
  CHECK(s.options == json{{"warehouse", "main"}});
  const auto& ss = std::get<sr::SetStock>(s.body);
  CHECK(ss.sku == "A-1");
  CHECK(ss.quantity == q("4.5"));
  REQUIRE(ss.link.has_value());
  CHECK(ss.link->remote_id == "501");
  CHECK(ss.link->remote_variation_id == "502");
  CHECK(ss.expected == q("6"));
  CHECK(ss.expected_version == "000000000042");

  // Without a link or an expected level: written unconditionally.
  sr::Command unlinked{"1b", json::object(), sr::SetStock{"A-1", q("0"), std::nullopt, std::nullopt, ""}};
  CHECK_FALSE(sr::to_json(unlinked).contains("expected"));
  auto u = std::get<sr::SetStock>(command_round_trip(unlinked).body);
  CHECK_FALSE(u.link.has_value());
  CHECK_FALSE(u.expected.has_value());

  sr::Command adj{"2", json::object(), sr::AdjustStock{"A-1", q("-2"), sr::DeltaCause::Sale, "order 1001"}};
  auto a = std::get<sr::AdjustStock>(command_round_trip(adj).body);
  CHECK(a.sku == "A-1");
  CHECK(a.delta == q("-2"));
  CHECK(a.cause == sr::DeltaCause::Sale);
  CHECK(a.reference == "order 1001");

  sr::Command create{"3", json::object(), sr::CreateOrder{{"web", "1001"}, full_order()}};
  auto c = std::get<sr::CreateOrder>(command_round_trip(create).body);
  CHECK(c.source.connection == "web");
  CHECK(c.source.order_id == "1001");
  check_same_order(c.order, full_order());

  sr::Command deliver{"4", json::object(), sr::DeliverOrder{{"web", "1001"}, "SO-2231"}};
  auto d = std::get<sr::DeliverOrder>(command_round_trip(deliver).body);
  CHECK(d.source.connection == "web");
  CHECK(d.source.order_id == "1001");
  CHECK(d.remote_ref == "SO-2231");

  sr::Command note{"5", json::object(), sr::AddNote{"1001", "synced to pos as SO-2231", true}};
  auto n = std::get<sr::AddNote>(command_round_trip(note).body);
  CHECK(n.order_id == "1001");
  CHECK(n.note == "synced to pos as SO-2231");
  CHECK(n.customer_visible);
  CHECK(n.meta.empty());
  CHECK_FALSE(sr::to_json(note).contains("meta"));
  sr::Command meta_note{"5m", json::object(), sr::AddNote{"1001", "synced", false, {{"stockrelay_pos_status", "synced"}}}};
  CHECK(std::get<sr::AddNote>(command_round_trip(meta_note).body).meta ==
        std::map<std::string, std::string>{{"stockrelay_pos_status", "synced"}});
  CHECK_THROWS_WITH(sr::command_from_json(json{{"id", "9"}, {"command", "add_note"}, {"order_id", "1"}, {"note", "x"},
                                               {"meta", {{"k", 1}}}}),
                    "add_note '9': meta 'k' must be a string");

  sr::Command price{"6", json::object(), sr::SetPrice{"A-1", Money{1999, "EUR", 2}}};
  auto p = command_round_trip(price);
  CHECK(std::string(sr::name_of(p)) == "set_price");
  CHECK(std::get<sr::SetPrice>(p.body).sku == "A-1");
  CHECK(std::get<sr::SetPrice>(p.body).price == Money{1999, "EUR", 2});

  sr::Command cancel{"7", json::object(), sr::CancelOrder{{"web", "1001"}, "4412"}};
  auto k = command_round_trip(cancel);
  CHECK(std::string(sr::name_of(k)) == "cancel_order");
  CHECK(sr::to_json(cancel)["command"] == "cancel_order");
  const auto& kc = std::get<sr::CancelOrder>(k.body);
  CHECK(kc.source.connection == "web");
  CHECK(kc.source.order_id == "1001");
  CHECK(kc.remote_ref == "4412");
}

TEST_CASE("command errors name the command and the field") {
  auto error_of = [](const json& j) -> std::string {
    try {
      sr::command_from_json(j);
    } catch (const sr::payload_error& e) {
      return e.what();
    }
    return "(no error)";
  };
  CHECK(error_of({{"id", "6"}, {"command", "set_price"}, {"sku", "A-1"}}) == "set_price '6': missing field 'price'");
  CHECK(error_of({{"id", "1"}, {"command", "set_stock"}, {"quantity", 1}}) == "set_stock '1': missing field 'sku'");
  CHECK(error_of({{"id", "1"}, {"command", "set_stock"}, {"sku", "A-1"}, {"quantity", "x"}}) ==
        "set_stock '1': field 'quantity': 'x' is not a quantity (at most 3 decimals)");
  CHECK(error_of({{"id", "5"}, {"command", "add_note"}, {"order_id", "1"}}) == "add_note '5': missing field 'note'");
  CHECK(error_of({{"id", "3"}, {"command", "create_order"}, {"order", {{"id", "1"}, {"lines", json::array()}}}}) ==
        "create_order '3': missing field 'source'");
  CHECK(error_of({{"id", "9"}, {"command", "refund"}}) == "refund '9': unknown command");
  CHECK(error_of({{"command", "set_stock"}}) == "command: missing field 'id'");
}

TEST_CASE("upsert_product and fetch_product survive the boundary, and a product carries its shop id, EAN and status") {
  sr::Command up;
  up.id = "90";
  up.body = sr::UpsertProduct{"shop-a", "MUG-1", "55", "56", "2003", "Mug", "5701234567892", false};
  json j = sr::to_json(up);
  CHECK(j["command"] == "upsert_product");
  CHECK(j["active"] == false);
  auto back = sr::command_from_json(j);
  const auto& u = std::get<sr::UpsertProduct>(back.body);
  CHECK(u.connection == "shop-a");
  CHECK(u.sku == "MUG-1");
  CHECK(u.remote_id == "55");
  CHECK(u.remote_variation_id == "56");
  CHECK(u.shop_product_id == "2003");
  CHECK(u.name == "Mug");
  CHECK(u.ean == "5701234567892");
  CHECK_FALSE(u.active);
  CHECK(std::string(sr::name_of(back)) == "upsert_product");

  sr::Command fetch;
  fetch.id = "91";
  fetch.body = sr::FetchProduct{{}, "55", "56"};
  auto f = std::get<sr::FetchProduct>(sr::command_from_json(sr::to_json(fetch)).body);
  CHECK(f.sku.empty());
  CHECK(f.remote_id == "55");
  CHECK(f.remote_variation_id == "56");
  CHECK_THROWS_WITH(sr::command_from_json({{"id", "92"}, {"command", "fetch_product"}}),
                    "fetch_product '92': needs 'sku' or 'remote_id'");
  CHECK_THROWS_WITH(sr::command_from_json({{"id", "93"}, {"command", "upsert_product"}, {"sku", "A"}, {"remote_id", "1"}}),
                    "upsert_product '93': missing field 'connection'");

  sr::ProductChange p;
  p.key = "product:MUG-1:55";
  p.sku = "MUG-1";
  p.remote_id = "55";
  p.active = false;
  p.status = "draft";
  p.ean = "5701234567892";
  p.shop_product_id = "2003";
  auto e = std::get<sr::ProductChange>(sr::event_from_json(sr::to_json(sr::Event(p))));
  CHECK(e.status == "draft");
  CHECK(e.ean == "5701234567892");
  CHECK(e.shop_product_id == "2003");
  // A host or plugin that predates them reads them as empty.
  auto old = std::get<sr::ProductChange>(
      sr::event_from_json({{"kind", "product"}, {"key", "k"}, {"sku", "A"}, {"remote_id", "1"}}));
  CHECK(old.shop_product_id.empty());
  CHECK(old.status.empty());
}

// ---- results -----------------------------------------------------------------------------

TEST_CASE("every result outcome survives the boundary") {
  for (auto outcome : {sr::Outcome::Ok, sr::Outcome::Retry, sr::Outcome::Failed, sr::Outcome::Invalid,
                       sr::Outcome::Unsupported, sr::Outcome::Conflict}) {
    INFO(sr::to_string(outcome));
    sr::CommandResult r{"42", outcome, "SKU A-1 is unknown in the shop", "SO-1", q("3.5"), "v7"};
    auto got = sr::result_from_json(json::parse(sr::to_json(r).dump()));
    CHECK(got.id == "42");
    CHECK(got.outcome == outcome);
    CHECK(got.message == "SKU A-1 is unknown in the shop");
    CHECK(got.remote_ref == "SO-1");
    CHECK(got.level == q("3.5"));
    CHECK(got.version == "v7");
    CHECK(sr::outcome_from(sr::to_string(outcome)) == outcome);
  }
  auto bare = sr::result_from_json(json{{"id", "1"}, {"status", "ok"}});
  CHECK_FALSE(bare.level.has_value());
  CHECK(bare.message.empty());
  CHECK_FALSE(bare.compared);  // a plugin built before the field: not compared
  CHECK_FALSE(sr::to_json(bare).contains("compared"));
  sr::CommandResult cas{"7", sr::Outcome::Ok, "", "", q("5"), "v2"};
  cas.compared = true;
  CHECK(sr::result_from_json(json::parse(sr::to_json(cas).dump())).compared);
  CHECK_THROWS_WITH(sr::result_from_json(json{{"id", "1"}, {"status", "ok"}, {"compared", "yes"}}),
                    "result for command '1': compared must be true or false");
  CHECK(bare.at == 0);  // when the answer's state was made: not known
  CHECK_FALSE(sr::to_json(bare).contains("at"));
  cas.at = 1795454456000;
  CHECK(sr::result_from_json(json::parse(sr::to_json(cas).dump())).at == 1795454456000);
  CHECK_THROWS_WITH(sr::result_from_json(json{{"id", "1"}, {"status", "ok"}, {"at", "noon"}}),
                    "result for command '1': at must be milliseconds since the epoch (an integer)");
  CHECK(bare.unknown_skus.empty());
  CHECK_FALSE(sr::to_json(bare).contains("unknown_skus"));
  sr::CommandResult unknown;
  unknown.id = "2";
  unknown.outcome = sr::Outcome::Failed;
  unknown.unknown_skus = {"A\xE2\x80\x93" "1", "B"};
  CHECK(sr::result_from_json(json::parse(sr::to_json(unknown).dump())).unknown_skus == unknown.unknown_skus);
  CHECK_THROWS_WITH(sr::result_from_json(json{{"id", "1"}, {"status", "failed"}, {"unknown_skus", "A-1"}}),
                    "result for command '1': unknown_skus must be an array of SKUs");
  CHECK_THROWS_WITH(sr::result_from_json(json{{"id", "1"}, {"status", "failed"}, {"unknown_skus", {1}}}),
                    "result for command '1': unknown_skus must hold strings (SKUs)");
  CHECK_THROWS_WITH(sr::result_from_json(json{{"id", "1"}, {"status", "done"}}),
                    "result for command '1': status must be ok, retry, failed, invalid, unsupported or conflict, not 'done'");
  CHECK_THROWS_WITH(sr::result_from_json(json{{"id", "1"}}), "result for command '1': missing field 'status'");
}

// ---- documents and describe ----------------------------------------------------------------

TEST_CASE("batch documents carry their schema and refuse another") {
  std::vector<sr::Event> events{sr::StockLevel{"l:1", 0, "A-1", q("2"), "", true, "", ""},
                                sr::StockDelta{"d:1", 0, "B-2", q("-1"), sr::DeltaCause::Sale, ""}};
  std::string doc = sr::events_document(events);
  CHECK(json::parse(doc)["schema"] == "stockrelay.events/1");
  auto back = sr::events_from_document(doc);
  REQUIRE(back.size() == 2);
  CHECK(std::get<sr::StockLevel>(back[0]).sku == "A-1");
  CHECK(std::get<sr::StockDelta>(back[1]).delta == q("-1"));

  std::vector<sr::Command> commands{{"1", json::object(), sr::SetStock{"A-1", q("2"), std::nullopt, std::nullopt, ""}}};
  CHECK(sr::commands_from_document(sr::commands_document(commands)).size() == 1);
  std::vector<sr::CommandResult> results{{"1", sr::Outcome::Retry, "429", "", std::nullopt, ""}};
  CHECK(sr::results_from_document(sr::results_document(results))[0].outcome == sr::Outcome::Retry);

  CHECK_THROWS_WITH(sr::commands_from_document(doc), "expected schema 'stockrelay.commands/1'");
  CHECK_THROWS_WITH(sr::events_from_document("{"), "stockrelay.events/1: not valid JSON");
  CHECK_THROWS_WITH(sr::events_from_document("[]"), "stockrelay.events/1: the document must be an object");
  CHECK_THROWS_WITH(sr::events_from_document(R"({"schema": "stockrelay.events/1"})"),
                    "stockrelay.events/1: 'items' must be an array");
}

TEST_CASE("a plugin's description survives the boundary") {
  sr::Description d;
  d.id = "woocommerce";
  d.name = "WooCommerce";
  d.version = "1.2.3";
  d.vendor = "stockrelay";
  d.abi_major = 1;
  d.abi_minor = 2;
  d.capabilities = {"poll", "webhooks", "stock.out"};
  d.limits = {50, 2.5, 3};
  d.config_schema = {{"type", "object"}, {"properties", {{"url", {{"type", "string"}}}}}};

  json j = sr::to_json(d);
  CHECK(j["schema"] == "stockrelay.describe/1");
  auto got = sr::description_from_json(json::parse(j.dump()));

  CHECK(got.id == "woocommerce");
  CHECK(got.name == "WooCommerce");
  CHECK(got.version == "1.2.3");
  CHECK(got.vendor == "stockrelay");
  CHECK(got.abi_major == 1);
  CHECK(got.abi_minor == 2);
  CHECK(got.capabilities == std::vector<std::string>{"poll", "webhooks", "stock.out"});
  CHECK(got.limits.batch_size == 50);
  CHECK(got.limits.requests_per_second == 2.5);
  CHECK(got.limits.max_concurrency == 3);
  CHECK(got.config_schema == d.config_schema);
  CHECK(got.limits.poll_seconds == 0);  // the host's default
  CHECK_FALSE(j["limits"].contains("poll_seconds"));
  d.limits.poll_seconds = 180;
  CHECK(sr::description_from_json(sr::to_json(d)).limits.poll_seconds == 180);
  json bad_poll = sr::to_json(d);
  bad_poll["limits"]["poll_seconds"] = -5;
  CHECK_THROWS_WITH(sr::description_from_json(bad_poll), "describe: limits.poll_seconds must be whole seconds from 0 to 86400");

  j["limits"]["batch_size"] = 0;
  CHECK_THROWS_WITH(sr::description_from_json(j), "describe: limits.batch_size must be at least 1");
  j.erase("capabilities");
  CHECK_THROWS_WITH(sr::description_from_json(j), "describe: missing field 'capabilities'");
}

TEST_CASE("poll requests name their mode, and a mode a connector does not know reads as incremental") {
  for (auto m : {sr::PollMode::Incremental, sr::PollMode::Reconcile, sr::PollMode::Orders}) {
    auto j = nlohmann::json::parse(sr::poll_request(m));
    CHECK(sr::poll_mode_from(j.at("mode").get<std::string>()) == m);
  }
  CHECK(sr::poll_request(sr::PollMode::Orders) == R"({"mode":"orders"})");
  CHECK(sr::poll_mode_from("everything-and-more") == sr::PollMode::Incremental);
  CHECK(sr::poll_mode_from("") == sr::PollMode::Incremental);
}
