// bench_woo: the WooCommerce shared-pool benchmarks of docs/performance.md.
//
//   (a) sale-to-shelf latency: an order placed in one shop (its webhook goes
//       to the hub) until the new level is accepted by every other shop,
//       p50/p99, at a steady order rate;
//   (b) sustained order lines per second through the hub;
//   (c) HTTP requests to the other shops per 1,000 changed SKUs, against the
//       floor of ceil(changed SKUs / 100) batch writes per shop;
//   (d) full reconcile time of one shop;
//   (e) peak RSS of the process (hub + simulators).
//
// Everything runs in this process: the simulators (woo_sim) serve real HTTP
// on loopback, the hub loads the real plugin. Numbers, not pass/fail.
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "bench_hub.hpp"
#include "config/loader.hpp"
#include "hub/hub.hpp"
#include "loader/registry.hpp"
#include "store/store.hpp"
#include "woo_sim.hpp"

namespace po = boost::program_options;
using namespace stockrelay;
using Steady = std::chrono::steady_clock;

namespace {

using bench::ms_since;
using bench::percentile;

struct Bench {
  std::vector<std::string> names{"shop-a", "shop-b", "shop-c"};
  std::map<std::string, std::unique_ptr<woo_sim::Simulator>> sims;
  std::unique_ptr<hub::Hub> hub;
  std::filesystem::path dir;
  std::string config_path;

  // batch_window_ms < 0: the engine's default.
  Bench(int skus, bool webhooks, int batch_window_ms = -1) {
    dir = std::filesystem::temp_directory_path() / ("bench-woo-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto t = Steady::now();
    std::string y = "store: {path: " + (dir / "store.db").string() + "}\n";
    y += "server: {listen: \"127.0.0.1:0\"}\n";
    y += "engine: {default_poll_seconds: 3600" +
         (batch_window_ms >= 0 ? ", batch_window_ms: " + std::to_string(batch_window_ms) : std::string()) + "}\n";
    y += "plugins: {paths: [" + std::string(WOO_PLUGIN_DIR) + "]}\nconnections:\n";
    for (const auto& n : names) {
      woo_sim::Options o;
      o.name = n;
      o.seed = 11;
      o.webhook_delay_ms = 1;
      auto sim = std::make_unique<woo_sim::Simulator>(o);
      sim->start();
      sim->generate_catalog(skus);
      y += "  " + n + ":\n    plugin: woocommerce\n    settings: {url: \"" + sim->base_url() + "\", consumer_key: \"" +
           sim->consumer_key() + "\", consumer_secret: \"" + sim->consumer_secret() + "\", webhook_secret: \"whsec-" + n +
           "\"" + (webhooks ? ", webhook_url: \"WEBHOOK_" + n + "\"" : std::string()) + "}\n";
      sims.emplace(n, std::move(sim));
    }
    y += "pools:\n  main:\n    members: [shop-a, shop-b, shop-c]\n";
    std::fprintf(stderr, "  %d SKUs x %zu shops generated in %.0f ms\n", skus, names.size(), ms_since(t));
    // The hub's port is known once it listens; webhooks are registered by the
    // connector at start, so the port is fixed up front.
    int port = 0;
    {
      boost::asio::io_context io;
      boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
      port = a.local_endpoint().port();
    }
    std::string hub_url = "http://127.0.0.1:" + std::to_string(port);
    for (const auto& n : names) {
      auto pos = y.find("WEBHOOK_" + n);
      if (pos != std::string::npos) y.replace(pos, 8 + n.size(), hub_url + "/hooks/" + n);
    }
    y.replace(y.find("127.0.0.1:0"), 11, "127.0.0.1:" + std::to_string(port));
    config_path = (dir / "stockrelay.yaml").string();
    std::ofstream(config_path) << y;
  }

  ~Bench() {
    if (hub) hub->stop();
    for (auto& [n, s] : sims) s->stop();
    std::filesystem::remove_all(dir);
  }

  void start() { hub = bench::start_hub(config_path); }


  void quiet(int timeout_ms = 600000) {
    for (auto& [n, s] : sims) s->wait_webhooks_idle(timeout_ms);
    if (!hub->wait_quiet(timeout_ms, true)) std::fprintf(stderr, "  (not quiet after %d ms)\n", timeout_ms);
  }

  std::uint64_t requests(const std::string& shop) { return sims.at(shop)->counters().requests; }
  std::uint64_t writes(const std::string& shop) { return sims.at(shop)->counters().writes; }
};

// What the hub did during a phase: plugin calls by kind (webhooks, polls,
// deliveries) and journal records by kind, read before and after.
struct Work {
  std::map<std::string, double> calls;     // plugin call -> count
  std::map<std::string, double> seconds;   // "connection call" -> seconds inside the plugin
  std::map<std::string, long> records;     // journal kind -> rows

  static Work now(const Bench& b) {
    Work w;
    std::istringstream text(Metrics::global().render());
    auto label = [](const std::string& line, const std::string& name) {
      auto at = line.find(name + "=\"");
      if (at == std::string::npos) return std::string();
      auto end = line.find('"', at + name.size() + 2);
      return line.substr(at + name.size() + 2, end - at - name.size() - 2);
    };
    for (std::string line; std::getline(text, line);) {
      if (line.starts_with("stockrelay_store_lock_held_seconds ") || line.starts_with("stockrelay_store_lock_waited_seconds "))
        w.seconds[line.substr(11, line.find(' ') - 11)] = std::stod(line.substr(line.rfind(' ') + 1));
      if (line.starts_with("stockrelay_plugin_call_seconds_total{"))
        w.seconds[label(line, "connection") + " " + label(line, "call")] += std::stod(line.substr(line.rfind(' ') + 1));
      if (!line.starts_with("stockrelay_plugin_calls_total{")) continue;
      auto at = line.find("call=\"");
      if (at == std::string::npos) continue;
      auto end = line.find('"', at + 6);
      w.calls[line.substr(at + 6, end - at - 6)] += std::stod(line.substr(line.rfind(' ') + 1));
    }
    sqlite3* db = nullptr;
    std::string path = (b.dir / "store.db").string();
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT kind, count(*) FROM journal GROUP BY kind", -1, &st, nullptr) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
          w.records[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_int64(st, 1);
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return w;
  }
  // "webhooks 19696, polls 12, deliveries 800; records 69370: order 2000, product 22390, ..."
  std::string since(const Work& before) const {
    auto d = [&](const std::string& call) {
      auto a = calls.find(call), b0 = before.calls.find(call);
      return static_cast<long>((a == calls.end() ? 0 : a->second) - (b0 == before.calls.end() ? 0 : b0->second));
    };
    std::string out = "webhooks " + std::to_string(d("on_webhook")) + ", polls " + std::to_string(d("poll")) +
                      ", deliveries " + std::to_string(d("deliver")) + "; journal records";
    long total = 0;
    std::string kinds;
    for (const auto& [kind, n] : records) {
      auto b0 = before.records.find(kind);
      long diff = n - (b0 == before.records.end() ? 0 : b0->second);
      total += diff;
      kinds += ", " + kind + " " + std::to_string(diff);
    }
    out += " " + std::to_string(total) + kinds + "; seconds inside the plugin:";
    for (const auto& [what, secs] : seconds) {
      auto b0 = before.seconds.find(what);
      double diff = secs - (b0 == before.seconds.end() ? 0 : b0->second);
      if (diff >= 0.05) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %s %.1f", what.c_str(), diff);
        out += buf;
      }
    }
    return out;
  }
};

// Managed simple SKUs of a shop, for orders the benchmark can place.
std::vector<std::string> sellable(woo_sim::Simulator& sim) {
  std::vector<std::string> out;
  for (const auto& p : sim.products())
    if (p.type == "simple" && p.manage_stock && p.stock_quantity) out.push_back(p.sku);
  return out;
}

// Latency per order: placed -> the last other shop accepted its new level,
// from the hub's event log (set_stock results name the order as their cause).
void latency(Bench& b, double rate, double seconds, std::mt19937& rng) {
  auto skus = sellable(*b.sims.at("shop-a"));
  std::map<std::string, Steady::time_point> placed;  // "order N in shop" -> when
  std::map<std::string, int> acks;
  std::map<std::string, double> done_ms;
  auto start = Steady::now();
  const auto wall0 = std::chrono::system_clock::now();
  int n = static_cast<int>(rate * seconds);
  for (int i = 0; i < n; ++i) {
    auto due = start + std::chrono::microseconds(static_cast<long>(1e6 * i / rate));
    std::this_thread::sleep_until(due);
    const auto& shop = b.names[rng() % b.names.size()];
    auto id = b.sims.at(shop)->place_order({{skus[rng() % skus.size()], 1}});
    placed["order " + std::to_string(id) + " in " + shop] = Steady::now();
  }
  double offered = n / std::max(1e-9, std::chrono::duration<double>(Steady::now() - start).count());
  b.quiet();
  // Wall-clock offset between the hub's log times and our steady clock.
  auto wall_of = [&](Steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (wall0 + std::chrono::duration_cast<std::chrono::system_clock::duration>(t - start)).time_since_epoch())
        .count();
  };
  std::vector<double> lat;
  {
    std::lock_guard lock(b.hub->store_mutex());
    store::LogQuery q;
    q.limit = 10000000;
    for (const auto& e : b.hub->store().log(q)) {
      if (e.kind != "set_stock" || e.result != "ok") continue;
      auto it = placed.find(e.cause);
      if (it == placed.end()) continue;
      if (e.cause.size() > e.connection.size() &&
          e.cause.compare(e.cause.size() - e.connection.size(), e.connection.size(), e.connection) == 0)
        continue;  // the seller's own re-confirmation
      double ms = static_cast<double>(e.at - wall_of(it->second));
      done_ms[e.cause] = std::max(done_ms[e.cause], ms);
      ++acks[e.cause];
    }
  }
  for (const auto& [cause, ms] : done_ms)
    if (acks[cause] >= 2) lat.push_back(ms);
  std::printf("(a) sale-to-shelf at %.0f orders/s (offered %.0f/s, %d orders, %zu reached both other shops): p50 %.1f ms, p99 %.1f ms\n",
              rate, offered, n, lat.size(), percentile(lat, 0.5), percentile(lat, 0.99));
}

void throughput(Bench& b, int orders, int lines_per_order, std::mt19937& rng) {
  auto skus = sellable(*b.sims.at("shop-a"));
  const Work before = Work::now(b);
  auto t = Steady::now();
  for (int i = 0; i < orders; ++i) {
    const auto& shop = b.names[rng() % b.names.size()];
    std::vector<woo_sim::LineSpec> lines;
    std::map<std::string, int> seen;
    while (static_cast<int>(lines.size()) < lines_per_order) {
      const auto& s = skus[rng() % skus.size()];
      if (seen[s]++) continue;
      lines.push_back({s, 1});
    }
    b.sims.at(shop)->place_order(lines);
  }
  double place_ms = ms_since(t);
  b.quiet();
  double total_ms = ms_since(t);
  double lines = static_cast<double>(orders) * lines_per_order;
  std::printf("(b) %d orders x %d lines: placed in %.0f ms, all levels written everywhere after %.0f ms: %.0f order lines/s end to end\n",
              orders, lines_per_order, place_ms, total_ms, lines / (total_ms / 1000.0));
  std::printf("    (b) the hub's work: %s\n", Work::now(b).since(before).c_str());
  if (std::getenv("SR_BENCH_WAITING")) {
    std::lock_guard lock(b.hub->store_mutex());
    store::LogQuery q;
    q.limit = 10000000;
    int n = 0;
    std::string first;
    for (const auto& e : b.hub->store().log(q))
      if (e.result == "waiting" && n++ < 5) {
        std::printf("      %s %s %s\n", e.connection.c_str(), e.sku.c_str(), e.message.c_str());
        if (first.empty()) first = e.sku;
      }
    q.sku = first;
    for (const auto& e : b.hub->store().log(q))
      std::printf("        %lld %s %s %s %s->%s %s | %s [%s]\n", static_cast<long long>(e.at), e.connection.c_str(), e.kind.c_str(),
                  e.result.c_str(), e.old_quantity ? e.old_quantity->to_string().c_str() : "-",
                  e.new_quantity ? e.new_quantity->to_string().c_str() : "-", e.cause.c_str(), e.message.c_str(),
                  e.order_id.c_str());
  }
}

void requests_per_change(Bench& b, int changed) {
  auto skus = sellable(*b.sims.at("shop-a"));
  changed = std::min<int>(changed, static_cast<int>(skus.size()));
  std::map<std::string, std::uint64_t> req0, wr0;
  for (const auto& n : b.names) {
    req0[n] = b.requests(n);
    wr0[n] = b.writes(n);
  }
  // One order per SKU in shop-a, all at once: the other shops must each get `changed` new levels.
  for (int i = 0; i < changed; ++i) b.sims.at("shop-a")->place_order({{skus[static_cast<std::size_t>(i)], 1}});
  b.quiet();
  int floor = static_cast<int>(std::ceil(changed / 100.0));
  for (const auto& n : {"shop-b", "shop-c"}) {
    auto w = b.writes(n) - wr0[n];
    auto r = b.requests(n) - req0[n];
    std::printf("(c) %s: %d changed SKUs -> %llu write requests (floor %d, %.0f%% of it), %llu requests in all\n", n,
                changed, static_cast<unsigned long long>(w), floor, 100.0 * static_cast<double>(w) / floor,
                static_cast<unsigned long long>(r));
  }
}

void reconcile(Bench& b) {
  auto t = Steady::now();
  b.hub->poll_now("shop-b", true);
  b.quiet();
  std::printf("(d) reconcile of shop-b (%zu products and variations): %.0f ms\n", b.sims.at("shop-b")->products().size(),
              ms_since(t));
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  int skus = 10000, big = 100000, orders = 2000, lines = 5, changed = 1000, batch_window = -1;
  double seconds = 5;
  std::vector<double> rates{100, 1000};
  bool skip_big = false;
  std::string log_level;
  po::options_description o("bench_woo options");
  o.add_options()("help,h", "show this help")("skus", po::value(&skus)->default_value(10000), "SKUs per shop")(
      "seconds", po::value(&seconds)->default_value(5), "seconds of orders per latency rate")(
      "rates", po::value(&rates)->multitoken(), "order rates for (a), orders/s (default 100 1000)")(
      "orders", po::value(&orders)->default_value(2000), "orders for (b)")(
      "lines", po::value(&lines)->default_value(5), "lines per order for (b)")(
      "changed", po::value(&changed)->default_value(1000), "changed SKUs for (c)")(
      "big", po::value(&big)->default_value(100000), "SKUs per shop for the large reconcile (d)")(
      "skip-big", po::bool_switch(&skip_big), "skip the large reconcile")(
      "batch-window", po::value(&batch_window)->default_value(-1),
      "engine.batch_window_ms for the hub (-1: its default; 0: send as soon as anything is pending)")(
      "log", po::value(&log_level)->default_value("info"), "hub log level: debug, info, warn, error");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, o), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "bench_woo: " << e.what() << "\n" << o << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << o << "\n";
    return 0;
  }
  log::Level lv{};
  if (!log::parse_level(log_level, lv)) {
    std::cerr << "bench_woo: --log must be debug, info, warn or error\n";
    return 2;
  }
  log::set_level(lv);
  std::mt19937 rng(42);
  try {
    {
      std::printf("== 3 shops x %d SKUs, shared pool, webhooks on ==\n", skus);
      Bench b(skus, true, batch_window);
      auto t = Steady::now();
      b.start();
      b.quiet();
      std::printf("    first sync (every catalogue read, levels linked): %.0f ms\n", ms_since(t));
      for (double r : rates) latency(b, r, seconds, rng);
      throughput(b, orders, lines, rng);
      requests_per_change(b, changed);
      reconcile(b);
    }
    if (!skip_big) {
      std::printf("== 3 shops x %d SKUs ==\n", big);
      Bench b(big, false, batch_window);
      auto t = Steady::now();
      b.start();
      b.quiet();
      std::printf("    first sync: %.0f ms\n", ms_since(t));
      reconcile(b);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_woo: %s\n", e.what());
    return 1;
  }
  std::printf("(e) peak RSS of this process (hub + 3 simulators): %.1f MB\n", static_cast<double>(peak_rss_kb()) / 1024.0);
  return 0;
}
