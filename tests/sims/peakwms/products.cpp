// Products (peakwms.md §4, §6, §7 items 2, 3, 8): (productId, variantId) is
// the key within one integration; every (WMS product, integration) pair has a
// product-integration row that carries that shop's ids. The refetch, state
// and product-integration endpoints are SIMULATOR-ONLY (§6 proposal).
#include <algorithm>
#include <set>

#include "http/message.hpp"
#include "sim_impl.hpp"

namespace peakwms_sim {

namespace {

// Fields the server owns or that are the key; never taken from a body.
const std::set<std::string> kReadOnly = {"id", "productid", "variantid", "availabletosell", "availableinstock",
                                         "orderedbycustomers", "createdat", "updatedat"};

int read_state(const json& v) {
  if (!v.is_number_integer() || (v.get<int>() != kProductActive && v.get<int>() != kProductInactive)) {
    throw ApiError{400, "state must be 0 (active) or 1 (inactive), got " + v.dump()};
  }
  return v.get<int>();
}

}  // namespace

const ProductIntegration* Simulator::Impl::link_of(std::int64_t product_id, std::int64_t integration) const {
  for (const auto& [id, l] : links) {
    if (l.product_id == product_id && l.integration_id == integration) return &l;
  }
  return nullptr;
}

Product& Simulator::Impl::product_or_throw(std::int64_t id) {
  auto p = products.find(id);
  if (p == products.end()) throw ApiError{404, "Product with id " + std::to_string(id) + " was not found"};
  return p->second;
}

const ProductIntegration& Simulator::Impl::add_link(std::int64_t product_id, std::int64_t integration,
                                                    const std::string& shop_product_id,
                                                    const std::string& shop_variant_id) {
  ProductIntegration l;
  l.id = next_link_id++;
  l.product_id = product_id;
  l.integration_id = integration;
  l.shop_product_id = shop_product_id;
  l.shop_variant_id = shop_variant_id;
  l.created = now();
  link_by_key[{integration, shop_product_id, shop_variant_id}] = l.id;
  return links[l.id] = l;
}

ojson Simulator::Impl::product_json(const Product& p, const ProductIntegration& l) const {
  ojson j = ojson::object();
  j["id"] = p.id;
  j["productId"] = l.shop_product_id;
  j["variantId"] = l.shop_variant_id;
  j["itemNumber"] = p.item_number;
  j["description"] = p.description;
  j["ean"] = p.ean;
  j["imagePath"] = p.image_path;
  j["state"] = p.state;
  j["availableToSell"] = std::max<std::int64_t>(0, p.on_hand - p.reserved);
  j["availableInStock"] = p.on_hand;
  j["orderedByCustomers"] = p.reserved;
  for (const auto& [k, v] : p.extra.items()) j[k] = v;
  j["createdAt"] = util::iso_time(p.created);
  j["updatedAt"] = util::iso_time(p.updated);
  return j;
}

ojson Simulator::Impl::link_json(const ProductIntegration& l) const {
  return ojson{{"id", l.id},
               {"productId", l.product_id},
               {"integrationId", l.integration_id},
               {"shopProductId", l.shop_product_id},
               {"shopVariantId", l.shop_variant_id},
               {"createdAt", util::iso_time(l.created)}};
}

void Simulator::Impl::apply_product_fields(Product& p, const json& body) {
  if (!body.is_object()) throw ApiError{400, "A product must be a JSON object"};
  for (const auto& [key, value] : body.items()) {
    const std::string k = http::lower(key);
    if (kReadOnly.count(k)) continue;
    if (k == "itemnumber") {
      p.item_number = util::string_field(body, key);
    } else if (k == "description") {
      p.description = util::string_field(body, key);
    } else if (k == "ean") {
      p.ean = util::string_field(body, key);
    } else if (k == "imagepath") {
      p.image_path = util::string_field(body, key);
    } else if (k == "state") {
      p.state = read_state(value);
    } else {
      p.extra[util::camel(key)] = value;
    }
  }
  p.updated = now();
}

ojson Simulator::Impl::post_product(std::int64_t integration, const json& body) {
  if (!body.is_object()) throw ApiError{400, "POST /product: the body must be a product object"};
  const std::string pid = util::string_field(body, "productId");
  const std::string vid = util::string_field(body, "variantId");
  if (pid.empty()) throw ApiError{400, "POST /product: productId is required"};
  if (auto l = link_by_key.find({integration, pid, vid}); l != link_by_key.end()) {
    if (!opts.upsert_on_post) {
      throw ApiError{400, "A product with productId \"" + pid + "\" and variantId \"" + vid +
                              "\" already exists for this integration (id " +
                              std::to_string(links.at(l->second).product_id) + ")"};
    }
    const ProductIntegration& link = links.at(l->second);
    Product& p = products.at(link.product_id);
    apply_product_fields(p, body);
    ++counters.products_updated;
    return product_json(p, link);
  }
  for (const char* required : {"itemNumber", "description"}) {
    if (util::string_field(body, required).empty()) {
      throw ApiError{400, "POST /product: " + std::string(required) + " is required (productId \"" + pid + "\")"};
    }
  }
  Product* target = nullptr;
  if (opts.match_by_item_number) {
    const std::string item = util::string_field(body, "itemNumber");
    for (auto& [id, p] : products) {
      if (p.item_number == item && !link_of(id, integration)) {
        target = &p;
        break;
      }
    }
  }
  if (!target) {
    Product p;
    p.id = next_product_id++;
    p.created = now();
    target = &(products[p.id] = std::move(p));
    ++counters.products_created;
  } else {
    ++counters.products_updated;
  }
  apply_product_fields(*target, body);
  return product_json(*target, add_link(target->id, integration, pid, vid));
}

ojson Simulator::Impl::put_product(std::int64_t integration, std::optional<std::int64_t> id, const json& body) {
  if (!body.is_object()) throw ApiError{400, "PUT /product: the body must be a product object"};
  const ProductIntegration* link = nullptr;
  if (id) {
    product_or_throw(*id);
    link = link_of(*id, integration);
    if (!link) throw ApiError{404, "Product with id " + std::to_string(*id) + " is not part of this integration"};
  } else {
    const std::string pid = util::string_field(body, "productId");
    const std::string vid = util::string_field(body, "variantId");
    auto l = link_by_key.find({integration, pid, vid});
    if (l == link_by_key.end()) {
      throw ApiError{404, "No product with productId \"" + pid + "\" and variantId \"" + vid + "\" in this integration"};
    }
    link = &links.at(l->second);
  }
  Product& p = products.at(link->product_id);
  apply_product_fields(p, body);
  ++counters.products_updated;
  return product_json(p, *link);
}

// The host-deletion rule (§6, §7 item 8): a product with stock or any
// history is set inactive; one nothing happened to is deleted. A product
// other integrations still use loses only this integration's row.
ojson Simulator::Impl::delete_product(std::int64_t integration, std::int64_t id) {
  Product& p = product_or_throw(id);
  const ProductIntegration* link = link_of(id, integration);
  if (!link) throw ApiError{404, "Product with id " + std::to_string(id) + " is not part of this integration"};
  std::size_t rows = 0;
  for (const auto& [lid, l] : links) rows += l.product_id == id ? 1 : 0;
  auto drop_link = [&] {
    link_by_key.erase({integration, link->shop_product_id, link->shop_variant_id});
    links.erase(link->id);
  };
  ojson out = ojson::object();
  out["id"] = id;
  if (rows > 1) {
    drop_link();
    out["deleted"] = true;
    return out;
  }
  if (p.on_hand != 0 || p.reserved != 0 || p.activity) {
    p.state = kProductInactive;
    p.updated = now();
    out["deleted"] = false;
    out["state"] = p.state;
    return out;
  }
  drop_link();
  products.erase(id);
  out["deleted"] = true;
  return out;
}

ojson Simulator::Impl::get_variants(std::int64_t integration, const std::string& shop_product_id) {
  ojson out = ojson::array();
  for (const auto& [lid, l] : links) {
    if (l.integration_id == integration && l.shop_product_id == shop_product_id) {
      out.push_back(product_json(products.at(l.product_id), l));
    }
  }
  return out;
}

std::map<std::int64_t, const ProductIntegration*> Simulator::Impl::links_of(std::int64_t integration) const {
  std::map<std::int64_t, const ProductIntegration*> mine;
  for (const auto& [lid, l] : links) {
    if (l.integration_id == integration) mine[l.product_id] = &l;
  }
  return mine;
}

ojson Simulator::Impl::list_products(std::int64_t integration, const KeySet& k) {
  std::vector<ojson> rows;
  for (const auto& [pid, l] : links_of(integration)) rows.push_back(product_json(products.at(pid), *l));
  return keyset_page(rows, k);
}

// ---- SIMULATOR-ONLY (peakwms.md §6 proposal) ----------------------------------------------------------

ojson Simulator::Impl::list_links(std::int64_t /*integration*/, const util::Query& q) {
  auto int_filter = [&](const char* name) -> std::optional<std::int64_t> {
    auto v = q.get(name);
    if (!v || v->empty()) return std::nullopt;
    auto n = util::parse_int(*v);
    if (!n) throw ApiError{400, std::string(name) + " must be an integer, got \"" + *v + "\""};
    return n;
  };
  auto product = int_filter("productId");
  auto owner = int_filter("integrationId");
  auto shop_id = q.get("shopProductId");
  ojson out = ojson::array();
  for (const auto& [id, l] : links) {
    if (product && l.product_id != *product) continue;
    if (owner && l.integration_id != *owner) continue;
    if (shop_id && l.shop_product_id != *shop_id) continue;
    out.push_back(link_json(l));
  }
  return out;
}

ojson Simulator::Impl::refetch(std::int64_t integration, std::int64_t id) {
  Product& p = product_or_throw(id);
  const ProductIntegration* link = link_of(id, integration);
  const ProductIntegration* any = link;
  for (const auto& [lid, l] : links) {
    if (!any && l.product_id == id) any = &l;
  }
  if (!any) throw ApiError{404, "Product with id " + std::to_string(id) + " has no product integration to refetch from"};
  const std::string pid = any->shop_product_id, vid = any->shop_variant_id;
  auto shop = shop_catalogue.find({integration, pid, vid});
  if (shop == shop_catalogue.end()) {
    throw ApiError{404, "The shop of integration " + std::to_string(integration) + " no longer has productId \"" + pid +
                            "\" variantId \"" + vid + "\""};
  }
  apply_product_fields(p, shop->second);
  ++counters.products_updated;
  return product_json(p, link ? *link : add_link(id, integration, pid, vid));
}

ojson Simulator::Impl::set_state(std::int64_t integration, std::int64_t id, const json& body) {
  Product& p = product_or_throw(id);
  const ProductIntegration* link = link_of(id, integration);
  if (!link) throw ApiError{404, "Product with id " + std::to_string(id) + " is not part of this integration"};
  const json* state = util::field(body, "state");
  if (!state) throw ApiError{400, "PUT /product/" + std::to_string(id) + "/state: state is required (0 or 1)"};
  p.state = read_state(*state);
  p.updated = now();
  return product_json(p, *link);
}

}  // namespace peakwms_sim
