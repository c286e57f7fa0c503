// stockrelay orders | log | links | version: read (and retry) what the hub recorded.
#include <ctime>
#include <iostream>
#include <thread>

#include "cli/cli.hpp"
#include "engine/processor.hpp"
#include "engine/rules.hpp"
#include "stockrelay/abi.h"

#ifndef STOCKRELAY_VERSION
#define STOCKRELAY_VERSION "0.0.0"
#endif

namespace stockrelay::cli {
namespace {

int orders_list(const std::vector<std::string>& args) {
  std::string config_path, source;
  bool failed = false;
  std::size_t limit = 100;
  po::options_description o("orders list options");
  o.add_options()("config,c", po::value(&config_path)->default_value("stockrelay.yaml"), "configuration file")(
      "failed", po::bool_switch(&failed), "only orders whose sync failed")(
      "source", po::value(&source), "only orders from this connection")(
      "limit", po::value(&limit)->default_value(100), "at most this many");
  po::variables_map vm;
  if (auto rc = parse("stockrelay orders list [--failed] [--source CONN] [--config FILE]", o, args, vm)) return *rc;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  auto store = open_store(*cfg, store::OpenMode::ReadOnly);
  if (!store) return kStore;
  store::OrderQuery q;
  q.failed_only = failed;
  if (!source.empty()) q.source = source;
  q.limit = limit;
  auto rows = store->orders(q);
  std::cout << pad("SOURCE", 14) << pad("ORDER", 12) << pad("TARGET", 14) << pad("STATUS", 9) << pad("TRIES", 6)
            << pad("REMOTE", 12) << pad("DELIVERY", 10) << pad("CANCEL", 11) << "UPDATED (UTC)        REASON\n";
  for (const auto& r : rows) {
    std::cout << pad(r.source, 14) << pad(r.order_id, 12) << pad(r.target, 14) << pad(store::to_string(r.status), 9)
              << pad(std::to_string(r.attempts), 6) << pad(r.remote_ref.empty() ? "-" : r.remote_ref, 12)
              << pad(r.delivery_ref.empty() ? "-" : r.delivery_ref, 10) << pad(r.cancel.empty() ? "-" : r.cancel, 11)
              << pad(when(r.updated_at), 21) << r.reason << "\n";
  }
  if (rows.empty()) std::cout << (failed ? "(no failed orders)\n" : "(no orders)\n");
  return kOk;
}

int orders_retry(const std::vector<std::string>& args) {
  std::string config_path, order, source;
  bool all = false;
  po::options_description o("orders retry options");
  o.add_options()("config,c", po::value(&config_path)->default_value("stockrelay.yaml"), "configuration file")(
      "order", po::value(&order), "the source order id to push again")(
      "source", po::value(&source), "only orders from this connection")(
      "all-failed", po::bool_switch(&all), "push every failed order again");
  po::positional_options_description pos;
  pos.add("order", 1);
  po::variables_map vm;
  if (auto rc = parse("stockrelay orders retry ID | --all-failed [--source CONN] [--config FILE]", o, args, vm, &pos))
    return *rc;
  if (order.empty() == !all) {
    std::cerr << "stockrelay orders retry: give an order ID or --all-failed (one of them)\n";
    return kUsage;
  }
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  // Beside a running hub: a short write with SQLite's own locking; the hub
  // picks the re-queued commands up on its next tick.
  auto store = open_store(*cfg, store::OpenMode::Operator);
  if (!store) return kStore;
  auto routes = engine::Routes::compile(cfg->routes);
  if (!routes) {
    std::cerr << "error: " << routes.error().message() << "\n";
    return kConfig;
  }
  engine::Processor proc(*cfg, *routes, engine::ConnectionFacts{[](const std::string&, const std::string&) { return false; }});
  store::OrderQuery q;
  q.failed_only = true;
  q.limit = 1000000;
  if (!source.empty()) q.source = source;
  auto failed = store->orders(q);
  std::size_t n = 0, total = 0;
  for (const auto& f : failed) total += (all || f.order_id == order) ? 1 : 0;
  Progress bar("retrying");
  auto tx = store->begin();
  engine::StepEffects fx;
  for (const auto& f : failed) {
    if (!all && f.order_id != order) continue;
    if (proc.retry_order(*tx, f.source, f.order_id, f.target, std::time(nullptr) * 1000LL, fx)) ++n;
    bar.update(n, total);
  }
  tx->commit();
  bar.finish();
  if (n == 0) {
    std::cerr << (all ? "no failed orders to retry\n" : "order " + order + " has no failed sync to retry\n");
    return kFailed;
  }
  std::cout << "queued " << n << " order sync(s) again; the running hub sends them on its next tick\n";
  return kOk;
}

void print_log(const std::vector<store::LogEntry>& rows) {
  for (const auto& e : rows) {
    std::string change;
    if (e.old_quantity || e.new_quantity)
      change = (e.old_quantity ? e.old_quantity->to_string() : "?") + " -> " +
               (e.new_quantity ? e.new_quantity->to_string() : "?");
    std::cout << when(e.at) << "  " << pad(e.connection, 12) << pad(e.sku.empty() ? "-" : e.sku, 14)
              << pad(change.empty() ? "" : change, 14) << pad(e.kind, 10) << pad(e.result, 10) << e.cause
              << (e.order_id.empty() ? "" : " [order " + e.order_id + "]") << (e.message.empty() ? "" : "  " + e.message)
              << "\n";
  }
}

int log_cmd(const std::vector<std::string>& args) {
  std::string config_path, connection, sku, order;
  bool follow = false;
  std::size_t limit = 50;
  po::options_description o("log options");
  o.add_options()("config,c", po::value(&config_path)->default_value("stockrelay.yaml"), "configuration file")(
      "connection", po::value(&connection), "only this connection")("sku", po::value(&sku), "only this SKU")(
      "order", po::value(&order), "only this order id")("limit", po::value(&limit)->default_value(50),
                                                          "the newest N entries")(
      "follow,f", po::bool_switch(&follow), "keep printing new entries (Ctrl-C to stop)");
  po::variables_map vm;
  if (auto rc = parse("stockrelay log [--connection C] [--sku S] [--order O] [--follow]", o, args, vm)) return *rc;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  auto store = open_store(*cfg, store::OpenMode::ReadOnly);
  if (!store) return kStore;
  store::LogQuery q;
  if (!connection.empty()) q.connection = connection;
  if (!sku.empty()) q.sku = sku;
  if (!order.empty()) q.order_id = order;
  q.limit = limit;
  std::cout << "TIME (UTC)           CONNECTION  SKU           CHANGE        KIND      RESULT    CAUSE\n";
  for (;;) {
    auto rows = store->log(q);
    print_log(rows);
    std::cout << std::flush;
    if (!rows.empty()) q.after_id = rows.back().id;
    if (!follow) return kOk;
    q.limit = 1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

int version(const std::vector<std::string>& args) {
  po::options_description o("version options");
  po::variables_map vm;
  if (auto rc = parse("stockrelay version", o, args, vm)) return *rc;
  std::cout << "stockrelay " << STOCKRELAY_VERSION << " (connector ABI " << SR_ABI_MAJOR << "." << SR_ABI_MINOR
            << ")\n";
  return kOk;
}

}  // namespace

std::vector<Command> inspect_commands() {
  return {{"orders list", "order sync status per source order and target", orders_list},
          {"orders retry", "push failed orders again (ID or --all-failed)", orders_retry},
          {"log", "what changed where and why (filter by connection, SKU, order; --follow)", log_cmd},
          {"version", "print the version and the connector ABI", version}};
}

}  // namespace stockrelay::cli
