// Routing rules: which events become which commands for which targets.
// Compiled once from the config (regexes built, names resolved), then a pure
// function of (source connection, event): no I/O, no clock, no store.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "config/config.hpp"
#include "stockrelay/payload.hpp"

namespace stockrelay::engine {

struct Routed {
  std::string route;         // the route's name, for the log
  std::string target;        // connection
  sr::Command command;       // id left empty: the outbox assigns it
  std::string coalesce_key;  // "set_stock:<sku>" etc.; empty: never coalesced
};

// A transform with its regex compiled.
struct CompiledTransform {
  config::Transform spec;
  std::shared_ptr<const std::regex> regex;  // SkuRegex only
};

// Applies SKU and quantity transforms to a command in order.
void apply_transforms(const std::vector<CompiledTransform>&, sr::Command&);
std::string transform_sku(const std::vector<CompiledTransform>&, const std::string& sku);

// The value of `field` in the event ("sku", "status", "order.number",
// "order.extra.channel", "quantity", "cause", ...), or nullopt if absent.
// For orders, "sku" is matched against every line (see Routes::matches).
std::optional<std::string> event_field(const sr::Event&, const std::string& field);

class Routes {
 public:
  static Result<Routes> compile(const std::vector<config::RouteConfig>& routes);

  // Commands for every action of every route matching (source, event).
  std::vector<Routed> route(const std::string& source, const sr::Event& event) const;

  bool matches(const config::RouteConfig& route, const std::string& source, const sr::Event& event) const;
  std::size_t size() const { return routes_.size(); }

 private:
  struct Action {
    config::Action spec;
    std::vector<CompiledTransform> transforms;
  };
  struct Route {
    config::RouteConfig spec;
    std::vector<Action> actions;
  };
  std::vector<Route> routes_;
};

// Builds the command an action asks for from an event, or nullopt when that
// command makes no sense for that event (set_stock from an order, ...).
std::optional<sr::Command> command_for(const std::string& command, const std::string& source, const sr::Event& event);

}  // namespace stockrelay::engine
