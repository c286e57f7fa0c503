// Products and variations: the stock rules, the REST shapes, REST writes,
// lists with WooCommerce's filters and paging, and generated catalogues.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

#include "sim_impl.hpp"

namespace woo_sim {

using util::JsonOut;

const char* type_name(PType type) {
  switch (type) {
    case PType::Simple: return "simple";
    case PType::Grouped: return "grouped";
    case PType::External: return "external";
    case PType::Variable: return "variable";
    case PType::Variation: return "variation";
  }
  return "simple";
}

std::optional<PType> parse_type(std::string_view name) {
  if (name == "simple") return PType::Simple;
  if (name == "grouped") return PType::Grouped;
  if (name == "external") return PType::External;
  if (name == "variable") return PType::Variable;
  return std::nullopt;
}

namespace {

const char* backorders_name(Backorders b) {
  switch (b) {
    case Backorders::No: return "no";
    case Backorders::Notify: return "notify";
    case Backorders::Yes: return "yes";
  }
  return "no";
}

std::optional<Backorders> parse_backorders(std::string_view s) {
  if (s == "no") return Backorders::No;
  if (s == "notify") return Backorders::Notify;
  if (s == "yes") return Backorders::Yes;
  return std::nullopt;
}

// WooCommerce: above the "out of stock threshold" (0) is in stock; otherwise
// on backorder when backorders are allowed, else out of stock.
const char* computed_status(int quantity, Backorders b) {
  if (quantity > 0) return "instock";
  return b != Backorders::No ? "onbackorder" : "outofstock";
}

bool valid_stock_status(const std::string& s) { return s == "instock" || s == "outofstock" || s == "onbackorder"; }

bool valid_product_status(const std::string& s) {
  return s == "draft" || s == "pending" || s == "private" || s == "publish" || s == "future";
}

std::string slugify(const std::string& name) {
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string price_string(const json& v, const std::string& field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return util::money(v.get<double>());
  if (v.is_null()) return "";
  throw invalid_param(field, field + " is not of type string.");
}

void write_meta(JsonOut& w, const std::vector<MetaEntry>& meta) {
  w.begin_array();
  for (const auto& m : meta) {
    w.begin_object().kv("id", m.id).kv("key", m.key).key("value").raw(util::php_json(m.value)).end_object();
  }
  w.end_array();
}

void write_dimensions(JsonOut& w) {
  w.begin_object().kv("length", "").kv("width", "").kv("height", "").end_object();
}

}  // namespace

// ---- lookups and stock rules ---------------------------------------------------

Product* Simulator::Impl::find_product(std::int64_t id) {
  auto it = products.find(id);
  return it == products.end() ? nullptr : &it->second;
}

const Product* Simulator::Impl::find_product(std::int64_t id) const {
  auto it = products.find(id);
  return it == products.end() ? nullptr : &it->second;
}

Product& Simulator::Impl::product_or_throw(std::int64_t id, bool for_update, Shape shape, std::int64_t parent_id) {
  Product* p = find_product(id);
  bool wrong = !p || (shape == Shape::Variation && (p->type != PType::Variation || p->parent_id != parent_id));
  if (wrong) {
    throw invalid_id(shape == Shape::Variation ? "product_variation" : "product", for_update ? 400 : 404);
  }
  return *p;
}

const Product* Simulator::Impl::stock_owner(const Product& p) const {
  if (p.manage_stock) return &p;
  if (p.type == PType::Variation) {
    const Product* parent = find_product(p.parent_id);
    if (parent && parent->manage_stock) return parent;
  }
  return nullptr;
}

Product* Simulator::Impl::stock_owner(const Product& p) {
  return const_cast<Product*>(static_cast<const Impl*>(this)->stock_owner(p));
}

std::optional<int> Simulator::Impl::shown_stock(const Product& p) const {
  const Product* owner = stock_owner(p);
  if (!owner) return std::nullopt;
  return owner->stock;
}

Backorders Simulator::Impl::backorders_of(const Product& p) const {
  const Product* owner = stock_owner(p);
  if (!owner) return Backorders::No;
  return owner->backorders;
}

std::string Simulator::Impl::stock_status_of(const Product& p) const {
  // A variable product that does not manage stock takes its status from its
  // children: in stock if any is, else on backorder if any is.
  if (p.type == PType::Variable && !p.manage_stock) {
    bool any = false, in = false, back = false;
    for (auto cid : p.children) {
      const Product* c = find_product(cid);
      if (!c || c->status == "trash") continue;
      any = true;
      auto s = stock_status_of(*c);
      in = in || s == "instock";
      back = back || s == "onbackorder";
    }
    if (any) return in ? "instock" : back ? "onbackorder" : "outofstock";
    return p.stock_status_set;
  }
  const Product* owner = stock_owner(p);
  if (!owner) return p.stock_status_set;
  return computed_status(owner->stock, owner->backorders);
}

std::int64_t Simulator::Impl::sku_holder(const std::string& sku, std::int64_t except) const {
  if (sku.empty()) return 0;
  auto [b, e] = sku_index.equal_range(sku);
  std::int64_t best = 0;
  for (auto it = b; it != e; ++it) {
    if (it->second == except) continue;
    const Product* p = find_product(it->second);
    if (!p || p->status == "trash") continue;
    if (best == 0 || it->second < best) best = it->second;
  }
  return best;
}

std::string Simulator::Impl::free_sku_like(const std::string& sku) const {
  for (int n = 1;; ++n) {
    std::string candidate = sku + "-" + std::to_string(n);
    if (sku_index.find(candidate) == sku_index.end()) return candidate;
  }
}

void Simulator::Impl::index_sku(const Product& p) {
  if (!p.sku.empty()) sku_index.emplace(p.sku, p.id);
}

void Simulator::Impl::unindex_sku(std::int64_t id, const std::string& sku) {
  if (sku.empty()) return;
  auto [b, e] = sku_index.equal_range(sku);
  for (auto it = b; it != e; ++it) {
    if (it->second == id) {
      sku_index.erase(it);
      return;
    }
  }
}

Product* Simulator::Impl::product_by_sku(const std::string& sku) {
  auto [b, e] = sku_index.equal_range(sku);
  std::int64_t best = 0;
  for (auto it = b; it != e; ++it) {
    if (best == 0 || it->second < best) best = it->second;
  }
  return best ? find_product(best) : nullptr;
}

std::int64_t Simulator::Impl::insert_product(Product p) {
  p.id = next_post_id++;
  auto now = util::now_seconds();
  p.created = now;
  p.modified = now;
  if (p.type == PType::Variation) {
    if (Product* parent = find_product(p.parent_id)) parent->children.push_back(p.id);
  }
  index_sku(p);
  auto id = p.id;
  products.emplace(id, std::move(p));
  ++structure_gen;
  return id;
}

void Simulator::Impl::saved(Product& p, bool created) {
  auto now = util::now_seconds();
  p.modified = now;
  fire("product", created ? "created" : "updated", p.id);
  if (p.type == PType::Variation) {
    // Saving a variation syncs and saves its parent too.
    if (Product* parent = find_product(p.parent_id)) {
      parent->modified = now;
      fire("product", "updated", parent->id);
    }
  }
}

void Simulator::Impl::erase_product(std::int64_t id) {
  Product* p = find_product(id);
  if (!p) return;
  for (auto cid : std::vector<std::int64_t>(p->children)) erase_product(cid);
  p = find_product(id);
  if (p->type == PType::Variation) {
    if (Product* parent = find_product(p->parent_id)) std::erase(parent->children, id);
  }
  unindex_sku(id, p->sku);
  products.erase(id);
  ++structure_gen;
}

// ---- REST shapes --------------------------------------------------------------------

void Simulator::Impl::write_product(JsonOut& w, const Product& p, Shape shape,
                                    const std::vector<std::string>* fields) const {
  auto want = [&](std::string_view k) {
    return !fields || std::find(fields->begin(), fields->end(), k) != fields->end();
  };
  const Product* parent = p.type == PType::Variation ? find_product(p.parent_id) : nullptr;
  const std::int64_t offset = static_cast<std::int64_t>(opts.utc_offset_minutes) * 60;
  auto stock = shown_stock(p);
  auto status = stock_status_of(p);
  if (rest_read && want("stock_quantity")) {
    // The client now knows the merchant's edits (of the item, or of the
    // parent whose stock a variation shows).
    p.manual_unseen = 0;
    if (parent && !p.manage_stock) parent->manual_unseen = 0;
  }
  auto backorders = backorders_of(p);
  const std::string& price = p.sale_price.empty() ? p.regular_price : p.sale_price;
  std::string variation_name;
  if (parent) variation_name = display_name(p);
  const std::string& name = parent ? variation_name : p.name;
  // Permalink and slug are derived, not stored: [a-z0-9-] only.
  std::string& permalink = scratch;
  permalink.assign(site_url).append("product/");
  const std::size_t slug_at = permalink.size();
  for (char c : parent ? parent->name : name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      permalink += static_cast<char>(std::tolower(u));
    } else if (permalink.size() > slug_at && permalink.back() != '-') {
      permalink += '-';
    }
  }
  while (permalink.size() > slug_at && permalink.back() == '-') permalink.pop_back();
  const std::size_t slug_end = permalink.size();
  permalink += '/';
  if (parent) {
    for (std::size_t i = 0; i < p.attributes.size(); ++i) {
      permalink.append(i == 0 ? "?" : "&").append("attribute_").append(slugify(p.attributes[i].name));
      permalink.append("=").append(p.attributes[i].option);
    }
  }
  const std::string_view slug(permalink.data() + slug_at, slug_end - slug_at);

  auto variation_attributes = [&] {
    w.begin_array();
    for (const auto& a : p.attributes) w.begin_object().kv("id", 0).kv("name", a.name).kv("option", a.option).end_object();
    w.end_array();
  };
  auto stock_block = [&] {
    if (want("manage_stock")) w.kb("manage_stock", stock.has_value());
    if (want("stock_quantity")) {
      w.key("stock_quantity");
      stock ? w.num(*stock) : w.null();
    }
    if (shape == Shape::Variation && want("stock_status")) w.kv("stock_status", status);
    if (want("backorders")) w.kv("backorders", backorders_name(backorders));
    if (want("backorders_allowed")) w.kb("backorders_allowed", backorders != Backorders::No);
    if (want("backordered")) w.kb("backordered", status == "onbackorder");
    if (want("low_stock_amount")) {
      w.key("low_stock_amount");
      p.low_stock_amount ? w.num(*p.low_stock_amount) : w.null();
    }
  };
  auto dates = [&] {
    if (want("date_created")) w.key("date_created").date(p.created + offset);
    if (want("date_created_gmt")) w.key("date_created_gmt").date(p.created);
    if (want("date_modified")) w.key("date_modified").date(p.modified + offset);
    if (want("date_modified_gmt")) w.key("date_modified_gmt").date(p.modified);
  };
  auto sale_dates = [&] {
    for (const char* k : {"date_on_sale_from", "date_on_sale_from_gmt", "date_on_sale_to", "date_on_sale_to_gmt"}) {
      if (want(k)) w.key(k).null();
    }
  };
  const std::string& api = api_products;

  w.begin_object();
  w.kv("id", p.id);
  if (shape == Shape::Variation) {
    dates();
    if (want("description")) w.kv("description", p.description);
    if (want("permalink")) w.kv("permalink", permalink);
    if (want("sku")) w.kv("sku", p.sku);
    if (want("price")) w.kv("price", price);
    if (want("regular_price")) w.kv("regular_price", p.regular_price);
    if (want("sale_price")) w.kv("sale_price", p.sale_price);
    sale_dates();
    if (want("on_sale")) w.kb("on_sale", !p.sale_price.empty());
    if (want("status")) w.kv("status", p.status);
    if (want("purchasable")) w.kb("purchasable", !price.empty() && p.status == "publish");
    if (want("virtual")) w.kb("virtual", false);
    if (want("downloadable")) w.kb("downloadable", false);
    if (want("downloads")) w.key("downloads").begin_array().end_array();
    if (want("download_limit")) w.kv("download_limit", -1);
    if (want("download_expiry")) w.kv("download_expiry", -1);
    if (want("tax_status")) w.kv("tax_status", "taxable");
    if (want("tax_class")) w.kv("tax_class", "");
    stock_block();
    if (want("weight")) w.kv("weight", "");
    if (want("dimensions")) {
      w.key("dimensions");
      write_dimensions(w);
    }
    if (want("shipping_class")) w.kv("shipping_class", "");
    if (want("shipping_class_id")) w.kv("shipping_class_id", 0);
    if (want("image")) w.key("image").null();
    if (want("attributes")) {
      w.key("attributes");
      variation_attributes();
    }
    if (want("menu_order")) w.kv("menu_order", 0);
    if (want("meta_data")) {
      w.key("meta_data");
      write_meta(w, p.meta);
    }
    if (want("name")) w.kv("name", name);
    if (want("_links")) {
      std::string self = api + "/" + std::to_string(p.parent_id) + "/variations/" + std::to_string(p.id);
      w.key("_links").begin_object();
      w.key("self").begin_array().begin_object().kv("href", self).end_object().end_array();
      w.key("collection")
          .begin_array()
          .begin_object()
          .kv("href", api + "/" + std::to_string(p.parent_id) + "/variations")
          .end_object()
          .end_array();
      w.key("up").begin_array().begin_object().kv("href", api + "/" + std::to_string(p.parent_id)).end_object().end_array();
      w.end_object();
    }
    w.end_object();
    return;
  }

  if (want("name")) w.kv("name", name);
  if (want("slug")) w.kv("slug", slug);
  if (want("permalink")) w.kv("permalink", permalink);
  dates();
  if (want("type")) w.kv("type", type_name(p.type));
  if (want("status")) w.kv("status", p.status);
  if (want("featured")) w.kb("featured", false);
  if (want("catalog_visibility")) w.kv("catalog_visibility", "visible");
  if (want("description")) w.kv("description", p.description);
  if (want("short_description")) w.kv("short_description", "");
  if (want("sku")) w.kv("sku", p.sku);
  if (want("price")) w.kv("price", price);
  if (want("regular_price")) w.kv("regular_price", p.regular_price);
  if (want("sale_price")) w.kv("sale_price", p.sale_price);
  sale_dates();
  if (want("on_sale")) w.kb("on_sale", !p.sale_price.empty());
  if (want("purchasable")) w.kb("purchasable", !price.empty() && p.status == "publish");
  if (want("total_sales")) w.kv("total_sales", p.total_sales);
  if (want("virtual")) w.kb("virtual", false);
  if (want("downloadable")) w.kb("downloadable", false);
  if (want("downloads")) w.key("downloads").begin_array().end_array();
  if (want("download_limit")) w.kv("download_limit", -1);
  if (want("download_expiry")) w.kv("download_expiry", -1);
  if (want("external_url")) w.kv("external_url", "");
  if (want("button_text")) w.kv("button_text", "");
  if (want("tax_status")) w.kv("tax_status", "taxable");
  if (want("tax_class")) w.kv("tax_class", "");
  stock_block();
  if (want("sold_individually")) w.kb("sold_individually", false);
  if (want("weight")) w.kv("weight", "");
  if (want("dimensions")) {
    w.key("dimensions");
    write_dimensions(w);
  }
  if (want("shipping_required")) w.kb("shipping_required", true);
  if (want("shipping_taxable")) w.kb("shipping_taxable", true);
  if (want("shipping_class")) w.kv("shipping_class", "");
  if (want("shipping_class_id")) w.kv("shipping_class_id", 0);
  if (want("reviews_allowed")) w.kb("reviews_allowed", true);
  if (want("average_rating")) w.kv("average_rating", "0.00");
  if (want("rating_count")) w.kv("rating_count", 0);
  if (want("upsell_ids")) w.key("upsell_ids").begin_array().end_array();
  if (want("cross_sell_ids")) w.key("cross_sell_ids").begin_array().end_array();
  if (want("parent_id")) w.kv("parent_id", p.parent_id);
  if (want("purchase_note")) w.kv("purchase_note", "");
  if (want("categories")) {
    w.key("categories").begin_array();
    if (p.type != PType::Variation) {
      w.begin_object().kv("id", 15).kv("name", "Uncategorized").kv("slug", "uncategorized").end_object();
    }
    w.end_array();
  }
  if (want("tags")) w.key("tags").begin_array().end_array();
  if (want("images")) w.key("images").begin_array().end_array();
  if (want("attributes")) {
    w.key("attributes");
    if (p.type == PType::Variation) {
      variation_attributes();
    } else {
      w.begin_array();
      int position = 0;
      for (const auto& a : p.attributes) {
        w.begin_object().kv("id", 0).kv("name", a.name).kv("slug", slugify(a.name)).kv("position", position++);
        w.kb("visible", true).kb("variation", p.type == PType::Variable).key("options").begin_array();
        for (const auto& o : a.options) w.str(o);
        w.end_array().end_object();
      }
      w.end_array();
    }
  }
  if (want("default_attributes")) w.key("default_attributes").begin_array().end_array();
  if (want("variations")) {
    w.key("variations").begin_array();
    for (auto cid : p.children) w.num(cid);
    w.end_array();
  }
  if (want("grouped_products")) w.key("grouped_products").begin_array().end_array();
  if (want("menu_order")) w.kv("menu_order", 0);
  if (want("related_ids")) w.key("related_ids").begin_array().end_array();
  if (want("meta_data")) {
    w.key("meta_data");
    write_meta(w, p.meta);
  }
  if (want("stock_status")) w.kv("stock_status", status);
  if (want("has_options")) w.kb("has_options", p.type == PType::Variable || p.type == PType::Variation);
  if (want("post_password")) w.kv("post_password", "");
  if (want("global_unique_id")) w.kv("global_unique_id", "");
  if (want("_links")) {
    w.key("_links").begin_object();
    w.key("self").begin_array().begin_object().kv("href", api + "/" + std::to_string(p.id)).end_object().end_array();
    w.key("collection").begin_array().begin_object().kv("href", api).end_object().end_array();
    if (parent) w.key("up").begin_array().begin_object().kv("href", api + "/" + std::to_string(parent->id)).end_object().end_array();
    w.end_object();
  }
  w.end_object();
}

std::string Simulator::Impl::product_json(const Product& p, Shape shape, const std::vector<std::string>* fields) const {
  std::string out;
  out.reserve(1600);
  JsonOut w(out);
  write_product(w, p, shape, fields);
  return out;
}

std::string Simulator::Impl::display_name(const Product& p) const {
  if (p.type != PType::Variation || !p.name.empty()) return p.name;
  const Product* parent = find_product(p.parent_id);
  std::string name = parent ? parent->name : std::string();
  for (std::size_t i = 0; i < p.attributes.size(); ++i) name += (i == 0 ? " - " : ", ") + p.attributes[i].option;
  return name;
}

ProductView Simulator::Impl::view_of(const Product& p) const {
  ProductView v;
  v.id = p.id;
  v.parent_id = p.parent_id;
  v.type = type_name(p.type);
  v.sku = p.sku;
  v.status = p.status;
  v.stock_quantity = shown_stock(p);
  v.manage_stock = v.stock_quantity.has_value();
  v.stock_status = stock_status_of(p);
  v.date_modified_gmt = util::format_date(p.modified);
  return v;
}

// ---- REST writes ------------------------------------------------------------------------

// Applies a REST body to a copy; the caller commits it only if nothing threw,
// so a rejected write changes nothing (as WooCommerce rejects before saving).
void Simulator::Impl::apply_product_body(Product& n, const json& body, bool is_variation, bool creating) {
  auto& sim = *this;
  auto str_field = [&](const char* k) -> std::optional<std::string> {
    auto it = body.find(k);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw invalid_param(k, std::string(k) + " is not of type string.");
    return it->get<std::string>();
  };
  if (auto v = str_field("name")) n.name = *v;
  if (auto v = str_field("description")) n.description = *v;
  if (!is_variation) {
    if (auto v = str_field("type")) {
      auto t = parse_type(*v);
      if (!t) throw invalid_param("type", "type is not one of simple, grouped, external, and variable.");
      if (n.type != PType::Variation) n.type = *t;
    }
  }
  if (auto v = str_field("status")) {
    if (!valid_product_status(*v)) {
      throw invalid_param("status", "status is not one of draft, pending, private, publish, and future.");
    }
    n.status = *v;
  }
  for (const char* k : {"regular_price", "sale_price"}) {
    auto it = body.find(k);
    if (it == body.end()) continue;
    (std::string_view(k) == "regular_price" ? n.regular_price : n.sale_price) = price_string(*it, k);
  }
  if (auto it = body.find("backorders"); it != body.end() && !it->is_null()) {
    auto b = it->is_string() ? parse_backorders(it->get<std::string>()) : std::nullopt;
    if (!b) throw invalid_param("backorders", "backorders is not one of no, notify, and yes.");
    n.backorders = *b;
  }
  if (auto it = body.find("manage_stock"); it != body.end() && !it->is_null()) {
    if (is_variation && it->is_string() && it->get<std::string>() == "parent") {
      n.manage_stock = false;  // the parent's stock applies when the parent manages it
    } else {
      auto b = util::as_boolean(*it);
      if (!b) throw invalid_param("manage_stock", "manage_stock is not of type boolean.");
      n.manage_stock = *b;
    }
  }
  if (auto it = body.find("low_stock_amount"); it != body.end()) {
    if (it->is_null()) {
      n.low_stock_amount.reset();
    } else {
      auto v = util::as_integer(*it);
      if (!v) throw invalid_param("low_stock_amount", "low_stock_amount is not of type integer,null.");
      n.low_stock_amount = static_cast<int>(*v);
    }
  }
  if (auto v = str_field("stock_status")) {
    if (!valid_stock_status(*v)) {
      throw invalid_param("stock_status", "stock_status is not one of instock, outofstock, and onbackorder.");
    }
    n.stock_status_set = *v;
  }
  std::optional<std::int64_t> quantity, delta;
  if (auto it = body.find("stock_quantity"); it != body.end() && !it->is_null()) {
    quantity = util::as_integer(*it);
    if (!quantity) throw invalid_param("stock_quantity", "stock_quantity is not of type integer,null.");
  }
  if (auto it = body.find("inventory_delta"); it != body.end() && !it->is_null()) {
    delta = util::as_integer(*it);
    if (!delta) throw invalid_param("inventory_delta", "inventory_delta is not of type integer.");
  }
  // Quantities apply only to an item that manages its own stock: on a
  // parent-managed variation the write is accepted and ignored (REST keeps
  // showing the parent's quantity), as in WooCommerce.
  if (n.manage_stock) {
    if (quantity) {
      n.stock = static_cast<int>(*quantity);
    } else if (delta) {
      n.stock += static_cast<int>(*delta);
    }
  } else {
    n.backorders = Backorders::No;
    n.low_stock_amount.reset();
  }
  if (auto it = body.find("meta_data"); it != body.end() && it->is_array()) {
    for (const auto& m : *it) {
      if (!m.is_object() || !m.contains("key") || !m["key"].is_string()) continue;
      std::string key = m["key"].get<std::string>();
      json value = m.value("value", json(nullptr));
      MetaEntry* target = nullptr;
      if (auto id = m.find("id"); id != m.end() && util::as_integer(*id)) {
        for (auto& e : n.meta) {
          if (e.id == *util::as_integer(*id)) target = &e;
        }
      }
      if (!target) {
        for (auto& e : n.meta) {
          if (e.key == key) target = &e;
        }
      }
      if (value.is_null()) {
        if (target) std::erase_if(n.meta, [&](const MetaEntry& e) { return &e == target; });
        continue;
      }
      if (target) {
        target->key = key;
        target->value = value;
      } else {
        n.meta.push_back({sim.next_meta_id++, key, value});
      }
    }
  }
  if (auto it = body.find("attributes"); it != body.end() && it->is_array()) {
    n.attributes.clear();
    for (const auto& a : *it) {
      if (!a.is_object()) continue;
      Attribute attr;
      attr.name = a.value("name", std::string("Option"));
      if (is_variation) {
        attr.option = a.value("option", std::string());
      } else if (auto o = a.find("options"); o != a.end() && o->is_array()) {
        for (const auto& x : *o) {
          if (x.is_string()) attr.options.push_back(x.get<std::string>());
        }
      }
      n.attributes.push_back(std::move(attr));
    }
  }
  if (auto it = body.find("sku"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) throw invalid_param("sku", "sku is not of type string.");
    std::string sku = it->get<std::string>();
    while (!sku.empty() && std::isspace(static_cast<unsigned char>(sku.back()))) sku.pop_back();
    while (!sku.empty() && std::isspace(static_cast<unsigned char>(sku.front()))) sku.erase(sku.begin());
    if (!sku.empty() && sku != n.sku) {
      if (auto holder = sim.sku_holder(sku, creating ? 0 : n.id)) {
        RestError e{400, "product_invalid_sku", "Invalid or duplicated SKU."};
        e.data["resource_id"] = holder;
        e.data["unique_sku"] = sim.free_sku_like(sku);
        throw e;
      }
    }
    n.sku = sku;
  }
}

std::int64_t Simulator::Impl::create_product(const json& body, std::int64_t parent, bool variation_endpoint) {
  if (!body.is_object()) throw RestError{400, "rest_invalid_json", "Invalid JSON body passed."};
  if (body.contains("id")) {
    throw RestError{400, variation_endpoint ? "woocommerce_rest_product_variation_exists" : "woocommerce_rest_product_exists",
                    "Cannot create existing product."};
  }
  Product n;
  if (variation_endpoint) {
    Product* par = find_product(parent);
    if (!par || par->type != PType::Variable) {
      throw RestError{404, "woocommerce_rest_product_variation_invalid_parent", "Invalid parent ID."};
    }
    n.type = PType::Variation;
    n.parent_id = parent;
  }
  apply_product_body(n, body, variation_endpoint, true);
  if (!n.manage_stock) n.backorders = Backorders::No;
  auto stocked = n.manage_stock;
  auto id = insert_product(std::move(n));
  Product& p = products.at(id);
  if (stocked) ++counters.stock_writes;
  saved(p, true);
  return id;
}

void Simulator::Impl::update_product(Product& p, const json& body, bool variation_endpoint) {
  if (!body.is_object()) throw RestError{400, "rest_invalid_json", "Invalid JSON body passed."};
  (void)variation_endpoint;
  Product n = p;
  apply_product_body(n, body, p.type == PType::Variation, false);
  auto before = shown_stock(p);
  bool structure = n.status != p.status || n.type != p.type;
  bool restored = p.status == "trash" && n.status != "trash";
  if (n.sku != p.sku) {
    unindex_sku(p.id, p.sku);
    index_sku(n);
  }
  // An absolute write replaces whatever the merchant did since the client's
  // last read, even when it happens to write the same number.
  auto q = body.find("stock_quantity");
  bool stock_written = n.manage_stock && p.manage_stock && q != body.end() && !q->is_null();
  if (stock_written && p.manual_unseen != 0) {
    ++counters.manual_overwritten;
    manual_lost[p.sku] += p.manual_unseen;
  }
  if (stock_written) n.manual_unseen = 0;
  int stock_before = p.stock;
  p = std::move(n);
  if (stock_written) log_stock(p, stock_before, "REST write");
  if (structure) ++structure_gen;
  if (shown_stock(p) != before) ++counters.stock_writes;
  saved(p);
  if (restored) fire("product", "restored", p.id);
}

std::string Simulator::Impl::delete_product(std::int64_t id, bool force, Shape shape, std::int64_t parent) {
  Product& p = product_or_throw(id, false, shape, parent);
  std::string before = product_json(p, shape);
  if (force) {
    std::int64_t parent_id = p.type == PType::Variation ? p.parent_id : 0;
    erase_product(id);
    fire("product", "deleted", id);
    if (Product* par = parent_id ? find_product(parent_id) : nullptr) saved(*par);
    return before;
  }
  if (p.status == "trash") {
    throw RestError{410, "woocommerce_rest_already_trashed",
                    std::string("The ") + (shape == Shape::Variation ? "product_variation" : "product") +
                        " has already been deleted."};
  }
  p.status = "trash";
  ++structure_gen;
  saved(p);
  fire("product", "deleted", id);
  return product_json(p, shape);
}

// ---- lists ------------------------------------------------------------------------------------

namespace {

struct DateBounds {
  std::optional<std::int64_t> after, before, modified_after, modified_before;
  bool any() const { return after || before || modified_after || modified_before; }
};

// Reads after/before/modified_after/modified_before as WordPress does: a value
// without a zone is in the site's time (or GMT with dates_are_gmt), compared
// exclusively at one-second resolution. Returned bounds are GMT seconds.
DateBounds parse_bounds(const Query& q, int utc_offset_minutes) {
  DateBounds b;
  bool gmt = false;
  if (auto v = q.get("dates_are_gmt")) {
    auto flag = util::as_boolean(json(*v));
    if (!flag) throw invalid_param("dates_are_gmt", "dates_are_gmt is not of type boolean.");
    gmt = *flag;
  }
  const std::int64_t offset = gmt ? 0 : static_cast<std::int64_t>(utc_offset_minutes) * 60;
  auto read = [&](const char* key, std::optional<std::int64_t>& out) {
    auto v = q.get(key);
    if (!v) return;
    auto d = util::parse_date(*v);
    if (!d) throw invalid_param(key, "Invalid date.");
    out = d->has_zone ? d->seconds : d->seconds - offset;
  };
  read("after", b.after);
  read("before", b.before);
  read("modified_after", b.modified_after);
  read("modified_before", b.modified_before);
  return b;
}

bool within(const DateBounds& b, std::int64_t created, std::int64_t modified) {
  if (b.after && !(created > *b.after)) return false;
  if (b.before && !(created < *b.before)) return false;
  if (b.modified_after && !(modified > *b.modified_after)) return false;
  if (b.modified_before && !(modified < *b.modified_before)) return false;
  return true;
}

std::vector<std::int64_t> id_list(const Query& q, const char* key) {
  std::vector<std::int64_t> out;
  for (const auto& s : q.list(key)) {
    auto v = util::parse_int(s);
    if (!v) throw invalid_param(key, std::string(key) + "[0] is not of type integer.");
    out.push_back(*v);
  }
  return out;
}

std::string order_direction(const Query& q) {
  auto order = q.get("order").value_or("desc");
  if (order != "asc" && order != "desc") throw invalid_param("order", "order is not one of asc and desc.");
  return order;
}

}  // namespace

ListAnswer Simulator::Impl::list_products(const Query& q, const Paging& paging, std::optional<std::int64_t> variations_of) {
  const std::string status = q.get("status").value_or("any");
  if (status != "any" && status != "trash" && !valid_product_status(status)) {
    throw invalid_param("status", "status is not one of any, future, trash, draft, pending, private, and publish.");
  }
  std::optional<PType> type;
  if (auto t = q.get("type")) {
    type = parse_type(*t);
    if (!type) throw invalid_param("type", "type is not one of simple, grouped, external, and variable.");
  }
  std::optional<std::string> stock_status = q.get("stock_status");
  if (stock_status && !valid_stock_status(*stock_status)) {
    throw invalid_param("stock_status", "stock_status is not one of instock, outofstock, and onbackorder.");
  }
  const std::string orderby = q.get("orderby").value_or("date");
  static const std::vector<std::string> orderbys = {"date", "id", "include", "title", "slug", "modified",
                                                    "price", "popularity", "rating", "menu_order"};
  if (std::find(orderbys.begin(), orderbys.end(), orderby) == orderbys.end()) {
    throw invalid_param("orderby",
                        "orderby is not one of date, modified, id, include, title, slug, price, popularity, rating, "
                        "and menu_order.");
  }
  const bool desc = order_direction(q) == "desc";
  const DateBounds bounds = parse_bounds(q, opts.utc_offset_minutes);
  auto include = id_list(q, "include");
  auto exclude = id_list(q, "exclude");
  auto parents = id_list(q, "parent");
  auto parent_exclude = id_list(q, "parent_exclude");
  std::optional<std::string> search = q.get("search");
  if (search) *search = lower(*search);
  std::optional<std::string> sku = q.get("sku");
  if (sku && sku->empty()) sku.reset();
  std::vector<std::string> fields_list = q.list("_fields");
  const std::vector<std::string>* fields = fields_list.empty() ? nullptr : &fields_list;
  const Shape shape = variations_of ? Shape::Variation : Shape::Product;

  auto status_ok = [&](const Product& p) { return status == "any" ? p.status != "trash" : p.status == status; };

  ListAnswer answer;
  std::string& out = answer.body;
  JsonOut w(out);

  // Fast path for full catalogue paging: the id order equals the date order
  // (ids and creation times both only grow), so a cached id list is enough.
  const bool plain = !variations_of && !sku && include.empty() && exclude.empty() && parents.empty() &&
                     parent_exclude.empty() && !search && !stock_status && !bounds.any() &&
                     (orderby == "date" || orderby == "id");
  if (plain) {
    std::string key = status + "|" + (type ? type_name(*type) : "");
    auto& cache = list_cache[key];
    if (cache.gen != structure_gen) {
      cache.ids.clear();
      for (const auto& [id, p] : products) {
        if (p.type == PType::Variation || !status_ok(p) || (type && p.type != *type)) continue;
        cache.ids.push_back(id);
      }
      cache.gen = structure_gen;
    }
    answer.total = static_cast<std::int64_t>(cache.ids.size());
    auto [begin, end] = page_window(paging, answer.total);
    out.reserve(static_cast<std::size_t>(end - begin) * (fields ? 96 : 1600) + 2);
    w.begin_array();
    for (auto i = begin; i < end; ++i) {
      auto idx = desc ? answer.total - 1 - i : i;
      write_product(w, products.at(cache.ids[static_cast<std::size_t>(idx)]), shape, fields);
    }
    w.end_array();
    return answer;
  }

  // Candidates: the SKU filter covers products and variations alike.
  std::vector<const Product*> found;
  auto consider = [&](const Product& p) {
    if (!status_ok(p)) return;
    if (type && p.type != *type) return;
    if (stock_status && stock_status_of(p) != *stock_status) return;
    if (!include.empty() && std::find(include.begin(), include.end(), p.id) == include.end()) return;
    if (std::find(exclude.begin(), exclude.end(), p.id) != exclude.end()) return;
    if (!parents.empty() && std::find(parents.begin(), parents.end(), p.parent_id) == parents.end()) return;
    if (std::find(parent_exclude.begin(), parent_exclude.end(), p.parent_id) != parent_exclude.end()) return;
    if (search && lower(p.name).find(*search) == std::string::npos) return;
    if (!within(bounds, p.created, p.modified)) return;
    found.push_back(&p);
  };
  if (sku) {
    // Exact match on each comma-separated piece and on the whole string.
    std::vector<std::string> wanted = {*sku};
    for (std::size_t start = 0; start <= sku->size();) {
      auto comma = std::min(sku->find(',', start), sku->size());
      std::string piece = sku->substr(start, comma - start);
      while (!piece.empty() && piece.front() == ' ') piece.erase(piece.begin());
      while (!piece.empty() && piece.back() == ' ') piece.pop_back();
      if (!piece.empty()) wanted.push_back(std::move(piece));
      start = comma + 1;
    }
    std::set<std::int64_t> ids;
    for (const auto& s : wanted) {
      auto [b, e] = sku_index.equal_range(s);
      for (auto it = b; it != e; ++it) ids.insert(it->second);
    }
    for (auto id : ids) {
      const Product* p = find_product(id);
      if (!p) continue;
      if (variations_of && p->parent_id != *variations_of) continue;
      consider(*p);
    }
  } else if (variations_of) {
    if (const Product* parent = find_product(*variations_of)) {
      for (auto cid : parent->children) {
        if (const Product* c = find_product(cid)) consider(*c);
      }
    }
  } else if (!include.empty()) {
    for (auto id : include) {
      const Product* p = find_product(id);
      if (p && p->type != PType::Variation) consider(*p);
    }
  } else {
    for (const auto& [id, p] : products) {
      if (p.type != PType::Variation) consider(p);
    }
  }

  auto by_id = [](const Product* a, const Product* b) { return a->id < b->id; };
  if (orderby == "modified") {
    std::sort(found.begin(), found.end(), [](const Product* a, const Product* b) {
      return a->modified != b->modified ? a->modified < b->modified : a->id < b->id;
    });
  } else if (orderby == "title" || orderby == "slug") {
    std::sort(found.begin(), found.end(), [](const Product* a, const Product* b) {
      return a->name != b->name ? a->name < b->name : a->id < b->id;
    });
  } else if (orderby == "price") {
    std::sort(found.begin(), found.end(), [](const Product* a, const Product* b) {
      double pa = std::atof(a->regular_price.c_str()), pb = std::atof(b->regular_price.c_str());
      return pa != pb ? pa < pb : a->id < b->id;
    });
  } else if (orderby == "include" && !include.empty()) {
    auto pos = [&](const Product* p) { return std::find(include.begin(), include.end(), p->id) - include.begin(); };
    std::sort(found.begin(), found.end(), [&](const Product* a, const Product* b) { return pos(a) < pos(b); });
  } else {
    std::sort(found.begin(), found.end(), by_id);
  }
  if (desc && orderby != "include") std::reverse(found.begin(), found.end());

  answer.total = static_cast<std::int64_t>(found.size());
  auto [begin, end] = page_window(paging, answer.total);
  w.begin_array();
  for (auto i = begin; i < end; ++i) {
    const Product& p = *found[static_cast<std::size_t>(i)];
    // A variation found by SKU through /products comes in the product shape
    // with type "variation" and parent_id.
    write_product(w, p, shape, fields);
  }
  w.end_array();
  return answer;
}

// ---- merchant admin and catalogues ------------------------------------------------------

std::int64_t Simulator::Impl::admin_add_simple(const std::string& sku, std::optional<int> stock, const std::string& name,
                                               const std::string& status, bool check_unique) {
  if (check_unique && sku_holder(sku, 0)) throw std::invalid_argument("duplicate SKU " + sku);
  if (!valid_product_status(status) && status != "trash") throw std::invalid_argument("bad status " + status);
  Product p;
  p.sku = sku;
  p.name = name.empty() ? opts.name + " " + sku : name;
  p.status = status;
  p.regular_price = "10.00";
  p.manage_stock = stock.has_value();
  p.stock = stock.value_or(0);
  auto id = insert_product(std::move(p));
  saved(products.at(id), true);
  return id;
}

std::int64_t Simulator::Impl::admin_add_variable(const std::string& sku, const std::string& name,
                                                 std::optional<int> parent_stock) {
  if (sku_holder(sku, 0)) throw std::invalid_argument("duplicate SKU " + sku);
  Product p;
  p.type = PType::Variable;
  p.sku = sku;
  p.name = name.empty() ? opts.name + " " + sku : name;
  p.manage_stock = parent_stock.has_value();
  p.stock = parent_stock.value_or(0);
  p.attributes.push_back({"Size", "", {}});
  auto id = insert_product(std::move(p));
  saved(products.at(id), true);
  return id;
}

std::int64_t Simulator::Impl::admin_add_variation(std::int64_t parent_id, const std::string& sku, ManageMode mode,
                                                  std::optional<int> stock) {
  Product* parent = find_product(parent_id);
  if (!parent || parent->type != PType::Variable) {
    throw std::invalid_argument("product " + std::to_string(parent_id) + " is not a variable product");
  }
  if (mode == ManageMode::Parent && !parent->manage_stock) {
    throw std::invalid_argument("a parent-managed variation needs a parent that manages stock");
  }
  if (sku_holder(sku, 0)) throw std::invalid_argument("duplicate SKU " + sku);
  static const char* sizes[] = {"S", "M", "L", "XL", "XXL", "XS"};
  Product v;
  v.type = PType::Variation;
  v.parent_id = parent_id;
  v.sku = sku;
  v.regular_price = "10.00";
  v.manage_stock = mode == ManageMode::Own;
  v.stock = mode == ManageMode::Own ? stock.value_or(0) : 0;
  std::string option = sizes[parent->children.size() % 6];
  if (parent->children.size() >= 6) option += std::to_string(parent->children.size());
  v.attributes.push_back({parent->attributes.empty() ? "Size" : parent->attributes.front().name, option, {}});
  if (!parent->attributes.empty()) parent->attributes.front().options.push_back(option);
  auto id = insert_product(std::move(v));
  saved(products.at(id), true);
  return id;
}

void Simulator::Impl::generate_catalog(int n, const std::string& prefix) {
  std::mt19937_64 rng(opts.seed * 0x9E3779B97F4A7C15ull + 17);
  int made = 0;
  int counter = 0;
  const auto now = util::now_seconds();
  auto next_sku = [&] {
    char buf[32];
    std::snprintf(buf, sizeof buf, "-%05d", ++counter);
    return prefix + buf;
  };
  auto price = [&] { return util::money(static_cast<double>(rng() % 9000 + 999) / 100.0); };
  auto add = [&](Product p) {
    p.id = next_post_id++;
    p.created = now;
    p.modified = now;
    if (p.type == PType::Variation) products.at(p.parent_id).children.push_back(p.id);
    index_sku(p);
    products.emplace(p.id, std::move(p));
  };
  static const char* sizes[] = {"S", "M", "L", "XL"};
  while (made < n) {
    int remaining = n - made;
    // ~6 % of draws make a family of 3-5 SKUs, so ~80 % of SKUs are simple.
    bool variable = rng() % 1000 < 59 && remaining >= 3;
    if (!variable) {
      Product p;
      p.sku = next_sku();
      p.name = opts.name + " product " + p.sku.substr(prefix.size() + 1);
      p.regular_price = price();
      p.manage_stock = rng() % 40 != 0;  // a few do not track stock
      p.stock = p.manage_stock ? static_cast<int>(rng() % 51) : 0;
      add(std::move(p));
      ++made;
      continue;
    }
    int k = std::min(2 + static_cast<int>(rng() % 3), remaining - 1);
    Product parent;
    parent.type = PType::Variable;
    parent.sku = next_sku();
    parent.name = opts.name + " variable " + parent.sku.substr(prefix.size() + 1);
    parent.regular_price = "";
    bool parent_managed = rng() % 3 == 0;
    parent.manage_stock = parent_managed;
    parent.stock = parent_managed ? static_cast<int>(rng() % 51) : 0;
    Attribute size{"Size", "", {}};
    for (int i = 0; i < k; ++i) size.options.push_back(sizes[i]);
    parent.attributes.push_back(size);
    auto parent_id = next_post_id;
    add(std::move(parent));
    std::string var_price = price();
    for (int i = 0; i < k; ++i) {
      Product v;
      v.type = PType::Variation;
      v.parent_id = parent_id;
      v.sku = next_sku();
      v.regular_price = var_price;
      v.attributes.push_back({"Size", sizes[i], {}});
      // With a stock-managing parent, every other variation uses the parent's
      // stock; otherwise an occasional variation tracks nothing.
      v.manage_stock = parent_managed ? i % 2 == 1 : rng() % 10 != 0;
      v.stock = v.manage_stock ? static_cast<int>(rng() % 51) : 0;
      add(std::move(v));
    }
    made += k + 1;
  }
  ++structure_gen;
}

void Simulator::Impl::load_catalog(const json& doc) {
  if (!doc.is_array()) throw std::invalid_argument("catalogue: expected a JSON array of products");
  auto stock_of = [](const json& item) -> std::optional<int> {
    auto it = item.find("stock");
    if (it == item.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) throw std::invalid_argument("catalogue: stock must be an integer or null");
    return it->get<int>();
  };
  for (const auto& item : doc) {
    if (!item.is_object() || !item.contains("sku") || !item["sku"].is_string()) {
      throw std::invalid_argument("catalogue: every product needs a string \"sku\"");
    }
    std::string sku = item["sku"].get<std::string>();
    std::string name = item.value("name", std::string());
    std::string status = item.value("status", std::string("publish"));
    auto variations = item.find("variations");
    if (variations == item.end() || !variations->is_array() || variations->empty()) {
      auto id = admin_add_simple(sku, stock_of(item), name, status, true);
      if (auto meta = item.find("meta"); meta != item.end() && meta->is_object())
        for (auto m = meta->begin(); m != meta->end(); ++m) products.at(id).meta.push_back({next_meta_id++, m.key(), *m});
      if (auto pr = item.find("price"); pr != item.end()) products.at(id).regular_price = price_string(*pr, "price");
      continue;
    }
    auto parent = admin_add_variable(sku, name, stock_of(item));
    products.at(parent).status = status;
    for (const auto& v : *variations) {
      if (!v.is_object() || !v.contains("sku") || !v["sku"].is_string()) {
        throw std::invalid_argument("catalogue: every variation needs a string \"sku\"");
      }
      std::string manage = v.value("manage", std::string(stock_of(v) ? "own" : "none"));
      ManageMode mode = manage == "own" ? ManageMode::Own : manage == "parent" ? ManageMode::Parent : ManageMode::None;
      if (manage != "own" && manage != "parent" && manage != "none") {
        throw std::invalid_argument("catalogue: manage must be own, parent or none");
      }
      auto vid = admin_add_variation(parent, v["sku"].get<std::string>(), mode, stock_of(v));
      if (auto pr = v.find("price"); pr != v.end()) products.at(vid).regular_price = price_string(*pr, "price");
    }
  }
  ++structure_gen;
}

}  // namespace woo_sim
