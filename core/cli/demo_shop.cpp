#include "cli/demo_shop.hpp"

#include <map>
#include <stdexcept>

#include "http/encoding.hpp"

namespace stockrelay::cli::demo {
namespace {

using nlohmann::json;

constexpr const char* kApi = "/wp-json/wc/v3";

// manage_stock is a bool in v3 answers; older stores send "parent" for a
// variation that uses its parent's stock.
bool manages(const json& j) {
  auto it = j.find("manage_stock");
  if (it == j.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && it->get<std::string>() == "parent";
}

std::optional<int> stock_of(const json& j) {
  auto it = j.find("stock_quantity");
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return static_cast<int>(it->get<double>());
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Shop::Shop(std::string name, std::string url, const std::string& key, const std::string& secret)
    : name_(std::move(name)), url_(std::move(url)), auth_("Basic " + http::base64_encode(key + ":" + secret)) {
  http::Limits limits;
  limits.max_concurrency = 2;
  limits.max_retries = 1;  // a loopback shop: a failure is worth seeing, not hiding
  client_ = std::make_unique<http::Client>("demo " + name_, limits);
}

json Shop::call(const std::string& method, const std::string& path, const json* body,
                std::vector<http::Header>* headers_out) {
  http::Request req;
  req.method = method;
  req.url = url_ + (path.starts_with("/__sim/") ? path : kApi + path);
  req.timeout_ms = 15000;
  req.headers.push_back({"Accept", "application/json"});
  if (!path.starts_with("/__sim/")) req.headers.push_back({"Authorization", auth_});
  if (body) {
    req.headers.push_back({"Content-Type", "application/json"});
    req.body = body->dump();
  }
  if (!path.starts_with("/__sim/")) ++requests_;
  auto r = client_->send(req);
  std::string what = name_ + ": " + method + " " + path;
  if (!r.error.empty()) throw std::runtime_error(what + ": " + r.error);
  if (r.status < 200 || r.status > 299)
    throw std::runtime_error(what + ": HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200));
  if (headers_out) *headers_out = r.headers;
  try {
    return json::parse(r.body);
  } catch (const json::exception& e) {
    throw std::runtime_error(what + ": the answer is not JSON: " + e.what());
  }
}

std::vector<Item> Shop::catalogue() {
  std::vector<Item> out;
  std::vector<std::pair<std::int64_t, bool>> variable;  // id, manages stock
  for (int page = 1;; ++page) {
    std::vector<http::Header> headers;
    auto list = call("GET", "/products?per_page=100&orderby=id&order=asc&page=" + std::to_string(page), nullptr,
                     &headers);
    if (!list.is_array()) throw std::runtime_error(name_ + ": GET /products: expected a list");
    for (const auto& p : list) {
      Item it;
      it.sku = text(p, "sku");
      it.product_id = p.value("id", std::int64_t{0});
      it.type = text(p, "type");
      it.managed = manages(p);
      it.stock = stock_of(p);
      if (it.type == "variable") variable.emplace_back(it.product_id, it.managed);
      out.push_back(std::move(it));
    }
    if (list.size() < 100) break;
  }
  for (const auto& [parent, parent_manages] : variable) {
    for (int page = 1;; ++page) {
      auto list = call("GET", "/products/" + std::to_string(parent) + "/variations?per_page=100&page=" +
                                  std::to_string(page), nullptr);
      if (!list.is_array()) throw std::runtime_error(name_ + ": GET variations: expected a list");
      for (const auto& v : list) {
        Item it;
        it.sku = text(v, "sku");
        it.product_id = parent;
        it.variation_id = v.value("id", std::int64_t{0});
        it.type = "variation";
        it.managed = manages(v);
        it.maybe_parent_stock = parent_manages;
        it.stock = stock_of(v);
        out.push_back(std::move(it));
      }
      if (list.size() < 100) break;
    }
  }
  return out;
}

std::string Shop::item_path(const Item& item) const {
  std::string p = "/products/" + std::to_string(item.product_id);
  if (item.variation_id) p += "/variations/" + std::to_string(item.variation_id);
  return p;
}

std::optional<int> Shop::stock(const Item& item) { return stock_of(call("GET", item_path(item), nullptr)); }

PlacedOrder Shop::place_order(const std::vector<std::pair<const Item*, int>>& lines) {
  json items = json::array();
  for (const auto& [item, qty] : lines) {
    json line = {{"product_id", item->product_id}, {"quantity", qty}};
    if (item->variation_id) line["variation_id"] = item->variation_id;
    items.push_back(line);
  }
  json body = {{"set_paid", true},
               {"payment_method", "bacs"},
               {"billing", {{"first_name", "Demo"}, {"last_name", "Customer"}, {"email", "demo@example.com"}}},
               {"line_items", items}};
  auto r = call("POST", "/orders", &body);
  PlacedOrder o;
  o.id = r.value("id", std::int64_t{0});
  o.number = text(r, "number");
  if (o.number.empty()) o.number = std::to_string(o.id);
  return o;
}

void Shop::cancel_order(std::int64_t id) {
  json body = {{"status", "cancelled"}};
  call("PUT", "/orders/" + std::to_string(id), &body);
}

void Shop::set_stock(const Item& item, int quantity) {
  json body = {{"stock_quantity", quantity}};
  call("PUT", item_path(item), &body);
}

void Shop::set_sku(const Item& item, const std::string& sku) {
  json body = {{"sku", sku}};
  call("PUT", item_path(item), &body);
}

void Shop::set_status(const Item& item, const std::string& status) {
  json body = {{"status", status}};
  call("PUT", item_path(item), &body);
}

Item Shop::copy_product(const Item& original, const std::string& sku) {
  json from = call("GET", item_path(original), nullptr);
  json meta = json::array();
  if (auto m = from.find("meta_data"); m != from.end() && m->is_array())
    for (const auto& e : *m)
      if (e.is_object()) meta.push_back({{"key", e.value("key", std::string())}, {"value", e.value("value", json())}});
  json body = {{"name", text(from, "name") + " (Copy)"},
               {"type", "simple"},
               {"sku", sku},
               {"status", "publish"},
               {"regular_price", text(from, "regular_price")},
               {"manage_stock", from.value("manage_stock", false)},
               {"meta_data", meta}};
  if (auto q = from.find("stock_quantity"); q != from.end() && q->is_number_integer()) body["stock_quantity"] = *q;
  json made = call("POST", "/products", &body);
  Item copy = original;
  copy.sku = sku;
  copy.product_id = made.value("id", std::int64_t{0});
  copy.variation_id = 0;
  return copy;
}

std::vector<std::string> Shop::notes(std::int64_t order_id) {
  auto list = call("GET", "/orders/" + std::to_string(order_id) + "/notes", nullptr);
  std::vector<std::string> out;
  if (list.is_array())
    for (auto it = list.rbegin(); it != list.rend(); ++it) out.push_back(text(*it, "note"));  // newest first there
  return out;
}

std::vector<std::pair<std::string, std::string>> Shop::order_meta(std::int64_t order_id) {
  auto o = call("GET", "/orders/" + std::to_string(order_id), nullptr);
  std::vector<std::pair<std::string, std::string>> out;
  if (auto m = o.find("meta_data"); m != o.end() && m->is_array())
    for (const auto& e : *m)
      if (e.contains("value") && e["value"].is_string()) out.emplace_back(text(e, "key"), e["value"].get<std::string>());
  return out;
}

json Shop::counters() { return call("GET", "/__sim/counters", nullptr); }

}  // namespace stockrelay::cli::demo
