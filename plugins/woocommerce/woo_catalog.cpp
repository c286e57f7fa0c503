#include "woo_catalog.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <simdjson.h>

#include "woo_connector.hpp"

namespace woo {
namespace {

constexpr std::size_t kMaxAdded = 1024;
constexpr std::uint64_t kAllShards = ~std::uint64_t{0} >> (64 - Catalog::kShards);

void json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

bool parse_id(std::string_view k, std::int64_t& id) {
  if (k.empty() || k.size() > 18) return false;
  id = 0;
  for (char c : k) {
    if (c < '0' || c > '9') return false;
    id = id * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::string Catalog::shard_key(unsigned k) { return std::string(kCatalogKey) + "." + std::to_string(k); }

void Catalog::clear() {
  rows_.clear();
  rows_.shrink_to_fit();
  added_.clear();
  by_sku_.clear();
  by_sku_.shrink_to_fit();
  index_ok_ = false;
  text_.assign(4, '\0');
  text_live_ = 0;
  dirty_shards_ = 0;
  header_saved_ = true;
}

// ---- texts ------------------------------------------------------------------------

std::string_view Catalog::text(std::uint32_t at) const {
  if (at == 0) return {};
  std::uint32_t n = 0;
  std::memcpy(&n, text_.data() + at, 4);
  return {text_.data() + at + 4, n};
}

std::uint32_t Catalog::intern(std::string_view s) {
  if (s.empty()) return 0;
  if (text_.empty()) text_.assign(4, '\0');
  if (text_.size() + 4 + s.size() > 0xFFFFFFFFu) throw std::length_error("catalogue texts exceed 4 GB");
  auto at = static_cast<std::uint32_t>(text_.size());
  auto n = static_cast<std::uint32_t>(s.size());
  text_.append(reinterpret_cast<const char*>(&n), 4);
  text_.append(s);
  text_live_ += 4 + s.size();
  return at;
}

void Catalog::compact_text() {
  if (text_.size() < 2 * text_live_ + (1u << 20)) return;
  std::string old;
  old.swap(text_);
  text_.assign(4, '\0');
  text_.reserve(text_live_ + 4);
  text_live_ = 0;
  auto move = [&](std::uint32_t& at) {
    if (at == 0) return;
    std::uint32_t n = 0;
    std::memcpy(&n, old.data() + at, 4);
    at = intern(std::string_view(old.data() + at + 4, n));
  };
  for (auto* rows : {&rows_, &added_})
    for (auto& r : *rows) {
      move(r.sku);
      move(r.holder);
    }
}

// ---- rows -------------------------------------------------------------------------

namespace {
template <class Rows>
auto find_row(Rows& rows, std::int64_t id) -> decltype(rows.data()) {
  auto it = std::lower_bound(rows.begin(), rows.end(), id, [](const auto& r, std::int64_t v) { return r.id < v; });
  return it != rows.end() && it->id == id ? &*it : nullptr;
}
}  // namespace

Catalog::Row* Catalog::locate(std::int64_t id) {
  if (Row* r = find_row(rows_, id)) return r;
  return find_row(added_, id);
}

const Catalog::Row* Catalog::locate(std::int64_t id) const {
  if (const Row* r = find_row(rows_, id)) return r;
  return find_row(added_, id);
}

void Catalog::merge() const {
  if (added_.empty()) return;
  auto mid = static_cast<std::ptrdiff_t>(rows_.size());
  rows_.insert(rows_.end(), added_.begin(), added_.end());
  std::inplace_merge(rows_.begin(), rows_.begin() + mid, rows_.end(),
                     [](const Row& a, const Row& b) { return a.id < b.id; });
  added_.clear();
  index_ok_ = false;
}

std::optional<CatalogEntry> Catalog::find(std::int64_t id) const {
  const Row* r = locate(id);
  if (!r) return std::nullopt;
  return CatalogEntry{std::string(text(r->sku)), r->parent, std::string(text(r->holder))};
}

void Catalog::put(std::int64_t id, const CatalogEntry& entry) {
  if (Row* r = locate(id)) {
    r->seen = true;
    std::string_view sku = text(r->sku), holder = text(r->holder);
    if (sku == entry.sku && holder == entry.holder && r->parent == entry.parent) return;
    if (sku != entry.sku) index_ok_ = false;
    text_live_ -= (sku.empty() ? 0 : 4 + sku.size()) + (holder.empty() ? 0 : 4 + holder.size());
    r->sku = intern(entry.sku);  // may move text_: the views above are not used again
    r->holder = intern(entry.holder);
    r->parent = entry.parent;
    mark(id);
    compact_text();
    return;
  }
  Row row{id, entry.parent, intern(entry.sku), intern(entry.holder), 0, true};
  if (rows_.empty() || id > rows_.back().id) {
    rows_.push_back(row);
  } else {
    auto it = std::lower_bound(added_.begin(), added_.end(), id, [](const Row& r, std::int64_t v) { return r.id < v; });
    added_.insert(it, row);
    if (added_.size() > kMaxAdded) merge();
  }
  index_ok_ = false;
  mark(id);
}

std::uint32_t Catalog::reported(std::int64_t id) const {
  const Row* r = locate(id);
  return r ? r->reported : 0;
}

void Catalog::set_reported(std::int64_t id, std::uint32_t print) {
  if (Row* r = locate(id)) r->reported = print;
}

void Catalog::forget_reported() {
  for (auto* rows : {&rows_, &added_})
    for (auto& r : *rows) r.reported = 0;
}

void Catalog::erase(std::int64_t id) {
  for (auto* rows : {&rows_, &added_}) {
    auto it = std::lower_bound(rows->begin(), rows->end(), id, [](const Row& r, std::int64_t v) { return r.id < v; });
    if (it == rows->end() || it->id != id) continue;
    std::string_view sku = text(it->sku), holder = text(it->holder);
    text_live_ -= (sku.empty() ? 0 : 4 + sku.size()) + (holder.empty() ? 0 : 4 + holder.size());
    rows->erase(it);
    index_ok_ = false;
    mark(id);
    compact_text();
    return;
  }
}

void Catalog::begin_full_read() {
  for (auto* rows : {&rows_, &added_})
    for (auto& r : *rows) r.seen = false;
}

void Catalog::drop_unseen() {
  for (auto* rows : {&rows_, &added_}) {
    auto end = std::remove_if(rows->begin(), rows->end(), [&](const Row& r) {
      if (r.seen) return false;
      std::string_view sku = text(r.sku), holder = text(r.holder);
      text_live_ -= (sku.empty() ? 0 : 4 + sku.size()) + (holder.empty() ? 0 : 4 + holder.size());
      mark(r.id);
      return true;
    });
    if (end != rows->end()) {
      rows->erase(end, rows->end());
      index_ok_ = false;
    }
  }
  compact_text();
}

std::vector<std::int64_t> Catalog::ids_with_sku(std::string_view sku) const {
  merge();
  if (!index_ok_) {
    by_sku_.clear();
    for (std::size_t i = 0; i < rows_.size(); ++i)
      if (rows_[i].sku != 0) by_sku_.push_back(static_cast<std::uint32_t>(i));
    std::sort(by_sku_.begin(), by_sku_.end(), [&](std::uint32_t a, std::uint32_t b) {
      auto sa = text(rows_[a].sku), sb = text(rows_[b].sku);
      return sa != sb ? sa < sb : rows_[a].id < rows_[b].id;
    });
    index_ok_ = true;
  }
  std::vector<std::int64_t> out;
  if (sku.empty()) return out;
  auto it = std::lower_bound(by_sku_.begin(), by_sku_.end(), sku,
                             [&](std::uint32_t i, std::string_view v) { return text(rows_[i].sku) < v; });
  for (; it != by_sku_.end() && text(rows_[*it].sku) == sku; ++it) out.push_back(rows_[*it].id);
  return out;
}

std::vector<std::int64_t> Catalog::children(std::int64_t parent) const {
  merge();
  std::vector<std::int64_t> out;
  for (const auto& r : rows_)
    if (r.parent == parent) out.push_back(r.id);
  return out;
}

// ---- state ------------------------------------------------------------------------

void Catalog::add_loaded(std::int64_t id, std::string_view sku, std::int64_t parent, std::string_view holder) {
  rows_.push_back(Row{id, parent, intern(sku), intern(holder), 0, true});
}

// The first format: {"v":1,"items":{"<id>":["SKU", parent, "holder SKU"], ...}}
bool Catalog::load_v1(std::string_view doc) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(doc.data(), doc.size()).get(root)) return false;
  simdjson::dom::object items;
  if (root["items"].get_object().get(items)) return false;
  for (auto field : items) {
    std::int64_t id = 0;
    simdjson::dom::array a;
    std::string_view sku, holder;
    std::int64_t parent = 0;
    if (!parse_id(field.key, id) || field.value.get_array().get(a) || a.size() != 3 || a.at(0).get_string().get(sku) ||
        a.at(1).get_int64().get(parent) || a.at(2).get_string().get(holder))
      return false;
    add_loaded(id, sku, parent, holder);
  }
  return true;
}

// A shard: {"v":2,"items":[[id, "SKU", parent, "holder SKU"], ...]}
bool Catalog::load_shard(std::string_view doc) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(doc.data(), doc.size()).get(root)) return false;
  std::int64_t v = 0;
  simdjson::dom::array items;
  if (root["v"].get_int64().get(v) || v != 2 || root["items"].get_array().get(items)) return false;
  for (auto item : items) {
    simdjson::dom::array a;
    std::int64_t id = 0, parent = 0;
    std::string_view sku, holder;
    if (item.get_array().get(a) || a.size() != 4 || a.at(0).get_int64().get(id) || id < 0 ||
        a.at(1).get_string().get(sku) || a.at(2).get_int64().get(parent) || a.at(3).get_string().get(holder))
      return false;
    add_loaded(id, sku, parent, holder);
  }
  return true;
}

bool Catalog::load(const StateGet& get) {
  clear();
  auto fail = [&] {
    clear();
    dirty_shards_ = kAllShards;
    header_saved_ = false;
    return false;
  };
  auto head = get(kCatalogKey);
  if (!head) {
    // Nothing stored, or the header was removed: whatever shards are left
    // from before must not come back, so every shard is written again.
    dirty_shards_ = kAllShards;
    header_saved_ = false;
    return true;
  }
  std::int64_t v = 0, shards = 0;
  {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(head->data(), head->size()).get(root) || root["v"].get_int64().get(v)) return fail();
    if (v == 2 && (root["shards"].get_int64().get(shards) || shards < 1 || shards > 4096)) return fail();
  }
  if (v == 1) {
    if (!load_v1(*head)) return fail();
    dirty_shards_ = kAllShards;  // to shards at the next save
    header_saved_ = false;
  } else if (v == 2) {
    for (std::int64_t k = 0; k < shards; ++k) {
      auto doc = get(shard_key(static_cast<unsigned>(k)));
      if (!doc) continue;
      if (!load_shard(*doc)) return fail();
    }
    if (shards != kShards) {
      dirty_shards_ = kAllShards;
      header_saved_ = false;
    }
  } else {
    return fail();
  }
  std::stable_sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return a.id < b.id; });
  // An id twice (never written so): the last one read counts.
  auto last = std::unique(rows_.rbegin(), rows_.rend(), [](const Row& a, const Row& b) { return a.id == b.id; });
  rows_.erase(rows_.begin(), last.base());
  text_live_ = 0;
  for (const auto& r : rows_) text_live_ += (r.sku ? 4 + text(r.sku).size() : 0) + (r.holder ? 4 + text(r.holder).size() : 0);
  compact_text();
  return true;
}

bool Catalog::save(const StatePut& put) {
  if (!dirty()) return true;
  merge();
  bool ok = true;
  std::string doc;
  for (unsigned k = 0; k < kShards; ++k) {
    const std::uint64_t bit = std::uint64_t{1} << k;
    if (!(dirty_shards_ & bit)) continue;
    doc.assign(R"({"v":2,"items":[)");
    bool first = true;
    for (const auto& r : rows_) {
      if (shard_of(r.id) != k) continue;
      if (!first) doc += ',';
      first = false;
      doc += '[';
      doc += std::to_string(r.id);
      doc += ',';
      json_string(doc, text(r.sku));
      doc += ',';
      doc += std::to_string(r.parent);
      doc += ',';
      json_string(doc, text(r.holder));
      doc += ']';
    }
    doc += "]}";
    if (put(shard_key(k), doc)) dirty_shards_ &= ~bit;
    else ok = false;
  }
  // The header last: until it says "v":2, a first-format catalogue stays the one read.
  if (ok && !header_saved_) {
    if (put(kCatalogKey, R"({"v":2,"shards":)" + std::to_string(kShards) + "}")) header_saved_ = true;
    else ok = false;
  }
  return ok;
}

}  // namespace woo
