// What the connector remembers about the store's catalogue between calls (in
// the connection's state, key "catalog"): the SKU of every product and
// variation id, each variation's parent, and for parent-managed variations
// the SKU of the product that holds their stock. It lets a webhook name the
// SKU of a deleted product, count an order line of a parent-managed
// variation on the stock holder's SKU, and notice SKUs used twice.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace woo {

struct CatalogEntry {
  std::string sku;
  std::int64_t parent = 0;   // variations: the variable product's id
  std::string holder;        // parent-managed variation: the SKU whose stock it uses

  bool operator==(const CatalogEntry&) const = default;
};

class Catalog {
 public:
  // Restores from the stored JSON; false when it was damaged (then empty).
  bool load(const std::optional<std::string>& stored);
  std::string dump() const;
  bool dirty() const { return dirty_; }
  void mark_saved() { dirty_ = false; }

  const CatalogEntry* find(std::int64_t id) const;
  void put(std::int64_t id, const CatalogEntry& entry);
  void erase(std::int64_t id);
  // A full read of the store: drops every id not seen in it.
  void keep_only(const std::map<std::int64_t, bool>& seen);

  std::vector<std::int64_t> ids_with_sku(const std::string& sku) const;
  std::vector<std::int64_t> children(std::int64_t parent) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::int64_t, CatalogEntry> entries_;
  mutable std::map<std::string, std::vector<std::int64_t>> by_sku_;
  mutable bool index_ok_ = false;
  bool dirty_ = false;
};

}  // namespace woo
