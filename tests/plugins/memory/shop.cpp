#include "shop.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "shop_file.hpp"

namespace memory_shop {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// One operation is one change: it takes the next global revision, and every
// record it touches is stamped with it, so a poller that has seen revision N
// has seen all of that operation or none of it.
std::int64_t next_revision(State& s) { return ++s.revision; }

void stamp(Product& p, std::int64_t revision) {
  p.revision = revision;
  p.modified_at = now_ms();
}

void stamp(Order& o, std::int64_t revision) {
  o.revision = revision;
  o.modified_at = now_ms();
}

std::string unknown_sku(const std::string& sku) { return "unknown SKU " + sku; }

// The product a hub command may write, or nullptr with `error` set. A SKU in
// faults.fail_skus answers exactly like a SKU the shop does not have.
Product* writable(State& s, const std::string& sku, std::string& error) {
  const auto& fail = s.faults.fail_skus;
  auto it = s.products.find(sku);
  if (it == s.products.end() || std::find(fail.begin(), fail.end(), sku) != fail.end()) {
    error = unknown_sku(sku);
    return nullptr;
  }
  return &it->second;
}

Product* managed_for_hub(State& s, const std::string& sku, std::string& error) {
  Product* p = writable(s, sku, error);
  if (p && !p->managed) {
    error = "the shop does not track stock for SKU " + sku;
    return nullptr;
  }
  return p;
}

Product new_product(const std::string& sku, sr::Quantity quantity) {
  Product p;
  p.sku = sku;
  p.quantity = quantity;
  p.remote_id = "p-" + sku;
  return p;
}

}  // namespace

const char* to_string(Stock s) {
  switch (s) {
    case Stock::None: return "none";
    case Stock::Held: return "held";
    case Stock::Released: return "released";
  }
  return "none";
}

Shop::Shop(std::string path) : path_(std::move(path)) {}

Result Shop::create_product(const std::string& sku, sr::Quantity quantity) {
  Result r;
  file::update(path_, [&](State& s) {
    if (sku.empty()) r.error = "a SKU must not be empty";
    else if (s.products.count(sku)) r.error = "SKU " + sku + " already exists";
    if (!r.ok()) return false;
    Product p = new_product(sku, quantity);
    stamp(p, next_revision(s));
    s.products[sku] = std::move(p);
    return true;
  });
  return r;
}

Result Shop::ensure_products(const std::map<std::string, sr::Quantity>& initial) {
  Result r;
  file::update(path_, [&](State& s) {
    std::int64_t revision = 0;
    for (const auto& [sku, quantity] : initial) {
      if (sku.empty()) {
        r.error = "a SKU must not be empty";
        return false;
      }
      if (s.products.count(sku)) continue;
      if (!revision) revision = next_revision(s);
      Product p = new_product(sku, quantity);
      stamp(p, revision);
      s.products[sku] = std::move(p);
    }
    return revision != 0 || !std::filesystem::exists(path_);
  });
  return r;
}

Result Shop::place_order(const std::string& id, const std::vector<LineItem>& lines) {
  Result r;
  file::update(path_, [&](State& s) {
    if (id.empty()) r.error = "an order id must not be empty";
    else if (s.orders.count(id)) r.error = "order " + id + " already exists";
    else if (lines.empty()) r.error = "order " + id + " has no lines";
    for (const auto& l : lines) {
      if (!r.ok()) break;
      if (!s.products.count(l.sku)) r.error = "order " + id + ": " + unknown_sku(l.sku);
      else if (l.quantity <= sr::Quantity()) r.error = "order " + id + ": quantity of " + l.sku + " must be positive";
    }
    if (!r.ok()) return false;
    std::int64_t revision = next_revision(s);
    Order o;
    o.id = id;
    o.number = "#" + id;
    o.status = "processing";
    o.stock = Stock::Held;
    stamp(o, revision);
    for (const auto& l : lines) {
      o.lines.push_back({std::to_string(o.lines.size() + 1), l.sku, l.quantity, sr::Quantity()});
      Product& p = s.products[l.sku];
      if (!p.managed) continue;
      p.quantity -= l.quantity;
      stamp(p, revision);
    }
    s.orders[id] = std::move(o);
    return true;
  });
  return r;
}

Result Shop::cancel_order(const std::string& id) {
  Result r;
  file::update(path_, [&](State& s) {
    auto it = s.orders.find(id);
    if (it == s.orders.end()) {
      r.error = "unknown order " + id;
      return false;
    }
    Order& o = it->second;
    if (o.stock == Stock::Released) return false;  // cancelled before: give nothing back twice
    std::int64_t revision = next_revision(s);
    if (o.stock == Stock::Held) {
      for (const auto& l : o.lines) {
        auto p = s.products.find(l.sku);
        if (p == s.products.end() || !p->second.managed) continue;
        p->second.quantity += l.quantity - l.restocked;  // restocked units are back already
        stamp(p->second, revision);
      }
    }
    o.status = "cancelled";
    o.stock = Stock::Released;
    stamp(o, revision);
    return true;
  });
  return r;
}

Result Shop::refund_line(const std::string& order_id, const std::string& line_id, sr::Quantity quantity,
                         bool restock) {
  Result r;
  file::update(path_, [&](State& s) {
    auto it = s.orders.find(order_id);
    if (it == s.orders.end()) {
      r.error = "unknown order " + order_id;
      return false;
    }
    Order& o = it->second;
    auto line = std::find_if(o.lines.begin(), o.lines.end(), [&](const OrderLine& l) { return l.id == line_id; });
    if (line == o.lines.end()) r.error = "order " + order_id + " has no line " + line_id;
    else if (o.stock != Stock::Held) r.error = "order " + order_id + " holds no stock (cancelled or never held)";
    else if (quantity <= sr::Quantity()) r.error = "a refund quantity must be positive";
    else if (restock && line->restocked + quantity > line->quantity)
      r.error = "order " + order_id + " line " + line_id + ": restocking " + quantity.to_string() + " exceeds the " +
                (line->quantity - line->restocked).to_string() + " still sold";
    if (!r.ok()) return false;
    std::int64_t revision = next_revision(s);
    if (restock) {
      line->restocked += quantity;
      auto p = s.products.find(line->sku);
      if (p != s.products.end() && p->second.managed) {
        p->second.quantity += quantity;
        stamp(p->second, revision);
      }
    }
    stamp(o, revision);
    return true;
  });
  return r;
}

StockWrite Shop::manual_set(const std::string& sku, sr::Quantity quantity) {
  StockWrite w;
  file::update(path_, [&](State& s) {
    auto it = s.products.find(sku);
    if (it == s.products.end()) {
      w.error = unknown_sku(sku);
      return false;
    }
    it->second.quantity = quantity;
    stamp(it->second, next_revision(s));
    w.level = quantity;
    w.revision = it->second.revision;
    return true;
  });
  return w;
}

Result Shop::set_managed(const std::string& sku, bool managed) {
  Result r;
  file::update(path_, [&](State& s) {
    auto it = s.products.find(sku);
    if (it == s.products.end()) {
      r.error = unknown_sku(sku);
      return false;
    }
    it->second.managed = managed;
    stamp(it->second, next_revision(s));
    return true;
  });
  return r;
}

Result Shop::set_active(const std::string& sku, bool active) {
  Result r;
  file::update(path_, [&](State& s) {
    auto it = s.products.find(sku);
    if (it == s.products.end()) {
      r.error = unknown_sku(sku);
      return false;
    }
    it->second.active = active;
    stamp(it->second, next_revision(s));
    return true;
  });
  return r;
}

StockWrite Shop::apply_set_stock(const std::string& sku, sr::Quantity quantity,
                                 std::optional<sr::Quantity> expected, std::optional<std::int64_t> expected_revision) {
  StockWrite w;
  file::update(path_, [&](State& s) {
    Product* p = managed_for_hub(s, sku, w.error);
    if (!p) return false;
    bool moved = expected_revision && p->revision != *expected_revision;
    if ((expected && p->quantity != *expected) || moved) {
      w.conflict = true;
      w.error = "the shop shows " + p->quantity.to_string() + " for SKU " + sku + " at revision " +
                std::to_string(p->revision) + ", not the expected " +
                (expected ? expected->to_string() : std::string("level")) +
                (expected_revision ? " at revision " + std::to_string(*expected_revision) : std::string());
      w.level = p->quantity;
      w.revision = p->revision;
      w.compared = true;
      return false;
    }
    // Like a real shop, a write of the same value still counts as a change:
    // the hub must recognise its own writes rather than rely on silence.
    p->quantity = quantity;
    stamp(*p, next_revision(s));
    w.level = p->quantity;
    w.revision = p->revision;
    w.compared = expected.has_value() || expected_revision.has_value();
    return true;
  });
  return w;
}

StockWrite Shop::apply_adjust(const std::string& sku, sr::Quantity delta) {
  StockWrite w;
  file::update(path_, [&](State& s) {
    Product* p = managed_for_hub(s, sku, w.error);
    if (!p) return false;
    p->quantity += delta;
    stamp(*p, next_revision(s));
    w.level = p->quantity;
    w.revision = p->revision;
    return true;
  });
  return w;
}

Result Shop::set_price(const std::string& sku, const sr::Money& price) {
  Result r;
  file::update(path_, [&](State& s) {
    Product* p = writable(s, sku, r.error);
    if (!p) return false;
    p->price = price;
    stamp(*p, next_revision(s));
    return true;
  });
  return r;
}

Result Shop::add_note(const std::string& order_id, const std::string& note, bool customer_visible) {
  Result r;
  file::update(path_, [&](State& s) {
    if (!s.orders.count(order_id)) {
      r.error = "unknown order " + order_id;
      return false;
    }
    // A note is not an order change (no revision): notes written back by the
    // hub must not make the order look modified and come back as an event.
    s.notes.push_back({order_id, note, customer_visible});
    return true;
  });
  return r;
}

CreatedOrderWrite Shop::create_document(const std::string& source_connection, const std::string& source_order_id,
                                        const std::vector<LineItem>& lines) {
  CreatedOrderWrite w;
  file::update(path_, [&](State& s) {
    for (const auto& c : s.created_orders) {
      if (c.source_connection == source_connection && c.source_order_id == source_order_id) {
        w.remote_ref = c.remote_ref;
        return false;
      }
    }
    w.remote_ref = "doc-" + std::to_string(s.created_orders.size() + 1);
    w.created = true;
    s.created_orders.push_back({w.remote_ref, source_connection, source_order_id, lines, false});
    return true;
  });
  return w;
}

Result Shop::deliver_document(const std::string& remote_ref) {
  Result r;
  file::update(path_, [&](State& s) {
    for (auto& c : s.created_orders) {
      if (c.remote_ref != remote_ref) continue;
      bool changed = !c.delivered;
      c.delivered = true;
      return changed;
    }
    r.error = "unknown order " + remote_ref;
    return false;
  });
  return r;
}

bool Shop::consume_retry() {
  bool retry = false;
  file::update(path_, [&](State& s) {
    if (s.faults.retry_next <= 0) return false;
    --s.faults.retry_next;
    retry = true;
    return true;
  });
  return retry;
}

void Shop::set_retry_next(int n) {
  file::update(path_, [&](State& s) {
    s.faults.retry_next = n;
    return true;
  });
}

void Shop::set_fail_skus(const std::vector<std::string>& skus) {
  file::update(path_, [&](State& s) {
    s.faults.fail_skus = skus;
    return true;
  });
}

State Shop::read() const { return file::load(path_); }

std::map<std::string, sr::Quantity> Shop::levels() const {
  std::map<std::string, sr::Quantity> out;
  for (const auto& [sku, p] : read().products) out[sku] = p.quantity;
  return out;
}

std::vector<Order> Shop::orders() const {
  std::vector<Order> out;
  for (auto& [id, o] : read().orders) out.push_back(o);
  return out;
}

std::vector<Note> Shop::notes() const { return read().notes; }

std::vector<CreatedOrder> Shop::created_orders() const { return read().created_orders; }

}  // namespace memory_shop
