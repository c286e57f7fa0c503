// Sales orders (peakwms.md §4, §7 item 5): one per (integration, shop
// orderId); an open order reserves its lines' quantities, cancel and delete
// release them, picking turns the reservation into a stock decrease and
// packing sends PickOrderPacked to the order's integration.
#include <algorithm>

#include "http/message.hpp"
#include "sim_impl.hpp"

namespace peakwms_sim {

namespace {

const char* state_name(int state) {
  static const char* names[] = {"CREATED", "RELEASED", "PICKED",  "PACKED",   "SHIPPED",
                                "CANCELLED", "ERROR",  "ONHOLD", "DROPSHIP", "SENTTOGETHER"};
  return state >= 0 && state <= 9 ? names[state] : "UNKNOWN";
}

// Fields the server owns or reads itself; the rest of an order is kept as sent.
bool own_field(const std::string& key) {
  const std::string k = http::lower(key);
  return k == "id" || k == "orderid" || k == "state" || k == "orderlines";
}

}  // namespace

ojson Simulator::Impl::order_json(const SalesOrder& o) const {
  ojson j = ojson::object();
  j["id"] = o.id;
  j["orderId"] = o.order_id;
  j["state"] = o.state;
  if (!o.extra.contains("orderDateTime")) j["orderDateTime"] = util::iso_time(o.created);
  for (const auto& [k, v] : o.extra.items()) j[k] = v;
  ojson lines = ojson::array();
  for (const auto& l : o.lines) {
    ojson line = ojson::object();
    line["orderLineId"] = l.order_line_id;
    line["productId"] = l.product_id;
    line["variantId"] = l.variant_id;
    line["quantityRequested"] = l.quantity;
    line["state"] = l.state;
    for (const auto& [k, v] : l.extra.items()) line[k] = v;
    lines.push_back(std::move(line));
  }
  j["orderLines"] = std::move(lines);
  return j;
}

SalesOrder& Simulator::Impl::order_for(std::int64_t integration, const std::string& ref) {
  if (auto s = order_by_shop_id.find({integration, ref}); s != order_by_shop_id.end()) return orders.at(s->second);
  if (auto id = util::parse_int(ref)) {
    auto o = orders.find(*id);
    if (o != orders.end() && o->second.integration_id == integration) return o->second;
  }
  throw ApiError{404, "Sales order \"" + ref + "\" was not found"};
}

std::vector<OrderLine> Simulator::Impl::read_lines(std::int64_t integration, const json& body) {
  const json* lines = util::field(body, "orderLines");
  if (!lines || !lines->is_array() || lines->empty()) throw ApiError{400, "orderLines must be a non-empty array"};
  std::vector<OrderLine> out;
  for (std::size_t i = 0; i < lines->size(); ++i) {
    const json& in = (*lines)[i];
    const std::string where = "orderLines[" + std::to_string(i) + "]";
    if (!in.is_object()) throw ApiError{400, where + " must be an object"};
    OrderLine l;
    l.order_line_id = util::string_field(in, "orderLineId");
    l.product_id = util::string_field(in, "productId");
    l.variant_id = util::string_field(in, "variantId");
    auto qty = util::int_field(in, "quantityRequested");
    if (!qty || *qty < 1) throw ApiError{400, where + ".quantityRequested must be a positive integer"};
    l.quantity = *qty;
    auto link = link_by_key.find({integration, l.product_id, l.variant_id});
    if (link == link_by_key.end()) {
      throw ApiError{400, where + ": no product with productId \"" + l.product_id + "\" and variantId \"" +
                              l.variant_id + "\" in this integration"};
    }
    l.wms_product_id = links.at(link->second).product_id;
    for (const auto& [k, v] : in.items()) {
      const std::string lk = http::lower(k);
      if (lk != "orderlineid" && lk != "productid" && lk != "variantid" && lk != "quantityrequested" &&
          lk != "state") {
        l.extra[util::camel(k)] = v;
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

void Simulator::Impl::hold(SalesOrder& o, bool on) {
  if (o.reserving == on) return;
  for (const auto& l : o.lines) reserve(l.wms_product_id, on ? l.quantity : -l.quantity);
  o.reserving = on;
}

ojson Simulator::Impl::post_order(std::int64_t integration, const json& body) {
  if (!body.is_object()) throw ApiError{400, "POST /salesOrder: the body must be a sales order object"};
  const std::string shop_id = util::string_field(body, "orderId");
  if (shop_id.empty()) throw ApiError{400, "POST /salesOrder: orderId is required"};
  if (auto s = order_by_shop_id.find({integration, shop_id}); s != order_by_shop_id.end()) {
    throw ApiError{400, "A sales order with orderId \"" + shop_id + "\" already exists (id " +
                            std::to_string(s->second) + ")"};
  }
  SalesOrder o;
  o.lines = read_lines(integration, body);
  o.id = next_order_id++;
  o.integration_id = integration;
  o.order_id = shop_id;
  o.created = now();
  for (const auto& [k, v] : body.items()) {
    if (!own_field(k)) o.extra[util::camel(k)] = v;
  }
  hold(o, true);
  order_by_shop_id[{integration, shop_id}] = o.id;
  ++counters.orders_created;
  return order_json(orders[o.id] = std::move(o));
}

ojson Simulator::Impl::put_order(std::int64_t integration, std::optional<std::string> ref, const json& body) {
  if (!body.is_object()) throw ApiError{400, "PUT /salesOrder: the body must be a sales order object"};
  SalesOrder& o = order_for(integration, ref ? *ref : util::string_field(body, "orderId"));
  if (o.state != kOrderCreated) {
    throw ApiError{400, "Sales order " + o.order_id + " cannot be updated because it is in state " +
                            state_name(o.state)};
  }
  if (util::field(body, "orderLines")) {
    auto lines = read_lines(integration, body);  // validated before anything changes
    hold(o, false);
    o.lines = std::move(lines);
    hold(o, true);
  }
  for (const auto& [k, v] : body.items()) {
    if (!own_field(k)) o.extra[util::camel(k)] = v;
  }
  return order_json(o);
}

ojson Simulator::Impl::cancel_order(std::int64_t integration, const std::string& ref) {
  SalesOrder& o = order_for(integration, ref);
  if (o.state != kOrderCreated && o.state != 1 && o.state != 7) {
    throw ApiError{400, "Sales order " + o.order_id + " cannot be cancelled because it is in state " +
                            state_name(o.state)};
  }
  hold(o, false);
  o.state = kOrderCancelled;
  for (auto& l : o.lines) l.state = 3;
  ++counters.orders_cancelled;
  return order_json(o);
}

ojson Simulator::Impl::delete_order(std::int64_t integration, const std::string& ref) {
  SalesOrder& o = order_for(integration, ref);
  if (o.state == kOrderPicked || o.state == kOrderPacked || o.state == 4) {
    throw ApiError{400, "Sales order " + o.order_id + " cannot be deleted because it is in state " +
                            state_name(o.state)};
  }
  hold(o, false);
  ojson out{{"id", o.id}, {"orderId", o.order_id}};
  order_by_shop_id.erase({o.integration_id, o.order_id});
  orders.erase(o.id);
  return out;
}

void Simulator::Impl::pick(SalesOrder& o) {
  if (o.state != kOrderCreated) {
    throw std::invalid_argument("peakwms_sim: sales order " + std::to_string(o.id) + " cannot be picked in state " +
                                state_name(o.state));
  }
  std::map<std::int64_t, std::int64_t> need;
  for (const auto& l : o.lines) need[l.wms_product_id] += l.quantity;
  for (const auto& [pid, qty] : need) {
    auto p = products.find(pid);
    if (p == products.end() || p->second.on_hand < qty) {
      throw std::invalid_argument("peakwms_sim: sales order " + std::to_string(o.id) + " cannot be picked: product " +
                                  std::to_string(pid) + " has " +
                                  std::to_string(p == products.end() ? 0 : p->second.on_hand) + " on hand, needs " +
                                  std::to_string(qty));
    }
  }
  hold(o, false);
  for (const auto& [pid, qty] : need) adjust(products.at(pid), -qty, 3, "Picked for order " + o.order_id);
  o.state = kOrderPicked;
  for (auto& l : o.lines) l.state = 1;
}

void Simulator::Impl::pack(SalesOrder& o, const std::string& tracking) {
  if (o.state != kOrderPicked) {
    throw std::invalid_argument("peakwms_sim: sales order " + std::to_string(o.id) + " cannot be packed in state " +
                                state_name(o.state) + " (pick it first)");
  }
  o.state = kOrderPacked;
  ojson lines = ojson::array();
  for (auto& l : o.lines) {
    l.state = 2;
    lines.push_back({{"orderLineId", l.order_line_id}, {"quantity", l.quantity}});
  }
  const bool captured = o.extra.contains("paymentStatus") && o.extra["paymentStatus"] == 2;
  notify(o.integration_id, kWebhookPickOrderPacked,
         ojson{{"orderId", o.order_id},
               {"pickOrderId", o.id},
               {"paymentCaptured", captured},
               {"orderLines", std::move(lines)},
               {"trackingNumber", tracking},
               {"trackingUrl", tracking.empty() ? std::string() : "https://tracking.invalid/" + tracking}});
}

}  // namespace peakwms_sim
