// Small helpers of the PeakWMS simulator: PeakWMS reads query names and JSON
// field names without regard to case (peakwms.md §1, §5), and writes times
// as yyyy-MM-ddTHH:mm:ss.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peakwms_sim::util {

struct Query {
  std::vector<std::pair<std::string, std::string>> pairs;  // decoded, in arrival order

  static Query parse(std::string_view query);
  // The last value for key, the name compared without case; nullopt when absent.
  std::optional<std::string> get(std::string_view key) const;
};

std::optional<std::int64_t> parse_int(std::string_view text);

// How a field sent in PascalCase is stored and shown: "Brand" -> "brand".
std::string camel(std::string key);

// The member of `obj` named `key` without regard to case; nullptr when absent or null.
const nlohmann::json* field(const nlohmann::json& obj, std::string_view key);
// A string member ("" when absent); a number is taken as its decimal text.
// Throws std::invalid_argument naming the field for other types.
std::string string_field(const nlohmann::json& obj, std::string_view key);
// An integer member (JSON integer, integral float or numeric string).
// Throws std::invalid_argument naming the field for other values.
std::optional<std::int64_t> int_field(const nlohmann::json& obj, std::string_view key);

// Unix seconds <-> "2026-11-24T05:06:00" (UTC, no zone).
std::string iso_time(std::int64_t unix_seconds);
std::optional<std::int64_t> parse_iso_time(std::string_view text);

}  // namespace peakwms_sim::util
