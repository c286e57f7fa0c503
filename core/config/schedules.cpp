// schedules: timed polls and reconciliations of connections.
#include <algorithm>
#include <climits>

#include "config/sections.hpp"

namespace stockrelay::config::detail {
namespace {

// "30s", "15m", "12h" -> seconds; nullopt for anything else (including 0,
// which would mean "continuously").
std::optional<int> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  char unit = text.back();
  std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(),
                                        [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  long long n = std::stoll(std::string(digits));
  long long scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
  if (scale == 0 || n == 0 || n * scale > INT_MAX) return std::nullopt;
  return static_cast<int>(n * scale);
}

// "HH:MM" (24 h) -> minutes after midnight.
std::optional<int> parse_daily(std::string_view text) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(text[0]) || !digit(text[1]) ||
      !digit(text[3]) || !digit(text[4]))
    return std::nullopt;
  int h = (text[0] - '0') * 10 + (text[1] - '0'), m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

void parse_schedule(Reader& r, const YAML::Node& item, const std::string& path,
                    const ConnectionNames& names, UniqueNames& seen, ScheduleConfig& s) {
  auto m = r.map(item, s.loc, path, {"name", "connections", "action", "every", "daily"});
  if (!m) return;
  if (const Entry* e = m->get("name")) {
    if (auto n = r.scalar(*e, path + ".name")) {
      seen.add(r, *n, path + ".name");
      s.name = n->value;
    }
  }
  if (const Entry* e = r.require(*m, "connections", s.loc, path, "add connections: [connection, ...]")) {
    if (auto list = r.strings(*e, path + ".connections", true, true))
      for (const auto& c : *list)
        if (names.check(r, c, path + ".connections")) s.connections.push_back(c.value);
  }
  if (const Entry* e = m->get("action")) {
    if (auto a = r.scalar(*e, path + ".action")) {
      if (a->value == "poll" || a->value == "reconcile")
        s.action = a->value;
      else
        r.fail(a->loc, path + ".action: unknown action " + a->shown,
               suggest(a->value, {"poll", "reconcile"}, "use poll or reconcile"));
    }
  }
  const Entry* every = m->get("every");
  const Entry* daily = m->get("daily");
  if (every && daily) {
    r.fail(r.loc(daily->key_node), path + ": both every and daily are given",
           "keep one: a schedule runs either at an interval or once a day");
  } else if (!every && !daily) {
    r.fail(s.loc, path + ": missing every or daily", "e.g. every: 15m or daily: \"02:30\"");
  } else if (every) {
    if (auto v = r.scalar(*every, path + ".every")) {
      s.every_seconds = parse_duration(v->value);
      if (!s.every_seconds)
        r.fail(v->loc, path + ".every: invalid duration " + v->shown,
               "write a whole number above 0 followed by s, m or h, e.g. 30s, 15m, 12h");
    }
  } else if (auto v = r.scalar(*daily, path + ".daily")) {
    s.daily_minute = parse_daily(v->value);
    if (!s.daily_minute)
      r.fail(v->loc, path + ".daily: invalid time " + v->shown,
             "write HH:MM in 24-hour time, in quotes, e.g. \"02:30\"");
  }
}

}  // namespace

void parse_schedules(Reader& r, const Entry& section, const ConnectionNames& names,
                     std::vector<ScheduleConfig>& out) {
  if (section.value.IsNull()) return;
  if (!section.value.IsSequence()) {
    r.fail(r.loc(section), "schedules: expected a list, got " + describe(section.value),
           "each schedule starts with '- name: ...'");
    return;
  }
  UniqueNames seen("schedule");
  for (const auto& item : section.value) {
    ScheduleConfig s;
    s.loc = r.loc(item);
    std::string path = "schedules[" + std::to_string(out.size()) + "]";
    s.name = "schedule-" + std::to_string(out.size() + 1);  // counted from 1, like an operator
    parse_schedule(r, item, path, names, seen, s);
    out.push_back(std::move(s));
  }
}

}  // namespace stockrelay::config::detail
