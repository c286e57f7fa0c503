#include "config/reader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace stockrelay::config::detail {
namespace {

std::string prefix(std::string_view path) {
  return path.empty() ? std::string() : std::string(path) + ": ";
}

bool valid_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Optimal string alignment distance: Levenshtein plus adjacent transposition,
// so "memebrs" is one edit from "members".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

const Entry* MapView::get(std::string_view key) const {
  for (const auto& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

bool MapView::suggested(std::string_view key) const {
  return std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end();
}

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Scalar: {
      // The raw text never holds a substituted secret (substitution happens
      // after this), only the ${env:...} reference itself.
      std::string s = n.Scalar();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return "'" + s + "'";
    }
    default: return "nothing";
  }
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    // A third of the longer word may differ: catches typos without
    // suggesting an unrelated short key.
    std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), c.size()) / 3);
    if (d <= limit && (!best || d < best_d)) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates,
                    const std::string& known) {
  if (auto c = closest(word, candidates)) return "did you mean '" + *c + "'?";
  return known;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

Reader::Reader(std::string file, std::filesystem::path base_dir)
    : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

Location Reader::loc(const YAML::Node& n) const {
  YAML::Mark m = n.Mark();
  if (m.line < 0) return Location{file_, 0, 0};
  return Location{file_, m.line + 1, m.column + 1};
}

Location Reader::loc(const Entry& e) const {
  return e.value.IsNull() ? loc(e.key_node) : loc(e.value);
}

void Reader::fail(const Location& at, std::string what, std::string hint) {
  errors_.emplace_back(at, Error{at.str(), std::move(what), std::move(hint)});
}

Errors Reader::take_errors() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
  });
  Errors out;
  for (auto& [at, e] : errors_) out.push_back(std::move(e));
  errors_.clear();
  return out;
}

void Reader::add_secret(const std::string& value) {
  if (value.empty()) return;  // redacting "" would blank every log line
  if (std::find(secrets_.begin(), secrets_.end(), value) == secrets_.end())
    secrets_.push_back(value);
}

std::string Reader::resolve_path(const std::string& written) const {
  std::filesystem::path p(written);
  if (p.is_relative()) p = base_dir_ / p;
  return p.lexically_normal().string();
}

std::optional<MapView> Reader::named_map(const YAML::Node& n, const Location& at,
                                         std::string_view path) {
  if (!n.IsDefined() || n.IsNull()) return MapView({});
  if (!n.IsMap()) {
    fail(at, prefix(path) + "expected a map, got " + describe(n));
    return std::nullopt;
  }
  std::vector<Entry> entries;
  std::vector<std::pair<std::string, int>> seen;  // key, line
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) {
      fail(loc(kv.first), prefix(path) + "a key must be a plain name, got " + describe(kv.first));
      continue;
    }
    std::string key = kv.first.Scalar();
    auto dup = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key; });
    if (dup != seen.end()) {
      // yaml-cpp keeps both entries; a silent "last one wins" would hide a
      // copy-paste mistake.
      fail(loc(kv.first), prefix(path) + "duplicate key '" + key + "'",
           "it is already written at line " + std::to_string(dup->second) + "; keep one");
      continue;
    }
    seen.emplace_back(key, loc(kv.first).line);
    entries.push_back(Entry{key, kv.first, kv.second});
  }
  return MapView(std::move(entries));
}

std::optional<MapView> Reader::map(const YAML::Node& n, const Location& at, std::string_view path,
                                   const std::vector<std::string_view>& allowed) {
  auto all = named_map(n, at, path);
  if (!all) return std::nullopt;
  std::vector<std::string> allowed_s(allowed.begin(), allowed.end());
  std::vector<Entry> kept;
  std::vector<std::string> suggested;
  for (const auto& e : all->entries()) {
    if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) {
      kept.push_back(e);
      continue;
    }
    auto near = closest(e.key, allowed_s);
    if (near) suggested.push_back(*near);
    fail(loc(e.key_node), prefix(path) + "unknown key '" + e.key + "'",
         near ? "did you mean '" + *near + "'?" : "allowed keys: " + join(allowed_s));
  }
  return MapView(std::move(kept), std::move(suggested));
}

const Entry* Reader::require(const MapView& m, std::string_view key, const Location& map_loc,
                             std::string_view path, std::string hint) {
  if (const Entry* e = m.get(key)) return e;
  if (m.suggested(key)) return nullptr;
  fail(map_loc, prefix(path) + "missing required key '" + std::string(key) + "'", std::move(hint));
  return nullptr;
}

std::optional<Scalar> Reader::scalar(const YAML::Node& n, const Location& at,
                                     std::string_view path) {
  if (!n.IsScalar()) {
    fail(at, prefix(path) + "expected a single value, got " + describe(n));
    return std::nullopt;
  }
  Scalar s;
  s.loc = at;
  auto value = substitute(n.Scalar(), at, path, s);
  if (!value) return std::nullopt;
  s.value = std::move(*value);
  s.shown = s.substituted ? "the value of '" + n.Scalar() + "'" : "'" + n.Scalar() + "'";
  return s;
}

std::optional<std::string> Reader::string(const Entry& e, std::string_view path) {
  auto s = scalar(e, path);
  if (!s) return std::nullopt;
  return std::move(s->value);
}

std::optional<bool> Reader::boolean(const Entry& e, std::string_view path) {
  auto s = scalar(e, path);
  if (!s) return std::nullopt;
  const std::string& v = s->value;
  if (v == "true" || v == "True" || v == "TRUE") return true;
  if (v == "false" || v == "False" || v == "FALSE") return false;
  fail(s->loc, prefix(path) + "expected true or false, got " + s->shown);
  return std::nullopt;
}

std::optional<long long> Reader::integer(const Entry& e, std::string_view path, long long min,
                                         long long max) {
  auto s = scalar(e, path);
  if (!s) return std::nullopt;
  std::string_view v = s->value;
  if (!v.empty() && v[0] == '+') v.remove_prefix(1);
  long long out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    fail(s->loc, prefix(path) + "expected an integer, got " + s->shown);
    return std::nullopt;
  }
  if (out < min) {
    fail(s->loc, prefix(path) + "must be at least " + std::to_string(min) + ", got " + s->shown);
    return std::nullopt;
  }
  if (out > max) {
    fail(s->loc, prefix(path) + "must be at most " + std::to_string(max) + ", got " + s->shown);
    return std::nullopt;
  }
  return out;
}

std::optional<sr::Quantity> Reader::quantity(const Entry& e, std::string_view path) {
  auto s = scalar(e, path);
  if (!s) return std::nullopt;
  auto q = sr::Quantity::parse(s->value);
  if (!q) {
    fail(s->loc, prefix(path) + "expected a decimal quantity, got " + s->shown,
         "write a number with at most three decimals, e.g. 2 or 0.5");
    return std::nullopt;
  }
  if (*q < sr::Quantity()) {
    fail(s->loc, prefix(path) + "must not be negative, got " + s->shown);
    return std::nullopt;
  }
  return q;
}

std::optional<std::vector<Scalar>> Reader::strings(const Entry& e, std::string_view path,
                                                   bool single_ok, bool non_empty) {
  std::vector<Scalar> out;
  const YAML::Node& n = e.value;
  if (n.IsScalar() && single_ok) {
    auto s = scalar(e, path);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
    return out;
  }
  if (!n.IsNull() && !n.IsSequence()) {
    fail(loc(e), prefix(path) + "expected a list, got " + describe(n),
         n.IsScalar() ? "write [" + n.Scalar() + "]" : "write a list, e.g. [a, b]");
    return std::nullopt;
  }
  bool ok = true;
  std::size_t i = 0;
  for (const auto& item : n) {
    auto s = scalar(item, loc(item), std::string(path) + "[" + std::to_string(i++) + "]");
    if (s) out.push_back(std::move(*s));
    ok = ok && s.has_value();
  }
  if (!ok) return std::nullopt;
  if (non_empty && out.empty()) {
    fail(loc(e), prefix(path) + "must not be empty");
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> Reader::substitute(const std::string& raw, const Location& at,
                                              std::string_view path, Scalar& note) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t start = raw.find("${", pos);
    if (start == std::string::npos) break;
    out.append(raw, pos, start - pos);
    std::string_view rest = std::string_view(raw).substr(start + 2);
    bool is_env = rest.starts_with("env:"), is_file = rest.starts_with("file:");
    if (!is_env && !is_file) {
      // Other ${...} text belongs to the value (a template, a password).
      out += "${";
      pos = start + 2;
      continue;
    }
    std::size_t close = raw.find('}', start);
    if (close == std::string::npos) {
      fail(at, prefix(path) + "'${" + std::string(is_env ? "env:" : "file:") +
                   "' is not closed with '}'");
      return std::nullopt;
    }
    std::size_t arg_at = start + 2 + (is_env ? 4 : 5);
    std::string arg = raw.substr(arg_at, close - arg_at);
    std::string ref = raw.substr(start, close - start + 1);
    std::optional<std::string> value;
    if (is_env) {
      if (!valid_env_name(arg)) {
        fail(at, prefix(path) + "'" + ref + "' does not name an environment variable",
             "names are letters, digits and _, not starting with a digit");
        return std::nullopt;
      }
      const char* v = std::getenv(arg.c_str());
      if (!v) {
        fail(at, prefix(path) + "environment variable '" + arg + "' (from " + ref + ") is not set",
             "export " + arg + " before starting stockrelay");
        return std::nullopt;
      }
      value = v;
    } else {
      value = read_secret_file(arg, at, path);
      if (!value) return std::nullopt;
    }
    add_secret(*value);
    if (!value->empty()) note.secrets.push_back(*value);
    note.substituted = true;
    out += *value;
    pos = close + 1;
  }
  out.append(raw, pos);
  return out;
}

std::optional<std::string> Reader::read_secret_file(const std::string& written,
                                                    const Location& at, std::string_view path) {
  std::string resolved = resolve_path(written);
  std::string why;
  std::error_code ec;
  if (written.empty()) {
    why = "no path given";
  } else if (std::filesystem::is_directory(resolved, ec)) {
    why = "it is a folder";
  } else {
    std::ifstream f(resolved, std::ios::binary);
    if (f) {
      std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      // Editors end files with a newline that is never part of the secret.
      if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        if (!text.empty() && text.back() == '\r') text.pop_back();
      }
      return text;
    }
    why = std::strerror(errno);
  }
  fail(at, prefix(path) + "cannot read secret file '" + resolved + "' (from ${file:" + written +
               "}): " + why,
       "relative paths start at the config file's folder");
  return std::nullopt;
}

}  // namespace stockrelay::config::detail
