// Orders: creation, status transitions with WooCommerce's stock rules (§9 of
// woocommerce.md), notes, refunds, lists and the REST shapes.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim_impl.hpp"

namespace woo_sim {

namespace {

const std::vector<std::string>& order_statuses() {
  static const std::vector<std::string> all = {"pending",   "processing", "on-hold", "completed", "cancelled",
                                               "refunded",  "failed",     "trash",   "checkout-draft"};
  return all;
}

bool reduces(const std::string& s) { return s == "processing" || s == "completed" || s == "on-hold"; }
bool restores(const std::string& s) { return s == "cancelled" || s == "pending"; }

ojson address(bool with_email) {
  ojson a = ojson::object();
  for (const char* k : {"first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                        "country"}) {
    a[k] = "";
  }
  if (with_email) a["email"] = "";
  a["phone"] = "";
  return a;
}

ojson merged(ojson base, const json& given) {
  if (!given.is_object()) return base;
  for (auto it = given.begin(); it != given.end(); ++it) base[it.key()] = it.value();
  return base;
}

// A date pair (site time, GMT) or nulls.
void put_dates(ojson& o, const std::optional<std::int64_t>& t, std::int64_t offset, const char* key, const char* key_gmt) {
  o[key] = t ? ojson(util::format_date(*t + offset)) : ojson(nullptr);
  o[key_gmt] = t ? ojson(util::format_date(*t)) : ojson(nullptr);
}

}  // namespace

bool is_order_status(const std::string& s) {
  const auto& all = order_statuses();
  return std::find(all.begin(), all.end(), s) != all.end();
}

std::string status_label(const std::string& s) {
  if (s == "pending") return "Pending payment";
  if (s == "processing") return "Processing";
  if (s == "on-hold") return "On hold";
  if (s == "completed") return "Completed";
  if (s == "cancelled") return "Cancelled";
  if (s == "refunded") return "Refunded";
  if (s == "failed") return "Failed";
  if (s == "checkout-draft") return "Draft";
  if (s == "trash") return "Trash";
  return s;
}

Order& Simulator::Impl::order_or_throw(std::int64_t id, bool for_update) {
  auto it = orders.find(id);
  if (it == orders.end()) throw invalid_id("shop_order", for_update ? 400 : 404);
  return it->second;
}

double Simulator::Impl::order_total(const Order& o) const {
  double total = 0;
  for (const auto& l : o.lines) total += l.price * l.quantity;
  return std::round(total * 100) / 100;
}

double Simulator::Impl::refunded_total(const Order& o) const {
  double total = 0;
  for (const auto& r : o.refunds) total += r.amount;
  return total;
}

// ---- shapes ------------------------------------------------------------------------

ojson Simulator::Impl::order_json(const Order& o) const {
  const std::int64_t offset = static_cast<std::int64_t>(opts.utc_offset_minutes) * 60;
  const std::string api = base_url + "/wp-json/wc/v3/orders";
  ojson j = ojson::object();
  j["id"] = o.id;
  j["parent_id"] = 0;
  j["status"] = o.status;
  j["currency"] = o.currency;
  j["version"] = "9.4.0";
  j["prices_include_tax"] = false;
  j["date_created"] = util::format_date(o.created + offset);
  j["date_modified"] = util::format_date(o.modified + offset);
  j["discount_total"] = "0.00";
  j["discount_tax"] = "0.00";
  j["shipping_total"] = "0.00";
  j["shipping_tax"] = "0.00";
  j["cart_tax"] = "0.00";
  j["total"] = util::money(order_total(o));
  j["total_tax"] = "0.00";
  j["customer_id"] = o.customer_id;
  j["order_key"] = o.order_key;
  j["billing"] = merged(address(true), o.billing);
  j["shipping"] = merged(address(false), o.shipping);
  j["payment_method"] = o.payment_method;
  j["payment_method_title"] = o.payment_method_title;
  j["transaction_id"] = o.transaction_id;
  j["customer_ip_address"] = "";
  j["customer_user_agent"] = "";
  j["created_via"] = o.created_via;
  j["customer_note"] = o.customer_note;
  ojson tmp;
  put_dates(tmp, o.completed, offset, "date_completed", "date_completed_gmt");
  put_dates(tmp, o.paid, offset, "date_paid", "date_paid_gmt");
  j["date_completed"] = tmp["date_completed"];
  j["date_paid"] = tmp["date_paid"];
  j["cart_hash"] = "";
  j["number"] = std::to_string(o.id);
  ojson meta = ojson::array();
  for (const auto& m : o.meta) meta.push_back({{"id", m.id}, {"key", m.key}, {"value", m.value}});
  j["meta_data"] = meta;
  ojson lines = ojson::array();
  for (const auto& l : o.lines) {
    const Product* p = find_product(l.variation_id ? l.variation_id : l.product_id);
    const Product* parent = l.variation_id ? find_product(l.product_id) : nullptr;
    ojson item = ojson::object();
    item["id"] = l.id;
    item["name"] = l.name;
    item["product_id"] = l.product_id;
    item["variation_id"] = l.variation_id;
    item["quantity"] = l.quantity;
    item["tax_class"] = "";
    item["subtotal"] = util::money(l.price * l.quantity);
    item["subtotal_tax"] = "0.00";
    item["total"] = util::money(l.price * l.quantity);
    item["total_tax"] = "0.00";
    item["taxes"] = ojson::array();
    ojson lmeta = ojson::array();
    if (l.reduced_meta) {
      // Real stores hide "_" keys in some versions; the simulator shows it so
      // connectors can see what the order took.
      lmeta.push_back({{"id", l.id * 10 + 1},
                       {"key", "_reduced_stock"},
                       {"value", std::to_string(l.reduced)},
                       {"display_key", "_reduced_stock"},
                       {"display_value", std::to_string(l.reduced)}});
    }
    item["meta_data"] = lmeta;
    item["sku"] = p ? p->sku : std::string();
    item["price"] = l.price;
    item["image"] = {{"id", ""}, {"src", ""}};
    item["parent_name"] = parent ? ojson(parent->name) : ojson(nullptr);
    lines.push_back(item);
  }
  j["line_items"] = lines;
  j["tax_lines"] = ojson::array();
  j["shipping_lines"] = ojson::array();
  j["fee_lines"] = ojson::array();
  j["coupon_lines"] = ojson::array();
  ojson refunds = ojson::array();
  for (auto it = o.refunds.rbegin(); it != o.refunds.rend(); ++it) {
    refunds.push_back({{"id", it->id}, {"reason", it->reason}, {"total", "-" + util::money(it->amount)}});
  }
  j["refunds"] = refunds;
  j["payment_url"] = site_url + "checkout/order-pay/" + std::to_string(o.id) + "/?pay_for_order=true&key=" + o.order_key;
  j["is_editable"] = o.status == "pending" || o.status == "on-hold" || o.status == "checkout-draft";
  j["needs_payment"] = (o.status == "pending" || o.status == "failed") && order_total(o) > 0;
  j["needs_processing"] = true;
  j["date_created_gmt"] = util::format_date(o.created);
  j["date_modified_gmt"] = util::format_date(o.modified);
  j["date_completed_gmt"] = tmp["date_completed_gmt"];
  j["date_paid_gmt"] = tmp["date_paid_gmt"];
  j["currency_symbol"] = o.currency == "EUR" ? "\u20ac" : o.currency == "USD" ? "$" : o.currency;
  j["_links"] = {{"self", ojson::array({{{"href", api + "/" + std::to_string(o.id)}}})},
                 {"collection", ojson::array({{{"href", api}}})}};
  return j;
}

ojson Simulator::Impl::note_json(const Order& o, const NoteRec& n) const {
  const std::int64_t offset = static_cast<std::int64_t>(opts.utc_offset_minutes) * 60;
  const std::string api = base_url + "/wp-json/wc/v3/orders/" + std::to_string(o.id);
  ojson j = ojson::object();
  j["id"] = n.id;
  j["author"] = n.added_by_user ? "admin" : "system";
  j["date_created"] = util::format_date(n.created + offset);
  j["date_created_gmt"] = util::format_date(n.created);
  j["note"] = n.note;
  j["customer_note"] = n.customer_note;
  j["added_by_user"] = n.added_by_user;
  j["_links"] = {{"self", ojson::array({{{"href", api + "/notes/" + std::to_string(n.id)}}})},
                 {"collection", ojson::array({{{"href", api + "/notes"}}})},
                 {"up", ojson::array({{{"href", api}}})}};
  return j;
}

ojson Simulator::Impl::refund_json(const Order& o, const Refund& r) const {
  const std::int64_t offset = static_cast<std::int64_t>(opts.utc_offset_minutes) * 60;
  const std::string api = base_url + "/wp-json/wc/v3/orders/" + std::to_string(o.id);
  ojson j = ojson::object();
  j["id"] = r.id;
  j["date_created"] = util::format_date(r.created + offset);
  j["date_created_gmt"] = util::format_date(r.created);
  j["amount"] = util::money(r.amount);
  j["reason"] = r.reason;
  j["refunded_by"] = 1;
  j["refunded_payment"] = false;
  j["meta_data"] = ojson::array();
  ojson lines = ojson::array();
  for (const auto& rl : r.lines) {
    auto it = std::find_if(o.lines.begin(), o.lines.end(), [&](const LineItem& l) { return l.id == rl.item_id; });
    if (it == o.lines.end()) continue;
    const Product* p = find_product(it->variation_id ? it->variation_id : it->product_id);
    ojson item = ojson::object();
    item["id"] = rl.item_id * 1000 + r.id % 1000;
    item["name"] = it->name;
    item["product_id"] = it->product_id;
    item["variation_id"] = it->variation_id;
    item["quantity"] = -rl.quantity;
    item["tax_class"] = "";
    item["subtotal"] = util::money(-rl.total);
    item["subtotal_tax"] = "0.00";
    item["total"] = util::money(-rl.total);
    item["total_tax"] = "0.00";
    item["taxes"] = ojson::array();
    item["meta_data"] = ojson::array({{{"id", 0}, {"key", "_refunded_item_id"}, {"value", std::to_string(rl.item_id)}}});
    item["sku"] = p ? p->sku : std::string();
    item["price"] = rl.quantity ? -rl.total / rl.quantity : 0.0;
    lines.push_back(item);
  }
  j["line_items"] = lines;
  j["api_refund"] = false;
  j["api_restock"] = r.restocked;
  j["_links"] = {{"self", ojson::array({{{"href", api + "/refunds/" + std::to_string(r.id)}}})},
                 {"collection", ojson::array({{{"href", api + "/refunds"}}})},
                 {"up", ojson::array({{{"href", api}}})}};
  return j;
}

// ---- stock rules ------------------------------------------------------------------

void Simulator::Impl::add_note(Order& o, const std::string& text, bool customer_note, bool added_by_user) {
  NoteRec n;
  n.id = next_note_id++;
  n.created = util::now_seconds();
  n.note = text;
  n.customer_note = customer_note;
  n.added_by_user = added_by_user;
  o.notes.push_back(std::move(n));
}

std::string Simulator::Impl::formatted_name(const Product& p) const {
  std::string id = p.sku.empty() ? "#" + std::to_string(p.id) : p.sku;
  return display_name(p) + " (" + id + ")";
}

// wc_maybe_reduce_stock_levels: once per order (the order flag), once per line
// (_reduced_stock), only lines whose product manages stock; a parent-managed
// variation takes from the parent.
void Simulator::Impl::maybe_reduce_stock(Order& o) {
  if (o.stock_reduced) return;
  std::vector<std::string> changes;
  for (auto& line : o.lines) {
    if (line.reduced > 0) continue;
    Product* item = find_product(line.variation_id ? line.variation_id : line.product_id);
    if (!item) continue;
    Product* owner = stock_owner(*item);
    if (!owner) continue;
    int qty = line.quantity - line.refunded_qty;
    if (qty <= 0) continue;
    int old = owner->stock;
    owner->stock -= qty;
    log_stock(*owner, old, "order " + std::to_string(o.id));
    line.reduced = qty;
    line.reduced_meta = true;
    owner->total_sales += qty;
    changes.push_back(formatted_name(*item) + " " + std::to_string(old) + "\u2192" + std::to_string(owner->stock));
    saved(*owner);
  }
  o.stock_reduced = true;
  if (!changes.empty()) {
    std::string text = "Stock levels reduced:";
    for (std::size_t i = 0; i < changes.size(); ++i) text += (i ? ", " : " ") + changes[i];
    add_note(o, text, false, false);
  }
}

// wc_maybe_increase_stock_levels: only if the order flag says stock was
// taken; gives back exactly each line's _reduced_stock and clears it.
void Simulator::Impl::maybe_increase_stock(Order& o) {
  if (!o.stock_reduced) return;
  std::vector<std::string> changes;
  for (auto& line : o.lines) {
    if (line.reduced <= 0) continue;
    Product* item = find_product(line.variation_id ? line.variation_id : line.product_id);
    if (!item) continue;
    Product* owner = stock_owner(*item);
    if (!owner) continue;
    int old = owner->stock;
    owner->stock += line.reduced;
    log_stock(*owner, old, "order " + std::to_string(o.id) + " gives back (" + o.status + ")");
    owner->total_sales = std::max(0, owner->total_sales - line.reduced);
    line.reduced = 0;
    line.reduced_meta = false;
    changes.push_back(formatted_name(*item) + " " + std::to_string(old) + "\u2192" + std::to_string(owner->stock));
    saved(*owner);
  }
  o.stock_reduced = false;
  if (!changes.empty()) {
    std::string text = "Stock levels increased:";
    for (std::size_t i = 0; i < changes.size(); ++i) text += (i ? ", " : " ") + changes[i];
    add_note(o, text, false, false);
  }
}

void Simulator::Impl::order_saved(Order& o, bool created) {
  o.modified = util::now_seconds();
  fire("order", created ? "created" : "updated", o.id);
}

void Simulator::Impl::change_status(Order& o, const std::string& to) {
  const std::string from = o.status;
  if (from == to) return;
  o.status = to;
  add_note(o, "Order status changed from " + status_label(from) + " to " + status_label(to) + ".", false, false);
  auto now = util::now_seconds();
  if ((to == "processing" || to == "completed") && !o.paid) o.paid = now;
  if (to == "completed") o.completed = now;
  if (reduces(to)) maybe_reduce_stock(o);
  if (restores(to)) maybe_increase_stock(o);
  // "refunded" refunds the remaining money with no line items: no restock.
  if (to == "refunded") {
    double remaining = order_total(o) - refunded_total(o);
    if (remaining > 0.004) create_refund(o, remaining, "Order fully refunded.", {}, false);
  }
}

void Simulator::Impl::payment_complete(Order& o, const std::string& transaction_id) {
  static const std::vector<std::string> payable = {"pending", "failed", "on-hold", "cancelled", "checkout-draft"};
  if (std::find(payable.begin(), payable.end(), o.status) == payable.end()) return;
  if (!transaction_id.empty()) o.transaction_id = transaction_id;
  o.paid = util::now_seconds();
  change_status(o, "processing");
  maybe_reduce_stock(o);  // the payment hook reduces too; the flag keeps it to once
}

Refund& Simulator::Impl::create_refund(Order& o, double amount, const std::string& reason, std::vector<RefundItem> lines,
                                       bool restock) {
  if (amount < 0) throw RestError{400, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero."};
  double remaining = order_total(o) - refunded_total(o);
  if (amount > remaining + 0.004) {
    throw RestError{500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."};
  }
  for (const auto& rl : lines) {
    auto it = std::find_if(o.lines.begin(), o.lines.end(), [&](const LineItem& l) { return l.id == rl.item_id; });
    if (it == o.lines.end()) {
      throw RestError{400, "woocommerce_rest_invalid_order_refund", "Invalid line item ID " + std::to_string(rl.item_id) + "."};
    }
  }
  Refund r;
  r.id = next_post_id++;
  r.created = util::now_seconds();
  r.amount = amount;
  r.reason = reason;
  r.restocked = restock;
  for (const auto& rl : lines) {
    auto& line = *std::find_if(o.lines.begin(), o.lines.end(), [&](const LineItem& l) { return l.id == rl.item_id; });
    line.refunded_qty += rl.quantity;
    // wc_restock_refunded_items: only lines that had stock taken; the
    // refunded quantity comes back and _reduced_stock shrinks by it.
    if (!restock || rl.quantity <= 0 || line.reduced <= 0) continue;
    Product* item = find_product(line.variation_id ? line.variation_id : line.product_id);
    Product* owner = item ? stock_owner(*item) : nullptr;
    if (!owner) continue;
    int old = owner->stock;
    owner->stock += rl.quantity;
    log_stock(*owner, old, "refund of order " + std::to_string(o.id) + " restocks");
    line.reduced = std::max(0, line.reduced - rl.quantity);
    add_note(o, "Item #" + std::to_string(item->id) + " stock increased from " + std::to_string(old) + " to " +
                    std::to_string(owner->stock) + ".",
             false, false);
    saved(*owner);
  }
  r.lines = std::move(lines);
  o.refunds.push_back(std::move(r));
  const std::size_t index = o.refunds.size() - 1;
  // Fully refunded: the order becomes "refunded" (which refunds nothing more).
  if (o.status != "refunded" && order_total(o) > 0 && order_total(o) - refunded_total(o) <= 0.004) {
    change_status(o, "refunded");
  }
  order_saved(o);
  return o.refunds[index];
}

// ---- REST writes ----------------------------------------------------------------------

namespace {

std::string string_field(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) throw invalid_param(key, std::string(key) + " is not of type string.");
  return it->get<std::string>();
}

void apply_common(Order& o, const json& body, std::int64_t& next_meta_id) {
  if (body.contains("currency")) o.currency = string_field(body, "currency");
  if (body.contains("customer_note")) o.customer_note = string_field(body, "customer_note");
  if (body.contains("payment_method")) o.payment_method = string_field(body, "payment_method");
  if (body.contains("payment_method_title")) o.payment_method_title = string_field(body, "payment_method_title");
  if (body.contains("transaction_id")) o.transaction_id = string_field(body, "transaction_id");
  if (auto it = body.find("customer_id"); it != body.end()) {
    auto v = util::as_integer(*it);
    if (!v) throw invalid_param("customer_id", "customer_id is not of type integer.");
    o.customer_id = *v;
  }
  for (const char* k : {"billing", "shipping"}) {
    auto it = body.find(k);
    if (it == body.end()) continue;
    if (!it->is_object()) throw invalid_param(k, std::string(k) + " is not of type object.");
    json& target = std::string_view(k) == "billing" ? o.billing : o.shipping;
    for (auto f = it->begin(); f != it->end(); ++f) target[f.key()] = f.value();
  }
  if (auto it = body.find("meta_data"); it != body.end() && it->is_array()) {
    for (const auto& m : *it) {
      if (!m.is_object() || !m.contains("key") || !m["key"].is_string()) continue;
      std::string key = m["key"].get<std::string>();
      auto existing = std::find_if(o.meta.begin(), o.meta.end(), [&](const MetaEntry& e) { return e.key == key; });
      if (existing != o.meta.end()) {
        existing->value = m.value("value", json(nullptr));
      } else {
        o.meta.push_back({next_meta_id++, key, m.value("value", json(nullptr))});
      }
    }
  }
}

std::optional<std::string> status_field(const json& body) {
  auto it = body.find("status");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string() || !is_order_status(it->get<std::string>())) {
    throw invalid_param("status",
                        "status is not one of pending, processing, on-hold, completed, cancelled, refunded, failed, "
                        "trash, and checkout-draft.");
  }
  return it->get<std::string>();
}

}  // namespace

std::int64_t Simulator::Impl::create_order(const json& body) {
  if (!body.is_object()) throw RestError{400, "rest_invalid_json", "Invalid JSON body passed."};
  if (body.contains("id")) throw RestError{400, "woocommerce_rest_shop_order_exists", "Cannot create existing order."};
  auto status = status_field(body);
  bool set_paid = false;
  if (auto it = body.find("set_paid"); it != body.end() && !it->is_null()) {
    auto b = util::as_boolean(*it);
    if (!b) throw invalid_param("set_paid", "set_paid is not of type boolean.");
    set_paid = *b;
  }
  Order o;
  o.order_key = "wc_order_" + util::random_hex(13);
  apply_common(o, body, next_meta_id);
  // Line items by sku, variation_id or product_id (that order of precedence).
  if (auto it = body.find("line_items"); it != body.end() && it->is_array()) {
    for (const auto& li : *it) {
      if (!li.is_object()) continue;
      const Product* p = nullptr;
      if (auto sku = li.find("sku"); sku != li.end() && sku->is_string() && !sku->get<std::string>().empty()) {
        p = product_by_sku(sku->get<std::string>());
      } else if (auto v = li.find("variation_id"); v != li.end() && util::as_integer(*v).value_or(0) > 0) {
        p = find_product(*util::as_integer(*v));
      } else if (auto pid = li.find("product_id"); pid != li.end() && util::as_integer(*pid).value_or(0) > 0) {
        p = find_product(*util::as_integer(*pid));
      } else {
        throw RestError{400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required."};
      }
      if (!p) throw RestError{400, "woocommerce_rest_invalid_product_id", "Product ID provided is invalid."};
      auto qty = util::as_integer(li.value("quantity", json(1)));
      if (!qty || *qty <= 0) {
        throw RestError{400, "woocommerce_rest_invalid_product_quantity", "Product quantity must be a positive float."};
      }
      LineItem line;
      line.id = next_item_id++;
      line.product_id = p->type == PType::Variation ? p->parent_id : p->id;
      line.variation_id = p->type == PType::Variation ? p->id : 0;
      line.name = display_name(*p);
      line.sku_at_order = p->sku;
      line.quantity = static_cast<int>(*qty);
      const std::string& price = p->sale_price.empty() ? p->regular_price : p->sale_price;
      line.price = std::atof(price.c_str());
      if (auto total = li.find("total"); total != li.end() && (total->is_string() || total->is_number())) {
        double t = total->is_string() ? std::atof(total->get<std::string>().c_str()) : total->get<double>();
        line.price = t / static_cast<double>(line.quantity);
      }
      o.lines.push_back(std::move(line));
    }
  }
  o.id = next_post_id++;
  o.created = o.modified = util::now_seconds();
  auto id = o.id;
  Order& stored = orders.emplace(id, std::move(o)).first->second;
  order_saved(stored, true);
  if (status && *status != "pending") change_status(stored, *status);
  if (set_paid) payment_complete(stored, stored.transaction_id);
  return id;
}

void Simulator::Impl::update_order(Order& o, const json& body) {
  if (!body.is_object()) throw RestError{400, "rest_invalid_json", "Invalid JSON body passed."};
  auto status = status_field(body);
  bool set_paid = false;
  if (auto it = body.find("set_paid"); it != body.end() && !it->is_null()) {
    auto b = util::as_boolean(*it);
    if (!b) throw invalid_param("set_paid", "set_paid is not of type boolean.");
    set_paid = *b;
  }
  apply_common(o, body, next_meta_id);
  if (status) change_status(o, *status);
  if (set_paid) payment_complete(o, o.transaction_id);
  order_saved(o);
}

std::string Simulator::Impl::delete_order(std::int64_t id, bool force) {
  Order& o = order_or_throw(id, false);
  std::string before = util::php_json(order_json(o));
  if (force) {
    orders.erase(id);
    fire("order", "deleted", id);
    return before;
  }
  if (o.status == "trash") {
    throw RestError{410, "woocommerce_rest_already_trashed", "The order has already been deleted."};
  }
  o.status = "trash";
  order_saved(o);
  fire("order", "deleted", id);
  return util::php_json(order_json(o));
}

ListAnswer Simulator::Impl::list_orders(const Query& q, const Paging& paging) {
  auto statuses = q.list("status");
  for (const auto& s : statuses) {
    if (s != "any" && !is_order_status(s)) {
      throw invalid_param("status",
                          "status[0] is not one of any, pending, processing, on-hold, completed, cancelled, refunded, "
                          "failed, trash, and checkout-draft.");
    }
  }
  bool any = statuses.empty() || std::find(statuses.begin(), statuses.end(), "any") != statuses.end();
  const std::string orderby = q.get("orderby").value_or("date");
  if (orderby != "date" && orderby != "id" && orderby != "include" && orderby != "title" && orderby != "slug" &&
      orderby != "modified") {
    throw invalid_param("orderby", "orderby is not one of date, id, include, title, slug, and modified.");
  }
  auto order = q.get("order").value_or("desc");
  if (order != "asc" && order != "desc") throw invalid_param("order", "order is not one of asc and desc.");
  bool gmt = false;
  if (auto v = q.get("dates_are_gmt")) {
    auto flag = util::as_boolean(json(*v));
    if (!flag) throw invalid_param("dates_are_gmt", "dates_are_gmt is not of type boolean.");
    gmt = *flag;
  }
  const std::int64_t offset = gmt ? 0 : static_cast<std::int64_t>(opts.utc_offset_minutes) * 60;
  auto bound = [&](const char* key) -> std::optional<std::int64_t> {
    auto v = q.get(key);
    if (!v) return std::nullopt;
    auto d = util::parse_date(*v);
    if (!d) throw invalid_param(key, "Invalid date.");
    return d->has_zone ? d->seconds : d->seconds - offset;
  };
  auto after = bound("after"), before = bound("before");
  auto modified_after = bound("modified_after"), modified_before = bound("modified_before");
  auto ids = [&](const char* key) {
    std::vector<std::int64_t> out;
    for (const auto& s : q.list(key)) {
      auto v = util::parse_int(s);
      if (!v) throw invalid_param(key, std::string(key) + "[0] is not of type integer.");
      out.push_back(*v);
    }
    return out;
  };
  auto include = ids("include"), exclude = ids("exclude");
  std::optional<std::int64_t> customer, product;
  if (auto v = q.get("customer")) customer = util::parse_int(*v);
  if (auto v = q.get("product")) product = util::parse_int(*v);

  std::vector<const Order*> found;
  for (const auto& [id, o] : orders) {
    if (any ? (o.status == "trash" || o.status == "checkout-draft")
            : std::find(statuses.begin(), statuses.end(), o.status) == statuses.end()) {
      continue;
    }
    if (!include.empty() && std::find(include.begin(), include.end(), id) == include.end()) continue;
    if (std::find(exclude.begin(), exclude.end(), id) != exclude.end()) continue;
    if (after && !(o.created > *after)) continue;
    if (before && !(o.created < *before)) continue;
    if (modified_after && !(o.modified > *modified_after)) continue;
    if (modified_before && !(o.modified < *modified_before)) continue;
    if (customer && o.customer_id != *customer) continue;
    if (product && std::none_of(o.lines.begin(), o.lines.end(), [&](const LineItem& l) {
          return l.product_id == *product || l.variation_id == *product;
        })) {
      continue;
    }
    found.push_back(&o);
  }
  if (orderby == "modified") {
    std::sort(found.begin(), found.end(), [](const Order* a, const Order* b) {
      return a->modified != b->modified ? a->modified < b->modified : a->id < b->id;
    });
  }
  if (order == "desc") std::reverse(found.begin(), found.end());
  ListAnswer answer;
  answer.total = static_cast<std::int64_t>(found.size());
  auto [begin, end] = page_window(paging, answer.total);
  answer.body = "[";
  for (auto i = begin; i < end; ++i) {
    if (i > begin) answer.body += ',';
    answer.body += util::php_json(order_json(*found[static_cast<std::size_t>(i)]));
  }
  answer.body += ']';
  return answer;
}

// ---- checkout --------------------------------------------------------------------------

std::int64_t Simulator::Impl::place_order(const std::vector<LineSpec>& lines, const std::string& status) {
  if (!is_order_status(status)) throw std::invalid_argument("unknown order status " + status);
  json body = json::object();
  body["status"] = status;
  body["payment_method"] = "bacs";
  body["payment_method_title"] = "Direct bank transfer";
  body["line_items"] = json::array();
  for (const auto& l : lines) {
    if (!product_by_sku(l.sku)) throw std::invalid_argument("unknown SKU " + l.sku);
    if (l.quantity <= 0) throw std::invalid_argument("quantity must be positive");
    body["line_items"].push_back({{"sku", l.sku}, {"quantity", l.quantity}});
  }
  auto id = create_order(body);
  orders.at(id).created_via = "checkout";
  return id;
}

}  // namespace woo_sim
