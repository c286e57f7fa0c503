// store, server, engine, plugins and connections: the sections that only
// describe themselves (pools, routes and schedules refer to connections and
// live in their own files).
#include <algorithm>
#include <climits>

#include "config/sections.hpp"
#include "config/yaml_json.hpp"

namespace stockrelay::config::detail {
namespace {

// ASCII only, whatever the process locale says.
bool ascii_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool valid_host(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    std::string_view v6 = host.substr(1, host.size() - 2);
    return std::all_of(v6.begin(), v6.end(), [](char c) {
      return ascii_alnum(c) || c == ':' || c == '.';
    });
  }
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return ascii_alnum(c) || c == '.' || c == '-';
  });
}

// Why `listen` is not host:port, or nullopt when it is.
std::optional<std::string> listen_problem(std::string_view listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) return "no ':port'";
  std::string_view host = listen.substr(0, colon), port = listen.substr(colon + 1);
  if (host.empty()) return "no host before ':'";
  if (host.find(':') != std::string_view::npos && host.front() != '[')
    return "an IPv6 host must be written in brackets, e.g. [::1]:8080";
  if (!valid_host(host)) return "'" + std::string(host) + "' is not a host name or IP address";
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoi(std::string(port)) > 65535) return "the port must be a number from 0 to 65535";
  return std::nullopt;
}

}  // namespace

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return ascii_alnum(c) || c == '-' || c == '_';
  });
}

bool ConnectionNames::check(Reader& r, const Scalar& ref, std::string_view path) const {
  if (!names_ || std::find(names_->begin(), names_->end(), ref.value) != names_->end()) return true;
  std::string known = names_->empty() ? "no connections are defined"
                                      : "known connections: " + join(*names_);
  std::string hint = known;
  if (auto c = closest(ref.value, *names_)) hint = "did you mean '" + *c + "'? " + known;
  r.fail(ref.loc, std::string(path) + ": unknown connection " + ref.shown, hint);
  return false;
}

void UniqueNames::add(Reader& r, const Scalar& name, std::string_view path) {
  auto dup = std::find_if(seen_.begin(), seen_.end(),
                          [&](const auto& n) { return n.first == name.value; });
  if (name.value.empty())
    r.fail(name.loc, std::string(path) + ": must not be empty");
  else if (dup != seen_.end())
    r.fail(name.loc, std::string(path) + ": duplicate " + kind_ + " name " + name.shown,
           "it is already used at line " + std::to_string(dup->second));
  else
    seen_.emplace_back(name.value, name.loc.line);
}

void parse_store(Reader& r, const Entry& section, StoreConfig& out) {
  out.loc = r.loc(section);
  auto m = r.map(section.value, out.loc, "store", {"backend", "path"});
  if (!m) return;
  if (const Entry* e = m->get("backend")) {
    auto s = r.scalar(*e, "store.backend");
    if (s && s->value != "sqlite")
      r.fail(s->loc, "store.backend: unknown backend " + s->shown, "known backends: sqlite");
    else if (s)
      out.backend = s->value;
  }
  if (const Entry* e = m->get("path")) {
    auto s = r.scalar(*e, "store.path");
    if (s && s->value.empty()) r.fail(s->loc, "store.path: must not be empty");
    else if (s) out.path = s->value;  // the loader resolves it, default included
  }
}

void parse_server(Reader& r, const Entry& section, ServerConfig& out) {
  out.loc = r.loc(section);
  auto m = r.map(section.value, out.loc, "server",
                 {"enabled", "listen", "admin_token", "max_body_bytes", "request_timeout_ms"});
  if (!m) return;
  if (const Entry* e = m->get("enabled"))
    if (auto b = r.boolean(*e, "server.enabled")) out.enabled = *b;
  if (const Entry* e = m->get("listen")) {
    auto s = r.scalar(*e, "server.listen");
    if (s) {
      if (auto why = listen_problem(s->value))
        r.fail(s->loc, "server.listen: " + s->shown + " is not host:port: " + *why,
               "write host:port, e.g. 127.0.0.1:8080 (port 0 picks a free port)");
      else
        out.listen = s->value;
    }
  }
  if (const Entry* e = m->get("admin_token")) {
    if (auto s = r.string(*e, "server.admin_token")) {
      // Always a secret, even when written inline.
      r.add_secret(*s);
      out.admin_token = *s;
    }
  }
  if (const Entry* e = m->get("max_body_bytes"))
    if (auto v = r.integer(*e, "server.max_body_bytes", 1, LLONG_MAX))
      out.max_body_bytes = static_cast<std::size_t>(*v);
  if (const Entry* e = m->get("request_timeout_ms"))
    if (auto v = r.integer(*e, "server.request_timeout_ms", 1, INT_MAX))
      out.request_timeout_ms = static_cast<int>(*v);
}

void parse_engine(Reader& r, const Entry& section, EngineConfig& out) {
  auto m = r.map(section.value, r.loc(section), "engine",
                 {"settle_ms", "retry_base_ms", "retry_max_ms", "max_attempts",
                  "default_poll_seconds", "batch_window_ms"});
  if (!m) return;
  auto read = [&](std::string_view key, long long min, int& field) {
    if (const Entry* e = m->get(key))
      if (auto v = r.integer(*e, "engine." + std::string(key), min, INT_MAX))
        field = static_cast<int>(*v);
  };
  read("settle_ms", 0, out.settle_ms);
  read("retry_base_ms", 1, out.retry_base_ms);
  read("retry_max_ms", 1, out.retry_max_ms);
  read("max_attempts", 1, out.max_attempts);
  read("default_poll_seconds", 1, out.default_poll_seconds);
  read("batch_window_ms", 0, out.batch_window_ms);
  if (out.retry_max_ms < out.retry_base_ms) {
    const Entry* e = m->get("retry_max_ms") ? m->get("retry_max_ms") : m->get("retry_base_ms");
    r.fail(r.loc(*e),
           "engine.retry_max_ms (" + std::to_string(out.retry_max_ms) +
               ") is smaller than engine.retry_base_ms (" + std::to_string(out.retry_base_ms) + ")",
           "the cap must be at least the first backoff");
  }
}

void parse_plugins(Reader& r, const Entry& section, std::vector<std::string>& out) {
  auto m = r.map(section.value, r.loc(section), "plugins", {"paths"});
  if (!m) return;
  if (const Entry* e = m->get("paths")) {
    if (auto list = r.strings(*e, "plugins.paths", false, false))
      for (const auto& s : *list) out.push_back(r.resolve_path(s.value));
  }
}

ConnectionNames parse_connections(Reader& r, const Entry& section,
                                  std::vector<ConnectionConfig>& out) {
  auto all = r.named_map(section.value, r.loc(section), "connections");
  if (!all) return ConnectionNames();
  std::vector<std::string> names;
  for (const auto& entry : all->entries()) {
    ConnectionConfig c;
    c.name = entry.key;
    c.loc = r.loc(entry.key_node);
    names.push_back(c.name);
    if (!valid_name(c.name))
      r.fail(c.loc, "connections: invalid connection name '" + c.name + "'",
             std::string(kNameHint));
    std::string path = "connections." + c.name;
    auto m = r.map(entry.value, r.loc(entry), path, {"plugin", "enabled", "settings"});
    if (m) {
      if (const Entry* e = r.require(*m, "plugin", c.loc, path,
                                     "add plugin: <plugin id>, or a path to a .so file")) {
        auto s = r.scalar(*e, path + ".plugin");
        if (s && s->value.empty()) {
          r.fail(s->loc, path + ".plugin: must not be empty");
        } else if (s) {
          bool is_file = s->value.size() > 3 && s->value.ends_with(".so");
          c.plugin = is_file ? r.resolve_path(s->value) : s->value;
        }
      }
      if (const Entry* e = m->get("enabled"))
        if (auto b = r.boolean(*e, path + ".enabled")) c.enabled = *b;
      c.setting_locations[""] = c.loc;
      if (const Entry* e = m->get("settings")) {
        if (!e->value.IsNull() && !e->value.IsMap()) {
          r.fail(r.loc(*e), path + ".settings: expected a map, got " + describe(e->value));
        } else if (e->value.IsMap()) {
          auto json = to_json(r, e->value, r.loc(*e), path + ".settings", "",
                              JsonSinks{&c.setting_locations, &c.secrets});
          if (json) c.settings = std::move(*json);
        }
      }
    }
    out.push_back(std::move(c));
  }
  return ConnectionNames(std::move(names));
}

}  // namespace stockrelay::config::detail
