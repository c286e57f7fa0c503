// bench_peakwms: a PeakWMS warehouse as the master of two WooCommerce
// shops, through the real hub, libpeakwms.so and libwoocommerce.so
// (docs/performance.md, "PeakWMS"):
//
//   (a) initial upload and link: every product of both shops uploaded to
//       PeakWMS and linked (one product integration per product per shop),
//       from the hub's start until the last link; time, requests and 429s
//       against the rate limit's floor (each key's uploads / its limit);
//   (b) StockAdjust -> all shops: goods received in the warehouse until
//       both shops show PeakWMS's new available to sell, p50/p99.
//
// PeakWMS allows 240 requests a minute per key, so 10,000 products a shop
// take at least 41.7 minutes. The bench runs the limit on a shorter window
// (--window-ms, the simulator and the connector alike) and also prints what
// the same run means at 240 a minute. Numbers, not pass/fail.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "bench_hub.hpp"
#include "peakwms_sim.hpp"
#include "woo_sim.hpp"

namespace po = boost::program_options;
using namespace stockrelay;
using bench::ms_since;
using bench::percentile;
using bench::Steady;

namespace {

struct Bench {
  std::vector<std::string> shops{"shop-a", "shop-b"};
  std::unique_ptr<peakwms_sim::Simulator> wms;
  std::map<std::string, std::unique_ptr<woo_sim::Simulator>> sims;
  std::unique_ptr<hub::Hub> hub;
  std::filesystem::path dir;
  std::string config_path;
  std::vector<std::string> skus;

  Bench(int n_skus, int limit, int window_ms) {
    dir = std::filesystem::temp_directory_path() / ("bench-peakwms-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    int port = bench::free_port();
    std::string hub_url = "http://127.0.0.1:" + std::to_string(port);
    peakwms_sim::Options o;
    o.integrations = static_cast<int>(shops.size());
    o.match_by_item_number = true;
    o.rate_limit = limit;
    o.rate_window_ms = window_ms;
    wms = std::make_unique<peakwms_sim::Simulator>(o);
    wms->start();
    for (int i = 0; i < n_skus; ++i) {
      char sku[32];
      std::snprintf(sku, sizeof sku, "SKU-%05d", i + 1);
      skus.push_back(sku);
    }
    std::string y = "store: {path: " + (dir / "store.db").string() + "}\n";
    y += "server: {listen: \"127.0.0.1:" + std::to_string(port) + "\"}\n";
    y += "engine: {default_poll_seconds: 3600}\n";
    y += "plugins: {paths: [" + std::string(PLUGIN_DIR) + "]}\nconnections:\n";
    y += "  warehouse:\n    plugin: peakwms\n    settings:\n      base_url: \"" + wms->base_url() + "\"\n      shops: {";
    for (std::size_t i = 0; i < shops.size(); ++i)
      y += (i ? ", " : "") + shops[i] + ": {api_key: \"" + wms->api_key(i) + "\"}";
    y += "}\n      webhook_url: \"" + hub_url + "/hooks/warehouse\"\n      rate_limit: {requests: " +
         std::to_string(limit) + ", window_ms: " + std::to_string(window_ms) + "}\n";
    for (const auto& n : shops) {
      woo_sim::Options so;
      so.name = n;
      so.webhook_delay_ms = 1;
      auto sim = std::make_unique<woo_sim::Simulator>(so);
      sim->start();
      for (const auto& s : skus) sim->add_simple(s, 0);
      y += "  " + n + ":\n    plugin: woocommerce\n    settings: {url: \"" + sim->base_url() + "\", consumer_key: \"" +
           sim->consumer_key() + "\", consumer_secret: \"" + sim->consumer_secret() + "\", webhook_secret: \"whsec-" +
           n + "\", webhook_url: \"" + hub_url + "/hooks/" + n + "\"}\n";
      sims.emplace(n, std::move(sim));
    }
    y += "pools:\n  main:\n    members: [warehouse, shop-a, shop-b]\n    master: warehouse\n";
    config_path = (dir / "stockrelay.yaml").string();
    std::ofstream(config_path) << y;
  }

  ~Bench() {
    if (hub) hub->stop();
    wms->stop();
    for (auto& [n, s] : sims) s->stop();
    std::filesystem::remove_all(dir);
  }

  std::size_t linked() {
    std::lock_guard lock(hub->store_mutex());
    std::size_t n = 0;
    for (const auto& l : hub->store().links(std::nullopt)) n += l.state == "linked" ? 1 : 0;
    return n;
  }
  std::string wms_ref(const std::string& sku) {
    std::lock_guard lock(hub->store_mutex());
    for (const auto& l : hub->store().links(std::string("shop-a")))
      if (l.sku == sku) return l.via_ref;
    return {};
  }
  bool shops_show(const std::string& sku, int level) {
    for (auto& [n, s] : sims)
      if (s->stock(sku) != level) return false;
    return true;
  }
};

// (a) From the hub's start until every product of every shop is linked.
void upload(Bench& b, int limit, int window_ms) {
  const std::size_t want = b.skus.size() * b.shops.size();
  auto t = Steady::now();
  b.hub = bench::start_hub(b.config_path);
  std::size_t last = 0;
  auto shown = Steady::now();
  while (b.linked() < want && ms_since(t) < 4 * 3600 * 1000.0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (ms_since(shown) > 10000) {
      std::size_t now = b.linked();
      std::fprintf(stderr, "  ... %zu of %zu linked after %.0f s (%.0f a second)\n", now, want, ms_since(t) / 1000,
                   static_cast<double>(now - last) / (ms_since(shown) / 1000));
      last = now;
      shown = Steady::now();
    }
  }
  const double ms = ms_since(t);
  const auto c = b.wms->counters();
  // The floor: each key's own requests at its limit; the keys run side by side.
  const double per_key = static_cast<double>(c.requests) / static_cast<double>(b.shops.size());
  const double floor_ms = per_key / limit * window_ms;
  const double uploads_floor_ms = static_cast<double>(b.skus.size()) / limit * window_ms;
  std::printf("(a) upload and link of %zu SKUs x %zu shops: %zu links in %.1f s; PeakWMS requests %llu (%.0f per key: "
              "%llu products created, %llu updated), 429s %llu\n",
              b.skus.size(), b.shops.size(), b.linked(), ms / 1000, static_cast<unsigned long long>(c.requests), per_key,
              static_cast<unsigned long long>(c.products_created), static_cast<unsigned long long>(c.products_updated),
              static_cast<unsigned long long>(c.rate_limited));
  std::printf("    rate limit %d requests per %d ms per key: floor for those requests %.1f s (uploads alone %.1f s); "
              "took %.2fx the floor\n",
              limit, window_ms, floor_ms / 1000, uploads_floor_ms / 1000, ms / floor_ms);
  const double real = 60000.0 / window_ms;  // how much longer at 240 a minute
  std::printf("    at %d requests a minute (PeakWMS): %.1f min (floor %.1f min)\n", limit, ms * real / 60000,
              floor_ms * real / 60000);
}

// (b) One receipt at a time; latency until both shops show the new level.
void adjust_to_shops(Bench& b, int changes) {
  std::mt19937 rng(9);
  std::vector<double> lat;
  int missed = 0;
  for (int i = 0; i < changes; ++i) {
    const auto& sku = b.skus[rng() % b.skus.size()];
    auto ref = b.wms_ref(sku);
    if (ref.empty()) continue;
    const std::int64_t id = std::stoll(ref);
    auto t = Steady::now();
    b.wms->goods_received(id, 1 + static_cast<int>(rng() % 5));
    const int want = static_cast<int>(b.wms->stock(id)->available_to_sell);
    while (!b.shops_show(sku, want) && ms_since(t) < 10000) std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (b.shops_show(sku, want)) lat.push_back(ms_since(t));
    else ++missed;
  }
  std::printf("(b) StockAdjust -> both shops, %zu SKUs: %zu receipts, p50 %.1f ms, p99 %.1f ms, max %.1f ms%s\n",
              b.skus.size(), lat.size(), percentile(lat, 0.5), percentile(lat, 0.99),
              lat.empty() ? 0.0 : *std::max_element(lat.begin(), lat.end()),
              missed ? (" (" + std::to_string(missed) + " not seen within 10 s)").c_str() : "");
}

}  // namespace

int main(int argc, char** argv) {
  int skus = 10000, changes = 200, limit = 240, window_ms = 2000;
  po::options_description d(
      "bench_peakwms: PeakWMS as master of two WooCommerce shops through the real hub and plugins\n"
      "usage: bench_peakwms [--skus 10000] [--limit 240] [--window-ms 2000] [--changes 200]");
  d.add_options()("help,h", "this help")("skus", po::value(&skus)->default_value(skus), "SKUs in each shop")(
      "limit", po::value(&limit)->default_value(limit), "PeakWMS requests per window per key")(
      "window-ms", po::value(&window_ms)->default_value(window_ms),
      "the rate limit's window (PeakWMS: 60000; shorter runs the same work faster)")(
      "changes", po::value(&changes)->default_value(changes), "(b) receipts, one at a time");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, d), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_peakwms: %s\ntry --help\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::printf("%s\n", (std::ostringstream() << d).str().c_str());
    return 0;
  }
  try {
    Bench b(skus, limit, window_ms);
    upload(b, limit, window_ms);
    b.hub->wait_quiet(600000, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(window_ms));  // a fresh window for (b)
    adjust_to_shops(b, changes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_peakwms: %s\n", e.what());
    return 1;
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf("(c) peak RSS of this process (hub, plugins and simulators): %.0f MB\n", u.ru_maxrss / 1024.0);
  return 0;
}
