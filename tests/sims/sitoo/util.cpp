#include "util.hpp"

#include <charconv>
#include <cmath>

namespace sitoo_sim::util {

Query Query::parse(std::string_view query) {
  Query q;
  q.pairs = sim_common::parse_query(query).decoded;
  return q;
}

std::optional<std::string> Query::get(std::string_view key) const {
  std::optional<std::string> found;
  for (const auto& [k, v] : pairs) {
    if (k == key) found = v;
  }
  return found;
}

std::vector<std::string> Query::list(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs) {
    if (k != key) continue;
    std::size_t start = 0;
    while (start <= v.size()) {
      auto comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      if (comma > start) out.push_back(v.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

namespace {

std::string fixed(std::int64_t units, int digits) {
  std::int64_t scale = digits == 3 ? 1000 : 100;
  bool negative = units < 0;
  std::uint64_t mag = negative ? static_cast<std::uint64_t>(-(units + 1)) + 1 : static_cast<std::uint64_t>(units);
  std::string frac = std::to_string(mag % static_cast<std::uint64_t>(scale));
  while (frac.size() < static_cast<std::size_t>(digits)) frac.insert(frac.begin(), '0');
  return (negative ? "-" : "") + std::to_string(mag / static_cast<std::uint64_t>(scale)) + "." + frac;
}

}  // namespace

std::string decimal3(std::int64_t milli) { return fixed(milli, 3); }
std::string money2(std::int64_t cents) { return fixed(cents, 2); }

std::optional<std::int64_t> parse_fixed(std::string_view text, int digits) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::int64_t whole = 0, frac = 0;
  int whole_digits = 0, frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++whole_digits) {
    if (whole > 1'000'000'000'000LL) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits >= digits) {
        if (text[i] != '0') return std::nullopt;  // more precision than the type holds
        continue;
      }
      frac = frac * 10 + (text[i] - '0');
    }
  }
  if (i != text.size() || (whole_digits == 0 && frac_digits == 0)) return std::nullopt;
  for (int k = std::min(frac_digits, digits); k < digits; ++k) frac *= 10;
  std::int64_t scale = 1;
  for (int k = 0; k < digits; ++k) scale *= 10;
  std::int64_t units = whole * scale + frac;
  return negative ? -units : units;
}

std::optional<std::int64_t> parse_fixed(const nlohmann::json& v, int digits) {
  if (v.is_string()) return parse_fixed(std::string_view(v.get_ref<const std::string&>()), digits);
  if (v.is_number_integer()) {
    std::int64_t scale = digits == 3 ? 1000 : 100;
    return v.get<std::int64_t>() * scale;
  }
  if (v.is_number_float()) {
    double scaled = v.get<double>() * (digits == 3 ? 1000.0 : 100.0);
    double rounded = std::round(scaled);
    if (std::fabs(scaled - rounded) > 1e-6 || std::fabs(rounded) > 1e15) return std::nullopt;
    return static_cast<std::int64_t>(rounded);
  }
  return std::nullopt;
}

std::int64_t to_milli(double quantity) { return static_cast<std::int64_t>(std::llround(quantity * 1000.0)); }
double from_milli(std::int64_t milli) { return static_cast<double>(milli) / 1000.0; }

std::optional<std::int64_t> as_int(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (v.is_string()) return parse_int(v.get_ref<const std::string&>());
  return std::nullopt;
}

std::size_t bad_sku_char(std::string_view sku) {
  for (std::size_t i = 0; i < sku.size(); ++i) {
    char c = sku[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' ||
              c == '-' || c == '/';
    if (!ok) return i;
  }
  return std::string_view::npos;
}

bool valid_externalid(std::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string printable(std::string_view text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
  }
  return out;
}

std::string random_hex(std::size_t chars) { return sim_common::random_hex(chars); }

}  // namespace sitoo_sim::util
