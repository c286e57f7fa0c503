#include "http/retry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

namespace stockrelay::http {
namespace {

bool transient_status(int status) {
  return status == 408 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

Millis backoff(int retries_done, const Limits& limits, double unit_random) {
  // Doubling in floating point cannot overflow; the cap keeps it sane.
  double ceiling = static_cast<double>(std::max(0, limits.retry_base_ms));
  for (int i = 0; i < retries_done && ceiling < limits.retry_max_ms; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(std::max(0, limits.retry_max_ms)));
  return static_cast<Millis>(std::clamp(unit_random, 0.0, 1.0) * ceiling);
}

Millis server_wait_or_backoff(const AttemptOutcome& outcome, int retries_done, const Limits& limits,
                              Millis now_ms, double unit_random) {
  if (auto wait = parse_retry_after(outcome.retry_after, now_ms)) {
    return std::min<Millis>(*wait, std::max(0, limits.retry_max_ms));
  }
  return backoff(retries_done, limits, unit_random);
}

template <class Int>
bool parse_int(std::string_view text, Int& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// IMF-fixdate, the only date format RFC 9110 lets servers send:
// "Sun, 06 Nov 1994 08:49:37 GMT" (fixed width).
std::optional<Millis> parse_imf_fixdate(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT" || s[7] != ' ' || s[11] != ' ' ||
      s[16] != ' ' || s[19] != ':' || s[22] != ':') {
    return std::nullopt;
  }
  unsigned day = 0, hour = 0, minute = 0, second = 0;
  int year = 0;
  if (!parse_int(s.substr(5, 2), day) || !parse_int(s.substr(12, 4), year) || !parse_int(s.substr(17, 2), hour) ||
      !parse_int(s.substr(20, 2), minute) || !parse_int(s.substr(23, 2), second)) {
    return std::nullopt;
  }
  auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (month == kMonths.end() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month - kMonths.begin() + 1)},
                      std::chrono::day{day}};
  if (!date.ok()) return std::nullopt;
  auto at = sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
  return duration_cast<milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

bool is_idempotent(const Request& request) {
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}) {
    if (request.method == m) return true;
  }
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [](const Header& h) { return iequals(h.name, "Idempotency-Key") && !h.value.empty(); });
}

std::optional<Millis> retry_delay(const Request& request, const AttemptOutcome& outcome, int retries_done,
                                  const Limits& limits, Millis now_ms, double unit_random) {
  if (retries_done >= limits.max_retries) return std::nullopt;
  if (outcome.transport_error) {
    if (outcome.retry_cannot_help) return std::nullopt;
    if (outcome.request_sent && !is_idempotent(request)) return std::nullopt;
    return backoff(retries_done, limits, unit_random);
  }
  if (outcome.status == 429) return server_wait_or_backoff(outcome, retries_done, limits, now_ms, unit_random);
  if (transient_status(outcome.status) && is_idempotent(request)) {
    // A 503 may carry Retry-After too; the server knows best when it is back.
    return server_wait_or_backoff(outcome, retries_done, limits, now_ms, unit_random);
  }
  return std::nullopt;
}

std::optional<Millis> parse_retry_after(std::string_view value, Millis now_ms) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Anything beyond a day is as good as "a long time"; the cap applies later.
    if (value.size() > 6) return Millis{86'400'000};
    Millis seconds = 0;
    parse_int(value, seconds);
    return std::min<Millis>(seconds * 1000, 86'400'000);
  }
  auto at = parse_imf_fixdate(value);
  if (!at) return std::nullopt;
  return std::max<Millis>(0, *at - now_ms);
}

}  // namespace stockrelay::http
