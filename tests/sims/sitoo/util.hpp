// Small helpers of the Sitoo simulator: query strings, Sitoo's number
// formats (money with 2 decimals, decimals with 3, as strings), and the
// character rules for SKUs and external ids.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim_common.hpp"

namespace sitoo_sim::util {

// ---- query strings -------------------------------------------------------------
inline std::string percent_decode(std::string_view text) { return sim_common::percent_decode(text, true); }

struct Query {
  std::vector<std::pair<std::string, std::string>> pairs;  // decoded, in arrival order

  static Query parse(std::string_view query);
  // The last value for key; nullopt when absent.
  std::optional<std::string> get(std::string_view key) const;
  // Every value for key with comma lists split (bytes kept as sent); empties dropped.
  std::vector<std::string> list(std::string_view key) const;
};

std::optional<std::int64_t> parse_int(std::string_view text);

// ---- numbers ---------------------------------------------------------------------
// Quantities are kept as thousandths ("milli"), money as cents, so sums stay exact.
std::string decimal3(std::int64_t milli);  // 5000 -> "5.000", -2500 -> "-2.500"
std::string money2(std::int64_t cents);    // 12350 -> "123.50"
// A decimal given as a string ("-2.000", "5") or a JSON number, with at
// most `digits` decimals; nullopt when it is neither.
std::optional<std::int64_t> parse_fixed(const nlohmann::json& v, int digits);
std::optional<std::int64_t> parse_fixed(std::string_view text, int digits);
std::int64_t to_milli(double quantity);  // rounds to the nearest thousandth
double from_milli(std::int64_t milli);
// An integer given as a JSON integer, an integral float or a numeric string.
std::optional<std::int64_t> as_int(const nlohmann::json& v);

// ---- character rules ---------------------------------------------------------------
// Sitoo's SKU alphabet [A-Za-z0-9_+-/]: letters, digits, "_", "+", "-", "/".
// Returns the byte offset of the first character outside it, or npos.
std::size_t bad_sku_char(std::string_view sku);
// externalid: 1-40 characters of [A-Za-z0-9_-].
bool valid_externalid(std::string_view id);
// Shows a SKU in a message with non-ASCII bytes as \xNN, so a lookalike
// dash is visible in a log.
std::string printable(std::string_view text);

std::string random_hex(std::size_t chars);

}  // namespace sitoo_sim::util
