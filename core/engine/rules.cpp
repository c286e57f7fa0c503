#include "engine/rules.hpp"

#include <algorithm>

#include "engine/sku.hpp"

namespace stockrelay::engine {
namespace {

using sr::Quantity;

bool where_holds(const config::Where& w, const std::optional<std::string>& value) {
  using Op = config::Where::Op;
  const std::string& first = w.values.empty() ? std::string() : w.values.front();
  switch (w.op) {
    case Op::Exists: return value.has_value() == (first != "false");
    case Op::Equals: return value && *value == first;
    case Op::NotEquals: return !value || *value != first;
    case Op::In: return value && std::find(w.values.begin(), w.values.end(), *value) != w.values.end();
    case Op::NotIn: return !value || std::find(w.values.begin(), w.values.end(), *value) == w.values.end();
    case Op::Matches: return value && glob_match(first, *value);
  }
  return false;
}

// Optional text fields (order number, currency, e-mail, reference, name) are
// left out of the wire format when empty, so empty means absent: `exists`
// must see them as absent.
std::optional<std::string> present(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::string coalesce_key_for(const sr::Command& c) {
  if (auto* s = std::get_if<sr::SetStock>(&c.body)) return "set_stock:" + s->sku;
  if (auto* p = std::get_if<sr::SetPrice>(&c.body)) return "set_price:" + p->sku;
  return {};
}

}  // namespace

std::string transform_sku(const std::vector<CompiledTransform>& ts, const std::string& sku) {
  using K = config::Transform::Kind;
  std::string out = sku;
  for (const auto& t : ts) {
    switch (t.spec.kind) {
      case K::SkuPrefix: out = t.spec.text + out; break;
      case K::SkuSuffix: out += t.spec.text; break;
      case K::SkuStripPrefix:
        if (out.rfind(t.spec.text, 0) == 0) out.erase(0, t.spec.text.size());
        break;
      case K::SkuRegex:
        if (t.regex) out = std::regex_replace(out, *t.regex, t.spec.replacement);
        break;
      case K::SkuMap: {
        auto it = t.spec.sku_map.find(out);
        if (it != t.spec.sku_map.end()) out = it->second;
        break;
      }
      default: break;
    }
  }
  return out;
}

void apply_transforms(const std::vector<CompiledTransform>& ts, sr::Command& c) {
  if (ts.empty()) return;
  std::visit(
      [&](auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, sr::SetStock> || std::is_same_v<T, sr::AdjustStock> ||
                      std::is_same_v<T, sr::SetPrice>) {
          b.sku = transform_sku(ts, b.sku);
        } else if constexpr (std::is_same_v<T, sr::CreateOrder>) {
          for (auto& l : b.order.lines) l.sku = transform_sku(ts, l.sku);
        }
        if constexpr (std::is_same_v<T, sr::SetStock>) {
          using K = config::Transform::Kind;
          for (const auto& t : ts) {
            if (t.spec.kind == K::Buffer) b.quantity -= t.spec.amount;
            if (t.spec.kind == K::Cap && b.quantity > t.spec.amount) b.quantity = t.spec.amount;
            if (t.spec.kind == K::Floor && b.quantity < t.spec.amount) b.quantity = t.spec.amount;
          }
          // A buffer never makes a shop show negative stock.
          if (b.quantity < Quantity()) b.quantity = Quantity();
        }
      },
      c.body);
}

std::optional<std::string> event_field(const sr::Event& e, const std::string& field) {
  if (field == "kind") return std::string(sr::kind_of(e));
  if (field == "key") return sr::key_of(e);
  if (auto* o = std::get_if<sr::OrderEvent>(&e)) {
    const sr::Order& ord = o->order;
    std::string f = field.rfind("order.", 0) == 0 ? field.substr(6) : field;
    if (f == "id") return ord.id;
    if (f == "number") return present(ord.number);
    if (f == "status") return ord.status;
    if (f == "stock") return std::string(sr::to_string(ord.stock));
    if (f == "currency") return present(ord.currency);
    if (f == "customer.email") return present(ord.customer_email);
    if (f.rfind("extra.", 0) == 0) {
      auto it = ord.extra.find(f.substr(6));
      if (it == ord.extra.end()) return std::nullopt;
      return it->is_string() ? it->get<std::string>() : it->dump();
    }
    return std::nullopt;
  }
  return std::visit(
      [&](const auto& v) -> std::optional<std::string> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (!std::is_same_v<T, sr::OrderEvent>) {
          if (field == "sku") return v.sku;
        }
        if constexpr (std::is_same_v<T, sr::StockLevel>) {
          if (field == "quantity") return v.quantity.to_string();
          if (field == "managed") return std::string(v.managed ? "true" : "false");
        }
        if constexpr (std::is_same_v<T, sr::StockDelta>) {
          if (field == "delta") return v.delta.to_string();
          if (field == "cause") return std::string(sr::to_string(v.cause));
          if (field == "reference") return present(v.reference);
        }
        if constexpr (std::is_same_v<T, sr::ProductChange>) {
          if (field == "name") return present(v.name);
          if (field == "active") return std::string(v.active ? "true" : "false");
        }
        return std::nullopt;
      },
      e);
}

std::optional<sr::Command> command_for(const std::string& command, const std::string& source, const sr::Event& e) {
  sr::Command c;
  if (command == "set_stock") {
    if (auto* l = std::get_if<sr::StockLevel>(&e)) {
      sr::SetStock s;
      s.sku = l->sku;
      s.quantity = l->quantity;
      c.body = std::move(s);
      return c;
    }
    if (auto* p = std::get_if<sr::ProductChange>(&e); p && p->quantity) {
      sr::SetStock s;
      s.sku = p->sku;
      s.quantity = *p->quantity;
      c.body = std::move(s);
      return c;
    }
    return std::nullopt;
  }
  if (command == "adjust_stock") {
    if (auto* d = std::get_if<sr::StockDelta>(&e)) {
      c.body = sr::AdjustStock{d->sku, d->delta, d->cause, d->reference};
      return c;
    }
    return std::nullopt;
  }
  if (command == "set_price") {
    if (auto* p = std::get_if<sr::ProductChange>(&e); p && p->price) {
      c.body = sr::SetPrice{p->sku, *p->price};
      return c;
    }
    return std::nullopt;
  }
  auto* o = std::get_if<sr::OrderEvent>(&e);
  if (!o) return std::nullopt;
  if (command == "create_order") c.body = sr::CreateOrder{{source, o->order.id}, o->order};
  else if (command == "deliver") c.body = sr::DeliverOrder{{source, o->order.id}, {}};
  else if (command == "add_note") c.body = sr::AddNote{o->order.id, {}, false};
  else return std::nullopt;
  return c;
}

Result<Routes> Routes::compile(const std::vector<config::RouteConfig>& specs) {
  Routes out;
  for (const auto& spec : specs) {
    Route r{spec, {}};
    for (const auto& a : spec.actions) {
      Action act{a, {}};
      for (const auto& t : a.transforms) {
        CompiledTransform ct{t, nullptr};
        if (t.kind == config::Transform::Kind::SkuRegex) {
          try {
            ct.regex = std::make_shared<const std::regex>(t.text, std::regex::ECMAScript);
          } catch (const std::regex_error& e) {
            return Error{t.loc.str(), "route '" + spec.name + "': invalid sku_regex pattern: " + e.what(), ""};
          }
        }
        act.transforms.push_back(std::move(ct));
      }
      r.actions.push_back(std::move(act));
    }
    out.routes_.push_back(std::move(r));
  }
  return out;
}

bool Routes::matches(const config::RouteConfig& spec, const std::string& source, const sr::Event& e) const {
  const char* kind = sr::kind_of(e);
  if (std::find(spec.on.begin(), spec.on.end(), kind) == spec.on.end()) return false;
  if (!spec.from.empty() && std::find(spec.from.begin(), spec.from.end(), source) == spec.from.end()) return false;
  for (const auto& w : spec.where) {
    if (w.field == "sku") {
      if (auto* o = std::get_if<sr::OrderEvent>(&e)) {
        // An order matches a SKU condition when any of its lines does.
        bool any = std::any_of(o->order.lines.begin(), o->order.lines.end(),
                               [&](const sr::OrderLine& l) { return where_holds(w, l.sku); });
        if (!any) return false;
        continue;
      }
    }
    if (!where_holds(w, event_field(e, w.field))) return false;
  }
  return true;
}

std::vector<Routed> Routes::route(const std::string& source, const sr::Event& e) const {
  std::vector<Routed> out;
  for (const auto& r : routes_) {
    if (!matches(r.spec, source, e)) continue;
    for (const auto& a : r.actions) {
      auto cmd = command_for(a.spec.command, source, e);
      if (!cmd) continue;
      cmd->options = a.spec.options;
      if (auto* n = std::get_if<sr::AddNote>(&cmd->body)) n->note = a.spec.options.value("note", std::string());
      apply_transforms(a.transforms, *cmd);
      for (const auto& target : a.spec.to) {
        // Never route stock back to where it came from (no ping-pong); a note
        // on the source's own order is the one command meant for the source.
        if (target == source && !std::holds_alternative<sr::AddNote>(cmd->body)) continue;
        out.push_back(Routed{r.spec.name, target, *cmd, coalesce_key_for(*cmd)});
      }
    }
  }
  return out;
}

}  // namespace stockrelay::engine
