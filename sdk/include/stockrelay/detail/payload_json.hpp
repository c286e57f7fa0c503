// Implementation of payload.hpp's JSON mapping (header-only, inline).
// Included by payload.hpp; do not include directly.
#pragma once

#include <string_view>

namespace sr {
namespace detail {

using json = nlohmann::json;

[[noreturn]] inline void fail(std::string_view where, std::string_view what) {
  throw payload_error(std::string(where) + ": " + std::string(what));
}

inline const json& need(const json& j, const char* field, std::string_view ctx) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) fail(ctx, std::string("missing field '") + field + "'");
  return *it;
}

inline std::string str(const json& j, const char* field, std::string_view ctx, bool required = false) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) {
    if (required) fail(ctx, std::string("missing field '") + field + "'");
    return {};
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());  // ids are often numbers
  fail(ctx, std::string("field '") + field + "' must be a string");
}

inline std::int64_t i64(const json& j, const char* field, std::string_view ctx) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return 0;
  if (!it->is_number_integer()) fail(ctx, std::string("field '") + field + "' must be an integer");
  return it->get<std::int64_t>();
}

inline bool boolean(const json& j, const char* field, bool dflt, std::string_view ctx) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_boolean()) fail(ctx, std::string("field '") + field + "' must be true or false");
  return it->get<bool>();
}

inline Quantity qty(const json& j, const char* field, std::string_view ctx, bool required = true) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) {
    if (required) fail(ctx, std::string("missing field '") + field + "'");
    return {};
  }
  try {
    return it->get<Quantity>();
  } catch (const payload_error& e) {
    fail(ctx, std::string("field '") + field + "': " + e.what());
  }
}

inline std::optional<Money> money(const json& j, const char* field, std::string_view ctx) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return std::nullopt;
  try {
    return it->get<Money>();
  } catch (const payload_error& e) {
    fail(ctx, std::string("field '") + field + "': " + e.what());
  }
}

inline void put_money(json& j, const char* field, const std::optional<Money>& m) {
  if (m) j[field] = *m;
}

inline std::string ctx_of(const char* kind, const std::string& key) {
  return std::string(kind) + (key.empty() ? "" : " '" + key + "'");
}

}  // namespace detail

// ---- scalars -------------------------------------------------------------------

inline void to_json(nlohmann::json& j, const Quantity& q) {
  if (q.is_whole()) j = q.whole();
  else j = q.to_string();
}

inline void from_json(const nlohmann::json& j, Quantity& q) {
  constexpr std::int64_t kMaxWhole = INT64_MAX / Quantity::kScale;
  if (j.is_number_unsigned()) {
    if (j.get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxWhole)) throw payload_error("quantity " + j.dump() + " is out of range");
    q = Quantity::units(j.get<std::int64_t>());
  } else if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if (v > kMaxWhole || v < -kMaxWhole) throw payload_error("quantity " + j.dump() + " is out of range");
    q = Quantity::units(v);
  } else if (j.is_string()) {
    auto p = Quantity::parse(j.get_ref<const std::string&>());
    if (!p) throw payload_error("'" + j.get<std::string>() + "' is not a quantity (at most 3 decimals)");
    q = *p;
  } else if (j.is_number_float()) {
    // Floats are refused unless exact in thousandths: 2.5 is fine, 0.1+0.2 is not.
    double d = j.get<double>();
    if (!(d > -9e15 && d < 9e15)) throw payload_error("quantity " + j.dump() + " is out of range");
    auto milli = static_cast<std::int64_t>(d * 1000.0 + (d < 0 ? -0.5 : 0.5));
    if (static_cast<double>(milli) / 1000.0 != d) throw payload_error("quantity " + j.dump() + " is not exact in thousandths");
    q = Quantity::from_milli(milli);
  } else {
    throw payload_error("a quantity must be an integer or a decimal string");
  }
}

inline void to_json(nlohmann::json& j, const Money& m) {
  j = nlohmann::json{{"amount", m.amount_string()}, {"currency", m.currency}};
  if (m.scale != 2) j["scale"] = m.scale;
}

inline void from_json(const nlohmann::json& j, Money& m) {
  if (!j.is_object()) throw payload_error("money must be {\"amount\": \"12.50\", \"currency\": \"EUR\"}");
  int scale = 2;
  if (auto s = j.find("scale"); s != j.end() && s->is_number_integer()) scale = s->get<int>();
  auto a = j.find("amount");
  if (a == j.end() || !a->is_string()) throw payload_error("money.amount must be a decimal string");
  std::string currency = j.value("currency", std::string());
  auto p = Money::parse(a->get_ref<const std::string&>(), currency, scale);
  if (!p) throw payload_error("money.amount '" + a->get<std::string>() + "' is not a decimal with at most " + std::to_string(scale) + " places");
  m = *p;
}

// ---- enums -----------------------------------------------------------------------

inline const char* to_string(OrderStock s) {
  switch (s) {
    case OrderStock::None: return "none";
    case OrderStock::Held: return "held";
    case OrderStock::Released: return "released";
  }
  return "none";
}

inline const char* to_string(DeltaCause c) {
  switch (c) {
    case DeltaCause::Sale: return "sale";
    case DeltaCause::Return: return "return";
    case DeltaCause::Receipt: return "receipt";
    case DeltaCause::Count: return "count";
    case DeltaCause::Correction: return "correction";
    case DeltaCause::Other: return "other";
  }
  return "other";
}

inline std::optional<DeltaCause> delta_cause_from(std::string_view s) {
  for (auto c : {DeltaCause::Sale, DeltaCause::Return, DeltaCause::Receipt, DeltaCause::Count,
                 DeltaCause::Correction, DeltaCause::Other}) {
    if (s == to_string(c)) return c;
  }
  return std::nullopt;
}

inline const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Retry: return "retry";
    case Outcome::Failed: return "failed";
    case Outcome::Invalid: return "invalid";
    case Outcome::Unsupported: return "unsupported";
    case Outcome::Conflict: return "conflict";
  }
  return "failed";
}

inline std::optional<Outcome> outcome_from(std::string_view s) {
  for (auto o : {Outcome::Ok, Outcome::Retry, Outcome::Failed, Outcome::Invalid, Outcome::Unsupported,
                 Outcome::Conflict}) {
    if (s == to_string(o)) return o;
  }
  return std::nullopt;
}

// ---- orders ------------------------------------------------------------------------

inline nlohmann::json to_json(const Order& o) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : o.lines) {
    nlohmann::json jl{{"id", l.id}, {"sku", l.sku}, {"quantity", l.quantity}};
    if (l.restocked.milli() != 0) jl["restocked"] = l.restocked;
    if (!l.name.empty()) jl["name"] = l.name;
    detail::put_money(jl, "unit_price", l.unit_price);
    if (!l.remote_id.empty()) jl["remote_id"] = l.remote_id;
    if (!l.remote_variation_id.empty()) jl["remote_variation_id"] = l.remote_variation_id;
    if (l.against_write)
      jl["against_write"] = {{"version", l.against_write->version}, {"replaced", l.against_write->replaced}};
    lines.push_back(std::move(jl));
  }
  nlohmann::json j{{"id", o.id}, {"status", o.status}, {"stock", to_string(o.stock)}, {"lines", std::move(lines)}};
  if (!o.number.empty()) j["number"] = o.number;
  if (!o.currency.empty()) j["currency"] = o.currency;
  detail::put_money(j, "total", o.total);
  if (o.created_at) j["created_at"] = o.created_at;
  if (!o.customer_name.empty() || !o.customer_email.empty())
    j["customer"] = {{"name", o.customer_name}, {"email", o.customer_email}};
  if (!o.extra.empty()) j["extra"] = o.extra;
  return j;
}

inline Order order_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw payload_error("order must be an object");
  Order o;
  o.id = detail::str(j, "id", "order", true);
  std::string ctx = "order '" + o.id + "'";
  o.number = detail::str(j, "number", ctx);
  o.status = detail::str(j, "status", ctx);
  std::string stock = detail::str(j, "stock", ctx);
  if (stock.empty() || stock == "none") o.stock = OrderStock::None;
  else if (stock == "held") o.stock = OrderStock::Held;
  else if (stock == "released") o.stock = OrderStock::Released;
  else detail::fail(ctx, "field 'stock' must be none, held or released, not '" + stock + "'");
  o.currency = detail::str(j, "currency", ctx);
  o.total = detail::money(j, "total", ctx);
  o.created_at = detail::i64(j, "created_at", ctx);
  if (auto c = j.find("customer"); c != j.end() && c->is_object()) {
    o.customer_name = detail::str(*c, "name", ctx);
    o.customer_email = detail::str(*c, "email", ctx);
  }
  const auto& lines = detail::need(j, "lines", ctx);
  if (!lines.is_array()) detail::fail(ctx, "field 'lines' must be an array");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& jl = lines[i];
    std::string lctx = ctx + " line " + std::to_string(i + 1);
    if (!jl.is_object()) detail::fail(lctx, "must be an object");
    OrderLine l;
    l.id = detail::str(jl, "id", lctx);
    if (l.id.empty()) l.id = std::to_string(i + 1);
    l.sku = detail::str(jl, "sku", lctx);
    l.quantity = detail::qty(jl, "quantity", lctx);
    l.restocked = detail::qty(jl, "restocked", lctx, false);
    l.name = detail::str(jl, "name", lctx);
    l.unit_price = detail::money(jl, "unit_price", lctx);
    l.remote_id = detail::str(jl, "remote_id", lctx);
    l.remote_variation_id = detail::str(jl, "remote_variation_id", lctx);
    if (auto aw = jl.find("against_write"); aw != jl.end() && !aw->is_null()) {
      std::string actx = lctx + " against_write";
      if (!aw->is_object()) detail::fail(actx, "must be an object");
      AgainstWrite a;
      a.version = detail::str(*aw, "version", actx, true);
      a.replaced = detail::boolean(*aw, "replaced", false, actx);
      l.against_write = std::move(a);
    }
    o.lines.push_back(std::move(l));
  }
  if (auto e = j.find("extra"); e != j.end() && e->is_object()) o.extra = *e;
  return o;
}

// ---- events ------------------------------------------------------------------------

inline const char* kind_of(const Event& e) {
  static constexpr const char* kNames[] = {"order", "stock_level", "stock_delta", "product"};
  return kNames[e.index()];
}

inline const std::string& key_of(const Event& e) {
  return std::visit([](const auto& v) -> const std::string& { return v.key; }, e);
}

inline nlohmann::json to_json(const Event& e) {
  nlohmann::json j;
  j["kind"] = kind_of(e);
  std::visit(
      [&j](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        j["key"] = v.key;
        if (v.at) j["at"] = v.at;
        if constexpr (std::is_same_v<T, OrderEvent>) {
          j["order"] = to_json(v.order);
          if (v.read_at) j["read_at"] = v.read_at;
        } else if constexpr (std::is_same_v<T, StockLevel>) {
          j["sku"] = v.sku;
          j["quantity"] = v.quantity;
          if (!v.version.empty()) j["version"] = v.version;
          if (v.read_at) j["read_at"] = v.read_at;
          if (!v.managed) j["managed"] = false;
          if (!v.remote_id.empty()) j["remote_id"] = v.remote_id;
          if (!v.remote_variation_id.empty()) j["remote_variation_id"] = v.remote_variation_id;
        } else if constexpr (std::is_same_v<T, StockDelta>) {
          j["sku"] = v.sku;
          j["delta"] = v.delta;
          j["cause"] = to_string(v.cause);
          if (!v.reference.empty()) j["reference"] = v.reference;
        } else {
          j["sku"] = v.sku;
          if (!v.remote_id.empty()) j["remote_id"] = v.remote_id;
          if (!v.remote_variation_id.empty()) j["remote_variation_id"] = v.remote_variation_id;
          if (!v.name.empty()) j["name"] = v.name;
          j["active"] = v.active;
          j["managed"] = v.managed;
          if (v.quantity) j["quantity"] = *v.quantity;
          detail::put_money(j, "price", v.price);
          if (!v.shop_product_id.empty()) j["shop_product_id"] = v.shop_product_id;
          if (!v.ean.empty()) j["ean"] = v.ean;
          if (!v.status.empty()) j["status"] = v.status;
        }
      },
      e);
  return j;
}

inline Event event_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw payload_error("event must be an object");
  std::string kind = detail::str(j, "kind", "event", true);
  std::string key = detail::str(j, "key", "event", true);
  if (key.empty()) detail::fail("event", "field 'key' must not be empty");
  std::string ctx = detail::ctx_of(kind.c_str(), key);
  std::int64_t at = detail::i64(j, "at", ctx);
  if (kind == "order") {
    OrderEvent e{key, at, order_from_json(detail::need(j, "order", ctx))};
    e.read_at = detail::i64(j, "read_at", ctx);
    return e;
  }
  std::string sku = detail::str(j, "sku", ctx, true);
  if (sku.empty()) detail::fail(ctx, "field 'sku' must not be empty");
  if (kind == "stock_level") {
    StockLevel e;
    e.key = key; e.at = at; e.sku = sku;
    e.quantity = detail::qty(j, "quantity", ctx);
    e.version = detail::str(j, "version", ctx);
    e.read_at = detail::i64(j, "read_at", ctx);
    e.managed = detail::boolean(j, "managed", true, ctx);
    e.remote_id = detail::str(j, "remote_id", ctx);
    e.remote_variation_id = detail::str(j, "remote_variation_id", ctx);
    return e;
  }
  if (kind == "stock_delta") {
    StockDelta e;
    e.key = key; e.at = at; e.sku = sku;
    e.delta = detail::qty(j, "delta", ctx);
    std::string cause = detail::str(j, "cause", ctx);
    auto c = delta_cause_from(cause.empty() ? "other" : cause);
    if (!c) detail::fail(ctx, "field 'cause' must be sale, return, receipt, count, correction or other, not '" + cause + "'");
    e.cause = *c;
    e.reference = detail::str(j, "reference", ctx);
    return e;
  }
  if (kind == "product") {
    ProductChange e;
    e.key = key; e.at = at; e.sku = sku;
    e.remote_id = detail::str(j, "remote_id", ctx);
    e.remote_variation_id = detail::str(j, "remote_variation_id", ctx);
    e.name = detail::str(j, "name", ctx);
    e.active = detail::boolean(j, "active", true, ctx);
    e.managed = detail::boolean(j, "managed", true, ctx);
    if (j.contains("quantity") && !j["quantity"].is_null()) e.quantity = detail::qty(j, "quantity", ctx);
    e.price = detail::money(j, "price", ctx);
    e.shop_product_id = detail::str(j, "shop_product_id", ctx);
    e.ean = detail::str(j, "ean", ctx);
    e.status = detail::str(j, "status", ctx);
    return e;
  }
  detail::fail(ctx, "unknown kind '" + kind + "' (order, stock_level, stock_delta, product)");
}

// ---- commands ------------------------------------------------------------------------

inline const char* name_of(const Command& c) {
  static constexpr const char* kNames[] = {"set_stock", "adjust_stock", "create_order", "deliver",
                                           "add_note",  "set_price",    "cancel_order", "upsert_product",
                                           "fetch_product"};
  return kNames[c.body.index()];
}

inline nlohmann::json to_json(const Command& c) {
  nlohmann::json j{{"id", c.id}, {"command", name_of(c)}};
  if (!c.options.empty()) j["options"] = c.options;
  std::visit(
      [&j](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, SetStock>) {
          j["sku"] = v.sku;
          j["quantity"] = v.quantity;
          if (v.link) j["link"] = {{"remote_id", v.link->remote_id}, {"remote_variation_id", v.link->remote_variation_id}};
          if (v.expected) j["expected"] = *v.expected;
          if (!v.expected_version.empty()) j["expected_version"] = v.expected_version;
        } else if constexpr (std::is_same_v<T, AdjustStock>) {
          j["sku"] = v.sku;
          j["delta"] = v.delta;
          j["cause"] = to_string(v.cause);
          if (!v.reference.empty()) j["reference"] = v.reference;
        } else if constexpr (std::is_same_v<T, CreateOrder>) {
          j["source"] = {{"connection", v.source.connection}, {"order_id", v.source.order_id}};
          j["order"] = to_json(v.order);
        } else if constexpr (std::is_same_v<T, DeliverOrder> || std::is_same_v<T, CancelOrder>) {
          j["source"] = {{"connection", v.source.connection}, {"order_id", v.source.order_id}};
          j["remote_ref"] = v.remote_ref;
        } else if constexpr (std::is_same_v<T, AddNote>) {
          j["order_id"] = v.order_id;
          j["note"] = v.note;
          if (v.customer_visible) j["customer_visible"] = true;
          if (!v.meta.empty()) j["meta"] = v.meta;
        } else if constexpr (std::is_same_v<T, UpsertProduct>) {
          j["connection"] = v.connection;
          j["sku"] = v.sku;
          j["remote_id"] = v.remote_id;
          if (!v.remote_variation_id.empty()) j["remote_variation_id"] = v.remote_variation_id;
          if (!v.shop_product_id.empty()) j["shop_product_id"] = v.shop_product_id;
          if (!v.name.empty()) j["name"] = v.name;
          if (!v.ean.empty()) j["ean"] = v.ean;
          j["active"] = v.active;
        } else if constexpr (std::is_same_v<T, FetchProduct>) {
          if (!v.sku.empty()) j["sku"] = v.sku;
          if (!v.remote_id.empty()) j["remote_id"] = v.remote_id;
          if (!v.remote_variation_id.empty()) j["remote_variation_id"] = v.remote_variation_id;
        } else {
          static_assert(std::is_same_v<T, SetPrice>);
          j["sku"] = v.sku;
          j["price"] = v.price;
        }
      },
      c.body);
  return j;
}

inline Command command_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw payload_error("command must be an object");
  Command c;
  c.id = detail::str(j, "id", "command", true);
  std::string name = detail::str(j, "command", "command '" + c.id + "'", true);
  std::string ctx = name + " '" + c.id + "'";
  if (auto o = j.find("options"); o != j.end() && o->is_object()) c.options = *o;
  auto source = [&]() {
    const auto& s = detail::need(j, "source", ctx);
    return SourceOrder{detail::str(s, "connection", ctx), detail::str(s, "order_id", ctx)};
  };
  if (name == "set_stock") {
    SetStock b;
    b.sku = detail::str(j, "sku", ctx, true);
    b.quantity = detail::qty(j, "quantity", ctx);
    b.expected_version = detail::str(j, "expected_version", ctx);
    if (auto l = j.find("link"); l != j.end() && l->is_object())
      b.link = RemoteRef{detail::str(*l, "remote_id", ctx), detail::str(*l, "remote_variation_id", ctx)};
    if (j.contains("expected") && !j["expected"].is_null()) b.expected = detail::qty(j, "expected", ctx);
    c.body = std::move(b);
  } else if (name == "adjust_stock") {
    AdjustStock b{detail::str(j, "sku", ctx, true), detail::qty(j, "delta", ctx), DeltaCause::Other,
                  detail::str(j, "reference", ctx)};
    b.cause = delta_cause_from(detail::str(j, "cause", ctx)).value_or(DeltaCause::Other);
    c.body = std::move(b);
  } else if (name == "create_order") {
    c.body = CreateOrder{source(), order_from_json(detail::need(j, "order", ctx))};
  } else if (name == "deliver") {
    c.body = DeliverOrder{source(), detail::str(j, "remote_ref", ctx)};
  } else if (name == "cancel_order") {
    c.body = CancelOrder{source(), detail::str(j, "remote_ref", ctx)};
  } else if (name == "add_note") {
    AddNote n{detail::str(j, "order_id", ctx, true), detail::str(j, "note", ctx, true),
              detail::boolean(j, "customer_visible", false, ctx)};
    if (auto m = j.find("meta"); m != j.end() && !m->is_null()) {
      if (!m->is_object()) detail::fail(ctx, "meta must be an object of strings");
      for (auto it = m->begin(); it != m->end(); ++it) {
        if (!it->is_string()) detail::fail(ctx, "meta '" + it.key() + "' must be a string");
        n.meta[it.key()] = it->get<std::string>();
      }
    }
    c.body = std::move(n);
  } else if (name == "set_price") {
    auto price = detail::money(j, "price", ctx);
    if (!price) detail::fail(ctx, "missing field 'price'");
    c.body = SetPrice{detail::str(j, "sku", ctx, true), *price};
  } else if (name == "upsert_product") {
    UpsertProduct u;
    u.connection = detail::str(j, "connection", ctx, true);
    u.sku = detail::str(j, "sku", ctx, true);
    u.remote_id = detail::str(j, "remote_id", ctx, true);
    u.remote_variation_id = detail::str(j, "remote_variation_id", ctx);
    u.shop_product_id = detail::str(j, "shop_product_id", ctx);
    u.name = detail::str(j, "name", ctx);
    u.ean = detail::str(j, "ean", ctx);
    u.active = detail::boolean(j, "active", true, ctx);
    c.body = std::move(u);
  } else if (name == "fetch_product") {
    FetchProduct f{detail::str(j, "sku", ctx), detail::str(j, "remote_id", ctx),
                   detail::str(j, "remote_variation_id", ctx)};
    if (f.sku.empty() && f.remote_id.empty()) detail::fail(ctx, "needs 'sku' or 'remote_id'");
    c.body = std::move(f);
  } else {
    detail::fail(ctx, "unknown command");
  }
  return c;
}

// ---- results ---------------------------------------------------------------------------

inline nlohmann::json to_json(const CommandResult& r) {
  nlohmann::json j{{"id", r.id}, {"status", to_string(r.outcome)}};
  if (!r.message.empty()) j["message"] = r.message;
  if (!r.remote_ref.empty()) j["remote_ref"] = r.remote_ref;
  if (r.level) j["level"] = *r.level;
  if (!r.version.empty()) j["version"] = r.version;
  if (r.compared) j["compared"] = true;
  if (r.at != 0) j["at"] = r.at;
  if (!r.unknown_skus.empty()) j["unknown_skus"] = r.unknown_skus;
  return j;
}

inline CommandResult result_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw payload_error("result must be an object");
  CommandResult r;
  r.id = detail::str(j, "id", "result", true);
  std::string ctx = "result for command '" + r.id + "'";
  std::string status = detail::str(j, "status", ctx, true);
  auto o = outcome_from(status);
  if (!o) detail::fail(ctx, "status must be ok, retry, failed, invalid, unsupported or conflict, not '" + status + "'");
  r.outcome = *o;
  r.message = detail::str(j, "message", ctx);
  r.remote_ref = detail::str(j, "remote_ref", ctx);
  if (j.contains("level") && !j["level"].is_null()) r.level = detail::qty(j, "level", ctx);
  r.version = detail::str(j, "version", ctx);
  if (auto c = j.find("compared"); c != j.end() && !c->is_null()) {
    if (!c->is_boolean()) detail::fail(ctx, "compared must be true or false");
    r.compared = c->get<bool>();
  }
  if (auto at = j.find("at"); at != j.end() && !at->is_null()) {
    if (!at->is_number_integer()) detail::fail(ctx, "at must be milliseconds since the epoch (an integer)");
    r.at = at->get<std::int64_t>();
  }
  if (auto u = j.find("unknown_skus"); u != j.end() && !u->is_null()) {
    if (!u->is_array()) detail::fail(ctx, "unknown_skus must be an array of SKUs");
    for (const auto& s : *u) {
      if (!s.is_string()) detail::fail(ctx, "unknown_skus must hold strings (SKUs)");
      r.unknown_skus.push_back(s.get<std::string>());
    }
  }
  return r;
}

// ---- describe ----------------------------------------------------------------------------

inline nlohmann::json to_json(const Description& d) {
  nlohmann::json j{{"schema", kDescribeSchema},
                 {"id", d.id},
                 {"name", d.name},
                 {"version", d.version},
                 {"vendor", d.vendor},
                 {"abi", {{"major", d.abi_major}, {"minor", d.abi_minor}}},
                 {"capabilities", d.capabilities},
                 {"limits",
                  {{"batch_size", d.limits.batch_size},
                   {"requests_per_second", d.limits.requests_per_second},
                   {"max_concurrency", d.limits.max_concurrency}}},
                 {"config_schema", d.config_schema}};
  if (d.limits.poll_seconds > 0) j["limits"]["poll_seconds"] = d.limits.poll_seconds;
  return j;
}

inline Description description_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw payload_error("describe: must be a JSON object");
  Description d;
  d.id = detail::str(j, "id", "describe", true);
  if (d.id.empty()) detail::fail("describe", "field 'id' must not be empty");
  d.name = detail::str(j, "name", "describe");
  d.version = detail::str(j, "version", "describe", true);
  d.vendor = detail::str(j, "vendor", "describe");
  const auto& abi = detail::need(j, "abi", "describe");
  d.abi_major = static_cast<int>(detail::i64(abi, "major", "describe abi"));
  d.abi_minor = static_cast<int>(detail::i64(abi, "minor", "describe abi"));
  const auto& caps = detail::need(j, "capabilities", "describe");
  if (!caps.is_array()) detail::fail("describe", "field 'capabilities' must be an array of strings");
  for (const auto& c : caps) {
    if (!c.is_string()) detail::fail("describe", "field 'capabilities' must be an array of strings");
    d.capabilities.push_back(c.get<std::string>());
  }
  if (auto l = j.find("limits"); l != j.end() && l->is_object()) {
    d.limits.batch_size = static_cast<int>(l->value("batch_size", 100));
    d.limits.requests_per_second = l->value("requests_per_second", 0.0);
    d.limits.max_concurrency = static_cast<int>(l->value("max_concurrency", 4));
    if (d.limits.batch_size < 1) detail::fail("describe", "limits.batch_size must be at least 1");
    if (auto p = l->find("poll_seconds"); p != l->end() && !p->is_null()) {
      if (!p->is_number_integer() || p->get<std::int64_t>() < 0 || p->get<std::int64_t>() > 86400)
        detail::fail("describe", "limits.poll_seconds must be whole seconds from 0 to 86400");
      d.limits.poll_seconds = static_cast<int>(p->get<std::int64_t>());
    }
  }
  if (auto s = j.find("config_schema"); s != j.end()) {
    if (!s->is_object()) detail::fail("describe", "field 'config_schema' must be a JSON Schema object");
    d.config_schema = *s;
  }
  return d;
}

// ---- batch documents ---------------------------------------------------------------------

namespace detail {
template <class T, class F>
std::vector<T> items_of(std::string_view json_text, const char* schema, F&& parse) {
  json doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded()) throw payload_error(std::string(schema) + ": not valid JSON");
  if (!doc.is_object()) throw payload_error(std::string(schema) + ": the document must be an object");
  auto s = doc.find("schema");
  if (s == doc.end() || !s->is_string() || s->get<std::string>() != schema)
    throw payload_error(std::string("expected schema '") + schema + "'");
  auto items = doc.find("items");
  if (items == doc.end() || !items->is_array()) throw payload_error(std::string(schema) + ": 'items' must be an array");
  std::vector<T> out;
  out.reserve(items->size());
  for (const auto& it : *items) out.push_back(parse(it));
  return out;
}

template <class T>
std::string document(const char* schema, const std::vector<T>& items) {
  json arr = json::array();
  for (const auto& i : items) arr.push_back(sr::to_json(i));
  return json{{"schema", schema}, {"items", std::move(arr)}}.dump();
}
}  // namespace detail

inline std::string events_document(const std::vector<Event>& v) { return detail::document(kEventsSchema, v); }
inline std::vector<Event> events_from_document(std::string_view s) {
  return detail::items_of<Event>(s, kEventsSchema, [](const nlohmann::json& j) { return event_from_json(j); });
}
inline std::string commands_document(const std::vector<Command>& v) { return detail::document(kCommandsSchema, v); }
inline std::vector<Command> commands_from_document(std::string_view s) {
  return detail::items_of<Command>(s, kCommandsSchema, [](const nlohmann::json& j) { return command_from_json(j); });
}
inline std::string results_document(const std::vector<CommandResult>& v) { return detail::document(kResultsSchema, v); }
inline std::vector<CommandResult> results_from_document(std::string_view s) {
  return detail::items_of<CommandResult>(s, kResultsSchema, [](const nlohmann::json& j) { return result_from_json(j); });
}

}  // namespace sr
