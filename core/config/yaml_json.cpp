#include "config/yaml_json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <regex>

namespace stockrelay::config::detail {
namespace {

// RFC 6901: '~' and '/' inside a key are escaped.
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

nlohmann::json plain_scalar(const std::string& v) {
  if (v == "~" || v == "null" || v == "Null" || v == "NULL") return nullptr;
  if (v == "true" || v == "True" || v == "TRUE") return true;
  if (v == "false" || v == "False" || v == "FALSE") return false;
  static const std::regex int_re("[-+]?[0-9]+");
  static const std::regex float_re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(v, int_re)) {
    std::string_view digits = v[0] == '+' ? std::string_view(v).substr(1) : std::string_view(v);
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
    if (ec == std::errc() && end == digits.data() + digits.size()) return i;
    // Too large for 64 bits: still a number, as YAML says.
  }
  if (std::regex_match(v, float_re)) return std::stod(v);
  return v;
}

}  // namespace

std::optional<nlohmann::json> to_json(Reader& r, const YAML::Node& n, const Location& at,
                                      const std::string& path, const std::string& pointer,
                                      const JsonSinks& sinks) {
  if (sinks.locations) (*sinks.locations)[pointer] = at;
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      bool ok = true;
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) {
          r.fail(r.loc(kv.first), path + ": a key must be a plain name, got " + describe(kv.first));
          ok = false;
          continue;
        }
        const std::string& key = kv.first.Scalar();
        Location child_at = kv.second.IsNull() ? r.loc(kv.first) : r.loc(kv.second);
        auto v = to_json(r, kv.second, child_at, path + "." + key,
                         pointer + "/" + pointer_token(key), sinks);
        if (v) obj[key] = std::move(*v);
        ok = ok && v.has_value();
      }
      if (!ok) return std::nullopt;
      return obj;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      bool ok = true;
      for (const auto& item : n) {
        std::string index = std::to_string(arr.size());
        auto v = to_json(r, item, r.loc(item), path + "[" + index + "]", pointer + "/" + index,
                         sinks);
        // Keep indexes aligned with the YAML even after an error.
        arr.push_back(v ? std::move(*v) : nlohmann::json());
        ok = ok && v.has_value();
      }
      if (!ok) return std::nullopt;
      return arr;
    }
    case YAML::NodeType::Scalar: {
      auto s = r.scalar(n, at, path);
      if (!s) return std::nullopt;
      if (s->substituted) {
        // The connection keeps its own list so the host can redact what its
        // plugin logs without consulting the whole config.
        if (sinks.secrets) {
          for (const auto& secret : s->secrets)
            if (std::find(sinks.secrets->begin(), sinks.secrets->end(), secret) ==
                sinks.secrets->end())
              sinks.secrets->push_back(secret);
        }
        return s->value;
      }
      // "?" is yaml-cpp's tag for a plain (unquoted, untagged) scalar.
      if (n.Tag() != "?") return s->value;
      return plain_scalar(s->value);
    }
    default:
      return nlohmann::json();
  }
}

}  // namespace stockrelay::config::detail
