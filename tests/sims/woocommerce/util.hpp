// Small helpers of the WooCommerce simulator: PHP-flavoured JSON output,
// WordPress dates, query strings, percent-encoding and HMAC.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim_common.hpp"

namespace woo_sim::util {

// ---- JSON as PHP's json_encode writes it -----------------------------------
// WordPress answers with wp_json_encode: "/" is escaped as "\/" and non-ASCII
// as \uXXXX. Webhook signatures cover those exact bytes, so a receiver that
// re-serialises before verifying fails here as it would against a real shop.
void append_json_string(std::string& out, std::string_view text);
std::string php_json(const nlohmann::json& value);
std::string php_json(const nlohmann::ordered_json& value);

// A streaming writer for the hot paths (product pages): no DOM, no allocation
// per field.
class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}
  JsonOut& begin_object();
  JsonOut& end_object();
  JsonOut& begin_array();
  JsonOut& end_array();
  JsonOut& key(std::string_view k);
  JsonOut& str(std::string_view v);
  JsonOut& num(std::int64_t v);
  JsonOut& boolean(bool v);
  JsonOut& null();
  JsonOut& raw(std::string_view json);  // an already encoded value
  JsonOut& date(std::int64_t unix_seconds);  // "YYYY-MM-DDTHH:MM:SS"
  // key + value shorthands
  JsonOut& kv(std::string_view k, std::string_view v) { return key(k).str(v); }
  JsonOut& kv(std::string_view k, const char* v) { return key(k).str(v); }
  JsonOut& kv(std::string_view k, const std::string& v) { return key(k).str(v); }
  JsonOut& kv(std::string_view k, std::int64_t v) { return key(k).num(v); }
  JsonOut& kv(std::string_view k, int v) { return key(k).num(v); }
  JsonOut& kb(std::string_view k, bool v) { return key(k).boolean(v); }

 private:
  void separate();
  std::string& out_;
  bool first_ = true;
  bool after_key_ = false;
};

// ---- dates -------------------------------------------------------------------
std::int64_t now_seconds();
// "YYYY-MM-DDTHH:MM:SS" (no zone), as WooCommerce prints dates.
std::string format_date(std::int64_t unix_seconds);
void append_date(std::string& out, std::int64_t unix_seconds);
// What WordPress accepts for a date-time parameter:
// YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH[:MM]|-HH[:MM]]. Fractions are cut
// (the database keeps seconds). has_zone tells whether an offset was given.
struct ParsedDate {
  std::int64_t seconds = 0;  // wall clock as written, or UTC when has_zone
  bool has_zone = false;
};
std::optional<ParsedDate> parse_date(std::string_view text);

// ---- query strings and encodings --------------------------------------------
inline std::string percent_decode(std::string_view text, bool plus_is_space) {
  return sim_common::percent_decode(text, plus_is_space);
}
// RFC 3986 unreserved characters stay, everything else is %XX (upper-case).
std::string rfc3986_encode(std::string_view text);

struct Query {
  // In arrival order, decoded ("status[]" keeps its brackets here).
  std::vector<std::pair<std::string, std::string>> pairs;
  // The raw (still encoded) pieces, to rebuild Link headers.
  std::vector<std::pair<std::string, std::string>> raw;

  static Query parse(std::string_view query);
  bool has(std::string_view key) const;
  // The last value for key (or key[]); nullopt when absent.
  std::optional<std::string> get(std::string_view key) const;
  // Every value for key and key[] with comma lists split; empties dropped.
  std::vector<std::string> list(std::string_view key) const;
};

// ---- crypto ---------------------------------------------------------------------
std::string hmac_sha1(std::string_view key, std::string_view data);    // binary digest
std::string hmac_sha256(std::string_view key, std::string_view data);  // binary digest
std::string base64(std::string_view bytes);
std::string random_hex(std::size_t chars);
// &amp; &lt; &gt; &quot; &#039; -> characters (WooCommerce decodes the secret).
std::string html_entity_decode(std::string_view text);

// ---- numbers ------------------------------------------------------------------------
std::string money(double value);  // "21.99"
// WordPress' integer coercion: JSON integers, integral floats and numeric strings.
std::optional<std::int64_t> as_integer(const nlohmann::json& v);
// WordPress' boolean coercion: true/false, 1/0, "true"/"false", "1"/"0", "yes"/"no".
std::optional<bool> as_boolean(const nlohmann::json& v);
std::optional<std::int64_t> parse_int(std::string_view text);

}  // namespace woo_sim::util
