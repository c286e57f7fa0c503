// stockrelay demo: simulated WooCommerce shops (stockrelay-sim), the hub in
// between, and random customers and merchants. Shows every stock change the
// hub passes on as it happens and checks at the end that every shop shows
// the same stock for every SKU.
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "cli/cli.hpp"
#include "cli/demo_activity.hpp"
#include "cli/demo_report.hpp"
#include "cli/demo_setup.hpp"
#include "cli/demo_peakwms.hpp"
#include "cli/demo_sitoo.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli {
namespace {

namespace fs = std::filesystem;
using namespace demo;
using Steady = std::chrono::steady_clock;

// SIGINT/SIGTERM, blocked in every thread before any starts, are taken here:
// the first stops the activity, a second also cuts the waits short.
class Signals {
 public:
  Signals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] { watch(); });
  }
  ~Signals() {
    done_ = true;
    thread_.join();
  }
  int count() const { return count_.load(); }
  // Sleeps until `until`; false when a signal came first.
  bool sleep_until(Steady::time_point until) {
    std::unique_lock lock(mu_);
    return !cv_.wait_until(lock, until, [this] { return count_ > 0; });
  }

 private:
  void watch() {
    timespec tick{0, 200'000'000};
    while (!done_) {
      if (sigtimedwait(&set_, nullptr, &tick) < 0) continue;
      say(count_ == 0 ? "stopping: no new activity; letting the hub finish, then checking (again to skip the wait)"
                      : "skipping the wait");
      {
        std::lock_guard lock(mu_);
        ++count_;
      }
      cv_.notify_all();
    }
  }
  sigset_t set_;
  std::atomic<int> count_{0};
  std::atomic<bool> done_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

struct Options {
  std::string scenario = "shops";
  std::string config = "examples/demo.yaml";
  std::string workdir = ".demo";
  std::string level = "error";
  int seconds = 30;
  int skus = 300;
  double rate = 5;
  std::uint64_t seed = 0;
};

// Without --config, examples/demo.yaml from the checkout the binary was built
// in also works outside it (build/release/stockrelay -> ../../examples).
std::string find_config(const std::string& path, bool given) {
  if (given || fs::exists(path)) return path;
  for (fs::path dir = fs::path(self_exe()).parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (fs::exists(dir / path)) return (dir / path).string();
  }
  return path;
}

// Waits until the hub is quiet; false when it was not within `timeout_ms` or
// a second signal asked not to wait.
bool settle(hub::Hub& h, Signals& signals, int timeout_ms, int signals_allowed) {
  auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
  while (Steady::now() < deadline && signals.count() <= signals_allowed)
    if (h.wait_quiet(1000)) return true;
  return false;
}

// The first sync is done when every shop's catalogue is in the store and
// nothing is left to process or deliver.
bool first_sync(hub::Hub& h, Signals& signals, const std::vector<ShopSpec>& shops) {
  auto start = Steady::now();
  auto deadline = start + std::chrono::seconds(180);
  auto next_note = start + std::chrono::seconds(5);
  while (Steady::now() < deadline && signals.count() == 0) {
    std::vector<std::string> waiting;
    {
      std::lock_guard lock(h.store_mutex());
      for (const auto& s : shops)
        if (h.store().products(s.connection).empty()) waiting.push_back(s.connection);
    }
    if (waiting.empty() && h.wait_quiet(1000)) return true;
    if (!waiting.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (Steady::now() >= next_note && !waiting.empty()) {
      std::string names;
      for (const auto& w : waiting) names += (names.empty() ? "" : ", ") + w;
      say("  still waiting for " + names + ": a connector starts by registering its webhooks in the shop, then "
          "reads the catalogue (--log-level info shows it)");
      next_note += std::chrono::seconds(30);
    }
  }
  return false;
}

std::string seconds_text(Steady::duration d) {
  std::ostringstream o;
  o.precision(1);
  o << std::fixed << std::chrono::duration<double>(d).count() << " s";
  return o.str();
}

// The simulated shops, one per WooCommerce connection, and a REST client for each.
struct Shops {
  std::vector<std::unique_ptr<Child>> processes;
  std::vector<std::unique_ptr<Shop>> clients;
  std::vector<Shop*> all;
};

void start_shops(Shops& shops, const fs::path& sim, const std::vector<ShopSpec>& specs, const Options& o,
                 const fs::path& work) {
  std::cout << "starting " << specs.size() << " simulated WooCommerce shops with the same " << o.skus
            << " SKUs (seed " << o.seed << ")\n";
  for (const auto& s : specs) {
    fs::path log = work / (s.connection + ".log");
    auto started = start_shop(sim.string(), s, o.skus, o.seed, log, o.config);
    std::cout << "  " << s.connection << "  " << s.url << "/wp-json/wc/v3  (stockrelay-sim pid "
              << started.process->pid() << ", log " << log.string() << ")" << std::endl;
    shops.processes.push_back(std::move(started.process));
    shops.clients.push_back(std::make_unique<Shop>(s.connection, s.url, s.key, s.secret));
    shops.all.push_back(shops.clients.back().get());
  }
}

// Customers and merchants at `o.rate` actions per second per shop, until
// `o.seconds` have passed or a signal came.
void act(Activity& activity, ChangeFeed& feed, const Options& o, std::size_t shops, Signals& signals) {
  activity.load();
  std::cout << "\n" << o.seconds << " s of customers and merchants, " << o.rate
            << " actions per second per shop; each line is a stock change the hub wrote:\n"
            << feed.header() << std::endl;
  feed.follow();
  const double per_second = o.rate * static_cast<double>(shops);
  auto start = Steady::now();
  auto end = start + std::chrono::seconds(o.seconds);
  for (long i = 0;; ++i) {
    auto next = start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(i / per_second));
    if (next >= end || !signals.sleep_until(next)) break;
    activity.step();
  }
}

std::vector<ShopRow> table_rows(const Shops& shops, const Activity& activity, const ChangeFeed& feed) {
  std::vector<ShopRow> rows;
  for (Shop* s : shops.all) {
    ShopRow r;
    r.shop = s->name();
    r.activity = activity.stats(s->name());
    try {
      auto c = s->counters();
      r.requests = c.value("requests", std::uint64_t{0});
      r.webhooks = c.value("webhooks_sent", std::uint64_t{0});
      r.hub_requests = r.requests - std::min(r.requests, s->requests_made());
    } catch (const std::exception& e) {
      std::cout << "  " << e.what() << "\n";
    }
    r.changes = feed.writes_to(s->name());
    r.latencies = feed.latencies(s->name());
    rows.push_back(std::move(r));
  }
  return rows;
}

void print_totals(const ChangeFeed::Totals& t, bool quiet, bool skipped) {
  std::cout << "\nhub: " << t.writes << " stock writes (" << t.confirmations
            << " of them re-confirming the level in the shop that sold), " << t.conflicts
            << " refused by a shop that had changed meanwhile (re-planned), " << t.retries << " retried, " << t.failed
            << " failed"
            << (quiet     ? ""
                : skipped ? "; the wait was skipped, so some changes were still on their way"
                          : "; it did NOT go quiet in time")
            << "\n";
  if (t.untraced)
    std::cout << "     " << t.untraced << " changes had a cause the demo did not act out (the lines without a latency)\n";
}

int demo_main(const Options& o, Signals& signals) {
  auto sim = find_sim();
  if (!sim) return kFailed;
  auto cfg = load_config(o.config);
  if (!cfg) return kConfig;
  auto specs = woo_shops(*cfg);
  if (specs.empty()) {
    std::cerr << "stockrelay demo: " << o.config << " has no WooCommerce connection for the demo to play\n";
    return kConfig;
  }
  if (int port = listen_port(cfg->server.listen); cfg->server.enabled && port > 0)
    check_port_free(port, "server.listen, where the hub takes webhooks", o.config);
  for (const auto& s : specs) check_port_free(s.port, s.connection + "'s url", o.config);
  fs::path work = fresh_demo_store(*cfg, o.workdir);

  // Declared before the hub, so on every way out the hub stops first and
  // the shops after it.
  Shops shops;
  auto reg = registry_for(&*cfg);
  auto store = open_store(*cfg, store::OpenMode::Owner);
  if (!store) return kStore;
  hub::Hub h(*cfg, std::move(store));
  if (int rc = open_hub(h, reg)) return rc;  // plugins and settings, before any shop starts
  start_shops(shops, *sim, specs, o, work);
  auto t0 = Steady::now();
  if (auto st = h.start(); !st) {
    std::cerr << "stockrelay demo: " << st.error().message() << "\n";
    return kFailed;
  }
  std::cout << "hub running (store " << cfg->store.path << ", webhooks at " << h.base_url()
            << "/hooks/...); first sync: reading every catalogue" << std::endl;
  bool synced = first_sync(h, signals, specs);
  std::size_t levels = 0;
  {
    std::lock_guard lock(h.store_mutex());
    for (const auto& p : cfg->pools) levels += h.store().pool_levels(p.name).size();
  }
  std::cout << (synced ? "first sync done in " : "first sync NOT finished after ") << seconds_text(Steady::now() - t0)
            << ": " << levels << " pool levels" << std::endl;

  Actions actions;
  Activity activity(shops.all, o.seed, actions);
  ChangeFeed feed(h, actions);
  feed.skip_past();
  auto started = Steady::now();
  if (synced && signals.count() == 0 && o.seconds > 0) act(activity, feed, o, shops.all.size(), signals);
  say("activity stopped after " + seconds_text(Steady::now() - started) +
      "; letting the hub finish (poll every shop, wait until quiet, twice)");
  bool quiet = true;
  for (int round = 0; round < 2; ++round) {
    h.poll_all(false);
    quiet = settle(h, signals, 60000, 1) && quiet;
  }
  feed.stop();
  h.stop();

  std::cout << "checking: every shop's catalogue over REST against the others and the pool\n";
  Convergence conv = check_convergence(shops.all, *cfg, h.store());
  print_table(table_rows(shops, activity, feed), conv);
  print_totals(feed.totals(), quiet, signals.count() > 1);
  bool ok = conv.all() && synced;
  if (ok)
    std::cout << "converged: all " << conv.skus << " SKUs show the same stock in every shop, equal to the pool\n";
  else
    std::cout << "NOT converged (see above); the hub's store, with its event log: " << cfg->store.path << "\n";
  for (auto& p : shops.processes) p->stop();
  return ok ? kOk : kFailed;
}

int run_demo(const std::vector<std::string>& args) {
  Signals signals;  // first: every thread started later inherits the blocked mask
  Options o;
  std::string seed_text;
  po::options_description d("demo options");
  d.add_options()("scenario", po::value(&o.scenario)->default_value(o.scenario),
                  "shops: random customers and merchants in shops sharing one pool; sitoo: Sitoo as the master "
                  "of stock for WooCommerce shops, step by step (config examples/sitoo.yaml); peakwms: a PeakWMS warehouse "
                  "as the master, with product integrations per shop (config examples/peakwms.yaml)")(
      "config,c", po::value(&o.config)->default_value(o.config),
      "the configuration: its WooCommerce (and Sitoo) connections become simulators on their URL's port")(
      "seconds", po::value(&o.seconds)->default_value(o.seconds), "how long customers and merchants act (0: only sync and check)")(
      "skus", po::value(&o.skus)->default_value(o.skus), "SKUs per shop (~80% simple products, the rest variations)")(
      "rate", po::value(&o.rate)->default_value(o.rate), "actions per second per shop: orders, cancellations, stock edits")(
      "seed", po::value(&seed_text), "makes the catalogue and the customers' choices repeatable (default: random)")(
      "workdir", po::value(&o.workdir)->default_value(o.workdir), "where the store (demo.db, replaced) and the shops' logs go")(
      "log-level", po::value(&o.level)->default_value(o.level), "the hub's own log on stderr: debug | info | warn | error (warn shows the connectors' notes)");
  po::variables_map vm;
  if (auto rc = parse("stockrelay demo [--config examples/demo.yaml] [--seconds 30] [--skus 300] [--rate 5] [--seed N]\n"
                      "                [--workdir .demo]\n"
                      "stockrelay demo --scenario sitoo [--config examples/sitoo.yaml] [--workdir .demo]\n"
                      "stockrelay demo --scenario peakwms [--config examples/peakwms.yaml] [--workdir .demo]\n\n"
                      "Starts a simulated WooCommerce shop (stockrelay-sim) for every WooCommerce connection of the\n"
                      "configuration, all with the same catalogue, runs the hub between them on a fresh store, and\n"
                      "lets customers order, cancel and merchants change stock through the shops' REST APIs. Prints\n"
                      "each stock change the hub passes on as it happens, with its cause and latency; at the end\n"
                      "checks that every shop shows the same stock for every SKU and prints a table per shop.\n"
                      "Ctrl-C ends the activity early; the check still runs. Exit 0 when every shop converged.\n\n"
                      "--scenario sitoo starts a simulated Sitoo account and shops from the configuration and acts\n"
                      "out: the first sync, a till sale in Sitoo, a web order reserved and delivered in Sitoo, an\n"
                      "order whose SKU has an en dash failing, reported, fixed in the shop and retried, and a manual\n"
                      "edit in a shop overwritten by Sitoo's level. Exit 0 when every step's check passed.\n\n"
                      "--scenario peakwms starts a simulated PeakWMS warehouse and shops from the configuration and\n"
                      "acts out: every shop product uploaded and linked, goods received reaching the shops, a copied\n"
                      "product reported as a conflict, a product set to draft in one shop unlinked there and listed by\n"
                      "the inactive-with-stock report, a deleted product integration restored by fetching the product\n"
                      "again, and a web order reserving in PeakWMS. Exit 0 when every step's check passed.",
                      d, args, vm))
    return *rc;
  if (o.seconds < 0 || o.skus < 1 || o.skus > 100000 || !(o.rate > 0 && o.rate <= 1000)) {
    std::cerr << "stockrelay demo: --seconds must be >= 0, --skus 1..100000, --rate above 0 (at most 1000)\n";
    return kUsage;
  }
  if (!seed_text.empty()) {
    try {
      o.seed = std::stoull(seed_text);
    } catch (const std::exception&) {
      std::cerr << "stockrelay demo: --seed must be a whole number\n";
      return kUsage;
    }
  } else {
    o.seed = std::random_device{}() % 100000;
  }
  if (!apply_level(o.level)) return kUsage;
  if (o.scenario != "shops" && o.scenario != "sitoo" && o.scenario != "peakwms") {
    std::cerr << "stockrelay demo: --scenario must be shops, sitoo or peakwms, not '" << o.scenario << "'\n";
    return kUsage;
  }
  if (o.scenario == "sitoo" && vm["config"].defaulted()) o.config = "examples/sitoo.yaml";
  if (o.scenario == "peakwms" && vm["config"].defaulted()) o.config = "examples/peakwms.yaml";
  o.config = find_config(o.config, !vm["config"].defaulted());
  if (o.scenario == "peakwms") {
    try {
      return run_peakwms_scenario(PeakwmsScenario{o.config, o.workdir});
    } catch (const std::exception& e) {
      std::cerr << "stockrelay demo: " << e.what() << "\n";
      return kFailed;
    }
  }
  if (o.scenario == "sitoo") {
    try {
      return run_sitoo_scenario(SitooScenario{o.config, o.workdir});
    } catch (const std::exception& e) {
      std::cerr << "stockrelay demo: " << e.what() << "\n";
      return kFailed;
    }
  }
  try {
    return demo_main(o, signals);
  } catch (const std::exception& e) {
    std::cerr << "stockrelay demo: " << e.what() << "\n";
    return kFailed;
  }
}

}  // namespace

std::vector<Command> demo_commands() {
  return {{"demo", "simulated WooCommerce shops with the hub between them: watch stock sync, check it converges",
           run_demo}};
}

}  // namespace stockrelay::cli
