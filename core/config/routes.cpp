// routes: which events produce which commands for which targets.
#include <algorithm>
#include <regex>

#include "config/sections.hpp"
#include "config/yaml_json.hpp"

namespace stockrelay::config::detail {
namespace {

const std::vector<std::string> kKinds{"order", "stock_level", "stock_delta", "product"};
const std::vector<std::string> kCommands{"set_stock",  "adjust_stock", "create_order",
                                         "deliver",    "add_note",     "set_price"};
const std::vector<std::string_view> kTransforms{
    "sku_prefix", "sku_suffix", "sku_strip_prefix", "sku_regex", "sku_map", "buffer", "cap", "floor"};

bool valid_field_path(std::string_view field) {
  if (field.empty() || field.front() == '.' || field.back() == '.') return false;
  return field.find("..") == std::string_view::npos;
}

// Parses one condition value of `where:` into one Where per operator.
void parse_condition(Reader& r, const Entry& e, const std::string& path, std::vector<Where>& out) {
  Where base;
  base.field = e.key;
  base.loc = r.loc(e);
  if (e.value.IsScalar()) {
    auto s = r.scalar(e, path);
    if (!s) return;
    // Shorthand: a glob when it has a wildcard, a plain comparison otherwise.
    bool glob = s->value.find_first_of("*?") != std::string::npos;
    base.op = glob ? Where::Op::Matches : Where::Op::Equals;
    base.values = {s->value};
    out.push_back(std::move(base));
    return;
  }
  if (!e.value.IsMap()) {
    r.fail(base.loc, path + ": expected a value or a map of operators, got " + describe(e.value),
           "to accept several values write {in: [a, b]}");
    return;
  }
  auto ops = r.map(e.value, base.loc, path,
                   {"equals", "not_equals", "in", "not_in", "matches", "exists"});
  if (!ops) return;
  if (ops->entries().empty() && e.value.size() == 0)
    r.fail(base.loc, path + ": no condition given", "e.g. {equals: value} or {in: [a, b]}");
  for (const auto& op : ops->entries()) {
    Where w = base;
    w.loc = r.loc(op);
    std::string op_path = path + "." + op.key;
    if (op.key == "in" || op.key == "not_in") {
      auto list = r.strings(op, op_path, false, true);
      if (!list) continue;
      w.op = op.key == "in" ? Where::Op::In : Where::Op::NotIn;
      for (const auto& s : *list) w.values.push_back(s.value);
    } else if (op.key == "exists") {
      auto b = r.boolean(op, op_path);
      if (!b) continue;
      w.op = Where::Op::Exists;
      w.values = {*b ? "true" : "false"};
    } else {
      auto s = r.scalar(op, op_path);
      if (!s) continue;
      w.op = op.key == "equals"       ? Where::Op::Equals
             : op.key == "not_equals" ? Where::Op::NotEquals
                                      : Where::Op::Matches;
      w.values = {s->value};
    }
    out.push_back(std::move(w));
  }
}

// Text-valued transforms (prefix, suffix, strip prefix).
bool text_transform(Reader& r, const Entry& e, const std::string& path, Transform& t) {
  auto s = r.scalar(e, path);
  if (!s) return false;
  if (s->value.empty()) {
    r.fail(s->loc, path + ": must not be empty");
    return false;
  }
  t.text = s->value;
  return true;
}

bool regex_transform(Reader& r, const Entry& e, const std::string& path, Transform& t) {
  auto m = r.map(e.value, r.loc(e), path, {"pattern", "replace"});
  if (!m) return false;
  const Entry* pattern = r.require(*m, "pattern", r.loc(e), path, "add pattern: <regular expression>");
  const Entry* replace = r.require(*m, "replace", r.loc(e), path, "add replace: <text, $1 for a group>");
  auto p = pattern ? r.scalar(*pattern, path + ".pattern") : std::nullopt;
  auto rep = replace ? r.scalar(*replace, path + ".replace") : std::nullopt;
  if (!p || !rep) return false;
  try {
    std::regex check(p->value, std::regex::ECMAScript);
  } catch (const std::regex_error& ex) {
    r.fail(p->loc, path + ".pattern: invalid regular expression " + p->shown + ": " + ex.what(),
           "the syntax is ECMAScript (JavaScript) regular expressions");
    return false;
  }
  t.text = p->value;
  t.replacement = rep->value;
  return true;
}

bool map_transform(Reader& r, const Entry& e, const std::string& path, Transform& t) {
  auto m = r.named_map(e.value, r.loc(e), path);
  if (!m) return false;
  bool ok = true;
  for (const auto& pair : m->entries()) {
    auto s = r.scalar(pair, path + "." + pair.key);
    if (s) t.sku_map[pair.key] = s->value;
    ok = ok && s.has_value();
  }
  return ok;
}

std::optional<Transform> parse_transform(Reader& r, const YAML::Node& item,
                                         const std::string& path, const std::string& command) {
  Transform t;
  t.loc = r.loc(item);
  if (!item.IsMap() || item.size() != 1) {
    r.fail(t.loc, path + ": expected one transform, got " + describe(item),
           "write one transform per list item, e.g. - sku_prefix: \"X-\"");
    return std::nullopt;
  }
  auto m = r.map(item, t.loc, path, kTransforms);
  if (!m || m->entries().empty()) return std::nullopt;
  const Entry& e = m->entries().front();
  std::string sub = path + "." + e.key;
  bool ok = false;
  if (e.key == "sku_prefix" || e.key == "sku_suffix" || e.key == "sku_strip_prefix") {
    t.kind = e.key == "sku_prefix"   ? Transform::Kind::SkuPrefix
             : e.key == "sku_suffix" ? Transform::Kind::SkuSuffix
                                     : Transform::Kind::SkuStripPrefix;
    ok = text_transform(r, e, sub, t);
  } else if (e.key == "sku_regex") {
    t.kind = Transform::Kind::SkuRegex;
    ok = regex_transform(r, e, sub, t);
  } else if (e.key == "sku_map") {
    t.kind = Transform::Kind::SkuMap;
    ok = map_transform(r, e, sub, t);
  } else {
    t.kind = e.key == "buffer" ? Transform::Kind::Buffer
             : e.key == "cap"  ? Transform::Kind::Cap
                               : Transform::Kind::Floor;
    // Levels only exist in set_stock; on a delta or an order the amount
    // would have no meaning.
    bool applies = command.empty() || command == "set_stock";
    if (!applies)
      r.fail(r.loc(e.key_node), sub + ": '" + e.key + "' only applies to set_stock, not " + command,
             "move it to a set_stock action");
    auto q = r.quantity(e, sub);
    if (q) t.amount = *q;
    ok = applies && q.has_value();
  }
  if (!ok) return std::nullopt;
  return t;
}

void parse_action(Reader& r, const YAML::Node& item, const std::string& path,
                  const ConnectionNames& names, std::vector<Action>& out) {
  Action a;
  a.loc = r.loc(item);
  auto m = r.map(item, a.loc, path, {"command", "to", "transforms", "options"});
  if (!m) return;
  // Empty when missing or unknown, so transforms are not also blamed for it.
  std::string command;
  if (const Entry* e = r.require(*m, "command", a.loc, path, "add command: " + join(kCommands, " | "))) {
    if (auto s = r.scalar(*e, path + ".command")) {
      if (std::find(kCommands.begin(), kCommands.end(), s->value) != kCommands.end())
        command = s->value;
      else
        r.fail(s->loc, path + ".command: unknown command " + s->shown,
               suggest(s->value, kCommands, "commands: " + join(kCommands)));
    }
  }
  a.command = command;
  if (const Entry* e = r.require(*m, "to", a.loc, path, "add to: [connection, ...]")) {
    if (auto list = r.strings(*e, path + ".to", true, true))
      for (const auto& s : *list)
        if (names.check(r, s, path + ".to")) a.to.push_back(s.value);
  }
  if (const Entry* e = m->get("transforms")) {
    if (!e->value.IsNull() && !e->value.IsSequence()) {
      r.fail(r.loc(*e), path + ".transforms: expected a list, got " + describe(e->value),
             "write one transform per list item, e.g. - sku_prefix: \"X-\"");
    } else {
      std::size_t i = 0;
      for (const auto& t : e->value) {
        std::string tpath = path + ".transforms[" + std::to_string(i++) + "]";
        if (auto parsed = parse_transform(r, t, tpath, command)) a.transforms.push_back(*parsed);
      }
    }
  }
  if (const Entry* e = m->get("options")) {
    if (!e->value.IsNull() && !e->value.IsMap())
      r.fail(r.loc(*e), path + ".options: expected a map, got " + describe(e->value));
    else if (e->value.IsMap())
      if (auto json = to_json(r, e->value, r.loc(*e), path + ".options", "", JsonSinks{}))
        a.options = std::move(*json);
  }
  out.push_back(std::move(a));
}

void parse_route(Reader& r, const YAML::Node& item, const std::string& path,
                 const ConnectionNames& names, RouteConfig& rc, UniqueNames& seen) {
  auto m = r.map(item, rc.loc, path, {"name", "on", "from", "where", "do"});
  if (!m) return;
  if (const Entry* e = m->get("name")) {
    if (auto s = r.scalar(*e, path + ".name")) {
      seen.add(r, *s, path + ".name");
      rc.name = s->value;
    }
  }
  if (const Entry* e = r.require(*m, "on", rc.loc, path, "add on: " + join(kKinds, " | "))) {
    if (auto list = r.strings(*e, path + ".on", true, true)) {
      for (const auto& s : *list) {
        if (std::find(kKinds.begin(), kKinds.end(), s.value) == kKinds.end())
          r.fail(s.loc, path + ".on: unknown event kind " + s.shown,
                 suggest(s.value, kKinds, "event kinds: " + join(kKinds)));
        else if (std::find(rc.on.begin(), rc.on.end(), s.value) == rc.on.end())
          rc.on.push_back(s.value);
      }
    }
  }
  if (const Entry* e = m->get("from")) {
    if (auto list = r.strings(*e, path + ".from", true, false))
      for (const auto& s : *list)
        if (names.check(r, s, path + ".from")) rc.from.push_back(s.value);
  }
  if (const Entry* e = m->get("where")) {
    if (auto conditions = r.named_map(e->value, r.loc(*e), path + ".where")) {
      for (const auto& c : conditions->entries()) {
        if (!valid_field_path(c.key)) {
          r.fail(r.loc(c.key_node), path + ".where: invalid field path '" + c.key + "'",
                 "write dot-separated field names, e.g. order.status");
          continue;
        }
        parse_condition(r, c, path + ".where." + c.key, rc.where);
      }
    }
  }
  if (const Entry* e = r.require(*m, "do", rc.loc, path, "add do: [{command: ..., to: [...]}]")) {
    if (!e->value.IsSequence() || e->value.size() == 0) {
      r.fail(r.loc(*e),
             path + ".do: " + (e->value.IsSequence() ? std::string("no actions")
                                                     : "expected a list of actions, got " +
                                                           describe(e->value)),
             "e.g. do: [{command: set_stock, to: [shop-b]}]");
      return;
    }
    std::size_t i = 0;
    for (const auto& action : e->value)
      parse_action(r, action, path + ".do[" + std::to_string(i++) + "]", names, rc.actions);
  }
}

}  // namespace

void parse_routes(Reader& r, const Entry& section, const ConnectionNames& names,
                  std::vector<RouteConfig>& out) {
  if (section.value.IsNull()) return;
  if (!section.value.IsSequence()) {
    r.fail(r.loc(section), "routes: expected a list, got " + describe(section.value),
           "each route starts with '- name: ...'");
    return;
  }
  UniqueNames seen("route");
  for (const auto& item : section.value) {
    RouteConfig rc;
    rc.loc = r.loc(item);
    std::string path = "routes[" + std::to_string(out.size()) + "]";
    // Unnamed routes are numbered from 1, as an operator would count them.
    rc.name = "route-" + std::to_string(out.size() + 1);
    parse_route(r, item, path, names, rc, seen);
    out.push_back(std::move(rc));
  }
}

}  // namespace stockrelay::config::detail
