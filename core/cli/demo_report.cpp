#include "cli/demo_report.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "engine/ledger.hpp"
#include "engine/sku.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli::demo {
namespace {

std::string clock_text(std::int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  tm local{};
  localtime_r(&secs, &local);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", local.tm_hour, local.tm_min, local.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string pad(std::string s, std::size_t width, bool right = false) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

std::string qty(const std::optional<sr::Quantity>& q) { return q ? q->to_string() : "?"; }

std::string value_text(const std::optional<int>& v) { return v ? std::to_string(*v) : "untracked"; }

// Nearest-rank percentile of ascending `v`.
std::int64_t percentile(const std::vector<std::int64_t>& v, double p) {
  std::size_t rank = static_cast<std::size_t>(p * static_cast<double>(v.size()) + 0.999999);
  return v[std::min(v.size(), std::max<std::size_t>(rank, 1)) - 1];
}

// "order 17 in shop-b" -> {17, shop-b}; "manual change in shop-a (5 -> 3)" -> {"", shop-a}.
struct Cause {
  bool order = false;
  bool manual = false;
  std::string number;
  std::string shop;
};

Cause parse_cause(const std::string& cause) {
  Cause c;
  std::istringstream in(cause);
  std::string w1, w2, w3, w4;
  in >> w1 >> w2 >> w3 >> w4;
  if (w1 == "order" && w3 == "in") {
    c.order = true;
    c.number = w2;
    c.shop = w4;
  } else if (w1 == "manual" && w2 == "change" && w3 == "in") {
    c.manual = true;
    c.shop = w4;
  }
  return c;
}

}  // namespace

// ---- ChangeFeed -----------------------------------------------------------------

ChangeFeed::ChangeFeed(hub::Hub& hub, const Actions& actions) : hub_(hub), actions_(actions) {
  for (const auto& n : hub_.connection_names()) name_width_ = std::max(name_width_, n.size());
}

ChangeFeed::~ChangeFeed() { stop(); }

void ChangeFeed::skip_past() {
  store::LogQuery q;
  q.limit = 1;  // the newest entry
  std::lock_guard lock(hub_.store_mutex());
  for (const auto& e : hub_.store().log(q)) last_id_ = std::max(last_id_, e.id);
}

void ChangeFeed::follow() {
  thread_ = std::thread([this] {
    while (!stop_) {
      drain();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void ChangeFeed::stop() {
  if (stop_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  drain();
}

const std::vector<std::int64_t>& ChangeFeed::latencies(const std::string& shop) const {
  static const std::vector<std::int64_t> none;
  auto it = latencies_.find(shop);
  return it == latencies_.end() ? none : it->second;
}

std::optional<std::int64_t> ChangeFeed::latency_of(const store::LogEntry& e) const {
  Cause c = parse_cause(e.cause);
  std::optional<std::int64_t> at;
  if (c.order) at = actions_.order_time(c.shop, c.number, e.at);
  if (c.manual) at = actions_.manual_time(c.shop, e.sku, e.at);
  if (!at) return std::nullopt;
  return e.at - *at;
}

std::string ChangeFeed::describe(const store::LogEntry& e, std::optional<std::int64_t> latency) const {
  std::string change = pad(qty(e.old_quantity), 4, true) + " → " + pad(qty(e.new_quantity), 4);
  std::string line = clock_text(e.at) + "  " + pad(e.connection, name_width_) + "  " + pad(e.sku, 10) + "  " +
                     change + "  " + pad(e.cause, 44);
  if (latency) line += pad(std::to_string(*latency), 6, true) + " ms";
  return line;
}

std::string ChangeFeed::header() const {
  return pad("time", 14) + pad("shop", name_width_ + 2) + pad("SKU", 12) + " old → new   " + pad("cause", 44) +
         "  latency";
}

void ChangeFeed::drain() {
  std::vector<store::LogEntry> rows;
  {
    store::LogQuery q;
    q.after_id = last_id_;
    q.limit = 100000;
    std::lock_guard lock(hub_.store_mutex());
    rows = hub_.store().log(q);
  }
  for (const auto& e : rows) {
    last_id_ = std::max(last_id_, e.id);
    if (e.kind != "set_stock") continue;
    if (e.result == "ok") {
      ++totals_.writes;
      if (e.old_quantity && e.new_quantity && *e.old_quantity == *e.new_quantity) {
        // The shop where the sale happened gets the level it already shows:
        // the hub's guard against a write of its own that raced the sale.
        ++totals_.confirmations;
        continue;
      }
      ++writes_[e.connection];
      auto latency = latency_of(e);
      if (latency) latencies_[e.connection].push_back(*latency);
      else ++totals_.untraced;
      say(describe(e, latency));
    } else if (e.result == "conflict") {
      ++totals_.conflicts;
    } else if (e.result == "retry") {
      ++totals_.retries;
    } else {
      ++totals_.failed;
      say(clock_text(e.at) + "  " + pad(e.connection, name_width_) + "  " + pad(e.sku, 10) + "  FAILED (" +
          e.result + "): " + e.message);
    }
  }
}

// ---- convergence ----------------------------------------------------------------

bool Convergence::all() const {
  return std::all_of(shops.begin(), shops.end(),
                     [](const auto& s) { return s.second.differing == 0 && s.second.error.empty(); });
}

Convergence check_convergence(const std::vector<Shop*>& shops, const config::Config& cfg, store::Store& store) {
  Convergence out;
  std::map<std::string, std::map<std::string, std::optional<int>>> seen;  // shop -> SKU -> stock
  std::set<std::string> skus;
  for (Shop* shop : shops) {
    auto& row = out.shops[shop->name()];
    try {
      for (const auto& it : shop->catalogue()) {
        if (it.sku.empty()) continue;
        seen[shop->name()][it.sku] = it.stock;
        skus.insert(it.sku);
      }
    } catch (const std::exception& e) {
      row.error = e.what();
    }
  }
  std::map<std::string, std::map<std::string, sr::Quantity>> levels;  // pool -> SKU -> level
  for (const auto& p : cfg.pools)
    for (const auto& l : store.pool_levels(p.name)) levels[p.name][l.sku] = l.quantity;

  out.skus = skus.size();
  for (const auto& sku : skus) {
    // What every shop shows, and what the most of them show (the reference
    // where no pool keeps a level).
    std::map<std::string, std::optional<int>> shown;
    std::map<std::optional<int>, int> votes;
    for (Shop* shop : shops) {
      auto& m = seen[shop->name()];
      if (auto it = m.find(sku); it != m.end()) {
        shown[shop->name()] = it->second;
        ++votes[it->second];
      }
    }
    std::optional<int> majority;
    int best = 0;
    for (const auto& [v, n] : votes)
      if (n > best) best = n, majority = v;
    for (Shop* shop : shops) {
      auto& row = out.shops[shop->name()];
      if (!row.error.empty()) continue;
      std::optional<int> expected = majority;
      std::string pool_note;
      if (const auto* pool = engine::pool_for(cfg, shop->name(), sku)) {
        auto lv = levels[pool->name].find(sku);
        if (lv != levels[pool->name].end()) {
          expected = static_cast<int>(engine::shown(*pool, lv->second).whole());
          pool_note = ", pool " + pool->name + " " + lv->second.to_string();
        }
      }
      auto it = shown.find(shop->name());
      if (it != shown.end() && it->second == expected) continue;
      ++row.differing;
      if (row.examples.size() >= 5) continue;
      std::string text = sku + ":";
      for (Shop* other : shops) {
        auto o = shown.find(other->name());
        text += " " + other->name() + " " + (o == shown.end() ? "missing" : value_text(o->second)) + ",";
      }
      text.pop_back();
      row.examples.push_back(text + pool_note);
    }
  }
  return out;
}

// ---- the table ------------------------------------------------------------------

void print_table(const std::vector<ShopRow>& rows, const Convergence& conv) {
  std::size_t w = 6;
  for (const auto& r : rows) w = std::max(w, r.shop.size());
  std::cout << "\n"
            << pad("shop", w) << "  orders  cancels  manual  requests  by hub  webhooks  changes in  p50 ms  p99 ms"
            << "  converged\n";
  for (const auto& r : rows) {
    auto lat = r.latencies;
    std::sort(lat.begin(), lat.end());
    auto p = [&](double q) { return lat.empty() ? std::string("-") : std::to_string(percentile(lat, q)); };
    const auto& c = conv.shops.at(r.shop);
    std::string converged = !c.error.empty()   ? "no (catalogue not read)"
                            : c.differing == 0 ? "yes"
                                               : "no (" + std::to_string(c.differing) + " SKUs differ)";
    std::cout << pad(r.shop, w) << "  " << pad(std::to_string(r.activity.orders), 6, true) << "  "
              << pad(std::to_string(r.activity.cancels), 7, true) << "  "
              << pad(std::to_string(r.activity.manual), 6, true) << "  " << pad(std::to_string(r.requests), 8, true)
              << "  " << pad(std::to_string(r.hub_requests), 6, true) << "  "
              << pad(std::to_string(r.webhooks), 8, true) << "  " << pad(std::to_string(r.changes), 10, true)
              << "  " << pad(p(0.50), 6, true) << "  " << pad(p(0.99), 6, true) << "  " << converged << "\n";
  }
  for (const auto& r : rows) {
    const auto& c = conv.shops.at(r.shop);
    if (!c.error.empty()) std::cout << "  " << r.shop << ": " << c.error << "\n";
    for (const auto& e : c.examples) std::cout << "  " << r.shop << " differs: " << e << "\n";
    if (c.differing > c.examples.size())
      std::cout << "  " << r.shop << ": and " << c.differing - c.examples.size() << " more\n";
  }
}

}  // namespace stockrelay::cli::demo
