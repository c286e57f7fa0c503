// Exact quantities and money for stockrelay payloads.
//
// Stock quantities are fixed-point decimals with three fractional digits
// (thousandths), held in a signed 64-bit integer: never floating point, so
// adding and subtracting sales can never drift. Money is minor units plus an
// ISO 4217 currency code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sr {

class Quantity {
 public:
  static constexpr std::int64_t kScale = 1000;

  constexpr Quantity() = default;
  static constexpr Quantity units(std::int64_t whole) { return Quantity(whole * kScale); }
  static constexpr Quantity from_milli(std::int64_t milli) { return Quantity(milli); }

  constexpr std::int64_t milli() const { return milli_; }
  constexpr bool is_whole() const { return milli_ % kScale == 0; }
  constexpr std::int64_t whole() const { return milli_ / kScale; }  // truncates toward zero

  // Parses "12", "-3", "2.5", "0.125"; at most three fractional digits.
  // Returns nullopt for anything else (no exponent, no spaces, no NaN).
  static std::optional<Quantity> parse(std::string_view s) {
    if (s.empty()) return std::nullopt;
    bool neg = false;
    std::size_t i = 0;
    if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i = 1; }
    if (i >= s.size()) return std::nullopt;
    std::int64_t whole = 0;
    std::size_t digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
      if (whole > (INT64_MAX / kScale - (s[i] - '0')) / 10) return std::nullopt;  // would not fit
      whole = whole * 10 + (s[i] - '0');
    }
    std::int64_t frac = 0;
    std::size_t frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits) {
        if (frac_digits >= 3) {
          if (s[i] != '0') return std::nullopt;  // more precision than we keep
          continue;
        }
        frac = frac * 10 + (s[i] - '0');
      }
      if (frac_digits == 0) return std::nullopt;
      for (std::size_t k = frac_digits; k < 3; ++k) frac *= 10;
    }
    if (i != s.size() || digits == 0) return std::nullopt;
    if (whole > (INT64_MAX - frac) / kScale) return std::nullopt;  // would not fit
    std::int64_t m = whole * kScale + frac;
    return Quantity(neg ? -m : m);
  }

  // "12", "-3", "2.5", "0.125": shortest exact form.
  std::string to_string() const {
    std::int64_t a = milli_ < 0 ? -milli_ : milli_;
    std::string out = (milli_ < 0 ? "-" : "") + std::to_string(a / kScale);
    std::int64_t f = a % kScale;
    if (f != 0) {
      std::string fs = std::to_string(f);
      fs.insert(0, 3 - fs.size(), '0');
      while (!fs.empty() && fs.back() == '0') fs.pop_back();
      out += "." + fs;
    }
    return out;
  }

  constexpr Quantity operator+(Quantity o) const { return Quantity(milli_ + o.milli_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(milli_ - o.milli_); }
  constexpr Quantity operator-() const { return Quantity(-milli_); }
  constexpr Quantity& operator+=(Quantity o) { milli_ += o.milli_; return *this; }
  constexpr Quantity& operator-=(Quantity o) { milli_ -= o.milli_; return *this; }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  constexpr explicit Quantity(std::int64_t milli) : milli_(milli) {}
  std::int64_t milli_ = 0;
};

// Money: minor units (cents) plus currency; `scale` is the number of decimal
// places of the minor unit (2 for EUR, 0 for JPY, 3 for KWD).
struct Money {
  std::int64_t minor = 0;
  std::string currency;  // ISO 4217, e.g. "EUR"
  int scale = 2;

  // Parses a decimal string such as "21.99" with the given scale.
  static std::optional<Money> parse(std::string_view amount, std::string currency, int scale = 2) {
    if (amount.empty() || scale < 0 || scale > 6) return std::nullopt;
    bool neg = false;
    std::size_t i = 0;
    if (amount[0] == '-') { neg = true; i = 1; }
    std::int64_t v = 0;
    std::size_t digits = 0, frac_digits = 0;
    bool dot = false;
    for (; i < amount.size(); ++i) {
      char c = amount[i];
      if (c == '.' && !dot) { dot = true; continue; }
      if (c < '0' || c > '9') return std::nullopt;
      if (dot) {
        if (static_cast<int>(frac_digits) >= scale) { if (c != '0') return std::nullopt; continue; }
        ++frac_digits;
      } else {
        ++digits;
      }
      if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;  // would not fit
      v = v * 10 + (c - '0');
    }
    if (digits == 0) return std::nullopt;
    for (int k = static_cast<int>(frac_digits); k < scale; ++k) {
      if (v > INT64_MAX / 10) return std::nullopt;
      v *= 10;
    }
    return Money{neg ? -v : v, std::move(currency), scale};
  }

  std::string amount_string() const {
    std::int64_t a = minor < 0 ? -minor : minor;
    std::int64_t div = 1;
    for (int k = 0; k < scale; ++k) div *= 10;
    std::string out = (minor < 0 ? "-" : "") + std::to_string(a / div);
    if (scale > 0) {
      std::string fs = std::to_string(a % div);
      fs.insert(0, static_cast<std::size_t>(scale) - fs.size(), '0');
      out += "." + fs;
    }
    return out;
  }

  bool operator==(const Money&) const = default;
};

}  // namespace sr
