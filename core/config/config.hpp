// Typed configuration: what stockrelay.yaml means once it has been read and
// checked. Plain data; the loader (loader.hpp) builds it and reports every
// problem with file:line:column.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stockrelay/quantity.hpp"

namespace stockrelay::config {

// Where a value came from in the YAML, for error messages.
struct Location {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string str() const;  // "file:line:column"
};

struct StoreConfig {
  std::string backend = "sqlite";        // "sqlite" (embedded default)
  std::string path = "stockrelay.db";    // relative paths resolve against the config file's folder
  Location loc;
};

struct ServerConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:8080"; // host:port; port 0 picks a free port
  std::string admin_token;               // bearer token for /admin; empty disables the admin API
  std::size_t max_body_bytes = 1 << 20;  // webhook body limit
  int request_timeout_ms = 10000;
  Location loc;
};

struct EngineConfig {
  int settle_ms = 2000;          // how long an unexplained level waits for its cause
  int retry_base_ms = 500;       // first backoff after RETRY
  int retry_max_ms = 300000;     // backoff cap
  int max_attempts = 20;         // then the command is FAILED
  int default_poll_seconds = 60; // poll interval for connections without a schedule
  // Longest a command waits for a fuller delivery batch while its target's
  // commands arrive densely (engine/batch_window.hpp); 0: never wait.
  int batch_window_ms = 100;
};

struct ConnectionConfig {
  std::string name;              // the key under `connections:`
  std::string plugin;            // plugin id (describe().id) or a path to a .so
  nlohmann::json settings = nlohmann::json::object();  // after ${env:}/${file:} substitution
  // JSON pointer ("/consumer_secret") -> where it was written, for schema errors.
  std::map<std::string, Location> setting_locations;
  // Values that came from ${env:} or ${file:}, or that the plugin marks x-secret:
  // the logger redacts them.
  std::vector<std::string> secrets;
  bool enabled = true;
  Location loc;
};

enum class MemberChange {
  Apply,      // shared pool: a manual change in a member applies to the pool
  Overwrite,  // master pool default: a member's manual change is overwritten
  Keep        // master pool: left until the master's level next changes
};

struct PoolConfig {
  std::string name;
  std::vector<std::string> members;      // connection names
  std::optional<std::string> master;     // absent: the hub's ledger is the truth
  std::vector<std::string> skus;         // glob patterns ("*", "A-*"); empty = all
  std::vector<std::string> exclude_skus; // glob patterns
  sr::Quantity buffer;                   // safety stock kept back from members
  MemberChange on_member_change = MemberChange::Apply;
  Location loc;
};

// A transform rewrites a command on its way to a target.
struct Transform {
  enum class Kind { SkuPrefix, SkuSuffix, SkuStripPrefix, SkuRegex, SkuMap, Buffer, Cap, Floor };
  Kind kind = Kind::SkuPrefix;
  std::string text;                            // prefix / suffix / regex pattern
  std::string replacement;                     // for SkuRegex (ECMAScript $1 syntax)
  std::map<std::string, std::string> sku_map;  // for SkuMap
  sr::Quantity amount;                         // for Buffer / Cap / Floor
  Location loc;
};

// A condition on an event field, e.g. `status: {in: [processing, completed]}`.
struct Where {
  enum class Op { Equals, NotEquals, In, NotIn, Matches /* glob */, Exists };
  std::string field;                 // dot path into the event ("sku", "order.status")
  Op op = Op::Equals;
  std::vector<std::string> values;   // one for Equals/NotEquals/Matches; "true"/"false" for Exists
  Location loc;
};

struct Action {
  std::string command;               // set_stock, adjust_stock, create_order, deliver, add_note, set_price
  std::vector<std::string> to;       // target connection names
  std::vector<Transform> transforms;
  nlohmann::json options = nlohmann::json::object();  // passed to the target with the command
  Location loc;
};

struct RouteConfig {
  std::string name;
  std::vector<std::string> on;       // event kinds: order, stock_level, stock_delta, product
  std::vector<std::string> from;     // source connection names; empty = any
  std::vector<Where> where;          // all must hold
  std::vector<Action> actions;       // `do:`
  Location loc;
};

struct ScheduleConfig {
  std::string name;
  std::vector<std::string> connections;  // targets of the action
  std::string action = "poll";           // poll | reconcile
  std::optional<int> every_seconds;      // `every: 15m` / `every: 12h` / `every: 30s`
  std::optional<int> daily_minute;       // `daily: "02:30"` -> 150 (minutes after midnight, local)
  Location loc;
};

struct Config {
  std::string source_file;               // absolute path of the YAML file
  StoreConfig store;
  ServerConfig server;
  EngineConfig engine;
  std::vector<std::string> plugin_paths; // searched in order, then the folder beside the binary
  std::vector<ConnectionConfig> connections;
  std::vector<PoolConfig> pools;
  std::vector<RouteConfig> routes;
  std::vector<ScheduleConfig> schedules;
  // Every value substituted from ${env:} or ${file:} anywhere in the file,
  // plus server.admin_token: the logger redacts all of them.
  std::vector<std::string> secrets;

  const ConnectionConfig* connection(const std::string& name) const;
  const PoolConfig* pool(const std::string& name) const;
};

}  // namespace stockrelay::config
