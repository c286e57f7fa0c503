// Routing rules: which events become which commands for which targets.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <regex>

#include "builders.hpp"
#include "engine/rules.hpp"

using namespace engine_test;
using stockrelay::engine::CompiledTransform;
using stockrelay::engine::Routed;
using stockrelay::engine::Routes;
using K = Transform::Kind;
using Op = Where::Op;

namespace {

Routes compile(const std::vector<RouteConfig>& specs) {
  auto r = Routes::compile(specs);
  if (!r) FAIL(r.error().message());
  return std::move(r).value();
}

std::vector<std::string> targets_of(const std::vector<Routed>& out) {
  std::vector<std::string> t;
  for (const auto& r : out) t.push_back(r.target);
  return t;
}

const sr::SetStock& set_stock(const Routed& r) {
  REQUIRE(std::holds_alternative<sr::SetStock>(r.command.body));
  return std::get<sr::SetStock>(r.command.body);
}

// The level a shop is sent for `level` after `transforms`.
sr::Quantity sent_level(std::vector<Transform> transforms, const char* level_text) {
  Routes routes = compile({route("mirror", {"stock_level"}, {action("set_stock", {"shop"}, std::move(transforms))})});
  auto out = routes.route("pos", level("A-1", level_text));
  REQUIRE(out.size() == 1);
  return set_stock(out[0]).quantity;
}

std::string sent_sku(std::vector<Transform> transforms, const std::string& sku) {
  Routes routes = compile({route("mirror", {"stock_level"}, {action("set_stock", {"shop"}, std::move(transforms))})});
  auto out = routes.route("pos", level(sku, "1"));
  REQUIRE(out.size() == 1);
  return set_stock(out[0]).sku;
}

}  // namespace

// ---- who receives what ---------------------------------------------------------------

TEST_CASE("a route never sends stock back to the connection it came from") {
  Routes routes = compile({route("pool", {"stock_level"}, {action("set_stock", {"shop-a", "shop-b", "pos"})})});

  auto out = routes.route("shop-a", level("A-1", "7"));

  REQUIRE(targets_of(out) == std::vector<std::string>{"shop-b", "pos"});
  for (const auto& r : out) {
    CHECK(r.route == "pool");
    CHECK(set_stock(r).sku == "A-1");
    CHECK(set_stock(r).quantity == sr::Quantity::units(7));
    CHECK(r.command.id.empty());  // the outbox assigns ids
  }
}

TEST_CASE("a note on the source's own order is the one command that goes back to the source") {
  Action note = action("add_note", {"shop"});
  note.options = {{"note", "stockrelay: synced to pos"}};
  Routes routes = compile({route("orders", {"order"}, {action("create_order", {"shop", "pos"}), note})});

  auto out = routes.route("shop", order("1001", "processing", {line("A-1", "2")}));

  REQUIRE(targets_of(out) == std::vector<std::string>{"pos", "shop"});
  REQUIRE(std::holds_alternative<sr::CreateOrder>(out[0].command.body));
  const auto& n = std::get<sr::AddNote>(out[1].command.body);
  CHECK(n.order_id == "1001");
  CHECK(n.note == "stockrelay: synced to pos");
  CHECK_FALSE(n.customer_visible);
}

TEST_CASE("a route only listens to the connections named in from") {
  Routes routes = compile({route("from-pos", {"stock_level"}, {action("set_stock", {"shop"})}, {"pos"})});

  CHECK(routes.route("pos", level("A-1", "3")).size() == 1);
  CHECK(routes.route("warehouse", level("A-1", "3")).empty());
}

TEST_CASE("a route only fires on the event kinds it is on") {
  Routes routes = compile({route("levels", {"stock_level", "product"}, {action("set_stock", {"shop"})})});

  sr::ProductChange p;
  p.key = "p:1";
  p.sku = "A-1";
  p.quantity = sr::Quantity::units(4);

  CHECK(routes.route("pos", level("A-1", "3")).size() == 1);
  CHECK(routes.route("pos", p).size() == 1);
  CHECK(routes.route("pos", delta("A-1", "-1", sr::DeltaCause::Sale)).empty());
  CHECK(routes.route("pos", order("1", "processing", {line("A-1", "1")})).empty());
}

TEST_CASE("every action of every matching route produces its commands, in config order") {
  Routes routes = compile({
      route("first", {"stock_level"}, {action("set_stock", {"shop-a"}), action("set_stock", {"shop-b"})}),
      route("skipped", {"stock_delta"}, {action("adjust_stock", {"shop-c"})}),
      route("second", {"stock_level"}, {action("set_stock", {"shop-d"})}),
  });
  REQUIRE(routes.size() == 3);

  auto out = routes.route("pos", level("A-1", "3"));

  REQUIRE(targets_of(out) == std::vector<std::string>{"shop-a", "shop-b", "shop-d"});
  CHECK(out[0].route == "first");
  CHECK(out[1].route == "first");
  CHECK(out[2].route == "second");
}

TEST_CASE("an action whose command makes no sense for the event is skipped, not sent empty") {
  // set_stock from an order and create_order from a level mean nothing.
  Routes routes = compile({route("mixed", {"order", "stock_level"},
                                 {action("set_stock", {"shop"}), action("create_order", {"pos"})})});

  auto from_order = routes.route("web", order("9", "processing", {line("A-1", "1")}));
  REQUIRE(targets_of(from_order) == std::vector<std::string>{"pos"});
  CHECK(std::holds_alternative<sr::CreateOrder>(from_order[0].command.body));

  auto from_level = routes.route("web", level("A-1", "1"));
  REQUIRE(targets_of(from_level) == std::vector<std::string>{"shop"});
  CHECK(std::holds_alternative<sr::SetStock>(from_level[0].command.body));
}

TEST_CASE("route options travel with the command to every target") {
  Action a = action("create_order", {"pos", "erp"});
  a.options = {{"warehouse", "main"}, {"auto_deliver", true}};
  Routes routes = compile({route("orders", {"order"}, {a})});

  auto out = routes.route("web", order("5", "processing", {line("A-1", "1")}));

  REQUIRE(out.size() == 2);
  for (const auto& r : out) {
    CHECK(r.command.options == nlohmann::json{{"warehouse", "main"}, {"auto_deliver", true}});
  }
}

TEST_CASE("stock levels and prices coalesce by their SKU at the target, orders and notes never do") {
  sr::ProductChange p;
  p.key = "p:1";
  p.sku = "A-1";
  p.price = sr::Money{1999, "EUR", 2};
  Routes routes = compile({
      route("levels", {"stock_level"}, {action("set_stock", {"shop"}, {transform(K::SkuPrefix, "WEB-")})}),
      route("prices", {"product"}, {action("set_price", {"shop"})}),
      route("orders", {"order"}, {action("create_order", {"pos"}), action("add_note", {"web"})}),
  });

  auto levels = routes.route("pos", level("A-1", "1"));
  REQUIRE(levels.size() == 1);
  CHECK(levels[0].coalesce_key == "set_stock:WEB-A-1");  // the SKU as the target knows it

  auto prices = routes.route("pos", p);
  REQUIRE(prices.size() == 1);
  CHECK(prices[0].coalesce_key == "set_price:A-1");

  auto orders = routes.route("web", order("1", "processing", {line("A-1", "1")}));
  REQUIRE(orders.size() == 2);
  CHECK(orders[0].coalesce_key.empty());
  CHECK(orders[1].coalesce_key.empty());
}

// ---- where -------------------------------------------------------------------------------

TEST_CASE("where: status in [processing] skips cancelled orders") {
  Routes routes = compile({route("paid", {"order"}, {action("create_order", {"pos"})}, {},
                                 {where("status", Op::In, {"processing", "completed"})})});

  CHECK(routes.route("web", order("1", "processing", {line("A-1", "1")})).size() == 1);
  CHECK(routes.route("web", order("2", "completed", {line("A-1", "1")})).size() == 1);
  CHECK(routes.route("web", order("3", "cancelled", {line("A-1", "1")})).empty());
  // Status words are compared as written: no case folding.
  CHECK(routes.route("web", order("4", "Processing", {line("A-1", "1")})).empty());
}

TEST_CASE("where: an order matches a SKU condition when any of its lines does") {
  RouteConfig r = route("gifts", {"order"}, {action("create_order", {"pos"})}, {}, {where("sku", Op::Matches, {"GIFT-*"})});
  Routes routes = compile({r});

  auto mixed = order("1", "processing", {line("A-1", "1"), line("GIFT-9", "1")});
  auto plain = order("2", "processing", {line("A-1", "1"), line("B-2", "1")});
  auto empty = order("3", "processing", {});

  CHECK(routes.matches(r, "web", mixed));
  CHECK_FALSE(routes.matches(r, "web", plain));
  CHECK_FALSE(routes.matches(r, "web", empty));
}

TEST_CASE("where: several conditions must all hold") {
  RouteConfig r = route("eu-paid", {"order"}, {action("create_order", {"pos"})}, {},
                        {where("status", Op::Equals, {"processing"}), where("order.currency", Op::Equals, {"EUR"})});
  Routes routes = compile({r});

  auto eur = order("1", "processing");
  eur.order.currency = "EUR";
  auto usd = order("2", "processing");
  usd.order.currency = "USD";
  auto eur_pending = order("3", "pending");
  eur_pending.order.currency = "EUR";

  CHECK(routes.matches(r, "web", eur));
  CHECK_FALSE(routes.matches(r, "web", usd));
  CHECK_FALSE(routes.matches(r, "web", eur_pending));
}

TEST_CASE("where: not_equals and not_in hold when the field is absent, equals and in do not") {
  auto o = order("1", "processing");  // no extra.channel
  auto pos_sale = order("2", "processing");
  pos_sale.order.extra = {{"channel", "pos"}};
  RouteConfig ne = route("ne", {"order"}, {}, {}, {where("order.extra.channel", Op::NotEquals, {"pos"})});
  RouteConfig ni = route("ni", {"order"}, {}, {}, {where("order.extra.channel", Op::NotIn, {"pos", "kiosk"})});
  RouteConfig eq = route("eq", {"order"}, {}, {}, {where("order.extra.channel", Op::Equals, {"web"})});
  RouteConfig in = route("in", {"order"}, {}, {}, {where("order.extra.channel", Op::In, {"web"})});
  Routes routes = compile({});

  CHECK(routes.matches(ne, "web", o));
  CHECK(routes.matches(ni, "web", o));
  CHECK_FALSE(routes.matches(eq, "web", o));
  CHECK_FALSE(routes.matches(in, "web", o));
  CHECK_FALSE(routes.matches(ne, "web", pos_sale));
  CHECK_FALSE(routes.matches(ni, "web", pos_sale));
}

TEST_CASE("where: exists tells a present field from an absent one") {
  auto with_email = order("1", "processing");
  with_email.order.customer_email = "ann@example.com";
  with_email.order.extra = {{"channel", "web"}};
  auto without = order("2", "processing");  // no email, no extra fields
  RouteConfig has_email = route("e", {"order"}, {}, {}, {where("customer.email", Op::Exists, {"true"})});
  RouteConfig no_email = route("n", {"order"}, {}, {}, {where("customer.email", Op::Exists, {"false"})});
  RouteConfig has_channel = route("c", {"order"}, {}, {}, {where("order.extra.channel", Op::Exists, {"true"})});
  Routes routes = compile({});

  CHECK(routes.matches(has_email, "web", with_email));
  CHECK_FALSE(routes.matches(no_email, "web", with_email));
  CHECK(routes.matches(has_channel, "web", with_email));
  // An order without an e-mail address has no customer.email (the wire
  // format omits it), so exists: true must not let it through.
  CHECK_FALSE(routes.matches(has_email, "web", without));
  CHECK(routes.matches(no_email, "web", without));
  CHECK_FALSE(routes.matches(has_channel, "web", without));
}

TEST_CASE("where: a glob on sku is byte for byte, so an en dash SKU does not match a hyphen pattern") {
  RouteConfig r = route("a-range", {"stock_level"}, {action("set_stock", {"shop"})}, {}, {where("sku", Op::Matches, {"A-*"})});
  Routes routes = compile({r});

  CHECK(routes.route("pos", level("A-1", "1")).size() == 1);
  CHECK(routes.route("pos", level("A\xE2\x80\x93" "1", "1")).empty());  // "A–1"
  CHECK(routes.route("pos", level("a-1", "1")).empty());
}

// ---- event fields --------------------------------------------------------------------------

TEST_CASE("order fields are readable with or without the order. prefix") {
  auto e = order("77", "processing");
  e.order.currency = "EUR";
  e.order.customer_email = "ann@example.com";
  e.order.stock = sr::OrderStock::Held;
  e.order.extra = {{"channel", "web"}, {"store_id", 12}};
  sr::Event ev = e;
  using stockrelay::engine::event_field;

  CHECK(event_field(ev, "kind") == "order");
  CHECK(event_field(ev, "key") == "order:77:1");
  CHECK(event_field(ev, "id") == "77");
  CHECK(event_field(ev, "order.id") == "77");
  CHECK(event_field(ev, "number") == "#77");
  CHECK(event_field(ev, "order.status") == "processing");
  CHECK(event_field(ev, "status") == "processing");
  CHECK(event_field(ev, "stock") == "held");
  CHECK(event_field(ev, "order.currency") == "EUR");
  CHECK(event_field(ev, "customer.email") == "ann@example.com");
  CHECK(event_field(ev, "order.extra.channel") == "web");
  CHECK(event_field(ev, "extra.store_id") == "12");  // non-strings as their JSON text
  CHECK(event_field(ev, "order.extra.missing") == std::nullopt);
  CHECK(event_field(ev, "order.nonsense") == std::nullopt);
  CHECK(event_field(ev, "sku") == std::nullopt);  // orders match SKUs line by line
}

TEST_CASE("stock level, delta and product fields are readable as text") {
  using stockrelay::engine::event_field;
  sr::StockLevel l = level("A-1", "2.5");
  l.managed = false;
  sr::Event lv = l;
  CHECK(event_field(lv, "kind") == "stock_level");
  CHECK(event_field(lv, "sku") == "A-1");
  CHECK(event_field(lv, "quantity") == "2.5");
  CHECK(event_field(lv, "managed") == "false");
  CHECK(event_field(lv, "cause") == std::nullopt);
  CHECK(event_field(lv, "order.status") == std::nullopt);

  sr::Event dv = delta("B-2", "-3", sr::DeltaCause::Receipt, "PO 77");
  CHECK(event_field(dv, "kind") == "stock_delta");
  CHECK(event_field(dv, "delta") == "-3");
  CHECK(event_field(dv, "cause") == "receipt");
  CHECK(event_field(dv, "reference") == "PO 77");
  CHECK(event_field(dv, "quantity") == std::nullopt);

  sr::ProductChange p;
  p.key = "p:9";
  p.sku = "C-3";
  p.name = "Mug";
  p.active = false;
  sr::Event pv = p;
  CHECK(event_field(pv, "kind") == "product");
  CHECK(event_field(pv, "key") == "p:9");
  CHECK(event_field(pv, "name") == "Mug");
  CHECK(event_field(pv, "active") == "false");

  // Optional text left empty is absent, as on the wire.
  CHECK(event_field(sr::Event{delta("B-2", "1", sr::DeltaCause::Other)}, "reference") == std::nullopt);
  p.name.clear();
  CHECK(event_field(sr::Event{p}, "name") == std::nullopt);
  auto bare = order("1", "pending");
  bare.order.number.clear();
  CHECK(event_field(sr::Event{bare}, "number") == std::nullopt);
  CHECK(event_field(sr::Event{bare}, "order.currency") == std::nullopt);
  CHECK(event_field(sr::Event{bare}, "status") == "pending");
}

// ---- commands ---------------------------------------------------------------------------------

TEST_CASE("each command is built only from the events it makes sense for") {
  using stockrelay::engine::command_for;
  sr::Event lv = level("A-1", "4");
  sr::Event dv = delta("A-1", "-2", sr::DeltaCause::Sale, "order 9");
  sr::Event ov = order("9", "processing", {line("A-1", "2")});
  sr::ProductChange bare;
  bare.key = "p:1";
  bare.sku = "A-1";
  sr::ProductChange full = bare;
  full.quantity = sr::Quantity::units(6);
  full.price = sr::Money{1250, "EUR", 2};

  auto s = command_for("set_stock", "pos", lv);
  REQUIRE(s);
  CHECK(std::get<sr::SetStock>(s->body).quantity == sr::Quantity::units(4));
  CHECK_FALSE(std::get<sr::SetStock>(s->body).link.has_value());

  auto sp = command_for("set_stock", "pos", full);
  REQUIRE(sp);
  CHECK(std::get<sr::SetStock>(sp->body).quantity == sr::Quantity::units(6));
  CHECK_FALSE(command_for("set_stock", "pos", bare));  // a product without a level sets nothing
  CHECK_FALSE(command_for("set_stock", "pos", dv));
  CHECK_FALSE(command_for("set_stock", "pos", ov));

  auto a = command_for("adjust_stock", "pos", dv);
  REQUIRE(a);
  const auto& adj = std::get<sr::AdjustStock>(a->body);
  CHECK(adj.sku == "A-1");
  CHECK(adj.delta == sr::Quantity::units(-2));
  CHECK(adj.cause == sr::DeltaCause::Sale);
  CHECK(adj.reference == "order 9");
  CHECK_FALSE(command_for("adjust_stock", "pos", lv));

  auto price = command_for("set_price", "erp", full);
  REQUIRE(price);
  CHECK(std::get<sr::SetPrice>(price->body).price == sr::Money{1250, "EUR", 2});
  CHECK_FALSE(command_for("set_price", "erp", bare));

  auto create = command_for("create_order", "web", ov);
  REQUIRE(create);
  const auto& co = std::get<sr::CreateOrder>(create->body);
  CHECK(co.source.connection == "web");
  CHECK(co.source.order_id == "9");
  CHECK(co.order.lines.size() == 1);
  auto deliver = command_for("deliver", "web", ov);
  REQUIRE(deliver);
  CHECK(std::get<sr::DeliverOrder>(deliver->body).source.order_id == "9");
  CHECK(std::get<sr::DeliverOrder>(deliver->body).remote_ref.empty());
  CHECK_FALSE(command_for("create_order", "web", lv));
  CHECK_FALSE(command_for("refund", "web", ov));
}

// ---- transforms -------------------------------------------------------------------------------

TEST_CASE("sku_regex rewrites SKUs with capture groups") {
  CHECK(sent_sku({sku_regex("^WC-(\\d+)-(\\w+)$", "POS$2$1")}, "WC-123-RED") == "POSRED123");
  // A SKU the pattern does not match is sent unchanged.
  CHECK(sent_sku({sku_regex("^WC-(\\d+)-(\\w+)$", "POS$2$1")}, "OTHER-1") == "OTHER-1");
}

TEST_CASE("SKU transforms apply in the order written") {
  CHECK(sent_sku({transform(K::SkuStripPrefix, "WC-"), transform(K::SkuPrefix, "POS-"),
                  transform(K::SkuSuffix, "/1")},
                 "WC-A-1") == "POS-A-1/1");
  // Prefix first, then strip: the strip removes what was just added.
  CHECK(sent_sku({transform(K::SkuPrefix, "X-"), transform(K::SkuStripPrefix, "X-")}, "A-1") == "A-1");
}

TEST_CASE("sku_strip_prefix only strips a prefix the SKU actually starts with") {
  CHECK(sent_sku({transform(K::SkuStripPrefix, "WC-")}, "WC-A-1") == "A-1");
  CHECK(sent_sku({transform(K::SkuStripPrefix, "WC-")}, "A-WC-1") == "A-WC-1");
  CHECK(sent_sku({transform(K::SkuStripPrefix, "WC-")}, "wc-A-1") == "wc-A-1");
}

TEST_CASE("sku_map renames listed SKUs and leaves the others alone") {
  Transform map = transform(K::SkuMap);
  map.sku_map = {{"OLD-1", "NEW-1"}, {"A-1", "B-1"}};
  CHECK(sent_sku({map}, "OLD-1") == "NEW-1");
  CHECK(sent_sku({map}, "C-3") == "C-3");
  CHECK(sent_sku({map}, "old-1") == "old-1");  // byte for byte
}

TEST_CASE("SKU transforms rename every line of an order sent on") {
  Routes routes = compile({route("orders", {"order"}, {action("create_order", {"pos"}, {transform(K::SkuPrefix, "P-")})})});

  auto out = routes.route("web", order("1", "processing", {line("A-1", "1"), line("B-2", "3")}));

  REQUIRE(out.size() == 1);
  const auto& lines = std::get<sr::CreateOrder>(out[0].command.body).order.lines;
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].sku == "P-A-1");
  CHECK(lines[1].sku == "P-B-2");
  CHECK(lines[1].quantity == sr::Quantity::units(3));
}

TEST_CASE("a buffer keeps safety stock back from the shop") {
  CHECK(sent_level({amount(K::Buffer, "2")}, "10") == sr::Quantity::units(8));
  CHECK(sent_level({amount(K::Buffer, "0.5")}, "3.25") == qty("2.75"));
}

TEST_CASE("a buffer never makes a shop show negative stock") {
  CHECK(sent_level({amount(K::Buffer, "5")}, "3") == sr::Quantity());
  CHECK(sent_level({amount(K::Buffer, "5")}, "5") == sr::Quantity());
}

TEST_CASE("cap and floor bound the level a shop is sent, in the order written") {
  CHECK(sent_level({amount(K::Cap, "5")}, "12") == sr::Quantity::units(5));
  CHECK(sent_level({amount(K::Cap, "5")}, "4") == sr::Quantity::units(4));
  CHECK(sent_level({amount(K::Floor, "1")}, "0") == sr::Quantity::units(1));
  CHECK(sent_level({amount(K::Floor, "1")}, "3") == sr::Quantity::units(3));
  // Buffer then cap: 20 - 2 = 18, capped to 10. Cap then buffer: 10 - 2 = 8.
  CHECK(sent_level({amount(K::Buffer, "2"), amount(K::Cap, "10")}, "20") == sr::Quantity::units(10));
  CHECK(sent_level({amount(K::Cap, "10"), amount(K::Buffer, "2")}, "20") == sr::Quantity::units(8));
}

TEST_CASE("level transforms never change a delta's amount, only its SKU") {
  std::vector<CompiledTransform> ts{{transform(K::SkuPrefix, "P-"), nullptr}, {amount(K::Buffer, "2"), nullptr}};
  sr::Command c;
  c.body = sr::AdjustStock{"A-1", qty("-3"), sr::DeltaCause::Sale, "order 1"};

  stockrelay::engine::apply_transforms(ts, c);

  const auto& adj = std::get<sr::AdjustStock>(c.body);
  CHECK(adj.sku == "P-A-1");
  CHECK(adj.delta == sr::Quantity::units(-3));
}

TEST_CASE("transform_sku applies a compiled regex and tolerates a missing one") {
  std::vector<CompiledTransform> ts{
      {sku_regex("-", "_"), std::make_shared<const std::regex>("-")},
      {transform(K::SkuSuffix, "!"), nullptr},
  };
  CHECK(stockrelay::engine::transform_sku(ts, "A-B-1") == "A_B_1!");  // every match replaced

  std::vector<CompiledTransform> uncompiled{{sku_regex("-", "_"), nullptr}};
  CHECK(stockrelay::engine::transform_sku(uncompiled, "A-B-1") == "A-B-1");
}

TEST_CASE("an invalid sku_regex is refused when the routes compile, naming the route and the place") {
  Transform bad = sku_regex("WC-(\\d+", "$1");
  bad.loc = {"stockrelay.yaml", 14, 9};
  auto r = Routes::compile({route("to-pos", {"stock_level"}, {action("set_stock", {"pos"}, {bad})})});

  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where == "stockrelay.yaml:14:9");
  CHECK_THAT(r.error().what, Catch::Matchers::StartsWith("route 'to-pos': invalid sku_regex pattern: "));
}
