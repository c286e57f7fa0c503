// check_schema: is a plugin's settings schema something validate_settings
// can apply? Refusing a bad schema at load time keeps schema bugs from
// surfacing later as confusing errors about the operator's settings.
#include <algorithm>
#include <cstdint>
#include <regex>

#include "config/schema.hpp"

namespace stockrelay::config {
namespace {

using nlohmann::json;

bool known_type(const json& t) {
  static const std::vector<std::string> kTypes{"string", "integer", "number", "boolean",
                                               "object", "array",   "null"};
  return t.is_string() && std::find(kTypes.begin(), kTypes.end(), t.get<std::string>()) != kTypes.end();
}

std::string escape(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

std::optional<std::string> check_at(const json& s, const std::string& at);

std::optional<std::string> check_type(const json& t, const std::string& at) {
  const std::string known = " (known: string, integer, number, boolean, object, array, null)";
  if (t.is_array()) {
    if (t.empty()) return at + "/type: an empty list of types";
    for (const auto& item : t)
      if (!known_type(item)) return at + "/type: " + item.dump() + " is not a type" + known;
    return std::nullopt;
  }
  if (!known_type(t)) return at + "/type: " + t.dump() + " is not a type" + known;
  return std::nullopt;
}

std::optional<std::string> check_object_keywords(const json& s, const std::string& at) {
  if (auto it = s.find("properties"); it != s.end()) {
    if (!it->is_object()) return at + "/properties: must be an object";
    for (const auto& [key, sub] : it->items())
      if (auto e = check_at(sub, at + "/properties/" + escape(key))) return e;
  }
  if (auto it = s.find("required"); it != s.end()) {
    if (!it->is_array()) return at + "/required: must be a list of property names";
    for (const auto& name : *it)
      if (!name.is_string()) return at + "/required: " + name.dump() + " is not a property name";
  }
  if (auto it = s.find("additionalProperties"); it != s.end() && !it->is_boolean())
    return check_at(*it, at + "/additionalProperties");
  return std::nullopt;
}

std::optional<std::string> check_at(const json& s, const std::string& at) {
  if (!s.is_object()) return at + ": a schema must be an object, got " + s.dump();
  if (auto it = s.find("type"); it != s.end())
    if (auto e = check_type(*it, at)) return e;
  if (auto e = check_object_keywords(s, at)) return e;
  if (auto it = s.find("enum"); it != s.end() && (!it->is_array() || it->empty()))
    return at + "/enum: must be a non-empty list";
  // Numbers only: draft 4's boolean exclusiveMinimum would otherwise be
  // silently ignored.
  for (const char* k : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
    if (auto it = s.find(k); it != s.end() && !it->is_number())
      return at + "/" + k + ": must be a number";
  for (const char* k : {"minLength", "maxLength", "minItems", "maxItems"})
    if (auto it = s.find(k);
        it != s.end() && (!it->is_number_integer() || it->get<std::int64_t>() < 0))
      return at + "/" + k + ": must be a whole number >= 0";
  if (auto it = s.find("pattern"); it != s.end()) {
    if (!it->is_string()) return at + "/pattern: must be a string";
    try {
      std::regex check(it->get<std::string>(), std::regex::ECMAScript);
    } catch (const std::regex_error& ex) {
      return at + "/pattern: invalid regular expression: " + ex.what();
    }
  }
  if (auto it = s.find("format"); it != s.end() && !it->is_string())
    return at + "/format: must be a string";
  if (auto it = s.find("items"); it != s.end())
    if (auto e = check_at(*it, at + "/items")) return e;
  if (auto it = s.find("x-secret"); it != s.end() && !it->is_boolean())
    return at + "/x-secret: must be true or false";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_schema(const json& schema) { return check_at(schema, "schema"); }

}  // namespace stockrelay::config
