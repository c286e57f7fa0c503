#include "woo_catalog.hpp"

#include <nlohmann/json.hpp>

namespace woo {

// {"v":1,"items":{"<id>":["SKU", parent, "holder SKU"], ...}}
bool Catalog::load(const std::optional<std::string>& stored) {
  entries_.clear();
  index_ok_ = false;
  dirty_ = false;
  if (!stored) return true;
  auto j = nlohmann::json::parse(*stored, nullptr, false);
  if (!j.is_object() || j.value("v", 0) != 1 || !j.contains("items") || !j["items"].is_object()) return false;
  for (const auto& [k, v] : j["items"].items()) {
    if (!v.is_array() || v.size() != 3 || !v[0].is_string() || !v[1].is_number_integer() || !v[2].is_string())
      return false;
    std::int64_t id = 0;
    for (char c : k) {
      if (c < '0' || c > '9') return false;
      id = id * 10 + (c - '0');
    }
    entries_[id] = CatalogEntry{v[0].get<std::string>(), v[1].get<std::int64_t>(), v[2].get<std::string>()};
  }
  return true;
}

std::string Catalog::dump() const {
  nlohmann::json items = nlohmann::json::object();
  for (const auto& [id, e] : entries_) items[std::to_string(id)] = nlohmann::json::array({e.sku, e.parent, e.holder});
  return nlohmann::json{{"v", 1}, {"items", std::move(items)}}.dump();
}

const CatalogEntry* Catalog::find(std::int64_t id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void Catalog::put(std::int64_t id, const CatalogEntry& entry) {
  auto it = entries_.find(id);
  if (it != entries_.end() && it->second == entry) return;
  entries_[id] = entry;
  index_ok_ = false;
  dirty_ = true;
}

void Catalog::erase(std::int64_t id) {
  if (entries_.erase(id) == 0) return;
  index_ok_ = false;
  dirty_ = true;
}

void Catalog::keep_only(const std::map<std::int64_t, bool>& seen) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (seen.count(it->first)) {
      ++it;
    } else {
      it = entries_.erase(it);
      index_ok_ = false;
      dirty_ = true;
    }
  }
}

std::vector<std::int64_t> Catalog::ids_with_sku(const std::string& sku) const {
  if (!index_ok_) {
    by_sku_.clear();
    for (const auto& [id, e] : entries_)
      if (!e.sku.empty()) by_sku_[e.sku].push_back(id);
    index_ok_ = true;
  }
  auto it = by_sku_.find(sku);
  return it == by_sku_.end() ? std::vector<std::int64_t>{} : it->second;
}

std::vector<std::int64_t> Catalog::children(std::int64_t parent) const {
  std::vector<std::int64_t> out;
  for (const auto& [id, e] : entries_)
    if (e.parent == parent) out.push_back(id);
  return out;
}

}  // namespace woo
