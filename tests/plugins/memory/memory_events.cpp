#include "memory_events.hpp"

namespace memory_shop {

std::string version_of(std::int64_t revision) {
  std::string digits = std::to_string(revision);
  return std::string(digits.size() < 12 ? 12 - digits.size() : 0, '0') + digits;
}

sr::Event order_event(const Order& o, const State& shop) {
  sr::OrderEvent e;
  e.key = "order:" + o.id + ":" + std::to_string(o.revision);
  e.at = o.modified_at;
  e.order.id = o.id;
  e.order.number = o.number;
  e.order.status = o.status;
  e.order.stock = o.stock == Stock::Held       ? sr::OrderStock::Held
                  : o.stock == Stock::Released ? sr::OrderStock::Released
                                               : sr::OrderStock::None;
  for (const auto& l : o.lines) {
    sr::OrderLine line;
    line.id = l.id;
    line.sku = l.sku;
    line.quantity = l.quantity;
    line.restocked = l.restocked;
    if (auto p = shop.products.find(l.sku); p != shop.products.end()) line.remote_id = p->second.remote_id;
    e.order.lines.push_back(std::move(line));
  }
  return e;
}

sr::Event level_event(const Product& p) {
  sr::StockLevel e;
  e.key = "level:" + p.sku + ":" + std::to_string(p.revision);
  e.at = p.modified_at;
  e.sku = p.sku;
  e.quantity = p.quantity;
  e.version = version_of(p.revision);
  e.managed = p.managed;
  e.remote_id = p.remote_id;
  return e;
}

sr::Event product_event(const Product& p) {
  sr::ProductChange e;
  e.key = "product:" + p.sku + ":" + std::to_string(p.revision);
  e.at = p.modified_at;
  e.sku = p.sku;
  e.remote_id = p.remote_id;
  e.active = p.active;
  e.managed = p.managed;
  e.quantity = p.quantity;
  e.price = p.price;
  return e;
}

}  // namespace memory_shop
