// stockrelay-sim: runs a simulated remote system as a process. The first
// positional argument names the kind of system; each kind has its options.
// On start it prints exactly one JSON line on stdout (what a program needs to
// connect), human-readable notes on stderr, then serves until SIGINT/SIGTERM.
#include <algorithm>
#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "peakwms_sim.hpp"
#include "sitoo_sim.hpp"
#include "woo_sim.hpp"

namespace po = boost::program_options;

namespace {

constexpr int kUsageError = 2;
const std::vector<std::string> kKinds = {"woocommerce", "sitoo", "peakwms"};

std::string known_kinds() {
  std::string out;
  for (const auto& k : kKinds) out += (out.empty() ? "" : ", ") + k;
  return out;
}

void general_usage(std::ostream& out) {
  out << "usage: stockrelay-sim KIND [options]\n\n"
         "Runs a simulated remote system for tests, benchmarks and demos.\n"
         "Known kinds: "
      << known_kinds()
      << "\n\n"
         "  stockrelay-sim woocommerce --help    options of the WooCommerce simulator\n"
         "  stockrelay-sim sitoo --help          options of the Sitoo simulator\n"
         "  stockrelay-sim peakwms --help        options of the PeakWMS simulator\n\n"
         "On start one JSON line goes to stdout, e.g. (woocommerce, sitoo, peakwms)\n"
         "  {\"base_url\":\"http://127.0.0.1:8081\",\"api\":\"http://127.0.0.1:8081/wp-json/wc/v3\",\n"
         "   \"consumer_key\":\"ck_...\",\"consumer_secret\":\"cs_...\",\"products\":1000}\n"
         "  {\"base_url\":\"http://127.0.0.1:8082/v2/accounts/10020\",\"api_id\":\"10020-1\",\"password\":\"...\",\n"
         "   \"account\":10020,\"site\":1,\"warehouse\":1,\"products\":1000}\n"
         "  {\"base_url\":\"http://127.0.0.1:8083/api/integration/v1\",\"api_keys\":[\"...\"],\n"
         "   \"integrations\":[{\"id\":1,\"name\":\"Web shop 1\",\"apiKey\":\"...\"}]}\n"
         "then it serves until SIGINT or SIGTERM (exit 0). Bad arguments exit 2.\n";
}

// Blocks SIGINT/SIGTERM in every thread (threads inherit the mask), so the
// main thread can wait for them with sigwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Starts the simulator; false (said on stderr) when it cannot listen.
template <typename Sim>
bool started(const std::string& kind, Sim& sim) {
  try {
    sim.start();
    return true;
  } catch (const std::exception& e) {
    std::cerr << "stockrelay-sim " << kind << ": " << e.what() << "\n";
    return false;
  }
}

bool set_log_level(const std::string& name) {
  stockrelay::log::Level level;
  if (!stockrelay::log::parse_level(name, level)) return false;
  stockrelay::log::set_level(level);
  return true;
}

// Serves until SIGINT or SIGTERM (blocked by block_stop_signals), then stops
// the simulator; the process's exit code.
template <typename Sim>
int serve_until_stopped(Sim& sim, sigset_t& stop_signals) {
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "stockrelay-sim: " << (received == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping\n";
  sim.stop();
  return 0;
}

bool is_rate(double p) { return p >= 0.0 && p <= 1.0; }

int usage_error(const std::string& kind, const std::string& message) {
  std::cerr << "stockrelay-sim " << kind << ": " << message << "\n(see stockrelay-sim " << kind << " --help)\n";
  return kUsageError;
}

// Reads `args` against `desc` into `vm`. An exit code when the run ends here
// (--help: 0; bad arguments: 2, said on stderr), nothing to go on.
std::optional<int> read_args(const std::string& kind, const po::options_description& desc,
                             const std::vector<std::string>& args, po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return usage_error(kind, e.what());
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  return std::nullopt;
}

// The options every kind has: where to listen and which catalogue to start
// with. What is wrong with them, or nothing.
std::optional<std::string> listen_and_catalogue_error(const po::variables_map& vm, int port, int generate) {
  if (vm.count("listen") && vm.count("port")) return "--listen and --port exclude each other";
  if (vm.count("seed-catalog") && vm.count("generate")) return "--seed-catalog and --generate exclude each other";
  if (vm.count("port") && (port < 0 || port > 65535)) return "--port must be 0..65535";
  if (vm.count("generate") && generate < 0) return "--generate must be >= 0";
  return std::nullopt;
}

int run_woocommerce(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: stockrelay-sim woocommerce [options]\n\n"
      "A WooCommerce shop behind REST API v3 (/wp-json/wc/v3) with webhooks.\n"
      "Simulator-only endpoints (not WooCommerce, no auth): GET /__sim/counters,\n"
      "GET|POST /__sim/faults, POST /__sim/orders {\"lines\":[{\"sku\",\"quantity\"}],\"status\"},\n"
      "POST /__sim/stock {\"sku\",\"stock\"|null}.\n\nOptions");
  std::string listen, catalog_file, prefix, key, secret, ro_key, ro_secret, name, site_url, log_level;
  int port = -1, generate = -1;
  woo_sim::Options opts;
  woo_sim::Faults faults;
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("listen", po::value(&listen)->value_name("HOST:PORT"), "HOST:PORT to listen on (default 127.0.0.1:0, any free port)")
    ("port", po::value(&port)->value_name("N"), "shorthand for --listen 127.0.0.1:N")
    ("seed-catalog", po::value(&catalog_file)->value_name("FILE"), "load products from a JSON file: [{\"sku\",\"name\",\"stock\"|null,"
                                               "\"status\",\"variations\":[{\"sku\",\"stock\",\"manage\":\"own|parent|none\"}]}]")
    ("generate", po::value(&generate)->value_name("N"), "generate N SKUs (~80% simple, the rest variable products with variations)")
    ("prefix", po::value(&prefix)->value_name("P")->default_value("SKU"), "SKU prefix for --generate")
    ("seed", po::value(&opts.seed)->value_name("S")->default_value(1), "seed for generated catalogues and fault dice")
    ("key", po::value(&key)->value_name("CK"), "consumer key (default: generated ck_...)")
    ("secret", po::value(&secret)->value_name("CS"), "consumer secret (default: generated cs_...)")
    ("read-only-key", po::value(&ro_key)->value_name("CK"), "an extra key with read permission only")
    ("read-only-secret", po::value(&ro_secret)->value_name("CS"), "its secret (default: the consumer secret)")
    ("name", po::value(&name)->value_name("NAME")->default_value("shop"), "shop name (logs, product names)")
    ("site-url", po::value(&site_url)->value_name("URL"), "site URL for X-WC-Webhook-Source (default: base URL + /)")
    ("strict-https-auth", po::bool_switch(&opts.strict_https_auth), "accept only OAuth 1.0a, as WordPress over plain HTTP")
    ("utc-offset-minutes", po::value(&opts.utc_offset_minutes)->value_name("MIN")->default_value(0), "site time zone offset")
    ("latency-ms", po::value(&faults.latency_ms)->value_name("MS")->default_value(0), "added to every REST response")
    ("error-rate", po::value(&faults.error_rate)->value_name("P")->default_value(0), "probability of an HTML 500 per REST request")
    ("webhook-drop-rate", po::value(&faults.webhook_drop_rate)->value_name("P")->default_value(0), "probability a delivery is not sent")
    ("webhook-duplicate-rate", po::value(&faults.webhook_duplicate_rate)->value_name("P")->default_value(0),
       "probability a delivery is sent twice")
    ("webhook-reorder-rate", po::value(&faults.webhook_reorder_rate)->value_name("P")->default_value(0),
       "probability a delivery is held back behind later ones")
    ("webhook-delay-ms", po::value(&opts.webhook_delay_ms)->value_name("MS")->default_value(20),
       "queueing delay before a delivery (changes meanwhile collapse into it)")
    ("webhook-failure-threshold", po::value(&opts.webhook_failure_threshold)->value_name("N")->default_value(5),
       "a failure while the failure counter is above this disables the webhook")
    ("log-level", po::value(&log_level)->value_name("LEVEL")->default_value("info"), "debug, info, warn or error (stderr)");
  // clang-format on
  po::variables_map vm;
  if (auto done = read_args("woocommerce", desc, args, vm)) return *done;
  auto usage_error = [](const std::string& message) { return ::usage_error("woocommerce", message); };
  if (auto wrong = listen_and_catalogue_error(vm, port, generate)) return usage_error(*wrong);
  if (vm.count("key") != vm.count("secret")) return usage_error("--key and --secret go together");
  if (faults.latency_ms < 0 || opts.webhook_delay_ms < 0) return usage_error("times must be >= 0");
  for (double p : {faults.error_rate, faults.webhook_drop_rate, faults.webhook_duplicate_rate, faults.webhook_reorder_rate}) {
    if (!is_rate(p)) return usage_error("rates must be between 0 and 1");
  }
  if (!set_log_level(log_level)) return usage_error("unknown --log-level " + log_level);

  opts.listen = vm.count("port") ? "127.0.0.1:" + std::to_string(port) : listen.empty() ? "127.0.0.1:0" : listen;
  opts.consumer_key = key;
  opts.consumer_secret = secret;
  opts.read_only_key = ro_key;
  opts.read_only_secret = ro_secret;
  opts.name = name;
  opts.site_url = site_url;

  sigset_t stop_signals = block_stop_signals();
  woo_sim::Simulator sim(opts);
  try {
    if (!catalog_file.empty()) sim.load_catalog_file(catalog_file);
    if (generate > 0) sim.generate_catalog(generate, prefix);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  sim.set_faults(faults);
  if (!started("woocommerce", sim)) return 1;
  auto count = sim.products().size();
  nlohmann::ordered_json line = {{"base_url", sim.base_url()},
                         {"api", sim.base_url() + "/wp-json/wc/v3"},
                         {"consumer_key", sim.consumer_key()},
                         {"consumer_secret", sim.consumer_secret()},
                         {"products", count}};
  std::cout << line.dump() << std::endl;
  std::cerr << "stockrelay-sim: WooCommerce shop \"" << name << "\" with " << count << " products and variations at "
            << sim.base_url() << "/wp-json/wc/v3 (Ctrl-C to stop)\n";

  return serve_until_stopped(sim, stop_signals);
}

int run_sitoo(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: stockrelay-sim sitoo [options]\n\n"
      "One Sitoo account behind REST API v2 (/v2/accounts/ACCOUNT) with the Events SPI.\n"
      "Simulator-only endpoints (not Sitoo, no auth): GET /__sim/counters, GET|POST /__sim/faults,\n"
      "GET /__sim/stock?sku=&warehouseid=, POST /__sim/stock {\"action\":\"sale|receive|count\",\n"
      "\"sku\",\"quantity\",\"warehouseid\"}.\n\nOptions");
  std::string listen, catalog_file, prefix, events_url, events_user, events_password, log_level;
  std::vector<std::string> allow_ips;
  int port = -1, generate = -1;
  sitoo_sim::Options opts;
  sitoo_sim::Faults faults;
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("listen", po::value(&listen)->value_name("HOST:PORT"), "HOST:PORT to listen on (default 127.0.0.1:0, any free port)")
    ("port", po::value(&port)->value_name("N"), "shorthand for --listen 127.0.0.1:N")
    ("account", po::value(&opts.account_id)->value_name("ID")->default_value(10020), "account id (the path's /v2/accounts/ID)")
    ("api-id", po::value(&opts.api_id)->value_name("ID"), "API ID for Basic auth (default ACCOUNT-1)")
    ("password", po::value(&opts.password)->value_name("PW"), "API password (default: generated, 32 hex)")
    ("site", po::value(&opts.site_id)->value_name("ID")->default_value(1), "site id (eshopid)")
    ("warehouse", po::value(&opts.warehouse_id)->value_name("ID")->default_value(1), "id of the default FIFO warehouse")
    ("seed-catalog", po::value(&catalog_file)->value_name("FILE"),
       "load products from a JSON file: [{\"sku\",\"title\",\"stock\"}] (stock in the default warehouse)")
    ("generate", po::value(&generate)->value_name("N"), "generate N products with stock 0..50")
    ("prefix", po::value(&prefix)->value_name("P")->default_value("SKU"), "SKU prefix for --generate")
    ("seed", po::value(&opts.seed)->value_name("S")->default_value(1), "seed for generated catalogues and fault dice")
    ("events-url", po::value(&events_url)->value_name("URL"), "POST Events SPI arrays to this URL")
    ("events-user", po::value(&events_user)->value_name("USER"), "HTTP Basic user for the events URL")
    ("events-password", po::value(&events_password)->value_name("PW"), "HTTP Basic password for the events URL")
    ("allow-ip", po::value(&allow_ips)->value_name("IP")->composing(), "allow only these client addresses (repeatable)")
    ("reservation-moves-datelastmodified", "let reservations move datelastmodified (Sitoo: only transactions do)")
    ("latency-ms", po::value(&faults.latency_ms)->value_name("MS")->default_value(0), "added to every API response")
    ("error-rate", po::value(&faults.error_rate)->value_name("P")->default_value(0), "probability of a 500 per API request")
    ("duplicate-event-rate", po::value(&faults.duplicate_event_rate)->value_name("P")->default_value(0),
       "probability a delivered event array is sent twice")
    ("log-level", po::value(&log_level)->value_name("LEVEL")->default_value("info"), "debug, info, warn or error (stderr)");
  // clang-format on
  po::variables_map vm;
  if (auto done = read_args("sitoo", desc, args, vm)) return *done;
  auto usage_error = [](const std::string& message) { return ::usage_error("sitoo", message); };
  if (auto wrong = listen_and_catalogue_error(vm, port, generate)) return usage_error(*wrong);
  if (opts.account_id <= 0 || opts.site_id <= 0 || opts.warehouse_id <= 0) {
    return usage_error("--account, --site and --warehouse must be positive");
  }
  if (!opts.api_id.empty() && !opts.api_id.starts_with(std::to_string(opts.account_id) + "-")) {
    return usage_error("--api-id must look like ACCOUNT-N (" + std::to_string(opts.account_id) + "-1)");
  }
  if (!events_url.empty() && !(events_url.starts_with("http://") || events_url.starts_with("https://"))) {
    return usage_error("--events-url must start with http:// or https://");
  }
  if ((vm.count("events-user") || vm.count("events-password")) && events_url.empty()) {
    return usage_error("--events-user/--events-password need --events-url");
  }
  if (faults.latency_ms < 0) return usage_error("times must be >= 0");
  for (double p : {faults.error_rate, faults.duplicate_event_rate}) {
    if (!is_rate(p)) return usage_error("rates must be between 0 and 1");
  }
  if (!set_log_level(log_level)) return usage_error("unknown --log-level " + log_level);

  opts.listen = vm.count("port") ? "127.0.0.1:" + std::to_string(port) : listen.empty() ? "127.0.0.1:0" : listen;
  opts.events_url = events_url;
  opts.events_user = events_user;
  opts.events_password = events_password;
  opts.allowed_ips = allow_ips;
  opts.datelastmodified_only_on_transactions = vm.count("reservation-moves-datelastmodified") == 0;
  if (!opts.password.empty()) stockrelay::log::add_secret(opts.password);

  sigset_t stop_signals = block_stop_signals();
  sitoo_sim::Simulator sim(opts);
  try {
    if (!catalog_file.empty()) sim.load_catalog_file(catalog_file);
    if (generate > 0) sim.generate_catalog(generate, prefix);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  sim.set_faults(faults);
  if (!started("sitoo", sim)) return 1;
  auto count = sim.product_count();
  nlohmann::ordered_json line = {{"base_url", sim.base_url()},
                                 {"api_id", sim.api_id()},
                                 {"password", sim.password()},
                                 {"account", sim.account_id()},
                                 {"site", sim.site_id()},
                                 {"warehouse", sim.warehouse_id()},
                                 {"products", count}};
  std::cout << line.dump() << std::endl;
  std::cerr << "stockrelay-sim: Sitoo account " << sim.account_id() << " with " << count << " products at "
            << sim.base_url() << " (Ctrl-C to stop)\n";

  return serve_until_stopped(sim, stop_signals);
}

int run_peakwms(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: stockrelay-sim peakwms [options]\n\n"
      "PeakWMS behind its integration API (/api/integration/v1), one web-shop integration per\n"
      "bearer API key. Simulator-only endpoints (not PeakWMS, no auth): GET /__sim/counters,\n"
      "GET|POST /__sim/faults, GET /__sim/integrations, GET /__sim/stock?id=,\n"
      "POST /__sim/stock {\"action\":\"receive|count\",\"id\",\"quantity\"},\n"
      "POST /__sim/order {\"action\":\"pick|pack\",\"id\",\"trackingNumber\"}.\n\nOptions");
  std::string listen, log_level;
  std::vector<std::string> keys;
  int port = -1, integrations = 1;
  peakwms_sim::Options opts;
  peakwms_sim::Faults faults;
  // clang-format off
  desc.add_options()
    ("help,h", "show this help")
    ("listen", po::value(&listen)->value_name("HOST:PORT"), "HOST:PORT to listen on (default 127.0.0.1:0, any free port)")
    ("port", po::value(&port)->value_name("N"), "shorthand for --listen 127.0.0.1:N")
    ("integrations", po::value(&integrations)->value_name("N")->default_value(1), "web-shop integrations (one API key each)")
    ("api-key", po::value(&keys)->value_name("KEY")->composing(),
       "API key of the next integration (repeatable; the others are generated)")
    ("no-upsert", "POST /product of an existing productId+variantId is 400 (default: update)")
    ("match-by-item-number", "a second shop's product with a known itemNumber joins that WMS product")
    ("rate-limit", po::value(&opts.rate_limit)->value_name("N")->default_value(240), "requests per window per key")
    ("rate-window-ms", po::value(&opts.rate_window_ms)->value_name("MS")->default_value(60000), "rate-limit window")
    ("no-rate-limit", "do not limit requests")
    ("seed", po::value(&opts.seed)->value_name("S")->default_value(1), "seed for the fault dice")
    ("latency-ms", po::value(&faults.latency_ms)->value_name("MS")->default_value(0), "added to every API response")
    ("error-rate", po::value(&faults.error_rate)->value_name("P")->default_value(0), "probability of a 500 per API request")
    ("log-level", po::value(&log_level)->value_name("LEVEL")->default_value("info"), "debug, info, warn or error (stderr)");
  // clang-format on
  po::variables_map vm;
  if (auto done = read_args("peakwms", desc, args, vm)) return *done;
  auto usage_error = [](const std::string& message) { return ::usage_error("peakwms", message); };
  if (auto wrong = listen_and_catalogue_error(vm, port, -1)) return usage_error(*wrong);
  if (integrations < 1 || integrations > 1000) return usage_error("--integrations must be 1..1000");
  if (opts.rate_limit < 1 || opts.rate_window_ms < 1) return usage_error("--rate-limit and --rate-window-ms must be >= 1");
  if (faults.latency_ms < 0) return usage_error("times must be >= 0");
  if (!is_rate(faults.error_rate)) return usage_error("rates must be between 0 and 1");
  if (!set_log_level(log_level)) return usage_error("unknown --log-level " + log_level);

  opts.listen = vm.count("port") ? "127.0.0.1:" + std::to_string(port) : listen.empty() ? "127.0.0.1:0" : listen;
  opts.integrations = 0;  // added below, with the keys given
  opts.upsert_on_post = vm.count("no-upsert") == 0;
  opts.match_by_item_number = vm.count("match-by-item-number") > 0;
  opts.rate_limit_enabled = vm.count("no-rate-limit") == 0;

  sigset_t stop_signals = block_stop_signals();
  peakwms_sim::Simulator sim(opts);
  const std::size_t count = std::max(static_cast<std::size_t>(integrations), keys.size());
  try {
    for (std::size_t i = 0; i < count; ++i) {
      if (i < keys.size() && keys[i].empty()) return usage_error("--api-key must not be empty");
      sim.add_integration("Web shop " + std::to_string(i + 1), i < keys.size() ? keys[i] : std::string());
    }
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  sim.set_faults(faults);
  if (!started("peakwms", sim)) return 1;
  nlohmann::ordered_json api_keys = nlohmann::ordered_json::array();
  nlohmann::ordered_json shops = nlohmann::ordered_json::array();
  for (const auto& i : sim.integrations()) {
    stockrelay::log::add_secret(i.api_key);
    api_keys.push_back(i.api_key);
    shops.push_back({{"id", i.id}, {"name", i.name}, {"apiKey", i.api_key}});
  }
  nlohmann::ordered_json line = {{"base_url", sim.base_url()}, {"api_keys", api_keys}, {"integrations", shops}};
  std::cout << line.dump() << std::endl;
  std::cerr << "stockrelay-sim: PeakWMS with " << count << " web-shop integration(s) at " << sim.base_url()
            << " (Ctrl-C to stop)\n";
  return serve_until_stopped(sim, stop_signals);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    general_usage(std::cerr);
    return kUsageError;
  }
  const std::string kind = args.front();
  if (kind == "--help" || kind == "-h" || kind == "help") {
    general_usage(std::cout);
    return 0;
  }
  args.erase(args.begin());
  if (kind == "woocommerce") return run_woocommerce(args);
  if (kind == "sitoo") return run_sitoo(args);
  if (kind == "peakwms") return run_peakwms(args);
  std::cerr << "stockrelay-sim: unknown simulator kind \"" << kind << "\"; known kinds: " << known_kinds() << "\n";
  return kUsageError;
}
