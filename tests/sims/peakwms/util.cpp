#include "util.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "http/message.hpp"
#include "sim_common.hpp"

namespace peakwms_sim::util {

Query Query::parse(std::string_view query) {
  Query q;
  q.pairs = sim_common::parse_query(query).decoded;
  return q;
}

std::optional<std::string> Query::get(std::string_view key) const {
  std::optional<std::string> found;
  for (const auto& [k, v] : pairs) {
    if (stockrelay::http::iequals(k, key)) found = v;
  }
  return found;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string camel(std::string key) {
  if (!key.empty() && key[0] >= 'A' && key[0] <= 'Z') key[0] = static_cast<char>(key[0] - 'A' + 'a');
  return key;
}

const nlohmann::json* field(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  for (const auto& [k, v] : obj.items()) {
    if (stockrelay::http::iequals(k, key)) return v.is_null() ? nullptr : &v;
  }
  return nullptr;
}

std::string string_field(const nlohmann::json& obj, std::string_view key) {
  const auto* v = field(obj, key);
  if (!v) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
  throw std::invalid_argument(std::string(key) + " must be a string");
}

std::optional<std::int64_t> int_field(const nlohmann::json& obj, std::string_view key) {
  const auto* v = field(obj, key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::floor(d) == d) return static_cast<std::int64_t>(d);
  }
  if (v->is_string()) {
    if (auto n = parse_int(v->get<std::string>())) return n;
  }
  throw std::invalid_argument(std::string(key) + " must be an integer, got " + v->dump());
}

std::string iso_time(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::optional<std::int64_t> parse_iso_time(std::string_view text) {
  std::tm tm{};
  std::string copy(text);
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace peakwms_sim::util
