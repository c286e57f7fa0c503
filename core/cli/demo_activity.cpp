#include "cli/demo_activity.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <stdexcept>

namespace stockrelay::cli::demo {

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void say(const std::string& line) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::cout << line << std::endl;
}

// ---- Actions ------------------------------------------------------------------

void Actions::order(const std::string& shop, const std::string& number, std::int64_t at_ms) {
  std::lock_guard lock(mu_);
  orders_[{shop, number}].push_back(at_ms);
}

void Actions::manual(const std::string& shop, const std::string& sku, std::int64_t at_ms) {
  std::lock_guard lock(mu_);
  manual_[{shop, sku}].push_back(at_ms);
}

std::optional<std::int64_t> Actions::latest(const std::map<Key, std::vector<std::int64_t>>& m, const Key& k,
                                            std::int64_t before_ms) {
  auto it = m.find(k);
  if (it == m.end()) return std::nullopt;
  std::optional<std::int64_t> best;
  for (auto t : it->second)
    if (t <= before_ms) best = t;  // times are appended in order
  return best;
}

std::optional<std::int64_t> Actions::order_time(const std::string& shop, const std::string& number,
                                                std::int64_t before_ms) const {
  std::lock_guard lock(mu_);
  return latest(orders_, {shop, number}, before_ms);
}

std::optional<std::int64_t> Actions::manual_time(const std::string& shop, const std::string& sku,
                                                 std::int64_t before_ms) const {
  std::lock_guard lock(mu_);
  return latest(manual_, {shop, sku}, before_ms);
}

// ---- Activity -----------------------------------------------------------------

Activity::Activity(std::vector<Shop*> shops, std::uint64_t seed, Actions& actions)
    : shops_(std::move(shops)), rng_(seed), actions_(actions) {}

int Activity::pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

void Activity::load() {
  for (Shop* shop : shops_) {
    ShopState s;
    s.shop = shop;
    s.items = shop->catalogue();
    for (std::size_t i = 0; i < s.items.size(); ++i) {
      const auto& it = s.items[i];
      if (it.sku.empty() || (it.type != "simple" && it.type != "variation")) continue;  // not sold as such
      s.orderable.push_back(i);
      if (it.managed && !it.maybe_parent_stock) s.settable.push_back(i);
    }
    if (s.orderable.empty()) throw std::runtime_error(shop->name() + " has no products to sell");
    stats_[shop->name()] = {};
    catalogue_[shop->name()] = std::move(s);
  }
}

void Activity::step() {
  Shop* shop = shops_[static_cast<std::size_t>(pick(0, static_cast<int>(shops_.size()) - 1))];
  ShopState& s = catalogue_.at(shop->name());
  int dice = pick(1, 100);
  try {
    if (dice <= 15 && !s.open_orders.empty()) cancel(s);
    else if (dice <= 40 && !s.settable.empty()) manual(s);
    else order(s);
  } catch (const std::exception& e) {
    ++stats_[shop->name()].failed;
    say(std::string("  ! ") + e.what());
  }
}

void Activity::order(ShopState& s) {
  // Mostly one line, sometimes two or three; never more than the shop shows.
  int wanted = std::max(1, pick(1, 10) - 7);
  std::vector<std::pair<const Item*, int>> lines;
  std::set<std::int64_t> parents;  // one line per stock-managing parent: they share its stock
  for (int tries = 0; tries < 6 && static_cast<int>(lines.size()) < wanted; ++tries) {
    const Item& it = s.items[s.orderable[static_cast<std::size_t>(pick(0, static_cast<int>(s.orderable.size()) - 1))]];
    bool taken = std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.first == &it; });
    if (taken || (it.maybe_parent_stock && parents.count(it.product_id))) continue;
    int qty = pick(1, 10) <= 7 ? 1 : pick(2, 3);
    if (it.managed) {
      auto now = s.shop->stock(it);
      if (!now || *now <= 0) continue;  // sold out here: a customer cannot buy it
      qty = std::min(qty, *now);
    }
    if (it.maybe_parent_stock) parents.insert(it.product_id);
    lines.emplace_back(&it, qty);
  }
  if (lines.empty()) return;  // everything tried was sold out
  auto at = wall_ms();
  auto placed = s.shop->place_order(lines);
  actions_.order(s.shop->name(), placed.number, at);
  s.open_orders.push_back(placed);
  ++stats_[s.shop->name()].orders;
}

void Activity::cancel(ShopState& s) {
  auto i = static_cast<std::size_t>(pick(0, static_cast<int>(s.open_orders.size()) - 1));
  PlacedOrder o = s.open_orders[i];
  s.open_orders.erase(s.open_orders.begin() + static_cast<long>(i));
  auto at = wall_ms();
  s.shop->cancel_order(o.id);
  actions_.order(s.shop->name(), o.number, at);
  ++stats_[s.shop->name()].cancels;
}

void Activity::manual(ShopState& s) {
  const Item& it = s.items[s.settable[static_cast<std::size_t>(pick(0, static_cast<int>(s.settable.size()) - 1))]];
  int now = s.shop->stock(it).value_or(0);
  int dice = pick(1, 10);
  int next;
  if (dice <= 4) next = now + pick(5, 20);                            // a delivery came in
  else if (dice <= 7 && now > 0) next = now - pick(1, std::min(3, now));  // damaged, or a miscount
  else next = pick(0, 40);                                            // a stocktake
  if (next == now) ++next;
  auto at = wall_ms();
  s.shop->set_stock(it, next);
  actions_.manual(s.shop->name(), it.sku, at);
  ++stats_[s.shop->name()].manual;
}

}  // namespace stockrelay::cli::demo
