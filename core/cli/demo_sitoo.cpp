// `stockrelay demo --scenario sitoo`: Sitoo as the master of stock for the
// configuration's WooCommerce shops, acted out step by step against
// simulators (stockrelay-sim sitoo and woocommerce): the first sync, a till
// sale in Sitoo, a web order that reserves (and is delivered), an order
// whose SKU has an en dash that fails, is reported, fixed in the shop and
// retried, and a manual edit in a shop that Sitoo's level overwrites. Each
// step checks what it shows; the demo ends with every shop showing Sitoo's
// available quantity for every SKU and every web order once in Sitoo.
#include "cli/demo_sitoo.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>
#include <stockrelay/text.hpp>

#include "cli/cli.hpp"
#include "cli/demo_activity.hpp"
#include "cli/demo_setup.hpp"
#include "cli/demo_shop.hpp"
#include "http/client.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli::demo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

// The Sitoo connection of the configuration, as the simulator must play it.
struct SitooSpec {
  std::string connection;
  int port = 0;
  std::string account;
  std::string api_id;
  std::string password;
  std::int64_t warehouse = 1;
  std::string events_user;
  std::string events_password;
};

std::optional<SitooSpec> sitoo_of(const config::Config& cfg) {
  for (const auto& c : cfg.connections) {
    if (!c.enabled || (c.plugin != "sitoo" && !c.plugin.ends_with("libsitoo.so"))) continue;
    SitooSpec s;
    s.connection = c.name;
    std::string base = text_setting(c, "base_url");
    const std::string prefix = "http://127.0.0.1:";
    auto accounts = base.find("/v2/accounts/");
    if (!base.starts_with(prefix) || accounts == std::string::npos)
      throw std::runtime_error(c.loc.str() + ": connection '" + c.name + "': base_url '" + base +
                               "' is not one the demo can play (use http://127.0.0.1:PORT/v2/accounts/ACCOUNT)");
    s.port = std::stoi(base.substr(prefix.size(), accounts - prefix.size()));
    s.account = base.substr(accounts + std::strlen("/v2/accounts/"));
    s.api_id = text_setting(c, "api_id");
    s.password = text_setting(c, "api_password");
    if (auto w = c.settings.find("warehouse_id"); w != c.settings.end() && w->is_number_integer()) s.warehouse = *w;
    s.events_user = text_setting(c, "events_user", false);
    s.events_password = text_setting(c, "events_password", false);
    return s;
  }
  return std::nullopt;
}

// The demo's look at the simulated Sitoo account (its /__sim endpoints act
// as the shop floor: a till sale is a warehouse transaction there).
class SitooFloor {
 public:
  SitooFloor(const SitooSpec& s) : url_("http://127.0.0.1:" + std::to_string(s.port)), spec_(s) {
    http::Limits l;
    l.max_retries = 1;
    client_ = std::make_unique<http::Client>("demo sitoo", l);
  }
  json stock(const std::string& sku) { return call("GET", "/__sim/stock?sku=" + sr::percent_encode(sku), nullptr); }
  int available(const std::string& sku) {
    auto s = stock(sku);
    return static_cast<int>(std::stod(s.value("decimalavailable", std::string("0"))));
  }
  void sale(const std::string& sku, int quantity) {
    json body{{"action", "sale"}, {"sku", sku}, {"quantity", quantity}};
    call("POST", "/__sim/stock", &body);
  }
  // Orders in Sitoo with this externalid.
  std::size_t orders_with(const std::string& external) {
    auto r = call("GET", "/v2/accounts/" + spec_.account + "/sites/1/orders.json?fields=orderid,externalid&externalid=" +
                             sr::percent_encode(external), nullptr, true);
    return r.value("items", json::array()).size();
  }

 private:
  json call(const std::string& method, const std::string& path, const json* body, bool auth = false) {
    http::Request req;
    req.method = method;
    req.url = url_ + path;
    req.timeout_ms = 15000;
    if (auth) req.headers.push_back({"Authorization", "Basic " + sr::base64(spec_.api_id + ":" + spec_.password)});
    if (body) {
      req.headers.push_back({"Content-Type", "application/json"});
      req.body = body->dump();
    }
    auto r = client_->send(req);
    if (!r.error.empty() || r.status < 200 || r.status > 299)
      throw std::runtime_error("sitoo: " + method + " " + path + ": " + (r.error.empty() ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : r.error));
    return json::parse(r.body);
  }
  std::string url_;
  SitooSpec spec_;
  std::unique_ptr<http::Client> client_;
};

struct Product {
  std::string sku;
  std::string name;
  int sitoo;  // opening stock in Sitoo
};
const std::vector<Product> kCatalogue = {
    {"TEE-S", "T-shirt S", 10}, {"TEE-M", "T-shirt M", 8}, {"MUG-1", "Mug", 5}, {"CAP-1", "Cap", 3}};
// The first shop spells CAP-1 with an en dash, as a merchant's word
// processor makes it: the order with it cannot reach Sitoo until fixed.
const std::string kDashSku = "CAP\xE2\x80\x93" "1";

fs::path write_catalog(const fs::path& dir, const std::string& name, bool sitoo, bool dash) {
  json items = json::array();
  for (const auto& p : kCatalogue) {
    std::string sku = dash && p.sku == "CAP-1" ? kDashSku : p.sku;
    if (sitoo) items.push_back({{"sku", sku}, {"title", p.name}, {"stock", p.sitoo}});
    // The first sync sets the shops to Sitoo's levels; the en-dash cap is
    // not Sitoo's SKU, so it keeps what the shop has.
    else items.push_back({{"sku", sku}, {"name", p.name}, {"stock", sku == kDashSku ? p.sitoo : 1}});
  }
  fs::path f = dir / (name + "-catalog.json");
  std::ofstream(f) << items.dump(2);
  return f;
}

struct Run {
  hub::Hub& hub;
  SitooFloor& sitoo;
  std::vector<Shop*> shops;
  std::map<std::string, std::vector<Item>> items;  // per shop
  int failures = 0;

  const Item* item(Shop* s, const std::string& sku) {
    for (const auto& i : items[s->name()])
      if (i.sku == sku) return &i;
    return nullptr;
  }
  void check(bool ok, const std::string& what) {
    std::cout << "    " << (ok ? "ok    " : "FAILED") << "  " << what << std::endl;
    if (!ok) ++failures;
  }
  // Every shop shows Sitoo's available quantity for `sku` (the first shop
  // under `first_sku` while its spelling differs).
  bool mirrored(const std::string& sku, const std::string& first_sku = {}) {
    int want = sitoo.available(sku);
    for (Shop* s : shops) {
      const Item* i = item(s, s == shops.front() && !first_sku.empty() ? first_sku : sku);
      if (!i || s->stock(*i) != want) return false;
    }
    return true;
  }
  std::optional<store::OrderSync> sync(const std::string& source, std::int64_t order, const std::string& target) {
    std::lock_guard lock(hub.store_mutex());
    store::OrderQuery q;
    q.source = source;
    q.limit = 1000;
    for (auto& o : hub.store().orders(q))
      if (o.order_id == std::to_string(order) && o.target == target) return o;
    return std::nullopt;
  }
};

std::string cell(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

void print_levels(Run& r) {
  std::cout << "    " << cell("SKU", 8) << cell("Sitoo available", 17);
  for (Shop* s : r.shops) std::cout << cell(s->name(), 10);
  std::cout << "\n";
  for (const auto& p : kCatalogue) {
    std::cout << "    " << cell(p.sku, 8) << cell(std::to_string(r.sitoo.available(p.sku)), 17);
    for (Shop* s : r.shops) {
      const Item* i = r.item(s, p.sku);
      if (!i && s == r.shops.front()) i = r.item(s, kDashSku);
      auto q = i ? s->stock(*i) : std::nullopt;
      std::cout << cell(q ? std::to_string(*q) : "-", 10);
    }
    std::cout << "\n";
  }
}

}  // namespace

int run_sitoo_scenario(const SitooScenario& o) {
  auto sim = find_sim();
  if (!sim) return kFailed;
  auto cfg = load_config(o.config);
  if (!cfg) return kConfig;
  auto specs = woo_shops(*cfg);
  auto sitoo_spec = sitoo_of(*cfg);
  if (specs.empty() || !sitoo_spec) {
    std::cerr << "stockrelay demo: the sitoo scenario needs a Sitoo connection and at least one WooCommerce "
                 "connection in " << o.config << " (examples/sitoo.yaml has both)\n";
    return kConfig;
  }
  int hub_port = listen_port(cfg->server.listen);
  if (!cfg->server.enabled || hub_port <= 0) {
    std::cerr << "stockrelay demo: the sitoo scenario needs server.listen with a fixed port (Sitoo's events go there)\n";
    return kConfig;
  }
  check_port_free(hub_port, "server.listen, where the hub takes webhooks and events", o.config);
  check_port_free(sitoo_spec->port, sitoo_spec->connection + "'s base_url", o.config);
  for (const auto& s : specs) check_port_free(s.port, s.connection + "'s url", o.config);
  fs::path work = fresh_demo_store(*cfg, o.workdir);

  std::vector<std::unique_ptr<Child>> processes;  // before the hub: it stops first
  std::vector<std::unique_ptr<Shop>> clients;
  auto reg = registry_for(&*cfg);
  auto store = open_store(*cfg, store::OpenMode::Owner);
  if (!store) return kStore;
  hub::Hub h(*cfg, std::move(store));
  if (int rc = open_hub(h, reg)) return rc;

  std::cout << "starting a simulated Sitoo account and " << specs.size() << " simulated WooCommerce shops\n";
  std::string events = "http://127.0.0.1:" + std::to_string(hub_port) + "/hooks/" + sitoo_spec->connection;
  std::vector<std::string> sitoo_argv = {sim->string(),  "sitoo",     "--port",    std::to_string(sitoo_spec->port),
                                         "--account",   sitoo_spec->account, "--api-id", sitoo_spec->api_id,
                                         "--password",  sitoo_spec->password, "--warehouse",
                                         std::to_string(sitoo_spec->warehouse), "--seed-catalog",
                                         write_catalog(work, sitoo_spec->connection, true, false).string(),
                                         "--events-url", events, "--log-level", "warn"};
  if (!sitoo_spec->events_user.empty()) {
    for (const std::string& a : {std::string("--events-user"), sitoo_spec->events_user, std::string("--events-password"),
                                 sitoo_spec->events_password})
      sitoo_argv.push_back(a);
  }
  auto started = start_sim(sitoo_argv, sitoo_spec->connection, sitoo_spec->port, work / (sitoo_spec->connection + ".log"),
                           o.config);
  std::cout << "  " << sitoo_spec->connection << "  http://127.0.0.1:" << sitoo_spec->port << "/v2/accounts/"
            << sitoo_spec->account << "  (stockrelay-sim pid " << started.process->pid() << ", events to " << events
            << ")\n";
  processes.push_back(std::move(started.process));
  std::vector<Shop*> shops;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& s = specs[i];
    auto shop = start_shop(sim->string(), s, 0, 0, work / (s.connection + ".log"), o.config,
                           write_catalog(work, s.connection, false, i == 0).string());
    std::cout << "  " << s.connection << "  " << s.url << "  (stockrelay-sim pid " << shop.process->pid() << ")"
              << (i == 0 ? " sells the cap as '" + kDashSku + "', with an en dash" : "") << "\n";
    processes.push_back(std::move(shop.process));
    clients.push_back(std::make_unique<Shop>(s.connection, s.url, s.key, s.secret));
    shops.push_back(clients.back().get());
  }
  if (auto st = h.start(); !st) {
    std::cerr << "stockrelay demo: " << st.error().message() << "\n";
    return kFailed;
  }
  SitooFloor floor(*sitoo_spec);
  Run r{h, floor, shops, {}, 0};
  for (Shop* s : shops) r.items[s->name()] = s->catalogue();
  Shop* first = shops.front();
  const std::string sitoo = sitoo_spec->connection;

  std::cout << "\n1. First sync: every shop takes Sitoo's available quantity\n";
  auto t0 = Steady::now();
  bool synced = wait_for(h, [&] {
    for (const auto& p : kCatalogue)
      if (!r.mirrored(p.sku, p.sku == "CAP-1" ? kDashSku : "")) return false;
    return true;
  }, 60);
  r.check(synced, "every shop shows Sitoo's levels (" + ms_since(t0) + ")");
  print_levels(r);

  std::cout << "\n2. A till sale in Sitoo: 2 x TEE-M\n";
  t0 = Steady::now();
  floor.sale("TEE-M", 2);
  bool ok = wait_for(h, [&] { return r.mirrored("TEE-M"); });
  r.check(ok, "both shops show " + std::to_string(floor.available("TEE-M")) + " (Sitoo's event, " + ms_since(t0) + ")");

  std::cout << "\n3. A customer buys 1 x MUG-1 in " << first->name() << "\n";
  t0 = Steady::now();
  bool deliver = false;  // the route delivers after the sync
  for (const auto& route : cfg->routes)
    for (const auto& a : route.actions)
      if (a.command == "create_order" && std::find(a.to.begin(), a.to.end(), sitoo) != a.to.end())
        deliver = deliver || a.options.value("deliver", false);
  auto mug = first->place_order({{r.item(first, "MUG-1"), 1}});
  ok = wait_for(h, [&] {
    auto s = r.sync(first->name(), mug.id, sitoo);
    return s && s->status == store::SyncStatus::Synced && (!deliver || !s->delivery_ref.empty()) && r.mirrored("MUG-1");
  });
  r.check(ok, "order " + mug.number + " is in Sitoo, every shop shows " + std::to_string(floor.available("MUG-1")) +
                  " (" + ms_since(t0) + ")");
  if (auto s = r.sync(first->name(), mug.id, sitoo))
    std::cout << "    sync: " << store::to_string(s->status) << ", Sitoo order " << s->remote_ref
              << (s->delivery_ref.empty() ? "" : ", delivery " + s->delivery_ref) << "\n";
  auto stock = floor.stock("MUG-1");
  std::cout << "    Sitoo MUG-1: in stock " << stock.value("decimaltotal", std::string()) << ", reserved "
            << stock.value("decimalreserved", std::string()) << ", available "
            << stock.value("decimalavailable", std::string()) << "\n";

  std::cout << "\n4. A customer buys 1 x " << kDashSku << " in " << first->name() << " (en dash; Sitoo has CAP-1)\n";
  auto cap = first->place_order({{r.item(first, kDashSku), 1}});
  bool failed = wait_for(h, [&] {
    auto s = r.sync(first->name(), cap.id, sitoo);
    return s && s->status == store::SyncStatus::Failed;
  });
  auto cap_sync = r.sync(first->name(), cap.id, sitoo);
  r.check(failed, "the order did not reach Sitoo: " + (cap_sync ? cap_sync->reason : std::string("(no status)")));
  wait_for(h, [&] {
    for (const auto& n : first->notes(cap.id))
      if (n.find("failed") != std::string::npos) return true;
    return false;
  }, 10);
  for (const auto& n : first->notes(cap.id))
    if (n.starts_with("stockrelay:")) std::cout << "    note on order " << cap.number << ": " << n << "\n";
  for (const auto& [k, v] : first->order_meta(cap.id))
    if (k.starts_with("stockrelay_") && !v.empty()) std::cout << "    order meta: " << k << " = " << v << "\n";

  std::cout << "\n5. The merchant fixes the SKU in " << first->name() << " and pushes the order again "
            << "(as `stockrelay orders retry " << cap.id << "` does)\n";
  first->set_sku(*r.item(first, kDashSku), "CAP-1");
  // The shop's product webhook tells the hub the new spelling.
  wait_for(h, [&] {
    std::lock_guard lock(h.store_mutex());
    for (const auto& p : h.store().products(first->name()))
      if (p.sku == "CAP-1") return true;
    return false;
  }, 20);
  r.items[first->name()] = first->catalogue();
  std::size_t queued = h.retry_failed_orders(first->name(), std::to_string(cap.id));
  ok = queued == 1 && wait_for(h, [&] {
         auto s = r.sync(first->name(), cap.id, sitoo);
         return s && s->status == store::SyncStatus::Synced && r.mirrored("CAP-1");
       });
  r.check(ok, "order " + cap.number + " is in Sitoo now, once; every shop shows CAP-1 " +
                  std::to_string(floor.available("CAP-1")));

  std::cout << "\n6. The merchant types 50 for TEE-S in " << shops.back()->name() << ": not sent to Sitoo\n";
  int before = floor.available("TEE-S");
  shops.back()->set_stock(*r.item(shops.back(), "TEE-S"), 50);
  h.poll_all(false);
  ok = wait_for(h, [&] { return r.mirrored("TEE-S"); });
  r.check(ok, "Sitoo still has " + std::to_string(floor.available("TEE-S")) + " and every shop shows it again");
  r.check(floor.available("TEE-S") == before, "Sitoo's TEE-S did not move");

  std::cout << "\n7. Checking: every shop shows Sitoo's available for every SKU; every web order once in Sitoo\n";
  h.poll_all(false);
  h.wait_quiet(10000);
  bool all = true;
  for (const auto& p : kCatalogue) all = r.mirrored(p.sku) && all;
  r.check(all, "every shop shows Sitoo's available quantity");
  for (const auto& order : {mug, cap})
    r.check(floor.orders_with(first->name() + "-" + std::to_string(order.id)) == 1,
            "order " + order.number + " exists exactly once in Sitoo");
  print_levels(r);
  h.stop();
  for (auto& p : processes) p->stop();
  if (r.failures == 0) std::cout << "\nthe sitoo scenario passed; the hub's store: " << cfg->store.path << "\n";
  else std::cout << "\n" << r.failures << " checks FAILED; the hub's store, with its event log: " << cfg->store.path << "\n";
  return r.failures == 0 ? kOk : kFailed;
}

}  // namespace stockrelay::cli::demo
