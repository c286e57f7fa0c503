// validate_settings: the JSON Schema subset described in schema.hpp.
#include "config/schema.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include "config/reader.hpp"

namespace stockrelay::config {
namespace {

using nlohmann::json;

std::string type_of(const json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "boolean";
  return v.type_name();  // string, object, array, null
}

bool has_type(const json& v, const std::string& t) {
  if (t == "integer")
    return v.is_number_integer() ||
           (v.is_number_float() && std::isfinite(v.get<double>()) &&
            std::floor(v.get<double>()) == v.get<double>());
  if (t == "number") return v.is_number();
  return type_of(v) == t;
}

std::string with_article(const std::string& t) {
  if (t == "null") return "null";
  return (t == "integer" || t == "object" || t == "array" ? "an " : "a ") + t;
}

// Schema values (enum members, bounds) are the plugin's, never secrets.
std::string plain(const json& v) {
  return v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
}

std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_uri(const std::string& s) {
  static const std::regex uri("[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\s]+([/?#]\\S*)?");
  return std::regex_match(s, uri);
}

std::string token(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

class Validator {
 public:
  Validator(ConnectionConfig& conn, std::string_view plugin) : conn_(conn), plugin_(plugin) {}

  void validate(json& v, const json& s, const std::string& ptr) {
    bool secret = s.value("x-secret", false);
    if (secret) collect_secrets(v);
    if (auto t = s.find("type"); t != s.end() && !type_matches(v, *t, ptr)) return;
    if (auto e = s.find("enum"); e != s.end() && std::find(e->begin(), e->end(), v) == e->end()) {
      std::vector<std::string> options;
      for (const auto& o : *e) options.push_back(plain(o));
      fail(ptr, shown(v, secret) + " is not one of: " + detail::join(options));
    }
    if (auto c = s.find("const"); c != s.end() && v != *c)
      fail(ptr, "must be " + plain(*c) + ", got " + shown(v, secret));
    if (v.is_number()) check_number(v, s, ptr, secret);
    if (v.is_string()) check_string(v.get<std::string>(), s, ptr, secret);
    if (v.is_object()) check_object(v, s, ptr);
    if (v.is_array()) check_array(v, s, ptr);
  }

  // The errors in document order (settings are walked in key order).
  Errors take_errors() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
    });
    Errors out;
    for (auto& [loc, e] : errors_) out.push_back(std::move(e));
    return out;
  }

 private:
  bool type_matches(const json& v, const json& t, const std::string& ptr) {
    std::vector<std::string> types;
    if (t.is_array()) {
      for (const auto& x : t) types.push_back(x.get<std::string>());
    } else {
      types.push_back(t.get<std::string>());
    }
    if (std::any_of(types.begin(), types.end(), [&](const auto& x) { return has_type(v, x); }))
      return true;
    std::string expected = types.size() == 1 ? with_article(types[0]) : "one of " + detail::join(types);
    fail(ptr, "expected " + expected + ", got " + type_of(v));
    return false;
  }

  void check_number(const json& v, const json& s, const std::string& ptr, bool secret) {
    if (auto m = s.find("minimum"); m != s.end() && v < *m)
      fail(ptr, shown(v, secret) + " is below the minimum " + m->dump());
    if (auto m = s.find("maximum"); m != s.end() && v > *m)
      fail(ptr, shown(v, secret) + " is above the maximum " + m->dump());
    if (auto m = s.find("exclusiveMinimum"); m != s.end() && v <= *m)
      fail(ptr, shown(v, secret) + " must be greater than " + m->dump());
    if (auto m = s.find("exclusiveMaximum"); m != s.end() && v >= *m)
      fail(ptr, shown(v, secret) + " must be less than " + m->dump());
  }

  void check_string(const std::string& str, const json& s, const std::string& ptr, bool secret) {
    std::size_t n = code_points(str);
    if (auto m = s.find("minLength"); m != s.end() && n < m->get<std::size_t>())
      fail(ptr, shown(str, secret) + " is shorter than " + m->dump() + " characters");
    if (auto m = s.find("maxLength"); m != s.end() && n > m->get<std::size_t>())
      fail(ptr, shown(str, secret) + " is longer than " + m->dump() + " characters");
    if (auto p = s.find("pattern"); p != s.end()) {
      std::regex re(p->get<std::string>(), std::regex::ECMAScript);  // check_schema compiled it
      if (!std::regex_search(str, re))
        fail(ptr, shown(str, secret) + " does not match the pattern " + plain(*p));
    }
    if (s.value("format", "") == "uri" && !is_uri(str))
      fail(ptr, shown(str, secret) + " is not a URI",
           "write scheme://host..., e.g. https://shop.example.com");
  }

  void check_object(json& v, const json& s, const std::string& ptr) {
    static const json kNone = json::object();
    auto pit = s.find("properties");
    const json& props = pit != s.end() ? *pit : kNone;
    for (const auto& [key, sub] : props.items())
      if (!v.contains(key) && sub.contains("default")) v[key] = sub["default"];
    if (auto req = s.find("required"); req != s.end()) {
      for (const auto& name : *req)
        if (!v.contains(name.get<std::string>()))
          fail(ptr, "missing required setting '" + name.get<std::string>() + "'",
               "plugin '" + std::string(plugin_) + "' needs it");
    }
    auto extra = s.find("additionalProperties");
    std::vector<std::string> known;
    for (const auto& [key, sub] : props.items()) known.push_back(key);
    for (auto& [key, value] : v.items()) {
      std::string child = ptr + "/" + token(key);
      if (auto sub = props.find(key); sub != props.end()) {
        validate(value, *sub, child);
      } else if (extra != s.end() && extra->is_object()) {
        validate(value, *extra, child);
      } else if (extra != s.end() && *extra == false) {
        std::string accepts = known.empty()
            ? "plugin '" + std::string(plugin_) + "' takes no settings here"
            : "plugin '" + std::string(plugin_) + "' accepts: " + detail::join(known);
        fail(child, "unknown setting", detail::suggest(key, known, accepts));
      }
    }
  }

  void check_array(json& v, const json& s, const std::string& ptr) {
    if (auto m = s.find("minItems"); m != s.end() && v.size() < m->get<std::size_t>())
      fail(ptr, "has " + std::to_string(v.size()) + " items, fewer than the minimum " + m->dump());
    if (auto m = s.find("maxItems"); m != s.end() && v.size() > m->get<std::size_t>())
      fail(ptr, "has " + std::to_string(v.size()) + " items, more than the maximum " + m->dump());
    if (auto items = s.find("items"); items != s.end())
      for (std::size_t i = 0; i < v.size(); ++i) validate(v[i], *items, ptr + "/" + std::to_string(i));
  }

  void collect_secrets(const json& v) {
    if (v.is_structured()) {
      for (const auto& x : v) collect_secrets(x);
      return;
    }
    if (v.is_null()) return;
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (!text.empty() && std::find(conn_.secrets.begin(), conn_.secrets.end(), text) == conn_.secrets.end())
      conn_.secrets.push_back(text);
  }

  // How a value may be quoted in a message: never when it is, or contains,
  // a secret.
  std::string shown(const json& v, bool secret) const {
    std::string text = plain(v);
    bool leaks = secret || std::any_of(conn_.secrets.begin(), conn_.secrets.end(),
                                       [&](const std::string& s) {
                                         return !s.empty() && text.find(s) != std::string::npos;
                                       });
    return leaks ? "the value" : text;
  }

  void fail(const std::string& ptr, const std::string& what, std::string hint = {}) {
    // Defaults and the settings map itself may have no recorded place: the
    // nearest enclosing node (finally the connection) is still helpful.
    std::string at = ptr;
    auto it = conn_.setting_locations.find(at);
    while (it == conn_.setting_locations.end() && !at.empty()) {
      at.erase(at.rfind('/'));
      it = conn_.setting_locations.find(at);
    }
    const Location& loc = it != conn_.setting_locations.end() ? it->second : conn_.loc;
    errors_.emplace_back(loc, Error{loc.str(), "connection '" + conn_.name + "': settings" + ptr +
                                                   ": " + what,
                                    std::move(hint)});
  }

  ConnectionConfig& conn_;
  std::vector<std::pair<Location, Error>> errors_;
  std::string_view plugin_;
};

}  // namespace

Errors validate_settings(ConnectionConfig& conn, const json& schema, std::string_view plugin_id) {
  if (auto bad = check_schema(schema)) {
    return {Error{conn.loc.str(),
                  "connection '" + conn.name + "': plugin '" + std::string(plugin_id) +
                      "' publishes an invalid settings schema: " + *bad,
                  "this is a bug in the plugin; report it to its vendor"}};
  }
  Validator v(conn, plugin_id);
  v.validate(conn.settings, schema, "");
  return v.take_errors();
}

}  // namespace stockrelay::config
