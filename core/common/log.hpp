// Structured logging with merchant context (connection, SKU, order) and
// secret redaction. One line per record on stderr:
//   2026-11-22T10:00:00.123Z INFO  connection=shop-a sku=A-1 order=123 message
// Thread-safe. Secrets registered with add_secret() are replaced by "***"
// in every record, whoever wrote it (core or plugin).
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace stockrelay::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
const char* name(Level);
bool parse_level(std::string_view text, Level& out);

struct Context {
  std::string_view connection;
  std::string_view sku;
  std::string_view order;
};

// Global settings (set once at start-up, read everywhere).
void set_level(Level);
Level level();
bool enabled(Level);

// Registers a secret: it never appears in any log line from now on.
// Values shorter than 4 characters are ignored (they would redact words).
void add_secret(std::string value);
// Returns `text` with every registered secret replaced by "***".
std::string redact(std::string text);

// Redirects output (tests capture lines); nullptr restores stderr.
using Sink = std::function<void(const std::string& line)>;
void set_sink(Sink sink);

void write(Level, const Context&, std::string_view message);

inline void debug(const Context& c, std::string_view m) { if (enabled(Level::Debug)) write(Level::Debug, c, m); }
inline void info(const Context& c, std::string_view m) { if (enabled(Level::Info)) write(Level::Info, c, m); }
inline void warn(const Context& c, std::string_view m) { write(Level::Warn, c, m); }
inline void error(const Context& c, std::string_view m) { write(Level::Error, c, m); }

}  // namespace stockrelay::log
