// Orders and order deliveries (sitoo.md §6-7): an order registered for a
// warehouse reserves its SKUs (reserved up, available down, total as is);
// cancelling releases what is still reserved; a delivery turns reserved
// units into a stock decrease through a warehouse transaction that points
// back to it.
#include <algorithm>
#include <cmath>
#include <map>

#include "sim_impl.hpp"

namespace sitoo_sim {

namespace {

ApiError bad(std::string text) { return ApiError{400, std::move(text)}; }

std::string shown(const std::string& s) { return "\"" + util::printable(s) + "\""; }

// The customer, address and comment fields an order keeps as sent.
bool passthrough_field(const std::string& key) {
  static const char* names[] = {"email", "namefirst", "namelast", "company", "phone", "personalid",
                                "comment", "commentinternal", "customerref", "checkoutref"};
  for (const char* n : names) {
    if (key == n) return true;
  }
  return key.starts_with("invoice_") || key.starts_with("delivery_");
}

bool cancelled_state(int state) { return state == 20 || state == -1; }

const char* state_name(int state) {
  switch (state) {
    case 0: return "open";
    case 10: return "closed";
    case 20: return "cancelled";
    default: return "abandoned";
  }
}

std::optional<std::int64_t> opt_int(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  auto v = util::as_int(*it);
  if (!v) throw bad(where + key + " must be an integer");
  return v;
}

std::int64_t net_of(std::int64_t gross_cents, double vat_percent) {
  return static_cast<std::int64_t>(std::llround(static_cast<double>(gross_cents) / (1.0 + vat_percent / 100.0)));
}

}  // namespace

// ---- rendering -------------------------------------------------------------------------------

ojson Simulator::Impl::order_json(const Order& o, bool with_items) const {
  std::int64_t gross = 0, net = 0;
  for (const auto& i : o.items) {
    gross += i.row_price - i.row_discount;
    net += net_of(i.row_price - i.row_discount, i.vat);
  }
  ojson j = ojson::object();
  j["orderid"] = o.id;
  j["eshopid"] = opts.site_id;
  j["ordertypeid"] = o.type;
  j["externalid"] = o.externalid ? ojson(*o.externalid) : ojson(nullptr);
  j["orderstateid"] = o.state;
  j["paymentstateid"] = o.paymentstate;
  j["warehouseid"] = o.warehouse_id ? ojson(*o.warehouse_id) : ojson(nullptr);
  j["datereserved"] = o.datereserved ? ojson(*o.datereserved) : ojson(nullptr);
  j["orderdate"] = o.orderdate;
  j["currencycode"] = o.currency;
  for (const auto& [k, v] : o.extra.items()) j[k] = v;
  j["additionaldata"] = o.additionaldata.is_object() ? ojson(o.additionaldata) : ojson::object();
  j["moneytotal_net"] = util::money2(net);
  j["moneytotal_vat"] = util::money2(gross - net);
  j["moneyfinal_net"] = util::money2(net);
  j["moneyfinal_vat"] = util::money2(gross - net);
  j["moneytotal_gross_all"] = util::money2(gross);
  j["moneytotal_gross_roundoff"] = "0.00";
  j["payments"] = o.payments.is_array() ? ojson(o.payments) : ojson::array();
  if (with_items) {
    ojson list = ojson::array();
    for (const auto& i : o.items) {
      std::int64_t row = i.row_price - i.row_discount;
      std::int64_t row_net = net_of(row, i.vat);
      ojson e = ojson::object();
      e["orderitemid"] = i.id;
      e["orderitemtype"] = i.type;
      e["productid"] = i.product_id ? ojson(*i.product_id) : ojson(nullptr);
      e["sku"] = i.sku;
      e["productname"] = i.productname;
      e["quantity"] = i.quantity;
      e["moneyrowprice"] = util::money2(i.row_price);
      e["moneyrowdiscount"] = util::money2(i.row_discount);
      e["vatvalue"] = i.vat;
      e["moneyitemtotal_net"] = util::money2(row_net);
      e["moneyitemtotal_vat"] = util::money2(row - row_net);
      e["moneynetpriceperunit"] = util::money2(i.quantity != 0 ? row_net / i.quantity : 0);
      e["additionaldata"] = i.additionaldata.is_object() ? ojson(i.additionaldata) : ojson::object();
      list.push_back(std::move(e));
    }
    j["orderitems"] = std::move(list);
  }
  return j;
}

ojson Simulator::Impl::delivery_json(const Delivery& d) const {
  ojson j = ojson::object();
  j["orderdeliveryid"] = d.id;
  j["orderid"] = d.order_id;
  j["warehouseid"] = d.warehouse_id;
  j["orderdeliveryref"] = d.ref;
  j["datedelivery"] = d.date;
  j["datecancelled"] = nullptr;
  j["pluginname"] = nullptr;
  ojson lines = ojson::array();
  for (const auto& l : d.lines) lines.push_back({{"orderitemid", l.orderitem_id}, {"quantity", l.quantity}});
  j["orderdeliveryitems"] = std::move(lines);
  return j;
}

Order& Simulator::Impl::order_or_throw(std::int64_t id) {
  auto it = orders.find(id);
  if (it == orders.end()) throw ApiError{404, "Order " + std::to_string(id) + " not found"};
  return it->second;
}

// ---- orders --------------------------------------------------------------------------------------

std::string Simulator::Impl::list_orders(const Query& q) {
  ListParams p = parse_list(q);
  auto externalids = q.list("externalid");
  auto ids = int_list(q, "orderid");
  auto states = int_list(q, "orderstate");
  auto payments = int_list(q, "paymentstate");
  auto types = int_list(q, "ordertype");
  auto wids = int_list(q, "warehouseid");
  auto from = int_param(q, "orderidfrom");
  auto to = int_param(q, "orderidto");
  auto date_from = int_param(q, "orderdatefrom");
  auto date_to = int_param(q, "orderdateto");
  auto email = q.get("email");
  bool desc = sort_desc(q, "orderid", true);
  auto has = [](const auto& v, const auto& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  std::vector<const Order*> found;
  for (const auto& [id, o] : orders) {
    if (!externalids.empty() && (!o.externalid || !has(externalids, *o.externalid))) continue;
    if (!ids.empty() && !has(ids, id)) continue;
    if (!states.empty() && !has(states, static_cast<std::int64_t>(o.state))) continue;
    if (!payments.empty() && !has(payments, static_cast<std::int64_t>(o.paymentstate))) continue;
    if (!types.empty() && !has(types, static_cast<std::int64_t>(o.type))) continue;
    if (!wids.empty() && (!o.warehouse_id || !has(wids, *o.warehouse_id))) continue;
    if (from && id < *from) continue;
    if (to && id >= *to) continue;
    if (date_from && o.orderdate < *date_from) continue;
    if (date_to && o.orderdate >= *date_to) continue;
    if (email && (!o.extra.contains("email") || o.extra["email"] != *email)) continue;
    found.push_back(&o);
  }
  if (desc) std::reverse(found.begin(), found.end());
  // Lists carry order items only when `fields` asks for them (sitoo.md §5).
  bool with_items = std::find(p.fields.begin(), p.fields.end(), "orderitems") != p.fields.end();
  return envelope(found, p, [&](const Order& o) { return order_json(o, with_items); });
}

std::string Simulator::Impl::post_order(const json& input) {
  const json& body = input.is_array() && input.size() == 1 ? input[0] : input;
  if (!body.is_object()) throw bad("Expected one order as a JSON object");
  Order o;
  auto type = opt_int(body, "ordertypeid", "");
  if (!type) throw bad("ordertypeid is required");
  o.type = static_cast<int>(*type);
  if (auto it = body.find("externalid"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || !util::valid_externalid(it->get_ref<const std::string&>())) {
      throw bad("externalid " + shown(it->is_string() ? it->get<std::string>() : it->dump()) +
                " must be 1-40 characters of A-Z a-z 0-9 _ -");
    }
    const std::string& ext = it->get_ref<const std::string&>();
    if (auto dup = order_by_externalid.find(ext); dup != order_by_externalid.end()) {
      throw bad("externalid " + shown(ext) + " is already used by order " + std::to_string(dup->second));
    }
    o.externalid = ext;
  }
  o.state = static_cast<int>(opt_int(body, "orderstateid", "").value_or(0));
  if (o.state != 0 && o.state != 10 && o.state != 20 && o.state != -1) {
    throw bad("orderstateid " + std::to_string(o.state) + " is not one of 0, 10, 20, -1");
  }
  o.paymentstate = static_cast<int>(opt_int(body, "paymentstateid", "").value_or(0));
  o.warehouse_id = opt_int(body, "warehouseid", "");
  if (o.warehouse_id && !warehouses.count(*o.warehouse_id)) {
    throw bad("warehouse " + std::to_string(*o.warehouse_id) + " does not exist");
  }
  o.datereserved = opt_int(body, "datereserved", "");
  o.orderdate = opt_int(body, "orderdate", "").value_or(now());
  o.currency = opts.currency;
  if (auto c = body.find("currencycode"); c != body.end() && c->is_string()) o.currency = c->get<std::string>();
  for (const auto& [k, v] : body.items()) {
    if (!passthrough_field(k) || v.is_null()) continue;
    if (!v.is_string()) throw bad(k + " must be a string");
    o.extra[k] = v;
  }
  if (auto a = body.find("additionaldata"); a != body.end() && !a->is_null()) {
    if (!a->is_object()) throw bad("additionaldata must be an object of strings");
    o.additionaldata = *a;
  }
  if (auto pay = body.find("payments"); pay != body.end() && pay->is_array()) o.payments = *pay;
  if (auto list = body.find("orderitems"); list != body.end() && !list->is_null()) {
    if (!list->is_array()) throw bad("orderitems must be an array");
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string where = "orderitem " + std::to_string(k) + ": ";
      const json& item = (*list)[k];
      if (!item.is_object()) throw bad(where + "must be an object");
      OrderItem oi;
      oi.id = static_cast<std::int64_t>(k);
      auto name = item.find("productname");
      if (name == item.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
        throw bad(where + "productname is required");
      }
      oi.productname = name->get<std::string>();
      auto qty = opt_int(item, "quantity", where);
      if (!qty) throw bad(where + "quantity is required (an integer)");
      oi.quantity = *qty;
      if (auto s = item.find("sku"); s != item.end() && !s->is_null()) {
        if (!s->is_string()) throw bad(where + "sku must be a string");
        oi.sku = s->get<std::string>();
      }
      oi.type = static_cast<int>(opt_int(item, "orderitemtype", where).value_or(10));
      for (auto [key, target] : {std::pair{"moneyrowprice", &oi.row_price}, std::pair{"moneyrowdiscount", &oi.row_discount}}) {
        if (auto m = item.find(key); m != item.end() && !m->is_null()) {
          auto cents = util::parse_fixed(*m, 2);
          if (!cents) throw bad(where + key + " must be a money string such as \"123.50\"");
          *target = *cents;
        }
      }
      if (auto v = item.find("vatvalue"); v != item.end() && !v->is_null()) {
        auto hundredths = util::parse_fixed(*v, 2);
        if (!hundredths) throw bad(where + "vatvalue must be a number");
        oi.vat = static_cast<double>(*hundredths) / 100.0;
      }
      if (auto a = item.find("additionaldata"); a != item.end() && a->is_object()) oi.additionaldata = *a;
      if (!oi.sku.empty()) {
        if (auto pid = product_by_sku.find(oi.sku); pid != product_by_sku.end()) oi.product_id = pid->second;
        // Reserving needs the SKU in the warehouse: refuse the whole order otherwise.
        if (o.warehouse_id && !find_item(*o.warehouse_id, oi.sku)) {
          throw bad(where + "unknown sku " + shown(oi.sku) + " in warehouse " + std::to_string(*o.warehouse_id));
        }
      }
      o.items.push_back(std::move(oi));
    }
  }
  o.id = next_order_id++;
  if (o.warehouse_id && !cancelled_state(o.state)) {
    for (auto& oi : o.items) {
      if (oi.sku.empty() || oi.quantity <= 0) continue;
      reserve(*o.warehouse_id, oi.sku, oi.quantity * 1000);
      oi.reserved = oi.quantity;
    }
  }
  if (o.externalid) order_by_externalid[*o.externalid] = o.id;
  auto& stored = orders[o.id] = std::move(o);
  ++counters.orders_created;
  event_order(stored, "add", state_name(stored.state));
  return std::to_string(stored.id);
}

void Simulator::Impl::release(Order& o) {
  if (!o.warehouse_id) return;
  for (auto& oi : o.items) {
    if (oi.reserved <= 0) continue;
    reserve(*o.warehouse_id, oi.sku, -oi.reserved * 1000);
    oi.reserved = 0;
  }
}

std::string Simulator::Impl::put_order(Order& o, const json& body) {
  if (!body.is_object()) throw bad("Expected the order's changed fields as a JSON object");
  if (body.contains("orderitems")) throw bad("orderitems cannot be changed here (simulator)");
  auto state = opt_int(body, "orderstateid", "");
  if (state && *state != 0 && *state != 10 && *state != 20 && *state != -1) {
    throw bad("orderstateid " + std::to_string(*state) + " is not one of 0, 10, 20, -1");
  }
  if (state && cancelled_state(o.state) && *state != o.state) {
    throw bad("order " + std::to_string(o.id) + " is " + state_name(o.state) + " and cannot change state");
  }
  std::optional<std::string> externalid;
  if (auto it = body.find("externalid"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || !util::valid_externalid(it->get_ref<const std::string&>())) {
      throw bad("externalid " + shown(it->is_string() ? it->get<std::string>() : it->dump()) +
                " must be 1-40 characters of A-Z a-z 0-9 _ -");
    }
    externalid = it->get<std::string>();
    auto dup = order_by_externalid.find(*externalid);
    if (dup != order_by_externalid.end() && dup->second != o.id) {
      throw bad("externalid " + shown(*externalid) + " is already used by order " + std::to_string(dup->second));
    }
  }
  for (const auto& [k, v] : body.items()) {
    if (passthrough_field(k) && !v.is_null() && !v.is_string()) throw bad(k + " must be a string");
  }
  // Validated: apply.
  if (externalid) {
    if (o.externalid) order_by_externalid.erase(*o.externalid);
    o.externalid = externalid;
    order_by_externalid[*externalid] = o.id;
  }
  for (const auto& [k, v] : body.items()) {
    if (passthrough_field(k)) o.extra[k] = v.is_null() ? ojson("") : ojson(v);
  }
  if (auto p = opt_int(body, "paymentstateid", "")) o.paymentstate = static_cast<int>(*p);
  if (body.contains("datereserved")) o.datereserved = opt_int(body, "datereserved", "");
  if (auto a = body.find("additionaldata"); a != body.end() && a->is_object()) o.additionaldata = *a;
  std::optional<std::string> changed;
  if (state && *state != o.state) {
    o.state = static_cast<int>(*state);
    changed = state_name(o.state);
    if (cancelled_state(o.state)) release(o);
  }
  ++counters.order_updates;
  event_order(o, "update", changed);
  return "true";
}

// ---- deliveries ------------------------------------------------------------------------------------

std::string Simulator::Impl::list_deliveries(const Order& o, const Query& q) {
  ListParams p = parse_list(q);
  std::vector<const Delivery*> found;
  for (const auto& [id, d] : deliveries) {
    if (d.order_id == o.id) found.push_back(&d);
  }
  return envelope(found, p, [&](const Delivery& d) { return delivery_json(d); });
}

std::string Simulator::Impl::post_delivery(Order& o, const json& input) {
  const json& body = input.is_array() && input.size() == 1 ? input[0] : input;
  if (!body.is_object()) throw bad("Expected one order delivery as a JSON object");
  if (cancelled_state(o.state)) throw bad("order " + std::to_string(o.id) + " is " + state_name(o.state));
  auto wid = opt_int(body, "warehouseid", "");
  if (!wid) throw bad("warehouseid is required");
  auto w = warehouses.find(*wid);
  if (w == warehouses.end()) throw bad("warehouse " + std::to_string(*wid) + " does not exist");
  if (w->second.type == kWarehouseVirtual) {
    throw bad("warehouse " + std::to_string(*wid) + " is Virtual (type 20): deliveries are not allowed");
  }
  auto list = body.find("orderdeliveryitems");
  if (list == body.end() || !list->is_array() || list->empty()) {
    throw bad("orderdeliveryitems must be a non-empty array of {orderitemid, quantity}");
  }
  Delivery d;
  std::map<std::int64_t, std::int64_t> asked;  // orderitemid -> units in this delivery
  for (std::size_t k = 0; k < list->size(); ++k) {
    const std::string where = "orderdeliveryitem " + std::to_string(k) + ": ";
    const json& item = (*list)[k];
    if (!item.is_object()) throw bad(where + "must be an object");
    auto id = opt_int(item, "orderitemid", where);
    if (!id) throw bad(where + "orderitemid is required");
    if (*id < 0 || *id >= static_cast<std::int64_t>(o.items.size())) {
      throw bad(where + "orderitemid " + std::to_string(*id) + " does not exist in order " + std::to_string(o.id));
    }
    auto qty = opt_int(item, "quantity", where);
    if (!qty || *qty <= 0) throw bad(where + "quantity must be a positive integer");
    asked[*id] += *qty;
    d.lines.push_back({*id, *qty});
  }
  for (const auto& [id, qty] : asked) {
    const OrderItem& oi = o.items[static_cast<std::size_t>(id)];
    std::int64_t open = oi.quantity - oi.delivered;
    if (qty > open) {
      throw bad("orderitemid " + std::to_string(id) + ": quantity " + std::to_string(qty) +
                " exceeds the undelivered " + std::to_string(std::max<std::int64_t>(open, 0)));
    }
    if (!oi.sku.empty() && !find_item(*wid, oi.sku)) {
      throw bad("orderitemid " + std::to_string(id) + ": unknown sku " + shown(oi.sku) + " in warehouse " +
                std::to_string(*wid));
    }
  }
  d.id = next_delivery_id++;
  d.order_id = o.id;
  d.warehouse_id = *wid;
  d.date = now();
  if (auto r = body.find("orderdeliveryref"); r != body.end() && r->is_string()) d.ref = r->get<std::string>();
  std::vector<TxLine> lines;
  for (const auto& [id, qty] : asked) {
    OrderItem& oi = o.items[static_cast<std::size_t>(id)];
    oi.delivered += qty;
    std::int64_t from_reserved = std::min(qty, oi.reserved);
    if (from_reserved > 0 && o.warehouse_id) {
      reserve(*o.warehouse_id, oi.sku, -from_reserved * 1000);
      oi.reserved -= from_reserved;
    }
    if (!oi.sku.empty()) lines.push_back({oi.sku, -qty * 1000, std::nullopt});
  }
  auto& stored = deliveries[d.id] = std::move(d);
  ++counters.deliveries_created;
  event_delivery(stored);
  if (!lines.empty()) {
    stored.transaction_id = apply_transaction(*wid, kTxOrderDelivery, lines,
                                              "Order " + std::to_string(o.id) + " delivery " + std::to_string(stored.id),
                                              std::nullopt, std::nullopt, stored.id);
  }
  return std::to_string(stored.id);
}

}  // namespace sitoo_sim
