// `stockrelay links list|refetch` and `stockrelay report inactive-with-stock`:
// the product integrations (links) per shop, fetching a product again to
// link it anew, and the products a shop no longer sells while the pool's
// master still holds stock of them.
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "cli/cli.hpp"
#include "cli/links_report.hpp"
#include "engine/processor.hpp"
#include "engine/rules.hpp"
#include "engine/sku_audit.hpp"

namespace stockrelay::cli {
namespace {

std::string product_ref(const std::string& id, const std::string& variation) {
  if (id.empty()) return "-";
  return variation.empty() ? id : id + "/" + variation;
}

bool known_connection(const config::Config& cfg, const std::string& name) {
  for (const auto& c : cfg.connections)
    if (c.name == name) return true;
  std::cerr << "error: no connection '" << name << "' in the configuration\n";
  return false;
}

// One line of `links list`: a product of the shop, or a link row no
// product stands behind (a SKU the master has and the shop does not).
struct LinkRow {
  std::string sku, product, state, via, via_ref, reason;
};

std::vector<LinkRow> link_rows(store::Store& st, const std::string& connection) {
  std::map<std::string, store::Link> links;
  for (auto& l : st.links(connection)) links.emplace(l.sku, std::move(l));
  std::map<std::string, int> per_sku;
  auto products = st.products(connection);
  for (const auto& p : products)
    if (p.active && !p.sku.empty()) ++per_sku[p.sku];
  std::vector<LinkRow> rows;
  std::set<std::string> shown;
  for (const auto& p : products) {
    if (p.sku.empty()) continue;
    LinkRow r{p.sku, product_ref(p.remote_id, p.remote_variation_id), "missing", "", "", ""};
    auto it = links.find(p.sku);
    const bool mine = it != links.end() && (it->second.remote_id.empty() || (it->second.remote_id == p.remote_id &&
                                                                             it->second.remote_variation_id == p.remote_variation_id));
    if (mine) {
      const auto& l = it->second;
      r.state = l.state.empty() ? (l.active ? "observed" : "inactive") : l.state;
      r.via = l.via;
      r.via_ref = l.via_ref;
      r.reason = l.reason;
      shown.insert(p.sku);
    } else if (!p.active) {
      r.state = "inactive";
      r.reason = "the product is " + (p.status.empty() ? std::string("inactive") : p.status) + " in " + connection;
    } else if (per_sku[p.sku] > 1) {
      r.state = "conflict";
      r.reason = "SKU is on " + std::to_string(per_sku[p.sku]) + " products in " + connection;
    } else {
      r.reason = it == links.end() ? "not uploaded yet" : "the SKU's link is product " +
                                                             product_ref(it->second.remote_id, it->second.remote_variation_id);
    }
    rows.push_back(std::move(r));
  }
  for (const auto& [sku, l] : links) {
    if (shown.count(sku)) continue;
    bool has_product = false;
    for (const auto& p : products) has_product = has_product || p.sku == sku;
    if (has_product) continue;
    rows.push_back({sku, product_ref(l.remote_id, l.remote_variation_id), l.state.empty() ? "observed" : l.state, l.via,
                    l.via_ref, l.reason});
  }
  return rows;
}

// Products of `connection` that conflict: one SKU on several active
// products, or one shop product id on several (a copied product).
void print_conflicts(store::Store& st, const std::string& connection) {
  std::map<std::string, std::vector<store::Product>> by_sku, by_shop_id;
  for (const auto& p : st.products(connection)) {
    if (!p.active) continue;
    if (!p.sku.empty()) by_sku[p.sku].push_back(p);
    if (!p.shop_product_id.empty()) by_shop_id[product_ref(p.shop_product_id, p.remote_variation_id)].push_back(p);
  }
  std::map<std::string, store::Link> links;
  for (auto& l : st.links(connection)) links.emplace(l.sku, std::move(l));
  auto linked = [&](const store::Product& p) {
    auto it = links.find(p.sku);
    return it != links.end() && it->second.state == "linked" && it->second.remote_id == p.remote_id &&
           it->second.remote_variation_id == p.remote_variation_id;
  };
  std::size_t n = 0;
  std::cout << pad("CONFLICT", 18) << pad("KEY", 18) << "PRODUCTS (id SKU; * = the one linked)\n";
  auto print = [&](const char* kind, const std::string& key, const std::vector<store::Product>& ps) {
    std::string list;
    for (const auto& p : ps)
      list += (list.empty() ? "" : ", ") + product_ref(p.remote_id, p.remote_variation_id) + " '" +
              engine::visible_sku(p.sku) + "'" + (linked(p) ? "*" : "");
    std::cout << pad(kind, 18) << pad(key, 18) << list << "\n";
    ++n;
  };
  for (const auto& [sku, ps] : by_sku)
    if (ps.size() > 1) print("duplicate SKU", engine::visible_sku(sku), ps);
  for (const auto& [id, ps] : by_shop_id)
    if (ps.size() > 1) print("copied product", id, ps);
  if (n == 0) std::cout << "(no conflicts in " << connection << ")\n";
}

int links_list(const std::vector<std::string>& args) {
  std::string config_path, connection;
  bool missing = false, conflicts = false;
  po::options_description o("links list options");
  o.add_options()("config,c", po::value(&config_path)->default_value("stockrelay.yaml"), "configuration file")(
      "connection", po::value(&connection), "the shop whose product integrations to list (required)")(
      "missing", po::bool_switch(&missing), "only products without a link, with the reason")(
      "conflicts", po::bool_switch(&conflicts), "only conflicts: a SKU on two products, a copied product's shop id");
  po::variables_map vm;
  if (auto rc = parse("stockrelay links list --connection SHOP [--missing | --conflicts] [--config FILE]", o, args, vm))
    return *rc;
  if (connection.empty() || (missing && conflicts)) {
    std::cerr << "stockrelay links list: give --connection SHOP, and at most one of --missing and --conflicts\n";
    return kUsage;
  }
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  if (!known_connection(*cfg, connection)) return kUsage;
  auto store = open_store(*cfg, store::OpenMode::ReadOnly);
  if (!store) return kStore;
  if (conflicts) {
    print_conflicts(*store, connection);
    return kOk;
  }
  auto rows = link_rows(*store, connection);
  std::size_t linked = 0, shown = 0;
  std::cout << pad("SKU", 16) << pad("PRODUCT", 12) << pad("STATE", 10) << pad("VIA", 12) << pad("REMOTE ID", 10)
            << "REASON\n";
  for (const auto& r : rows) {
    if (r.state == "linked") ++linked;
    if (missing && (r.state == "linked" || r.state == "observed")) continue;
    ++shown;
    std::cout << pad(engine::visible_sku(r.sku), 16) << pad(r.product, 12) << pad(r.state, 10)
              << pad(r.via.empty() ? "-" : r.via, 12) << pad(r.via_ref.empty() ? "-" : r.via_ref, 10) << r.reason
              << "\n";
  }
  if (shown == 0) std::cout << (missing ? "(every product of " + connection + " is linked)\n" : "(no products)\n");
  std::cout << linked << " of " << rows.size() << " linked in " << connection << "\n";
  return kOk;
}

// The link of `sku` in `connection`, as committed now.
std::optional<store::Link> link_of(store::Store& st, const std::string& connection, const std::string& sku) {
  for (auto& l : st.links(connection))
    if (l.sku == sku) return l;
  return std::nullopt;
}

std::string sku_of_product(store::Store& st, const std::string& connection, const std::string& id,
                           const std::string& variation) {
  for (const auto& p : st.products(connection))
    if (p.remote_id == id && p.remote_variation_id == variation) return p.sku;
  return {};
}

int links_refetch(const std::vector<std::string>& args) {
  std::string config_path, connection, sku, product_id, variation_id;
  int wait_seconds = 30;
  po::options_description o("links refetch options");
  o.add_options()("config,c", po::value(&config_path)->default_value("stockrelay.yaml"), "configuration file")(
      "connection", po::value(&connection), "the shop to fetch the product from (required)")(
      "sku", po::value(&sku), "the product's SKU")("product-id", po::value(&product_id), "or the shop's product id")(
      "variation-id", po::value(&variation_id), "with --product-id: the variation's id")(
      "wait", po::value(&wait_seconds)->default_value(30), "seconds to wait for the running hub's answer");
  po::positional_options_description pos;
  pos.add("sku", 1);
  po::variables_map vm;
  if (auto rc = parse("stockrelay links refetch --connection SHOP SKU | --product-id ID [--variation-id V] [--wait S]",
                      o, args, vm, &pos))
    return *rc;
  if (connection.empty() || sku.empty() == product_id.empty()) {
    std::cerr << "stockrelay links refetch: give --connection SHOP and either a SKU or --product-id ID\n";
    return kUsage;
  }
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  if (!known_connection(*cfg, connection)) return kUsage;
  auto routes = engine::Routes::compile(cfg->routes);
  if (!routes) {
    std::cerr << "error: " << routes.error().message() << "\n";
    return kConfig;
  }
  // Beside a running hub: a short write; the hub sends the fetch on its next tick.
  auto store = open_store(*cfg, store::OpenMode::Operator);
  if (!store) return kStore;
  engine::Processor proc(*cfg, *routes, engine::ConnectionFacts{[](const std::string&, const std::string&) { return false; }});
  const auto now = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const store::Millis asked = now();
  {
    auto tx = store->begin();
    engine::StepEffects fx;
    proc.refetch_product(*tx, connection, sr::FetchProduct{sku, product_id, variation_id}, asked, fx);
    tx->commit();
  }
  const std::string what = sku.empty() ? "product " + product_ref(product_id, variation_id) : "SKU '" + sku + "'";
  std::cout << "asked " << connection << " for " << what << " again\n" << std::flush;
  // Wait until the link settles: linked, or the reason it is not.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::max(0, wait_seconds));
  for (;;) {
    std::string s = sku.empty() ? sku_of_product(*store, connection, product_id, variation_id) : sku;
    if (!s.empty()) {
      auto l = link_of(*store, connection, s);
      if (l && l->updated_at >= asked && l->state != "refetch" && l->state != "pending") {
        if (l->state == "linked") {
          std::cout << "SKU '" << engine::visible_sku(s) << "' (product " << product_ref(l->remote_id, l->remote_variation_id)
                    << ") in " << connection << " is linked: product integration in " << l->via
                    << (l->via_ref.empty() ? "" : " (id " + l->via_ref + ")") << "\n";
          return kOk;
        }
        std::cout << "SKU '" << engine::visible_sku(s) << "' in " << connection << " is not linked (" << l->state
                  << "): " << l->reason << "\n";
        if (l->state == "inactive")
          std::cout << "activate the product in " << connection
                    << " (the warehouse cannot do that), then run this command again\n";
        return kFailed;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::cerr << "no answer within " << wait_seconds << " s: is the hub running (stockrelay run)? The fetch stays queued "
            << "and `stockrelay links list --connection " << connection << "` shows the outcome\n";
  return kFailed;
}

int report_inactive(const std::vector<std::string>& args) {
  std::string config_path, connection;
  bool csv = false;
  po::options_description o("report inactive-with-stock options");
  o.add_options()("config,c", po::value(&config_path)->default_value("stockrelay.yaml"), "configuration file")(
      "connection", po::value(&connection), "only this shop")("csv", po::bool_switch(&csv), "CSV instead of a table");
  po::variables_map vm;
  if (auto rc = parse("stockrelay report inactive-with-stock [--connection SHOP] [--csv] [--config FILE]", o, args, vm))
    return *rc;
  auto cfg = load_config(config_path);
  if (!cfg) return kConfig;
  if (!connection.empty() && !known_connection(*cfg, connection)) return kUsage;
  auto store = open_store(*cfg, store::OpenMode::ReadOnly);
  if (!store) return kStore;
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto rows = inactive_with_stock(*store, *cfg, connection);
  if (csv) {
    std::cout << "shop,sku,product_id,variation_id,status,master,quantity,master_read_at\n";
    for (const auto& r : rows)
      std::cout << quote(r.shop) << "," << quote(r.product.sku) << "," << quote(r.product.remote_id) << ","
                << quote(r.product.remote_variation_id) << "," << quote(r.status()) << "," << quote(r.master) << ","
                << r.quantity.to_string() << "," << when(r.read_at) << "\n";
    return kOk;
  }
  print_inactive_with_stock(rows, std::cout);
  return kOk;
}

}  // namespace

std::vector<InactiveWithStock> inactive_with_stock(store::Store& st, const config::Config& cfg,
                                                   const std::string& connection) {
  std::vector<InactiveWithStock> out;
  for (const auto& pool : cfg.pools) {
    if (!pool.master) continue;  // the stock a master holds is what this report is about
    std::map<std::string, store::PoolLevel> levels;
    for (auto& l : st.pool_levels(pool.name)) levels.emplace(l.sku, std::move(l));
    for (const auto& member : pool.members) {
      if (member == *pool.master || (!connection.empty() && member != connection)) continue;
      for (auto& p : st.products(member)) {
        if (p.active || p.sku.empty()) continue;
        auto it = levels.find(p.sku);
        if (it == levels.end() || it->second.quantity <= sr::Quantity()) continue;
        out.push_back({member, *pool.master, std::move(p), it->second.quantity, it->second.updated_at});
      }
    }
  }
  return out;
}

void print_inactive_with_stock(const std::vector<InactiveWithStock>& rows, std::ostream& out) {
  out << pad("SHOP", 12) << pad("SKU", 16) << pad("PRODUCT", 12) << pad("STATUS", 9) << pad("MASTER", 12)
      << pad("QUANTITY", 9) << "READ (UTC)\n";
  for (const auto& r : rows)
    out << pad(r.shop, 12) << pad(engine::visible_sku(r.product.sku), 16)
        << pad(product_ref(r.product.remote_id, r.product.remote_variation_id), 12) << pad(r.status(), 9)
        << pad(r.master, 12) << pad(r.quantity.to_string(), 9) << when(r.read_at) << "\n";
  if (rows.empty()) out << "(no inactive product with stock)\n";
}

std::vector<Command> links_commands() {
  return {{"links list", "product integrations per shop (--missing: why not linked, --conflicts)", links_list},
          {"links refetch", "fetch a product from a shop again and link it anew", links_refetch},
          {"report inactive-with-stock", "products inactive in a shop that the pool's master holds stock of",
           report_inactive}};
}

}  // namespace stockrelay::cli
