#include "woo_events.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace woo {
namespace {

// Money from WooCommerce's decimal text, rounded half away from zero to `dp`
// places (line prices can carry more digits than the currency has).
std::optional<sr::Money> money(const std::string& text, const std::string& currency, int dp) {
  if (text.empty() || currency.empty()) return std::nullopt;
  std::string t = text;
  bool neg = !t.empty() && t[0] == '-';
  auto dot = t.find('.');
  bool round_up = false;
  if (dot != std::string::npos && t.size() > dot + 1 + static_cast<std::size_t>(dp)) {
    char next = t[dot + 1 + static_cast<std::size_t>(dp)];
    round_up = next >= '5' && next <= '9';
    t.resize(dot + 1 + static_cast<std::size_t>(dp));
    if (t.back() == '.') t.pop_back();
  }
  auto m = sr::Money::parse(t, currency, dp);
  if (!m) return std::nullopt;
  if (round_up) m->minor += neg ? -1 : 1;
  return m;
}

bool holds_stock(const OrderRecord& o) {
  return std::any_of(o.lines.begin(), o.lines.end(), [](const OrderLineRecord& l) {
    return l.reduced_stock && *l.reduced_stock > sr::Quantity();
  });
}

std::string join_first(const Listed& items) {
  std::string out;
  for (std::size_t i = 0; i < items.first.size(); ++i) out += (i ? ", " : "") + items.first[i];
  if (items.count > items.first.size()) out += ", ...";
  return out;
}

}  // namespace

sr::OrderStock order_stock(const OrderRecord& o) {
  const std::string& s = o.status;
  if (s == "processing" || s == "on-hold" || s == "completed") return sr::OrderStock::Held;
  // A refund does not give stock back; only refunds with restock do, and
  // those lower the lines' _reduced_stock (counted as restocked).
  if (s == "refunded") return sr::OrderStock::Held;
  if (s == "cancelled") return sr::OrderStock::Released;
  // pending, failed, checkout-draft, trash and custom statuses: WooCommerce
  // moves no stock for them itself, so whatever the lines still hold is held.
  if (holds_stock(o)) return sr::OrderStock::Held;
  // Back to pending after being paid: WooCommerce restored the stock.
  if (s == "pending" && !o.date_paid_gmt.empty()) return sr::OrderStock::Released;
  return sr::OrderStock::None;
}

sr::OrderEvent order_event(const OrderRecord& o, const std::function<std::string(const OrderLineRecord&)>& sku_of,
                           std::int64_t read_at, const std::string& read_tag) {
  sr::OrderEvent e;
  e.at = gmt_ms(o.date_modified_gmt);
  e.read_at = read_at;
  sr::Order& order = e.order;
  order.id = std::to_string(o.id);
  order.number = o.number.empty() ? order.id : o.number;
  order.status = o.status;
  order.stock = order_stock(o);
  order.currency = o.currency;
  order.total = money(o.total, o.currency, o.dp);
  order.created_at = gmt_ms(o.date_created_gmt);
  order.customer_name = o.customer_name;
  order.customer_email = o.customer_email;
  sr::Quantity restocked_total;
  for (const auto& l : o.lines) {
    sr::OrderLine line;
    line.id = std::to_string(l.id);
    line.sku = sku_of(l);
    line.quantity = l.quantity;
    // _reduced_stock is what the line holds now; the rest went back by refunds with restock.
    if (order.stock == sr::OrderStock::Held && l.reduced_stock) {
      sr::Quantity back = l.quantity - *l.reduced_stock;
      if (back > sr::Quantity()) line.restocked = std::min(back, l.quantity);
    }
    restocked_total += line.restocked;
    line.name = l.name;
    line.unit_price = money(l.price, o.currency, o.dp);
    if (l.product_id > 0) line.remote_id = std::to_string(l.product_id);
    if (l.variation_id > 0) line.remote_variation_id = std::to_string(l.variation_id);
    order.lines.push_back(std::move(line));
  }
  order.extra = nlohmann::json::object();
  if (!o.payment_method.empty()) order.extra["payment_method"] = o.payment_method;
  if (!o.payment_method_title.empty()) order.extra["payment_method_title"] = o.payment_method_title;
  if (!o.created_via.empty()) order.extra["created_via"] = o.created_via;
  if (!o.date_paid_gmt.empty()) order.extra["date_paid_gmt"] = o.date_paid_gmt;
  // The restock suffix: a refund with restock in the same second as the
  // previous save still makes a new key.
  e.key = "order:" + order.id + ":" + o.date_modified_gmt + ":" + o.status +
          (restocked_total == sr::Quantity() ? "" : ":r" + restocked_total.to_string()) + read_tag;
  return e;
}

bool parent_managed(const Product& v, const Product* parent) {
  if (!v.is_variation()) return false;
  if (v.manage_parent) return true;
  return v.manage_stock && parent && parent->manage_stock && v.stock_quantity && parent->stock_quantity &&
         *v.stock_quantity == *parent->stock_quantity;
}

std::uint32_t product_print(const Product& p, bool managed) {
  // FNV-1a over the fields a ProductChange carries, apart from the quantity.
  std::uint32_t h = 2166136261u;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    h = (h ^ 0xffu) * 16777619u;  // field separator
  };
  mix(p.sku);
  mix(p.name);
  mix(p.status);
  mix(p.type);
  mix(std::to_string(p.parent_id));
  mix(p.manage_stock ? "m" : "-");
  mix(managed ? "s" : "-");
  mix(p.ean);
  mix(p.id_meta);
  return h ? h : 1;
}

ProductPass::ProductPass(Catalog& catalog, PassReport& report, std::function<void(sr::Event)> out, std::string read_tag,
                         std::int64_t read_at, bool full_read)
    : catalog_(catalog), report_(report), out_(std::move(out)), read_tag_(std::move(read_tag)), read_at_(read_at),
      full_read_(full_read) {
  if (full_read_) catalog_.begin_full_read();
}

void ProductPass::add(const std::vector<Product>& items, const std::function<const Product*(std::int64_t)>& parents) {
  std::vector<bool> by_parent(items.size(), false);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Product& p = items[i];
    const Product* parent = p.is_variation() ? parents(p.parent_id) : nullptr;
    by_parent[i] = parent_managed(p, parent);
    CatalogEntry entry;
    entry.sku = p.sku;
    entry.parent = p.is_variation() ? p.parent_id : 0;
    if (by_parent[i] && parent) entry.holder = parent->sku;
    catalog_.put(p.id, entry);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Product& p = items[i];
    if (p.sku.empty()) {
      // A variable parent without SKU is normal: its variations carry them.
      if (!p.is_variable() || p.manage_stock) report_.without_sku.add(std::to_string(p.id));
      continue;
    }
    const Product* parent = p.is_variation() ? parents(p.parent_id) : nullptr;
    if (by_parent[i])
      report_.parent_managed.add(p.sku + " (variation " + std::to_string(p.id) + ") -> " +
                                 (parent && !parent->sku.empty() ? parent->sku
                                                                 : "product " + std::to_string(p.parent_id)));
    bool managed = p.manage_stock && !by_parent[i];
    if (!p.manage_stock && !p.is_variable()) report_.unmanaged.add(p.sku);

    const std::uint32_t print = product_print(p, managed);
    if (full_read_ || catalog_.reported(p.id) != print) {
      emit_product(p, managed);
      catalog_.set_reported(p.id, print);
    }
    ++report_.products;

    if (!managed || !p.stock_quantity) continue;
    levels_.push_back(Level{p.id, p.is_variation() ? p.parent_id : 0, p.stock_quantity->milli(), text_.size(),
                            static_cast<std::uint32_t>(p.sku.size()),
                            static_cast<std::uint32_t>(p.date_modified_gmt.size())});
    text_ += p.sku;
    text_ += p.date_modified_gmt;
  }
}

sr::ProductChange product_change(const Product& p, bool managed) {
  sr::ProductChange pc;
  // WooCommerce's modification time has whole seconds: two saves in one
  // second (a status change right after a stock write) differ only in what
  // they show, so the key names that too.
  char print[12];
  std::snprintf(print, sizeof print, "%08x", product_print(p, managed));
  pc.key = "product:" + p.sku + ":" + std::to_string(p.id) + ":" + p.date_modified_gmt + ":" + print;
  pc.at = gmt_ms(p.date_modified_gmt);
  pc.sku = p.sku;
  pc.remote_id = std::to_string(p.is_variation() ? p.parent_id : p.id);
  if (p.is_variation()) pc.remote_variation_id = std::to_string(p.id);
  pc.name = p.name;
  // Sold in the shop only when published: draft, pending, private (seen by
  // the shop's staff only) and trash are inactive.
  pc.active = p.status == "publish";
  pc.status = p.status;
  pc.managed = managed;
  if (managed && p.stock_quantity) pc.quantity = p.stock_quantity;
  pc.shop_product_id = p.id_meta;
  pc.ean = p.ean;
  return pc;
}

void ProductPass::emit_product(const Product& p, bool managed) { out_(product_change(p, managed)); }

void ProductPass::finish() {
  if (full_read_) catalog_.drop_unseen();
  std::set<std::string, std::less<>> warned;
  for (const Level& l : levels_) {
    std::string sku = text_.substr(l.text, l.sku_size);
    std::string version = text_.substr(l.text + l.sku_size, l.version_size);
    auto ids = catalog_.ids_with_sku(sku);
    if (ids.size() > 1) {
      if (warned.insert(sku).second) report_.duplicates[sku] = ids;
      continue;
    }
    sr::StockLevel level;
    level.quantity = sr::Quantity::from_milli(l.quantity);
    level.key = "level:" + sku + ":" + version + ":" + level.quantity.to_string() + read_tag_;
    level.at = gmt_ms(version);
    level.version = std::move(version);
    level.read_at = read_at_;
    level.managed = true;
    level.remote_id = std::to_string(l.parent ? l.parent : l.id);
    if (l.parent) level.remote_variation_id = std::to_string(l.id);
    level.sku = std::move(sku);
    out_(level);
    ++report_.levels;
  }
  levels_.clear();
  levels_.shrink_to_fit();
  text_.clear();
  text_.shrink_to_fit();
}

void product_events(const std::vector<Product>& items, const std::function<const Product*(std::int64_t)>& parents,
                    Catalog& catalog, PassReport& report, const std::function<void(sr::Event)>& out,
                    const std::string& read_tag, std::int64_t read_at) {
  ProductPass pass(catalog, report, out, read_tag, read_at);
  pass.add(items, parents);
  pass.finish();
}

sr::ProductChange deleted_product(std::int64_t id, const CatalogEntry& entry) {
  sr::ProductChange pc;
  pc.key = "product:" + entry.sku + ":" + std::to_string(id) + ":deleted";
  pc.sku = entry.sku;
  pc.remote_id = std::to_string(entry.parent ? entry.parent : id);
  if (entry.parent) pc.remote_variation_id = std::to_string(id);
  pc.active = false;
  pc.managed = false;
  pc.status = "deleted";
  return pc;
}

void PassReport::log(const sr::Host& host, const std::string& where) const {
  if (!unmanaged.empty())
    host.warn(where + ": " + std::to_string(unmanaged.count) +
              " product(s) do not manage stock (manage_stock off) and are not synced: " + join_first(unmanaged));
  if (!without_sku.empty())
    host.warn(where + ": " + std::to_string(without_sku.count) + " product(s)/variation(s) have no SKU and are skipped: ids " +
              join_first(without_sku));
  if (!parent_managed.empty())
    host.info(where + ": " + std::to_string(parent_managed.count) +
              " variation(s) take their stock from the parent product; their sales and levels count on the parent's SKU: " +
              join_first(parent_managed));
  for (const auto& [sku, ids] : duplicates) {
    std::string list;
    for (std::size_t i = 0; i < ids.size(); ++i) list += (i ? (i + 1 == ids.size() ? " and " : ", ") : "") + std::to_string(ids[i]);
    host.warn(where + ": SKU " + sku + " is used by products " + list +
              "; its stock is not synced until only one product has it");
  }
}

// ---- emitting ------------------------------------------------------------------

void Emitter::add(sr::Event e) {
  if (keep_keys_) keys_.push_back(sr::key_of(e));
  pending_.push_back(std::move(e));
  if (pending_.size() >= kBatch) flush();
}

void Emitter::flush() {
  if (pending_.empty()) return;
  std::string doc = sr::events_document(pending_);
  sr_status st = host_.api()->emit(host_.raw(), sr::to_sr(doc));
  std::size_t n = pending_.size();
  pending_.clear();
  if (st == SR_OK) return;
  if (st == SR_STOPPED) throw sr::stopped_error();
  if (st == SR_INVALID) {
    host_.warn("the host refused some of " + std::to_string(n) + " events as invalid (its log names them); the rest were kept");
    return;
  }
  throw sr::retryable_error("the host did not journal " + std::to_string(n) + " events (status " + std::to_string(st) +
                            "); the cursors stay where they were");
}

}  // namespace woo
