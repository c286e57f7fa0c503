// bench_sitoo: Sitoo as the master of two WooCommerce shops, through the real
// hub, libsitoo.so and libwoocommerce.so (docs/performance.md, "Sitoo"):
//
//   (a) Sitoo change -> all shops: a till sale in Sitoo until both shops
//       show Sitoo's new available quantity, p50/p99, with Sitoo's events
//       and (a second hub, events off) with polling only;
//   (b) web order -> Sitoo order: orders placed in the shops (webhooks to
//       the hub) until each is created in Sitoo, p50/p99, and orders/s
//       sustained for a burst of orders.
//
// Everything runs in this process: the simulators serve real HTTP on
// loopback. Numbers, not pass/fail.
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "bench_hub.hpp"
#include "config/loader.hpp"
#include "hub/hub.hpp"
#include "loader/registry.hpp"
#include "sitoo_sim.hpp"
#include "store/store.hpp"
#include "woo_sim.hpp"

namespace po = boost::program_options;
using namespace stockrelay;
using Steady = std::chrono::steady_clock;

namespace {

using bench::free_port;
using bench::ms_since;
using bench::percentile;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Bench {
  std::vector<std::string> shops{"shop-a", "shop-b"};
  std::unique_ptr<sitoo_sim::Simulator> sitoo;
  std::map<std::string, std::unique_ptr<woo_sim::Simulator>> sims;
  std::unique_ptr<hub::Hub> hub;
  std::filesystem::path dir;
  std::string config_path;
  std::vector<std::string> skus;

  // events: Sitoo posts its events to the hub; poll_seconds: how often the
  // hub reads Sitoo besides.
  Bench(int n_skus, bool events, int poll_seconds, const std::string& tag) {
    dir = std::filesystem::temp_directory_path() / ("bench-sitoo-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto t = Steady::now();
    int port = free_port();
    std::string hub_url = "http://127.0.0.1:" + std::to_string(port);
    sitoo_sim::Options so;
    so.seed = 3;
    if (events) so.events_url = hub_url + "/hooks/sitoo";
    so.event_batch_window_ms = 2;
    sitoo = std::make_unique<sitoo_sim::Simulator>(so);
    sitoo->start();
    std::mt19937 rng(5);
    for (int i = 0; i < n_skus; ++i) {
      char sku[32];
      std::snprintf(sku, sizeof sku, "SKU-%05d", i + 1);
      skus.push_back(sku);
      sitoo->add_product(sku, 20 + static_cast<double>(rng() % 80));
    }
    std::string y = "store: {path: " + (dir / "store.db").string() + "}\n";
    y += "server: {listen: \"127.0.0.1:" + std::to_string(port) + "\"}\n";
    y += "engine: {default_poll_seconds: 3600}\n";
    y += "plugins: {paths: [" + std::string(PLUGIN_DIR) + "]}\nconnections:\n";
    y += "  sitoo:\n    plugin: sitoo\n    settings: {base_url: \"" + sitoo->base_url() + "\", api_id: \"" +
         sitoo->api_id() + "\", api_password: \"" + sitoo->password() + "\", warehouse_id: 1}\n";
    for (const auto& n : shops) {
      woo_sim::Options o;
      o.name = n;
      o.webhook_delay_ms = 1;
      auto sim = std::make_unique<woo_sim::Simulator>(o);
      sim->start();
      for (const auto& s : skus) sim->add_simple(s, static_cast<int>(sitoo->stock(s)->available));
      y += "  " + n + ":\n    plugin: woocommerce\n    settings: {url: \"" + sim->base_url() + "\", consumer_key: \"" +
           sim->consumer_key() + "\", consumer_secret: \"" + sim->consumer_secret() + "\", webhook_secret: \"whsec-" +
           n + "\", webhook_url: \"" + hub_url + "/hooks/" + n + "\"}\n";
      sims.emplace(n, std::move(sim));
    }
    y += "pools:\n  main:\n    members: [sitoo, shop-a, shop-b]\n    master: sitoo\n";
    y += "routes:\n  - name: web-orders\n    on: [order]\n    from: [shop-a, shop-b]\n    do:\n"
         "      - command: create_order\n        to: [sitoo]\n";
    y += "schedules:\n  - name: sitoo-poll\n    connections: [sitoo]\n    action: poll\n    every: " +
         std::to_string(poll_seconds) + "s\n";
    config_path = (dir / "stockrelay.yaml").string();
    std::ofstream(config_path) << y;
    std::fprintf(stderr, "  [%s] %d SKUs in Sitoo and %zu shops set up in %.0f ms\n", tag.c_str(), n_skus,
                 shops.size(), ms_since(t));
  }

  ~Bench() {
    if (hub) hub->stop();
    sitoo->stop();
    for (auto& [n, s] : sims) s->stop();
    std::filesystem::remove_all(dir);
  }

  void start() {
    auto t = Steady::now();
    hub = bench::start_hub(config_path);
    quiet();
    std::fprintf(stderr, "  first sync (hub start to quiet): %.0f ms\n", ms_since(t));
  }


  void quiet(int timeout_ms = 600000) {
    sitoo->wait_events_idle(timeout_ms);
    for (auto& [n, s] : sims) s->wait_webhooks_idle(timeout_ms);
    if (!hub->wait_quiet(timeout_ms, true)) std::fprintf(stderr, "  (not quiet after %d ms)\n", timeout_ms);
  }

  bool shops_show(const std::string& sku, int level) {
    for (auto& [n, s] : sims)
      if (s->stock(sku) != level) return false;
    return true;
  }
};

// (a) One till sale at a time; latency until both shops show the new level.
// `spread_ms`: a random pause before each change, so that changes do not
// fall in step with the polls (each would otherwise wait a whole interval).
void change_to_shops(Bench& b, int changes, const char* how, int timeout_ms, int spread_ms = 0) {
  std::mt19937 rng(9);
  std::vector<double> lat;
  int missed = 0;
  for (int i = 0; i < changes; ++i) {
    if (spread_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(rng() % spread_ms));
    const auto& sku = b.skus[rng() % b.skus.size()];
    if (b.sitoo->stock(sku)->available < 1) continue;
    auto t = Steady::now();
    b.sitoo->pos_sale(b.sitoo->warehouse_id(), sku, 1);
    int want = static_cast<int>(b.sitoo->stock(sku)->available);
    while (!b.shops_show(sku, want) && ms_since(t) < timeout_ms) std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (b.shops_show(sku, want)) lat.push_back(ms_since(t));
    else ++missed;
  }
  std::printf("(a) Sitoo change -> both shops, %s, %zu SKUs: %zu changes, p50 %.1f ms, p99 %.1f ms, max %.1f ms%s\n", how,
              b.skus.size(), lat.size(), percentile(lat, 0.5), percentile(lat, 0.99),
              lat.empty() ? 0.0 : *std::max_element(lat.begin(), lat.end()),
              missed ? (" (" + std::to_string(missed) + " not seen within " + std::to_string(timeout_ms) + " ms)").c_str() : "");
}

// (b) Web orders into Sitoo: a paced run for latency, then a burst for throughput.
void orders_to_sitoo(Bench& b, int orders, double rate) {
  std::mt19937 rng(13);
  auto place = [&](int n, double per_second, std::map<std::string, std::int64_t>& placed) {
    auto start = Steady::now();
    for (int i = 0; i < n; ++i) {
      if (per_second > 0)
        std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<long>(1e6 * i / per_second)));
      const auto& shop = b.shops[rng() % b.shops.size()];
      auto id = b.sims.at(shop)->place_order({{b.skus[rng() % b.skus.size()], 1}});
      placed[shop + "/" + std::to_string(id)] = wall_ms();
    }
    return ms_since(start);
  };
  auto created_after = [&](const std::map<std::string, std::int64_t>& placed) {
    std::vector<double> lat;
    std::lock_guard lock(b.hub->store_mutex());
    store::OrderQuery q;
    q.limit = 10000000;
    for (const auto& o : b.hub->store().orders(q)) {
      auto it = placed.find(o.source + "/" + o.order_id);
      if (it != placed.end() && o.status == store::SyncStatus::Synced)
        lat.push_back(static_cast<double>(o.updated_at - it->second));
    }
    return lat;
  };

  std::map<std::string, std::int64_t> paced;
  int paced_n = std::max(1, static_cast<int>(rate * 4));
  place(paced_n, rate, paced);
  b.quiet();
  auto lat = created_after(paced);
  std::printf("(b) web order -> Sitoo order at %.0f orders/s: %zu of %d synced, p50 %.1f ms, p99 %.1f ms\n", rate,
              lat.size(), paced_n, percentile(lat, 0.5), percentile(lat, 0.99));

  std::map<std::string, std::int64_t> burst;
  auto before = b.sitoo->counters().orders_created;
  auto t = Steady::now();
  double place_ms = place(orders, 0, burst);
  // Until every order of the burst exists in Sitoo.
  while (b.sitoo->counters().orders_created - before < static_cast<std::uint64_t>(orders) && ms_since(t) < 600000)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  double total_ms = ms_since(t);
  auto created = b.sitoo->counters().orders_created - before;
  b.quiet();
  auto burst_lat = created_after(burst);
  std::printf("(b) burst of %d web orders (placed in %.0f ms): %llu created in Sitoo after %.0f ms: %.0f orders/s into "
              "Sitoo; per order p50 %.0f ms, p99 %.0f ms\n",
              orders, place_ms, static_cast<unsigned long long>(created), total_ms,
              static_cast<double>(created) / (total_ms / 1000.0), percentile(burst_lat, 0.5), percentile(burst_lat, 0.99));
  auto c = b.sitoo->counters();
  std::printf("    Sitoo requests in all: %llu (%llu reads, %llu writes)\n", static_cast<unsigned long long>(c.requests),
              static_cast<unsigned long long>(c.reads), static_cast<unsigned long long>(c.writes));
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  int skus = 10000, changes = 200, orders = 2000, poll_seconds = 2;
  double rate = 100;
  bool skip_polling = false;
  po::options_description d(
      "bench_sitoo: Sitoo as master of two WooCommerce shops through the real hub and plugins\n"
      "usage: bench_sitoo [--skus 10000] [--changes 200] [--orders 2000] [--rate 100] [--poll-seconds 2]");
  d.add_options()("help,h", "this help")("skus", po::value(&skus)->default_value(skus), "SKUs in Sitoo and each shop")(
      "changes", po::value(&changes)->default_value(changes), "(a) till sales, one at a time")(
      "orders", po::value(&orders)->default_value(orders), "(b) web orders in the burst")(
      "rate", po::value(&rate)->default_value(rate), "(b) orders per second of the paced run")(
      "poll-seconds", po::value(&poll_seconds)->default_value(poll_seconds), "(a) poll interval of the run without events")(
      "skip-polling", po::bool_switch(&skip_polling), "(a) only the run with events");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, d), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sitoo: %s\n%s", e.what(), "try --help\n");
    return 2;
  }
  if (vm.count("help")) {
    std::printf("%s\n", (std::ostringstream() << d).str().c_str());
    return 0;
  }
  try {
    {
      Bench b(skus, true, 3600, "events");
      b.start();
      change_to_shops(b, changes, "with events", 10000);
      orders_to_sitoo(b, orders, rate);
    }
    if (!skip_polling) {
      Bench b(skus, false, poll_seconds, "polling");
      b.start();
      change_to_shops(b, std::max(1, changes / 10), ("polling every " + std::to_string(poll_seconds) + " s").c_str(),
                      poll_seconds * 3000 + 10000, poll_seconds * 1000);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sitoo: %s\n", e.what());
    return 1;
  }
  std::printf("(c) peak RSS of this process (hub, plugins and simulators): %.0f MB\n", peak_rss_kb() / 1024.0);
  return 0;
}
