#include "common/log.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace stockrelay::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::Info)};

struct Shared {
  std::mutex mu;
  std::vector<std::string> secrets;
  Sink sink;
};

Shared& shared() {
  static Shared s;
  return s;
}

std::string redact_locked(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    for (std::size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) {
      text.replace(pos, s.size(), "***");
    }
  }
  return text;
}

std::string timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t t = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

const char* name(Level l) {
  switch (l) {
    case Level::Debug: return "DEBUG";
    case Level::Info: return "INFO";
    case Level::Warn: return "WARN";
    case Level::Error: return "ERROR";
  }
  return "?";
}

bool parse_level(std::string_view text, Level& out) {
  static constexpr std::pair<std::string_view, Level> kNames[] = {
      {"debug", Level::Debug}, {"info", Level::Info}, {"warn", Level::Warn}, {"error", Level::Error}};
  for (const auto& [n, l] : kNames) {
    if (n == text) { out = l; return true; }
  }
  return false;
}

void set_level(Level l) { g_level = static_cast<int>(l); }
Level level() { return static_cast<Level>(g_level.load()); }
bool enabled(Level l) { return static_cast<int>(l) >= g_level.load(); }

void add_secret(std::string value) {
  if (value.size() < 4) return;
  auto& s = shared();
  std::lock_guard lock(s.mu);
  if (std::find(s.secrets.begin(), s.secrets.end(), value) == s.secrets.end()) {
    s.secrets.push_back(std::move(value));
    // Longest first, so a secret containing another is redacted whole.
    std::sort(s.secrets.begin(), s.secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  }
}

std::string redact(std::string text) {
  auto& s = shared();
  std::lock_guard lock(s.mu);
  return redact_locked(std::move(text), s.secrets);
}

void set_sink(Sink sink) {
  auto& s = shared();
  std::lock_guard lock(s.mu);
  s.sink = std::move(sink);
}

void write(Level l, const Context& c, std::string_view message) {
  std::string line = timestamp();
  line += ' ';
  line += name(l);
  if (!c.connection.empty()) { line += " connection="; line += c.connection; }
  if (!c.sku.empty()) { line += " sku="; line += c.sku; }
  if (!c.order.empty()) { line += " order="; line += c.order; }
  line += ' ';
  line += message;
  auto& s = shared();
  std::lock_guard lock(s.mu);
  line = redact_locked(std::move(line), s.secrets);
  if (s.sink) {
    s.sink(line);
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace stockrelay::log
