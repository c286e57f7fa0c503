// `stockrelay demo --scenario peakwms`: a PeakWMS warehouse as the master of
// stock for the configuration's WooCommerce shops, acted out step by step
// against simulators (stockrelay-sim peakwms and woocommerce): every shop
// product uploaded and linked (one product integration per product per
// shop), goods received reaching every linked shop, a copied product that
// kept its original's product number reported as a conflict, a product set
// to draft in one shop losing its link there only and showing in the
// inactive-with-stock report, a product integration deleted in PeakWMS by
// mistake and linked again by fetching the product anew, and a web order
// reserving in PeakWMS. Each step checks what it shows.
#include "cli/demo_peakwms.hpp"

#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>
#include <stockrelay/text.hpp>

#include "cli/cli.hpp"
#include "cli/demo_setup.hpp"
#include "cli/demo_shop.hpp"
#include "cli/links_report.hpp"
#include "http/client.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli::demo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

// The PeakWMS connection of the configuration, as the simulator must play it.
struct WmsSpec {
  std::string connection;
  int port = 0;
  std::vector<std::pair<std::string, std::string>> keys;  // shop connection -> API key, in the settings' order
};

std::optional<WmsSpec> peakwms_of(const config::Config& cfg) {
  for (const auto& c : cfg.connections) {
    if (!c.enabled || (c.plugin != "peakwms" && !c.plugin.ends_with("libpeakwms.so"))) continue;
    WmsSpec s;
    s.connection = c.name;
    std::string base = text_setting(c, "base_url");
    const std::string prefix = "http://127.0.0.1:";
    auto api = base.find("/api/integration/v1");
    if (!base.starts_with(prefix) || api == std::string::npos)
      throw std::runtime_error(c.loc.str() + ": connection '" + c.name + "': base_url '" + base +
                               "' is not one the demo can play (use http://127.0.0.1:PORT/api/integration/v1)");
    s.port = std::stoi(base.substr(prefix.size(), api - prefix.size()));
    auto shops = c.settings.find("shops");
    if (shops == c.settings.end() || !shops->is_object())
      throw std::runtime_error(c.loc.str() + ": connection '" + c.name + "' has no settings.shops");
    for (auto it = shops->begin(); it != shops->end(); ++it)
      if (it->is_object() && it->contains("api_key") && (*it)["api_key"].is_string())
        s.keys.emplace_back(it.key(), (*it)["api_key"].get<std::string>());
    return s;
  }
  return std::nullopt;
}

// The demo's look at the simulated warehouse: its /__sim endpoints act as
// the warehouse floor; the API (with a shop's key) as a PeakWMS user would.
class WmsFloor {
 public:
  explicit WmsFloor(const WmsSpec& s) : url_("http://127.0.0.1:" + std::to_string(s.port)), spec_(s) {
    http::Limits l;
    l.max_retries = 1;
    client_ = std::make_unique<http::Client>("demo peakwms", l);
  }
  void receive(const std::string& id, int quantity) {
    json body{{"action", "receive"}, {"id", std::stoll(id)}, {"quantity", quantity}};
    call("POST", "/__sim/stock", &body);
  }
  int available(const std::string& id) {
    return call("GET", "/__sim/stock?id=" + id, nullptr).value("availableToSell", 0);
  }
  int reserved(const std::string& id) { return call("GET", "/__sim/stock?id=" + id, nullptr).value("reserved", 0); }
  std::int64_t products_created() { return call("GET", "/__sim/counters", nullptr).value("products_created", 0); }
  // Product-integration rows of that shop for a shop product id.
  std::size_t integrations(const std::string& shop, const std::string& shop_product_id) {
    std::int64_t integration = 0;
    for (const auto& i : call("GET", "/__sim/integrations", nullptr))
      if (i.value("apiKey", std::string()) == key_of(shop)) integration = i.value("id", 0);
    auto rows = call("GET", "/api/integration/v1/productIntegration?shopProductId=" + sr::percent_encode(shop_product_id) +
                                "&integrationId=" + std::to_string(integration),
                     nullptr, shop);
    return rows.is_array() ? rows.size() : 0;
  }
  // A PeakWMS user deletes `shop`'s product integration of a product.
  void delete_integration(const std::string& shop, const std::string& id) {
    call("DELETE", "/api/integration/v1/product/" + id, nullptr, shop);
  }

 private:
  std::string key_of(const std::string& shop) const {
    for (const auto& [s, k] : spec_.keys)
      if (s == shop) return k;
    throw std::runtime_error("peakwms: no API key for " + shop);
  }
  json call(const std::string& method, const std::string& path, const json* body, const std::string& shop = {}) {
    http::Request req;
    req.method = method;
    req.url = url_ + path;
    req.timeout_ms = 15000;
    if (!shop.empty()) req.headers.push_back({"Authorization", "Bearer " + key_of(shop)});
    if (body) {
      req.headers.push_back({"Content-Type", "application/json"});
      req.body = body->dump();
    }
    auto r = client_->send(req);
    if (!r.error.empty() || r.status < 200 || r.status > 299)
      throw std::runtime_error("peakwms: " + method + " " + path + ": " +
                               (r.error.empty() ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : r.error));
    return json::parse(r.body);
  }
  std::string url_;
  WmsSpec spec_;
  std::unique_ptr<http::Client> client_;
};

struct Product {
  std::string sku;
  std::string name;
  std::string number;  // the shops' product number (meta _product_no)
  int received;        // goods received in step 2
};
const std::vector<Product> kCatalogue = {{"TEE-S", "T-shirt S", "2001", 12},
                                         {"TEE-M", "T-shirt M", "2002", 9},
                                         {"MUG-1", "Mug", "2003", 6},
                                         {"CAP-1", "Cap", "2004", 4}};
const char* const kNumberMeta = "_product_no";

fs::path write_catalog(const fs::path& dir, const std::string& name) {
  json items = json::array();
  for (const auto& p : kCatalogue)
    items.push_back({{"sku", p.sku}, {"name", p.name}, {"stock", 1}, {"meta", {{kNumberMeta, p.number}}}});
  fs::path f = dir / (name + "-catalog.json");
  std::ofstream(f) << items.dump(2);
  return f;
}

struct Run {
  hub::Hub& hub;
  WmsFloor& wms;
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
  std::optional<store::Link> link(const std::string& shop, const std::string& sku) {
    std::lock_guard lock(hub.store_mutex());
    for (auto& l : hub.store().links(shop))
      if (l.sku == sku) return l;
    return std::nullopt;
  }
  bool linked(const std::string& shop, const std::string& sku) {
    auto l = link(shop, sku);
    return l && l->state == "linked";
  }
  std::string wms_id(const std::string& sku) {
    for (Shop* s : shops)
      if (auto l = link(s->name(), sku); l && !l->via_ref.empty()) return l->via_ref;
    return {};
  }
  // Every shop where `sku` is linked shows PeakWMS's available to sell.
  bool mirrored(const std::string& sku) {
    std::string id = wms_id(sku);
    if (id.empty()) return false;
    int want = wms.available(id);
    for (Shop* s : shops) {
      if (!linked(s->name(), sku)) continue;
      const Item* i = item(s, sku);
      if (!i || s->stock(*i) != want) return false;
    }
    return true;
  }
};

std::string cell(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

void print_links(Run& r, const std::vector<std::string>& skus) {
  std::cout << "    " << cell("SKU", 12) << cell("PeakWMS id", 11) << cell("available", 10);
  for (Shop* s : r.shops) std::cout << cell(s->name() + " link", 16) << cell(s->name(), 8);
  std::cout << "\n";
  for (const auto& sku : skus) {
    std::string id = r.wms_id(sku);
    std::cout << "    " << cell(sku, 12) << cell(id.empty() ? "-" : id, 11)
              << cell(id.empty() ? "-" : std::to_string(r.wms.available(id)), 10);
    for (Shop* s : r.shops) {
      auto l = r.link(s->name(), sku);
      const Item* i = r.item(s, sku);
      auto q = i ? s->stock(*i) : std::nullopt;
      std::cout << cell(l ? (l->state.empty() ? "observed" : l->state) : "-", 16) << cell(q ? std::to_string(*q) : "-", 8);
    }
    std::cout << "\n";
  }
}

}  // namespace

int run_peakwms_scenario(const PeakwmsScenario& o) {
  auto sim = find_sim();
  if (!sim) return kFailed;
  auto cfg = load_config(o.config);
  if (!cfg) return kConfig;
  auto specs = woo_shops(*cfg);
  auto wms_spec = peakwms_of(*cfg);
  if (specs.size() < 2 || !wms_spec) {
    std::cerr << "stockrelay demo: the peakwms scenario needs a PeakWMS connection and two WooCommerce "
                 "connections in " << o.config << " (examples/peakwms.yaml has them)\n";
    return kConfig;
  }
  int hub_port = listen_port(cfg->server.listen);
  if (!cfg->server.enabled || hub_port <= 0) {
    std::cerr << "stockrelay demo: the peakwms scenario needs server.listen with a fixed port (webhooks go there)\n";
    return kConfig;
  }
  check_port_free(hub_port, "server.listen, where the hub takes webhooks", o.config);
  check_port_free(wms_spec->port, wms_spec->connection + "'s base_url", o.config);
  for (const auto& s : specs) check_port_free(s.port, s.connection + "'s url", o.config);
  fs::path work = fresh_demo_store(*cfg, o.workdir);

  std::vector<std::unique_ptr<Child>> processes;  // before the hub: it stops first
  std::vector<std::unique_ptr<Shop>> clients;
  auto reg = registry_for(&*cfg);
  auto store = open_store(*cfg, store::OpenMode::Owner);
  if (!store) return kStore;
  hub::Hub h(*cfg, std::move(store));
  if (int rc = open_hub(h, reg)) return rc;

  std::cout << "starting a simulated PeakWMS warehouse and " << specs.size() << " simulated WooCommerce shops\n";
  std::vector<std::string> argv = {sim->string(), "peakwms", "--port", std::to_string(wms_spec->port),
                                   "--match-by-item-number", "--log-level", "warn"};
  for (const auto& [shop, key] : wms_spec->keys) {
    argv.push_back("--api-key");
    argv.push_back(key);
  }
  auto started = start_sim(argv, wms_spec->connection, wms_spec->port, work / (wms_spec->connection + ".log"), o.config);
  std::cout << "  " << wms_spec->connection << "  http://127.0.0.1:" << wms_spec->port
            << "/api/integration/v1  (stockrelay-sim pid " << started.process->pid() << ", one web-shop integration per shop)\n";
  processes.push_back(std::move(started.process));
  std::vector<Shop*> shops;
  for (const auto& s : specs) {
    auto shop = start_shop(sim->string(), s, 0, 0, work / (s.connection + ".log"), o.config,
                           write_catalog(work, s.connection).string());
    std::cout << "  " << s.connection << "  " << s.url << "  (stockrelay-sim pid " << shop.process->pid() << ")\n";
    processes.push_back(std::move(shop.process));
    clients.push_back(std::make_unique<Shop>(s.connection, s.url, s.key, s.secret));
    shops.push_back(clients.back().get());
  }
  if (auto st = h.start(); !st) {
    std::cerr << "stockrelay demo: " << st.error().message() << "\n";
    return kFailed;
  }
  WmsFloor wms(*wms_spec);
  Run r{h, wms, shops, {}, 0};
  for (Shop* s : shops) r.items[s->name()] = s->catalogue();
  Shop* a = shops[0];
  Shop* b = shops[1];
  std::vector<std::string> skus;
  for (const auto& p : kCatalogue) skus.push_back(p.sku);

  std::cout << "\n1. First fetch: every product of every shop is uploaded to PeakWMS and linked there\n";
  auto t0 = Steady::now();
  bool ok = wait_for(h, [&] {
    for (Shop* s : shops)
      for (const auto& sku : skus)
        if (!r.linked(s->name(), sku)) return false;
    return true;
  }, 60);
  r.check(ok, "one product integration per product per shop (" + ms_since(t0) + ")");
  r.check(wms.products_created() == static_cast<std::int64_t>(kCatalogue.size()),
          "PeakWMS has one product per item, each with " + std::to_string(shops.size()) + " integrations");

  std::cout << "\n2. Goods received in the warehouse reach every linked shop\n";
  t0 = Steady::now();
  for (const auto& p : kCatalogue) wms.receive(r.wms_id(p.sku), p.received);
  ok = wait_for(h, [&] {
    for (const auto& sku : skus)
      if (!r.mirrored(sku)) return false;
    return true;
  });
  r.check(ok, "every shop shows PeakWMS's available to sell (" + ms_since(t0) + ")");
  print_links(r, skus);

  std::cout << "\n3. The merchant of " << a->name() << " copies MUG-1 as MUG-1-BLUE; the copy keeps product number 2003\n";
  auto copy = a->copy_product(*r.item(a, "MUG-1"), "MUG-1-BLUE");
  r.items[a->name()].push_back(copy);
  ok = wait_for(h, [&] {
    auto l = r.link(a->name(), "MUG-1-BLUE");
    return l && l->state == "conflict";
  });
  auto conflict = r.link(a->name(), "MUG-1-BLUE");
  r.check(ok, "MUG-1-BLUE is not linked: " + (conflict ? conflict->reason : std::string("(no link row)")));
  r.check(r.linked(a->name(), "MUG-1"), "MUG-1 keeps its link; `stockrelay links list --connection " + a->name() +
                                             " --conflicts` lists both");
  r.check(wms.products_created() == static_cast<std::int64_t>(kCatalogue.size()), "PeakWMS's MUG-1 was not overwritten");

  std::cout << "\n4. " << b->name() << " sets CAP-1 to draft: its link there ends, " << a->name() << " keeps selling it\n";
  b->set_status(*r.item(b, "CAP-1"), "draft");
  ok = wait_for(h, [&] {
    auto l = r.link(b->name(), "CAP-1");
    return l && l->state == "inactive";
  });
  r.check(ok && r.linked(a->name(), "CAP-1"), "CAP-1 is unlinked in " + b->name() + " only");
  std::string cap = r.wms_id("CAP-1");
  const int b_cap = b->stock(*r.item(b, "CAP-1")).value_or(-1);
  wms.receive(cap, 2);
  ok = wait_for(h, [&] { return r.mirrored("CAP-1"); });
  r.check(ok && b->stock(*r.item(b, "CAP-1")) == b_cap,
          "2 more CAP-1 received: " + a->name() + " shows " + std::to_string(wms.available(cap)) + ", " + b->name() +
              " is not written");
  std::cout << "    stockrelay report inactive-with-stock:\n";
  std::vector<InactiveWithStock> rows;
  {
    std::lock_guard lock(h.store_mutex());
    rows = inactive_with_stock(h.store(), *cfg, "");
  }
  print_inactive_with_stock(rows, std::cout);
  r.check(rows.size() == 1 && rows[0].shop == b->name() && rows[0].product.sku == "CAP-1" &&
              rows[0].quantity == sr::Quantity::units(wms.available(cap)),
          "the report lists exactly CAP-1 in " + b->name() + " with PeakWMS's stock");

  std::cout << "\n5. A PeakWMS user deletes " << a->name() << "'s product integration of TEE-M by mistake; the merchant "
            << "fetches the product again (`stockrelay links refetch --connection " << a->name() << " TEE-M`)\n";
  wms.delete_integration(a->name(), r.wms_id("TEE-M"));
  r.check(wms.integrations(a->name(), "2002") == 0, "PeakWMS has no integration of TEE-M for " + a->name() + " now");
  t0 = Steady::now();
  h.refetch_product(a->name(), sr::FetchProduct{"TEE-M", {}, {}});
  ok = wait_for(h, [&] { return r.linked(a->name(), "TEE-M") && wms.integrations(a->name(), "2002") == 1; });
  r.check(ok, "TEE-M is linked again in " + a->name() + " (" + ms_since(t0) + ")");

  std::cout << "\n6. A customer buys 2 x TEE-S in " << a->name() << ": a PeakWMS sales order reserves them\n";
  t0 = Steady::now();
  std::string tee = r.wms_id("TEE-S");
  a->place_order({{r.item(a, "TEE-S"), 2}});
  ok = wait_for(h, [&] { return wms.reserved(tee) == 2 && r.mirrored("TEE-S"); });
  r.check(ok, "reserved 2 in PeakWMS; every shop shows " + std::to_string(wms.available(tee)) + " (" + ms_since(t0) + ")");

  std::cout << "\n7. Checking: every linked shop shows PeakWMS's available to sell\n";
  h.poll_all(false);
  h.wait_quiet(10000);
  bool all = true;
  for (const auto& sku : skus) all = r.mirrored(sku) && all;
  r.check(all, "every linked product in every shop shows PeakWMS's level");
  skus.push_back("MUG-1-BLUE");
  print_links(r, skus);
  h.stop();
  for (auto& p : processes) p->stop();
  if (r.failures == 0) std::cout << "\nthe peakwms scenario passed; the hub's store: " << cfg->store.path << "\n";
  else std::cout << "\n" << r.failures << " checks FAILED; the hub's store, with its event log: " << cfg->store.path << "\n";
  return r.failures == 0 ? kOk : kFailed;
}

}  // namespace stockrelay::cli::demo
