// Reading a connector's settings object (the `settings:` of its connection,
// as JSON) with errors that name the setting. Header-only; every function
// throws sr::invalid_error("settings: 'name' ...") on a wrong value, so
// create() refuses a bad connection with a message the merchant can act on.
//
//   sr::SettingsReader r(settings, {"url", "api_id", "page_size"});  // unknown keys are refused
//   std::string url = r.string("url", true);
//   int page = r.integer("page_size", 1, 1000, 100);
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stockrelay/connector.hpp"

namespace sr {

class SettingsReader {
 public:
  // `known`: every setting the connector reads; any other key is refused.
  SettingsReader(const nlohmann::json& settings, std::initializer_list<const char*> known) : s_(settings) {
    if (!s_.is_object()) throw invalid_error("settings must be an object");
    for (const auto& item : s_.items()) {
      bool ok = false;
      for (const char* n : known) ok = ok || item.key() == n;
      if (!ok) throw invalid_error("settings: unknown setting '" + item.key() + "'");
    }
  }

  bool has(const char* name) const {
    auto it = s_.find(name);
    return it != s_.end() && !it->is_null();
  }

  std::string string(const char* name, bool required, const std::string& fallback = {}) const {
    auto it = s_.find(name);
    if (it == s_.end() || it->is_null()) {
      if (required) throw invalid_error(std::string("settings: '") + name + "' is required");
      return fallback;
    }
    if (!it->is_string()) throw invalid_error(std::string("settings: '") + name + "' must be a string");
    std::string v = it->get<std::string>();
    if (required && v.empty()) throw invalid_error(std::string("settings: '") + name + "' must not be empty");
    return v;
  }

  bool boolean(const char* name, bool fallback) const {
    if (!has(name)) return fallback;
    const auto& v = s_.at(name);
    if (!v.is_boolean()) throw invalid_error(std::string("settings: '") + name + "' must be true or false");
    return v.get<bool>();
  }

  std::int64_t integer(const char* name, std::int64_t min, std::int64_t max, std::int64_t fallback,
                       bool required = false) const {
    if (!has(name)) {
      if (required) throw invalid_error(std::string("settings: '") + name + "' is required");
      return fallback;
    }
    const auto& v = s_.at(name);
    if (!v.is_number_integer() || v.get<std::int64_t>() < min || v.get<std::int64_t>() > max)
      throw invalid_error(std::string("settings: '") + name + "' must be an integer from " + std::to_string(min) +
                          " to " + std::to_string(max));
    return v.get<std::int64_t>();
  }

  double number(const char* name, double min, double fallback) const {
    if (!has(name)) return fallback;
    const auto& v = s_.at(name);
    if (!v.is_number() || v.get<double>() < min)
      throw invalid_error(std::string("settings: '") + name + "' must be a number >= " +
                          (min == static_cast<double>(static_cast<std::int64_t>(min))
                               ? std::to_string(static_cast<std::int64_t>(min))
                               : nlohmann::json(min).dump()));
    return v.get<double>();
  }

  // An http:// or https:// URL without trailing slashes.
  std::string url(const char* name, bool required) const {
    std::string u = string(name, required);
    while (!u.empty() && u.back() == '/') u.pop_back();
    if (u.empty() && !required) return u;
    bool ok = (u.rfind("http://", 0) == 0 && u.size() > 7) || (u.rfind("https://", 0) == 0 && u.size() > 8);
    if (!ok) throw invalid_error(std::string("settings: '") + name + "' must be an http:// or https:// URL, not '" + u + "'");
    return u;
  }

 private:
  const nlohmann::json& s_;
};

}  // namespace sr
