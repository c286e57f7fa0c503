#include "util.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "http/encoding.hpp"

namespace woo_sim::util {

namespace {

void append_hex4(std::string& out, unsigned value) {
  static const char* digits = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += digits[(value >> shift) & 0xF];
}

// Decodes one UTF-8 sequence at text[i]; returns the code point and advances
// i, or U+FFFD for malformed input.
unsigned next_code_point(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned c = byte(i);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size()) {
    ++i;
    return 0xFFFD;
  }
  unsigned cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned b = byte(i + static_cast<std::size_t>(k));
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp > 0x10FFFF ? 0xFFFD : cp;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    // Copy runs of characters that need no escaping in one go.
    const char* run = p;
    while (p < end) {
      auto c = static_cast<unsigned char>(*p);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '/') break;
      ++p;
    }
    if (p > run) out.append(run, static_cast<std::size_t>(p - run));
    if (p >= end) break;
    auto c = static_cast<unsigned char>(*p);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '/': out += "\\/"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: append_hex4(out, c);
      }
      ++p;
      continue;
    }
    std::size_t i = static_cast<std::size_t>(p - text.data());
    unsigned cp = next_code_point(text, i);
    p = text.data() + i;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      append_hex4(out, 0xD800 + (cp >> 10));
      append_hex4(out, 0xDC00 + (cp & 0x3FF));
    } else {
      append_hex4(out, cp);
    }
  }
  out += '"';
}

namespace {
std::string escape_slashes(const std::string& dumped) {
  std::string out;
  out.reserve(dumped.size() + 16);
  for (char c : dumped) {
    if (c == '/') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

// ensure_ascii gives \uXXXX; a "/" can only occur inside strings, so escaping
// every one of them is exact.
std::string php_json(const nlohmann::json& value) {
  return escape_slashes(value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
}
std::string php_json(const nlohmann::ordered_json& value) {
  return escape_slashes(value.dump(-1, ' ', true, nlohmann::ordered_json::error_handler_t::replace));
}

void JsonOut::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_) out_ += ',';
  first_ = false;
}

JsonOut& JsonOut::begin_object() {
  separate();
  out_ += '{';
  first_ = true;
  return *this;
}
JsonOut& JsonOut::end_object() {
  out_ += '}';
  first_ = false;
  return *this;
}
JsonOut& JsonOut::begin_array() {
  separate();
  out_ += '[';
  first_ = true;
  return *this;
}
JsonOut& JsonOut::end_array() {
  out_ += ']';
  first_ = false;
  return *this;
}
JsonOut& JsonOut::key(std::string_view k) {
  separate();
  // Keys come from the simulator's own code: plain ASCII, nothing to escape.
  out_ += '"';
  out_.append(k.data(), k.size());
  out_.append("\":", 2);
  after_key_ = true;
  return *this;
}
JsonOut& JsonOut::str(std::string_view v) {
  separate();
  append_json_string(out_, v);
  return *this;
}
JsonOut& JsonOut::num(std::int64_t v) {
  separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out_.append(buf, end);
  return *this;
}
JsonOut& JsonOut::boolean(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}
JsonOut& JsonOut::null() {
  separate();
  out_ += "null";
  return *this;
}
JsonOut& JsonOut::date(std::int64_t unix_seconds) {
  separate();
  out_ += '"';
  append_date(out_, unix_seconds);
  out_ += '"';
  return *this;
}
JsonOut& JsonOut::raw(std::string_view json) {
  separate();
  out_ += json;
  return *this;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void append_date(std::string& out, std::int64_t t) {
  // Days to civil date (proleptic Gregorian), without gmtime/snprintf: this
  // runs four times per product on every page.
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t secs = t - days * 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[19];
  auto put = [&](int pos, std::int64_t v, int width) {
    for (int k = width - 1; k >= 0; --k) {
      buf[pos + k] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, secs / 3600, 2);
  buf[13] = ':';
  put(14, secs / 60 % 60, 2);
  buf[16] = ':';
  put(17, secs % 60, 2);
  out.append(buf, sizeof buf);
}

std::string format_date(std::int64_t unix_seconds) {
  std::string out;
  append_date(out, unix_seconds);
  return out;
}

std::optional<ParsedDate> parse_date(std::string_view s) {
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = pos; k < pos + n; ++k) {
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
      v = v * 10 + (s[k] - '0');
    }
    return v;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  ParsedDate out;
  std::int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      auto oh = digits(pos + 1, 2);
      if (!oh) return std::nullopt;
      pos += 3;
      int om = 0;
      if (pos < s.size()) {
        if (s[pos] == ':') ++pos;
        auto m = digits(pos, 2);
        if (!m) return std::nullopt;
        om = *m;
        pos += 2;
      }
      offset = sign * (*oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
    out.has_zone = true;
  }
  if (pos != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  out.seconds = static_cast<std::int64_t>(timegm(&tm)) - offset;
  return out;
}

std::string rfc3986_encode(std::string_view text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
  }
  return out;
}

Query Query::parse(std::string_view query) {
  auto pieces = sim_common::parse_query(query);
  Query q;
  q.pairs = std::move(pieces.decoded);
  q.raw = std::move(pieces.raw);
  return q;
}

bool Query::has(std::string_view key) const { return get(key).has_value(); }

std::optional<std::string> Query::get(std::string_view key) const {
  std::optional<std::string> found;
  for (const auto& [k, v] : pairs) {
    if (k == key || (k.size() == key.size() + 2 && k.starts_with(key) && k.ends_with("[]"))) found = v;
  }
  return found;
}

std::vector<std::string> Query::list(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs) {
    bool match = k == key || (k.starts_with(key) && k.size() > key.size() && k[key.size()] == '[' && k.back() == ']');
    if (!match) continue;
    std::size_t start = 0;
    while (start <= v.size()) {
      auto comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      std::string piece = v.substr(start, comma - start);
      // WordPress trims list items.
      while (!piece.empty() && piece.front() == ' ') piece.erase(piece.begin());
      while (!piece.empty() && piece.back() == ' ') piece.pop_back();
      if (!piece.empty()) out.push_back(std::move(piece));
      start = comma + 1;
    }
  }
  return out;
}

namespace {
std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}
}  // namespace

std::string hmac_sha1(std::string_view key, std::string_view data) { return hmac(EVP_sha1(), key, data); }
std::string hmac_sha256(std::string_view key, std::string_view data) { return hmac(EVP_sha256(), key, data); }
std::string base64(std::string_view bytes) { return stockrelay::http::base64_encode(bytes); }

std::string random_hex(std::size_t chars) { return sim_common::random_hex(chars); }

std::string html_entity_decode(std::string_view text) {
  static const std::pair<std::string_view, char> entities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#039;", '\''}, {"&#39;", '\''}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (const auto& [entity, c] : entities) {
        if (text.substr(i).starts_with(entity)) {
          out += c;
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

std::string money(double value) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t v = 0;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> as_integer(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::abs(d) < 9e15) return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (v.is_string()) return parse_int(v.get<std::string>());
  return std::nullopt;
}

std::optional<bool> as_boolean(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i == 0 || i == 1) return i == 1;
    return std::nullopt;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no" || s.empty()) return false;
  }
  return std::nullopt;
}

}  // namespace woo_sim::util
