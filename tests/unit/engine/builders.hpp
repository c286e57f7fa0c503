// Small builders for the engine tests: events and route configs written as
// plain structs, so each test reads like the YAML it stands for.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "stockrelay/payload.hpp"

namespace engine_test {

using stockrelay::config::Action;
using stockrelay::config::RouteConfig;
using stockrelay::config::Transform;
using stockrelay::config::Where;

inline sr::Quantity qty(const char* text) { return *sr::Quantity::parse(text); }

inline sr::StockLevel level(std::string sku, const char* quantity, std::string key = "level:1") {
  sr::StockLevel l;
  l.key = std::move(key);
  l.sku = std::move(sku);
  l.quantity = qty(quantity);
  return l;
}

inline sr::StockDelta delta(std::string sku, const char* change, sr::DeltaCause cause, std::string reference = {}) {
  sr::StockDelta d;
  d.key = "delta:" + sku;
  d.sku = std::move(sku);
  d.delta = qty(change);
  d.cause = cause;
  d.reference = std::move(reference);
  return d;
}

inline sr::OrderLine line(std::string sku, const char* quantity) {
  sr::OrderLine l;
  l.id = sku;
  l.sku = std::move(sku);
  l.quantity = qty(quantity);
  return l;
}

inline sr::OrderEvent order(std::string id, std::string status, std::vector<sr::OrderLine> lines = {}) {
  sr::OrderEvent e;
  e.key = "order:" + id + ":1";
  e.order.id = std::move(id);
  e.order.number = "#" + e.order.id;
  e.order.status = std::move(status);
  e.order.lines = std::move(lines);
  return e;
}

inline Where where(std::string field, Where::Op op, std::vector<std::string> values) {
  Where w;
  w.field = std::move(field);
  w.op = op;
  w.values = std::move(values);
  return w;
}

inline Transform transform(Transform::Kind kind, std::string text = {}) {
  Transform t;
  t.kind = kind;
  t.text = std::move(text);
  return t;
}

inline Transform amount(Transform::Kind kind, const char* quantity) {
  Transform t;
  t.kind = kind;
  t.amount = qty(quantity);
  return t;
}

inline Transform sku_regex(std::string pattern, std::string replacement) {
  Transform t = transform(Transform::Kind::SkuRegex, std::move(pattern));
  t.replacement = std::move(replacement);
  return t;
}

inline Action action(std::string command, std::vector<std::string> to, std::vector<Transform> transforms = {}) {
  Action a;
  a.command = std::move(command);
  a.to = std::move(to);
  a.transforms = std::move(transforms);
  return a;
}

inline RouteConfig route(std::string name, std::vector<std::string> on, std::vector<Action> actions,
                         std::vector<std::string> from = {}, std::vector<Where> conditions = {}) {
  RouteConfig r;
  r.name = std::move(name);
  r.on = std::move(on);
  r.actions = std::move(actions);
  r.from = std::move(from);
  r.where = std::move(conditions);
  return r;
}

}  // namespace engine_test
