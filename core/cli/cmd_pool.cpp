// stockrelay pool join | leave | status
#include <iostream>

#include "cli/cli.hpp"
#include "common/log.hpp"
#include "engine/membership.hpp"
#include "engine/sku_audit.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli {
namespace {

// Pool and connection named on the command line must exist in the config;
// say which names do.
bool check_names(const config::Config& cfg, const std::string& pool, const std::string& connection) {
  if (!engine::find_pool(cfg.pools, pool)) {
    std::string known;
    for (const auto& p : cfg.pools) known += (known.empty() ? "" : ", ") + p.name;
    std::cerr << "stockrelay pool: no pool '" << pool << "' in the configuration (pools: "
              << (known.empty() ? "none" : known) << ")\n";
    return false;
  }
  for (const auto& c : cfg.connections)
    if (c.name == connection) return true;
  std::cerr << "stockrelay pool: no connection '" << connection << "' in the configuration\n";
  return false;
}

std::unique_ptr<store::Store> open_owner(const config::Config& cfg, const std::string& pool, const std::string& what,
                                         const std::string& connection) {
  auto store = open_store(cfg, store::OpenMode::Owner);
  if (!store)
    std::cerr << "hint: if a hub is running on this store, ask it instead: POST /admin/pools/" << pool << "/" << what
              << "/" << connection << " on its admin API\n";
  return store;
}

void print_list(const std::string& title, const std::vector<std::string>& skus) {
  if (skus.empty()) return;
  std::cout << title << " (" << skus.size() << "):";
  std::size_t shown = 0;
  for (const auto& s : skus) {
    if (++shown > 20) {
      std::cout << " ... and " << skus.size() - 20 << " more";
      break;
    }
    std::cout << " " << engine::visible_sku(s);
  }
  std::cout << "\n";
}

int join(const std::vector<std::string>& args) {
  std::string config_path, level, pool, connection;
  int timeout_s = 1800;
  po::options_description o("pool join options");
  common_options(o, config_path, level);
  o.add_options()("pool", po::value(&pool)->required(), "the pool to join")(
      "connection", po::value(&connection)->required(), "the connection that joins it")(
      "timeout", po::value(&timeout_s)->default_value(1800), "give up after this many seconds");
  po::positional_options_description pos;
  pos.add("pool", 1).add("connection", 1);
  po::variables_map vm;
  if (auto rc = parse("stockrelay pool join POOL CONNECTION [--config FILE]\n\n"
                      "Imports CONNECTION into POOL: reads its whole catalogue, links products by SKU, writes the\n"
                      "pool's quantities to it (SKUs new to the pool take its quantity), and lists what did not\n"
                      "match and what the SKU audit found. Runs without a hub; with a hub running, use its admin API.",
                      o, args, vm, &pos))
    return *rc;
  if (!apply_level(level)) return kUsage;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  if (!check_names(*cfg, pool, connection)) return kUsage;
  cfg->server.enabled = false;
  auto reg = registry_for(&*cfg);
  auto store = open_owner(*cfg, pool, "join", connection);
  if (!store) return kStore;
  hub::Hub h(*cfg, std::move(store));
  if (int rc = open_hub(h, reg)) return rc;
  if (auto st = h.start(); !st) {
    std::cerr << "error: " << st.error().message() << "\n";
    return kFailed;
  }
  Progress bar("reading " + connection);
  auto report = h.join_pool(pool, connection, [&](const hub::JoinProgress& p) {
    if (p.phase == "reading") {
      bar.update(p.read, p.read);
    } else {
      bar.label("writing pool levels to " + connection);
      bar.update(p.done, p.total);
    }
  }, timeout_s * 1000);
  bar.finish();
  h.stop();
  if (!report) {
    std::cerr << "error: " << report.error().message() << "\n";
    return kFailed;
  }
  std::cout << connection << " joined pool " << pool << ": " << report->linked << " SKUs linked, " << report->written
            << " levels written, " << report->failed << " failed"
            << (report->completed ? "" : " — NOT FINISHED (timed out); run it again to complete") << "\n";
  print_list("new to the pool, with " + connection + "'s quantity", report->new_in_pool);
  print_list("in the pool but not found in " + connection, report->pool_only);
  for (const auto& f : report->findings) std::cout << engine::describe(f) << "\n";
  if (report->failed) std::cout << "see `stockrelay log --connection " << connection << "` for the failed writes\n";
  return report->completed && report->failed == 0 ? kOk : kFailed;
}

int leave(const std::vector<std::string>& args) {
  std::string config_path, level, pool, connection;
  po::options_description o("pool leave options");
  common_options(o, config_path, level);
  o.add_options()("pool", po::value(&pool)->required(), "the pool to leave")(
      "connection", po::value(&connection)->required(), "the connection that leaves it");
  po::positional_options_description pos;
  pos.add("pool", 1).add("connection", 1);
  po::variables_map vm;
  if (auto rc = parse("stockrelay pool leave POOL CONNECTION [--config FILE]\n\n"
                      "Stops syncing CONNECTION's stock in POOL; the other members are not touched. Pending\n"
                      "stock writes to it are cancelled. `pool join` brings it back.",
                      o, args, vm, &pos))
    return *rc;
  if (!apply_level(level)) return kUsage;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  if (!check_names(*cfg, pool, connection)) return kUsage;
  if (const auto* p = engine::find_pool(cfg->pools, pool); p->master && *p->master == connection) {
    std::cerr << "stockrelay pool: " << connection << " is the master of " << pool
              << "; change `master:` in the configuration instead\n";
    return kUsage;
  }
  auto store = open_owner(*cfg, pool, "leave", connection);
  if (!store) return kStore;
  auto tx = store->begin();
  engine::record_leave(*tx, pool, connection, std::time(nullptr) * 1000LL);
  tx->commit();
  std::cout << connection << " left pool " << pool << "; the other members are untouched\n";
  return kOk;
}

int status(const std::vector<std::string>& args) {
  std::string config_path, level;
  po::options_description o("pool status options");
  common_options(o, config_path, level);
  po::variables_map vm;
  if (auto rc = parse("stockrelay pool status [--config FILE]", o, args, vm)) return *rc;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  auto store = open_store(*cfg, store::OpenMode::ReadOnly);
  if (!store) return kStore;
  auto rows = store->pool_members();
  auto pools = cfg->pools;
  engine::apply_membership(pools, rows);
  for (const auto& p : pools) {
    std::cout << p.name << (p.master ? " (master " + *p.master + ")" : std::string(" (shared)")) << ": "
              << store->pool_levels(p.name).size() << " SKUs\n";
    for (const auto& m : p.members) {
      std::string state = "active (config)";
      std::string message;
      for (const auto& r : rows)
        if (r.pool == p.name && r.connection == m) {
          state = store::to_string(r.state);
          message = r.message;
        }
      std::cout << "  " << m << "  " << state << (message.empty() ? "" : "  " + message) << "\n";
    }
    for (const auto& r : rows)
      if (r.pool == p.name && r.state == store::MemberState::Left)
        std::cout << "  " << r.connection << "  left\n";
  }
  return kOk;
}

}  // namespace

std::vector<Command> pool_commands() {
  return {{"pool join", "import a connection into a pool (link by SKU, take the pool's quantities)", join},
          {"pool leave", "stop syncing a connection in a pool; the others are untouched", leave},
          {"pool status", "members of each pool and their state", status}};
}

}  // namespace stockrelay::cli
