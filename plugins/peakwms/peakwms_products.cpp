// Product integrations: a shop's product uploaded with that shop's key
// becomes (or joins) a PeakWMS product with one product-integration row for
// the shop; a product the shop no longer sells loses that shop's row (PeakWMS
// keeps the product, inactive, when it has stock or history). The SKU index
// maps each shop's SKUs to its productId/variantId and PeakWMS's id, for
// orders and for deleting.
#include <stockrelay/text.hpp>

#include "peakwms_connector.hpp"

namespace peakwms {

void PeakwmsConnector::ShopIndex::learn(const nlohmann::json& product) {
  const std::string sku = text_of(product, "itemNumber");
  auto id = integer_of(product.is_object() ? product.value("id", nlohmann::json()) : nlohmann::json());
  if (sku.empty() || !id) return;
  Item item{text_of(product, "productId"), text_of(product, "variantId"), *id};
  std::pair<std::string, std::string> key{item.product_id, item.variant_id};
  // The shop's product had another SKU before: that one is gone.
  if (auto was = sku_of.find(key); was != sku_of.end() && was->second != sku) {
    by_sku.erase(was->second);
    ambiguous.erase(was->second);
  }
  sku_of[key] = sku;
  auto [at, fresh] = by_sku.try_emplace(sku, item);
  if (fresh || (at->second.product_id == item.product_id && at->second.variant_id == item.variant_id)) {
    at->second = item;
    return;
  }
  ambiguous.insert(sku);
}

void PeakwmsConnector::ShopIndex::forget(const std::string& product_id, const std::string& variant_id) {
  auto was = sku_of.find({product_id, variant_id});
  if (was == sku_of.end()) return;
  auto at = by_sku.find(was->second);
  if (at != by_sku.end() && at->second.product_id == product_id && at->second.variant_id == variant_id)
    by_sku.erase(at);
  sku_of.erase(was);
}

void PeakwmsConnector::list_products(const Shop& shop, const std::function<void(const nlohmann::json&)>& on_product) {
  api_.list(shop, "/product", [&](const nlohmann::json& data) {
    for (const auto& p : data)
      if (p.is_object()) on_product(p);
  });
}

PeakwmsConnector::ShopIndex& PeakwmsConnector::replace_index(const Shop& shop, ShopIndex fresh) {
  fresh.built = true;
  return index_[shop.name] = std::move(fresh);
}

PeakwmsConnector::ShopIndex& PeakwmsConnector::reindex(const Shop& shop) {
  ShopIndex fresh;
  list_products(shop, [&](const nlohmann::json& p) { fresh.learn(p); });
  reindexed_.insert(shop.name);
  return replace_index(shop, std::move(fresh));
}

PeakwmsConnector::ShopIndex& PeakwmsConnector::index_of(const Shop& shop) {
  ShopIndex& index = index_[shop.name];
  return index.built ? index : reindex(shop);
}

sr::CommandResult PeakwmsConnector::upsert_product(const sr::Command& c, const sr::UpsertProduct& u) {
  const Shop* shop = settings_.shop(u.connection);
  if (!shop) return result(c, sr::Outcome::Failed, "no API key for shop " + u.connection + " in settings.shops");
  const std::string product_id = u.shop_product_id.empty() ? u.remote_id : u.shop_product_id;
  const std::string what = "SKU '" + u.sku + "' of " + shop->name;
  if (product_id.empty())
    return result(c, sr::Outcome::Failed,
                  what + " has no product id; PeakWMS keys a shop's products by its productId and variantId");
  if (!u.active) return remove_product(c, u, *shop, product_id);
  if (u.sku.empty())
    return result(c, sr::Outcome::Failed,
                  "product " + product_id + " of " + shop->name + " has no SKU; PeakWMS needs an itemNumber");

  nlohmann::json body{{"productId", product_id},
                      {"variantId", u.remote_variation_id},
                      {"itemNumber", u.sku},
                      {"description", u.name.empty() ? u.sku : u.name}};
  if (!u.ean.empty()) body["ean"] = u.ean;
  const std::int64_t read_at = host().now_ms();
  nlohmann::json answer;
  try {
    answer = api_.post(*shop, "/product", body);
  } catch (const ApiError& e) {
    // A PeakWMS that refuses POST for a key it has: the same key, updated.
    if (e.status != 400 || e.message.find("already exists") == std::string::npos)
      return result(c, sr::Outcome::Failed, "PeakWMS refused " + what + ": " + e.message);
    answer = api_.put(*shop, "/product", body);
  }
  auto id = integer_of(answer.is_object() ? answer.value("id", nlohmann::json()) : nlohmann::json());
  if (!id) return result(c, sr::Outcome::Retry, api_.where() + " answered " + what + " without its id");
  index_[shop->name].learn(answer);
  if (auto r = reading_of(answer, read_at)) pending_.push_back(*r);
  const std::string ref = std::to_string(*id);
  return result(c, sr::Outcome::Ok, what + " is PeakWMS product " + ref, ref);
}

std::optional<std::int64_t> PeakwmsConnector::find_wms_id(const Shop& shop, const sr::UpsertProduct& u,
                                                          const std::string& product_id) {
  const ShopIndex& index = index_[shop.name];
  if (auto at = index.by_sku.find(u.sku); at != index.by_sku.end() && at->second.product_id == product_id &&
                                           at->second.variant_id == u.remote_variation_id)
    return at->second.wms_id;
  auto variants = api_.get(shop, "/product/" + sr::percent_encode(product_id));
  if (!variants.is_array()) return std::nullopt;
  for (const auto& v : variants)
    if (text_of(v, "variantId") == u.remote_variation_id) return integer_of(v.value("id", nlohmann::json()));
  return std::nullopt;
}

sr::CommandResult PeakwmsConnector::remove_product(const sr::Command& c, const sr::UpsertProduct& u, const Shop& shop,
                                                   const std::string& product_id) {
  const std::string what = shop.name + "'s product " + product_id +
                           (u.remote_variation_id.empty() ? "" : " variant " + u.remote_variation_id) +
                           (u.sku.empty() ? "" : " (SKU '" + u.sku + "')");
  auto id = find_wms_id(shop, u, product_id);
  if (!id) return result(c, sr::Outcome::Ok, "nothing to remove: PeakWMS has no " + what);
  const std::string ref = std::to_string(*id);
  nlohmann::json answer;
  try {
    answer = api_.del(shop, "/product/" + ref);
  } catch (const ApiError& e) {
    if (e.status != 404) throw;
    answer = nlohmann::json{{"missing", true}};
  }
  index_[shop.name].forget(product_id, u.remote_variation_id);
  if (answer.value("missing", false))
    return result(c, sr::Outcome::Ok, "nothing to remove: PeakWMS product " + ref + " has no integration for " + shop.name, ref);
  if (answer.value("deleted", true))
    return result(c, sr::Outcome::Ok, "removed the product integration of " + what + " from PeakWMS product " + ref, ref);
  return result(c, sr::Outcome::Ok,
                "PeakWMS set product " + ref + " inactive instead of deleting it (it has stock or history); " + what +
                    " was its last integration",
                ref);
}

}  // namespace peakwms
