// Polling: orders, then products (incrementally from modification-time
// cursors, or the whole catalogue for a reconcile), with their variations.
//
// Lists are read with orderby=id&order=asc: a record modified while we page
// keeps its place (ordering by modification time would move it to the end
// and shift an unread record onto a page already read). A record modified
// after its page was read is caught next time: the cursor never passes the
// store's clock at the start of the poll (its Date header), and each poll
// re-reads kOverlapSeconds before the cursor.
#include <algorithm>

#include "woo_connector.hpp"

namespace woo {
namespace {

// The newest modification time that is safe to store as a cursor.
std::string cursor_value(const std::string& newest, const std::string& server_date) {
  std::string to = newest;
  if (auto server = parse_http_date(server_date)) {
    std::string cap = format_gmt(*server - 1);
    if (to > cap) to = cap;
  }
  return to;
}

}  // namespace

void WooConnector::poll_orders() {
  Params q{{"orderby", "id"}, {"order", "asc"}};
  std::string after;
  if (auto from = cursor(kOrdersCursor)) after = format_gmt(*from - kOverlapSeconds);
  else after = settings_.orders_since;
  if (!after.empty()) {
    q.emplace_back("modified_after", after);
    q.emplace_back("dates_are_gmt", "true");
  }
  Emitter emitter(host());
  std::string newest;
  std::size_t count = 0;
  // Every page was read after this: a lower bound of when its copies were
  // made, so a copy is never taken for newer than it is.
  const std::int64_t read_at = host().now_ms();
  const std::string read_tag = ":read" + std::to_string(read_at);
  std::string date = api_.pages("/orders", q, [&](const sr::HttpResponse& r) {
    std::vector<OrderRecord> orders;
    std::string error;
    if (!parser_.orders(r.body, orders, error)) throw sr::retryable_error(api_.where() + ": GET /orders: " + error);
    for (const auto& o : orders) {
      emitter.add(order_to_event(o, read_at, read_tag));
      newest = std::max(newest, o.date_modified_gmt);
    }
    count += orders.size();
    return orders.size();
  });
  emitter.flush();
  host().debug(api_.where() + ": " + std::to_string(count) + " order(s) modified after " +
               (after.empty() ? std::string("the beginning") : after));
  // Only now: the host journalled the events before emit() returned.
  save_catalog();
  if (!newest.empty()) advance_cursor(kOrdersCursor, cursor_value(newest, date));
}

void WooConnector::poll_products(bool everything) {
  const std::int64_t read_at = host().now_ms();
  Params q{{"orderby", "id"}, {"order", "asc"}};
  bool whole = everything;  // the whole catalogue is read (a reconcile, or no cursor yet)
  if (!everything) {
    if (auto from = cursor(kProductsCursor)) {
      q.emplace_back("modified_after", format_gmt(*from - kOverlapSeconds));
      q.emplace_back("dates_are_gmt", "true");
    } else {
      whole = true;
    }
  }
  // Page by page: each product with its variations goes through the pass as
  // it is read; only the levels wait for the end of the read (duplicates).
  Emitter emitter(host());
  PassReport report;
  ProductPass pass(catalog_, report, [&](sr::Event e) { emitter.add(std::move(e)); }, ":read" + std::to_string(read_at),
                   read_at, everything);
  std::string newest;
  std::size_t read = 0;
  std::string date = api_.pages("/products", q, [&](const sr::HttpResponse& r) {
    std::vector<Product> page;
    std::string error;
    if (!parser_.products(r.body, page, error)) throw sr::retryable_error(api_.where() + ": GET /products: " + error);
    // A variation's parent: its own product, or (should the list ever show
    // a variation) a product of the same page.
    auto on_page = [&](std::int64_t id) -> const Product* {
      for (const auto& p : page)
        if (p.id == id && !p.is_variation()) return &p;
      return nullptr;
    };
    std::vector<Product> group;
    for (std::size_t i = 0; i < page.size(); ++i) {
      const Product& p = page[i];
      newest = std::max(newest, p.date_modified_gmt);
      // Products without variations go through a page at a time.
      std::size_t j = i;
      while (j < page.size() && !page[j].is_variable()) ++j;
      if (j > i) {
        group.assign(page.begin() + static_cast<std::ptrdiff_t>(i), page.begin() + static_cast<std::ptrdiff_t>(j));
        for (const auto& g : group) newest = std::max(newest, g.date_modified_gmt);
        pass.add(group, on_page);
        read += group.size();
        i = j - 1;
        continue;
      }
      group.clear();
      group.push_back(p);
      auto vars = read_variations(p);
      group.insert(group.end(), std::make_move_iterator(vars.begin()), std::make_move_iterator(vars.end()));
      const Product& parent = group.front();
      pass.add(group, [&](std::int64_t id) -> const Product* { return id == parent.id ? &parent : on_page(id); });
      read += group.size();
    }
    return page.size();
  });
  pass.finish();
  emitter.flush();
  if (!whole) {
    // The standing lists (no stock tracking, no SKU, stock from the parent)
    // are said when the whole catalogue is read; every poll repeating them
    // would bury what changed. Duplicates are said each time: they block sync.
    report.unmanaged.clear();
    report.without_sku.clear();
    report.parent_managed.clear();
  }
  report.log(host(), api_.where() + (everything ? " (reconcile)" : ""));
  host().debug(api_.where() + ": " + std::to_string(read) + " product(s)/variation(s) read, " +
               std::to_string(report.levels) + " level(s) emitted");
  save_catalog();
  // A reconcile read everything, so it may move the cursor too (forward only).
  if (!newest.empty()) advance_cursor(kProductsCursor, cursor_value(newest, date));
}

std::vector<Product> WooConnector::read_variations(const Product& parent) {
  std::vector<Product> out;
  std::string path = "/products/" + std::to_string(parent.id) + "/variations";
  api_.pages(path, {{"orderby", "id"}, {"order", "asc"}}, [&](const sr::HttpResponse& r) {
    std::vector<Product> page;
    std::string error;
    if (!parser_.products(r.body, page, error)) throw sr::retryable_error(api_.where() + ": GET " + path + ": " + error);
    for (auto& v : page) {
      v.type = "variation";  // the variations endpoint shows neither type nor parent_id
      v.parent_id = parent.id;
      out.push_back(std::move(v));
    }
    return page.size();
  });
  return out;
}

std::optional<Product> WooConnector::fetch_product(const std::string& path) {
  sr::HttpResponse r = api_.call("GET", path);
  if (r.status == 404 || r.status == 400 || r.status == 410) return std::nullopt;  // gone
  if (!r.ok()) throw std::runtime_error(api_.where() + ": GET " + path + " answered " + api_.error_text(r));
  Product p;
  std::string error;
  if (!parser_.product(r.body, p, error)) throw sr::retryable_error(api_.where() + ": GET " + path + ": " + error);
  return p;
}

std::string WooConnector::line_sku(const OrderLineRecord& l) {
  if (l.variation_id <= 0) return l.sku;
  auto e = catalog_.find(l.variation_id);
  if (!e) {
    learn_variation(l.product_id, l.variation_id, l.sku);
    e = catalog_.find(l.variation_id);
  }
  return e && !e->holder.empty() ? e->holder : l.sku;
}

void WooConnector::learn_variation(std::int64_t parent_id, std::int64_t variation_id, const std::string& sku) {
  CatalogEntry entry;
  entry.sku = sku;
  entry.parent = parent_id;
  if (parent_id > 0) {
    auto parent = fetch_product("/products/" + std::to_string(parent_id));
    // Only a parent that manages stock can hold its variations' stock.
    if (parent && parent->manage_stock) {
      auto v = fetch_product("/products/" + std::to_string(parent_id) + "/variations/" + std::to_string(variation_id));
      if (v) {
        v->type = "variation";
        v->parent_id = parent_id;
        entry.sku = v->sku;
        if (parent_managed(*v, &*parent) && !parent->sku.empty()) {
          entry.holder = parent->sku;
          host().info(api_.where() + ": variation " + std::to_string(variation_id) + " (SKU " + v->sku +
                      ") takes its stock from product " + std::to_string(parent_id) + " (SKU " + parent->sku +
                      "); its order lines count on " + parent->sku);
        }
      }
    }
  }
  catalog_.put(variation_id, entry);
}

}  // namespace woo

namespace woo {

sr::CommandResult WooConnector::refetch(const sr::Command& c) {
  const auto& f = std::get<sr::FetchProduct>(c.body);
  sr::CommandResult r;
  r.id = c.id;
  std::optional<Product> found;
  std::string what;
  try {
    if (!f.remote_id.empty()) {
      what = "product " + f.remote_id + (f.remote_variation_id.empty() ? "" : " variation " + f.remote_variation_id);
      std::string path = "/products/" + f.remote_id;
      if (!f.remote_variation_id.empty()) path += "/variations/" + f.remote_variation_id;
      found = fetch_product(path);
      if (found && !f.remote_variation_id.empty()) {
        found->type = "variation";  // the variations endpoint shows neither type nor parent_id
        found->parent_id = std::strtoll(f.remote_id.c_str(), nullptr, 10);
      }
    } else {
      what = "product with SKU '" + f.sku + "'";
      sr::HttpResponse resp = api_.call("GET", "/products", {{"sku", f.sku}, {"status", "any"}});
      if (!resp.ok()) throw std::runtime_error(api_.where() + ": GET /products?sku= answered " + api_.error_text(resp));
      std::vector<Product> list;
      std::string error;
      if (!parser_.products(resp.body, list, error)) throw sr::retryable_error(api_.where() + ": GET /products: " + error);
      std::vector<Product> exact;
      for (auto& p : list)
        if (p.sku == f.sku) exact.push_back(std::move(p));
      if (exact.size() > 1) {
        r.outcome = sr::Outcome::Failed;
        r.message = "SKU '" + f.sku + "' is on " + std::to_string(exact.size()) + " products in " + api_.where() +
                    "; give each its own SKU first";
        return r;
      }
      if (!exact.empty()) found = std::move(exact.front());
    }
  } catch (const sr::retryable_error& e) {
    r.outcome = sr::Outcome::Retry;
    r.message = e.what();
    return r;
  } catch (const sr::stopped_error&) {
    throw;
  } catch (const std::exception& e) {
    r.outcome = sr::Outcome::Failed;
    r.message = e.what();
    return r;
  }
  if (!found || found->sku.empty()) {
    r.outcome = sr::Outcome::Failed;
    r.message = found ? "the " + what + " has no SKU in " + api_.where()
                      : "there is no " + what + " in " + api_.where() + " (deleted?)";
    return r;
  }
  sr::ProductChange pc = product_change(*found, found->manage_stock && !found->manage_parent);
  pc.key += ":fetch:" + c.id;  // emitted also when nothing changed
  host().emit({pc});
  r.message = "the product is " + (pc.active ? std::string("active") : found->status) + " in " + api_.where();
  return r;
}

}  // namespace woo
