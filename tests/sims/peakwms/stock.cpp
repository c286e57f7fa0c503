// Stock (peakwms.md §4, §7 items 5, 6, 9): one warehouse; each WMS product
// has an on-hand quantity changed only by warehouse operations (stock
// actions, each sent as StockAdjust) and a reserved quantity held by open
// sales orders. availableToSell = on hand - reserved, never below 0.
#include <algorithm>

#include "sim_impl.hpp"

namespace peakwms_sim {

ojson Simulator::Impl::stock_row(const Product& p, const ProductIntegration& l) const {
  return ojson{{"id", p.id},
               {"productId", l.shop_product_id},
               {"variantId", l.shop_variant_id},
               {"itemNumber", p.item_number},
               {"ean", p.ean},
               {"quantity", p.on_hand},
               {"reservedQuantity", p.reserved},
               {"availableQuantity", std::max<std::int64_t>(0, p.on_hand - p.reserved)},
               {"locationCode", opts.warehouse_name}};
}

ojson Simulator::Impl::get_stock(std::int64_t integration, const std::string& shop_product_id, const util::Query& q) {
  auto variant = q.get("variantId");
  ojson out = ojson::array();
  for (const auto& [lid, l] : links) {
    if (l.integration_id != integration || l.shop_product_id != shop_product_id) continue;
    if (variant && l.shop_variant_id != *variant) continue;
    out.push_back(stock_row(products.at(l.product_id), l));
  }
  return out;
}

ojson Simulator::Impl::list_stock(std::int64_t integration, const KeySet& k) {
  std::vector<ojson> rows;
  for (const auto& [pid, l] : links_of(integration)) rows.push_back(stock_row(products.at(pid), *l));
  return keyset_page(rows, k);
}

ojson Simulator::Impl::list_actions(std::int64_t integration, const KeySet& k, const util::Query& q) {
  auto time_filter = [&](const char* name) -> std::optional<std::int64_t> {
    auto v = q.get(name);
    if (!v || v->empty()) return std::nullopt;
    auto t = util::parse_iso_time(*v);
    if (!t) throw ApiError{400, std::string(name) + " must be yyyy-MM-ddTHH:mm:ss, got \"" + *v + "\""};
    return t;
  };
  auto from = time_filter("fromTime");
  auto to = time_filter("toTime");
  std::vector<ojson> rows;
  for (const auto& [id, a] : actions) {
    if (from && a.time < *from) continue;
    if (to && a.time > *to) continue;
    if (!link_of(a.product_id, integration)) continue;
    auto p = products.find(a.product_id);
    rows.push_back(ojson{{"id", a.id},
                         {"adjustmentTime", util::iso_time(a.time)},
                         {"adjustmentType", a.type},
                         {"adjustmentReasonName", a.reason},
                         {"itemNumber", p == products.end() ? std::string() : p->second.item_number},
                         {"quantityAdjusted", a.delta},
                         {"totalQuantity", a.total},
                         {"warehouseName", opts.warehouse_name},
                         {"lotNumber", nullptr},
                         {"bestBeforeDate", nullptr}});
  }
  return keyset_page(rows, k);
}

void Simulator::Impl::adjust(Product& p, std::int64_t delta, int type, const std::string& reason) {
  if (type == 1 && delta <= 0) {
    throw ApiError{400, "Goods received for product " + std::to_string(p.id) + " needs a positive quantity"};
  }
  if (p.on_hand + delta < 0) {
    throw ApiError{400, reason + " would take product " + std::to_string(p.id) + " below 0 on hand (" +
                            std::to_string(p.on_hand) + " + " + std::to_string(delta) + ")"};
  }
  if (delta == 0) return;  // a count that matches: nothing moved
  p.on_hand += delta;
  p.activity = true;
  StockAction a;
  a.id = next_action_id++;
  a.product_id = p.id;
  a.time = now();
  a.type = type;
  a.reason = reason;
  a.delta = delta;
  a.total = p.on_hand;
  actions[a.id] = a;
  for (const auto& [lid, l] : links) {
    if (l.product_id != p.id) continue;
    notify(l.integration_id, kWebhookStockAdjust,
           ojson{{"productId", l.shop_product_id},
                 {"variantId", l.shop_variant_id},
                 {"adjustedQuantity", delta},
                 {"quantity", p.on_hand},
                 {"stockHostIdentifier", p.item_number},
                 {"warehouseHostId", opts.warehouse_name},
                 {"lotNumber", nullptr},
                 {"adjustmentReason", type},
                 {"stockItemId", p.id}});
  }
}

void Simulator::Impl::reserve(std::int64_t product_id, std::int64_t delta) {
  auto p = products.find(product_id);
  if (p == products.end()) return;  // deleted since; nothing to hold
  p->second.reserved = std::max<std::int64_t>(0, p->second.reserved + delta);
  p->second.activity = true;
}

}  // namespace peakwms_sim
