// stockrelay run | sync | check
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/cli.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "config/schema.hpp"
#include "engine/sku_audit.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli {
namespace {

namespace fs = std::filesystem;

// Waits for SIGINT or SIGTERM. The signals are blocked before any thread
// starts, so every thread inherits the mask and only this one sees them.
int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// A copy of the store for --dry-run, so a rehearsal never changes the real one.
std::string rehearsal_copy(const std::string& path) {
  fs::path dir = fs::temp_directory_path() / ("stockrelay-dry-run-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path copy = dir / "store.db";
  std::error_code ec;
  for (const char* suffix : {"", "-wal"}) {
    if (fs::exists(path + suffix)) fs::copy_file(path + suffix, copy.string() + suffix, fs::copy_options::overwrite_existing, ec);
  }
  return copy.string();
}


int run(const std::vector<std::string>& args) {
  // First thing: a SIGTERM that arrives while plugins load must stop the hub
  // cleanly once it runs, not kill it half-started.
  sigset_t signals = block_stop_signals();
  std::string config_path, level;
  bool dry_run = false;
  po::options_description o("run options");
  common_options(o, config_path, level);
  o.add_options()("dry-run", po::bool_switch(&dry_run),
                  "poll every connection once and print what the routes would send; sends nothing, "
                  "changes nothing (works on a copy of the store)");
  po::variables_map vm;
  if (auto rc = parse("stockrelay run [--config FILE] [--dry-run]", o, args, vm)) return *rc;
  if (!apply_level(level)) return kUsage;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  auto reg = registry_for(&*cfg);
  if (dry_run) {
    cfg->store.path = rehearsal_copy(cfg->store.path);
    cfg->server.enabled = false;
  }
  auto store = open_store(*cfg, store::OpenMode::Owner);
  if (!store) return kStore;
  hub::HubOptions opts;
  opts.dry_run = dry_run;
  hub::Hub h(*cfg, std::move(store), opts);
  if (int rc = open_hub(h, reg)) return rc;
  if (auto st = h.start(); !st) {
    std::cerr << "error: " << st.error().message() << "\n";
    return kFailed;
  }
  if (dry_run) {
    h.poll_all(false);
    h.wait_quiet(60000);
    std::vector<store::OutboxItem> items;
    {
      std::lock_guard lock(h.store_mutex());
      items = h.store().outbox(std::nullopt, false, 100000);
    }
    h.stop();
    std::cout << "dry run: " << items.size() << " command(s) would be sent\n";
    for (const auto& i : items) std::cout << "  " << i.target << "  " << i.payload << "   (" << i.source_ref << ")\n";
    fs::remove_all(fs::path(cfg->store.path).parent_path());
    return kOk;
  }
  int sig = wait_for_signal(signals);
  log::info({}, std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  h.stop();
  return kOk;
}

int sync(const std::vector<std::string>& args) {
  std::string config_path, level;
  bool once = false, reconcile = false;
  int timeout_s = 300;
  po::options_description o("sync options");
  common_options(o, config_path, level);
  o.add_options()("once", po::bool_switch(&once), "poll every connection once, deliver everything, then exit")(
      "reconcile", po::bool_switch(&reconcile), "read every connection's whole catalogue, not only what changed")(
      "timeout", po::value(&timeout_s)->default_value(300), "give up after this many seconds");
  po::variables_map vm;
  if (auto rc = parse("stockrelay sync --once [--reconcile] [--config FILE]", o, args, vm)) return *rc;
  if (!once) {
    std::cerr << "stockrelay sync: only --once is supported (use `stockrelay run` to keep syncing)\n";
    return kUsage;
  }
  if (!apply_level(level)) return kUsage;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  cfg->server.enabled = false;
  auto reg = registry_for(&*cfg);
  auto store = open_store(*cfg, store::OpenMode::Owner);
  if (!store) return kStore;
  hub::Hub h(*cfg, std::move(store));
  if (int rc = open_hub(h, reg)) return rc;
  if (auto st = h.start(); !st) {
    std::cerr << "error: " << st.error().message() << "\n";
    return kFailed;
  }
  auto& m = Metrics::global();
  auto count = [&](const char* metric) { return m.sum(metric); };
  h.poll_all(reconcile);
  Progress bar("syncing");
  bool quiet = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (!quiet && std::chrono::steady_clock::now() < deadline) {
    quiet = h.wait_quiet(1000, true);  // returns as soon as the hub is quiet
    std::size_t pending = 0;
    {
      std::lock_guard lock(h.store_mutex());
      for (const auto& c : h.connection_names()) pending += h.store().outbox_depth(c);
    }
    double events = count("stockrelay_events_ingested_total");
    bar.update(static_cast<std::size_t>(events) - std::min<std::size_t>(pending, static_cast<std::size_t>(events)),
               static_cast<std::size_t>(events));
  }
  bar.finish();
  h.stop();
  double failed = m.sum("stockrelay_commands_failed_total");
  std::cout << "sync: " << count("stockrelay_events_ingested_total") << " events, " << failed << " failed commands"
            << (quiet ? "" : " (timed out before everything was delivered)") << "\n";
  return quiet && failed == 0 ? kOk : kFailed;
}

// The SKU audit over what the store knows of every connection's products
// (filled by polls): duplicates, look-alikes, products without stock tracking.
int audit(const config::Config& cfg, bool strict) {
  if (!fs::exists(cfg.store.path)) {
    std::cout << "SKU audit: no store yet at " << cfg.store.path
              << " (run `stockrelay sync --once --reconcile` to read the catalogues)\n";
    return kOk;
  }
  auto store = open_store(cfg, store::OpenMode::ReadOnly);
  if (!store) return kStore;
  std::vector<engine::SkuSighting> sightings;
  for (const auto& p : store->products(std::nullopt)) sightings.push_back(engine::sighting_of(p));
  auto findings = engine::audit_skus(sightings);
  std::cout << "SKU audit: " << sightings.size() << " products, " << findings.size()
            << (findings.size() == 1 ? " finding" : " findings") << "\n";
  for (const auto& f : findings) std::cout << "  " << engine::describe(f) << "\n";
  return strict && !findings.empty() ? kFailed : kOk;
}

int check(const std::vector<std::string>& args) {
  std::string config_path, level;
  bool strict = false;
  po::options_description o("check options");
  common_options(o, config_path, level);
  o.add_options()("strict", po::bool_switch(&strict), "exit 1 when the SKU audit finds anything");
  po::variables_map vm;
  if (auto rc = parse("stockrelay check [--config FILE] [--strict]", o, args, vm)) return *rc;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  auto reg = registry_for(&*cfg);
  Errors errors;
  std::map<std::string, sr::Description> described;
  for (auto& conn : cfg->connections) {
    auto plugin = reg.find(conn.plugin);
    if (!plugin) {
      errors.push_back(Error{conn.loc.str(), "connection '" + conn.name + "': " + plugin.error().message(),
                             "`stockrelay plugins list` shows the plugins found"});
      continue;
    }
    described[conn.name] = (*plugin)->description;
    auto e = config::validate_settings(conn, (*plugin)->description.config_schema, (*plugin)->description.id);
    errors.insert(errors.end(), e.begin(), e.end());
  }
  auto routes = hub::route_target_errors(*cfg, [&](const std::string& name) -> const sr::Description* {
    auto it = described.find(name);
    return it == described.end() ? nullptr : &it->second;
  });
  errors.insert(errors.end(), routes.begin(), routes.end());
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << "error: " << e.message() << "\n";
    std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << " in " << config_path << "\n";
    return kConfig;
  }
  std::cout << config_path << ": ok (" << cfg->connections.size() << " connections, " << cfg->pools.size()
            << " pools, " << cfg->routes.size() << " routes, " << cfg->schedules.size() << " schedules)\n";
  return audit(*cfg, strict);
}

}  // namespace

std::vector<Command> run_commands() {
  return {{"run", "run the hub: webhooks, polls, routes and deliveries until SIGINT/SIGTERM", run},
          {"sync", "sync --once: poll every connection, deliver everything, exit", sync},
          {"check", "validate the configuration and every connection's settings", check}};
}

}  // namespace stockrelay::cli
