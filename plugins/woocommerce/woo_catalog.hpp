// What the connector remembers about the store's catalogue between calls (in
// the connection's state): the SKU of every product and variation id, each
// variation's parent, and for parent-managed variations the SKU of the
// product that holds their stock. It lets a webhook name the SKU of a deleted
// product, count an order line of a parent-managed variation on the stock
// holder's SKU, and notice SKUs used twice.
//
// Compact: one 32-byte row per id in a vector sorted by id, the SKU texts in
// one shared buffer, and the SKU index a sorted vector of row numbers. A
// store with 100,000 products takes about 4 MB.
//
// Stored in shards: the state key "catalog" holds {"v":2,"shards":N} and
// "catalog.<k>" the ids with id % N == k. Only shards whose ids changed are
// written again, so a webhook or an incremental poll rewrites a few kB, not
// the whole catalogue. A "catalog" of the first format (one JSON object with
// every id, "v":1) is still read, and replaced by shards at the next save.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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
  static constexpr unsigned kShards = 64;
  using StateGet = std::function<std::optional<std::string>(const std::string& key)>;
  using StatePut = std::function<bool(const std::string& key, const std::string& value)>;

  // Restores from the connection's state; false when it was damaged (then
  // empty, and every shard is written again at the next save).
  bool load(const StateGet& get);
  // Writes the shards that changed since the last save (and the "catalog"
  // header when it is not of this format yet). False when a write failed;
  // what was not written stays to be saved.
  bool save(const StatePut& put);
  bool dirty() const { return dirty_shards_ != 0 || !header_saved_; }

  // State key of shard k.
  static std::string shard_key(unsigned k);

  std::optional<CatalogEntry> find(std::int64_t id) const;
  bool contains(std::int64_t id) const { return locate(id) != nullptr; }
  void put(std::int64_t id, const CatalogEntry& entry);
  void erase(std::int64_t id);

  // A full read of the store: begin_full_read() forgets which ids were seen,
  // put() marks them, drop_unseen() then drops every id the read did not see.
  void begin_full_read();
  void drop_unseen();

  // The ids (ascending) of the products and variations that carry `sku`.
  std::vector<std::int64_t> ids_with_sku(std::string_view sku) const;
  std::vector<std::int64_t> children(std::int64_t parent) const;

  // What the hub was last told of a product apart from its stock level (a
  // fingerprint of its name, status, type, SKU and stock keeping;
  // product_print in woo_events.hpp), so a change of stock alone sends no
  // product event again. Memory only, not in the stored shards: 0 (not
  // known) after a restart, and after forget_reported(), which a call that
  // failed to hand its events over makes.
  std::uint32_t reported(std::int64_t id) const;
  void set_reported(std::int64_t id, std::uint32_t print);
  void forget_reported();
  std::size_t size() const { return rows_.size() + added_.size(); }

 private:
  struct Row {
    std::int64_t id = 0;
    std::int64_t parent = 0;
    std::uint32_t sku = 0;     // offset of the text in text_ (0: empty)
    std::uint32_t holder = 0;  // same, for the holder SKU
    std::uint32_t reported = 0;  // see reported(); fits in the row's padding
    bool seen = true;
  };

  Row* locate(std::int64_t id);
  const Row* locate(std::int64_t id) const;
  std::string_view text(std::uint32_t at) const;
  std::uint32_t intern(std::string_view s);
  // Moves added_ into rows_ (both sorted by id).
  void merge() const;
  void compact_text();
  void mark(std::int64_t id) { dirty_shards_ |= std::uint64_t{1} << shard_of(id); }
  static unsigned shard_of(std::int64_t id) { return static_cast<unsigned>(static_cast<std::uint64_t>(id) % kShards); }
  void clear();
  bool load_v1(std::string_view doc);
  bool load_shard(std::string_view doc);
  void add_loaded(std::int64_t id, std::string_view sku, std::int64_t parent, std::string_view holder);

  // Sorted by id. New ids that do not go at the end wait in added_ (sorted,
  // small) until it is merged, so a read out of id order stays linear.
  mutable std::vector<Row> rows_;
  mutable std::vector<Row> added_;
  // Texts: a 4-byte length, then the bytes. Offset 0 is the empty text.
  std::string text_;
  std::size_t text_live_ = 0;  // bytes of text_ still referenced
  // Row numbers of rows_ with a SKU, by (SKU, id); rebuilt when stale.
  mutable std::vector<std::uint32_t> by_sku_;
  mutable bool index_ok_ = false;
  std::uint64_t dirty_shards_ = 0;
  bool header_saved_ = true;
};

// Held by a call that emits products: if it ends by an exception, its events
// may not have reached the host, so what the catalogue says was reported is
// forgotten and reported again by the next read.
class ReportedGuard {
 public:
  explicit ReportedGuard(Catalog& c) : catalog_(c) {}
  ~ReportedGuard() {
    if (std::uncaught_exceptions() > exceptions_) catalog_.forget_reported();
  }
  ReportedGuard(const ReportedGuard&) = delete;
  ReportedGuard& operator=(const ReportedGuard&) = delete;

 private:
  Catalog& catalog_;
  int exceptions_ = std::uncaught_exceptions();
};

}  // namespace woo
