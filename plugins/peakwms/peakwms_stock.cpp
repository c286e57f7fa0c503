// Levels in: what every shop mirrors is PeakWMS's availableToSell (on hand
// minus open sales orders). Polling lists every shop's products and emits
// the SKUs whose level changed since last emitted; a StockAdjust webhook
// (sent on every on-hand change, once per shop integration) makes the
// connector read that product at once. Reservations move availableToSell
// without a webhook: the connector reads what its own orders touched.
#include <cstdio>
#include <map>

#include <stockrelay/text.hpp>

#include "peakwms_connector.hpp"

namespace peakwms {

namespace {

constexpr std::size_t kRecentHooks = 4096;

std::string percent_decode(const std::string& text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// One parameter of a query string ("" when absent).
std::string query_value(const std::string& query, const std::string& name) {
  for (std::size_t start = 0; start <= query.size();) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string part = query.substr(start, end - start);
    const auto eq = part.find('=');
    if (percent_decode(part.substr(0, eq)) == name)
      return eq == std::string::npos ? std::string() : percent_decode(part.substr(eq + 1));
    start = end + 1;
  }
  return {};
}

// What makes two StockAdjust deliveries the same adjustment: PeakWMS's stock
// item (its product id, the same in the copy every shop integration gets),
// the new on hand and the delta. Without a stockItemId the shop's own ids
// stand in for it.
std::string hook_key(const Shop& shop, const nlohmann::json& body) {
  nlohmann::json item = body.value("stockItemId", nlohmann::json());
  if (item.is_null()) item = nlohmann::json::array({shop.name, body.value("productId", nlohmann::json()),
                                                    body.value("variantId", nlohmann::json())});
  return nlohmann::json::array({item, body.value("quantity", nlohmann::json()),
                                body.value("adjustedQuantity", nlohmann::json())})
      .dump();
}

sr::WebhookResponse refusal(int status, const std::string& error) {
  return {status, nlohmann::json{{"error", error}}.dump()};
}

}  // namespace

std::optional<Reading> PeakwmsConnector::reading_of(const nlohmann::json& product, std::int64_t read_at) {
  if (!product.is_object()) return std::nullopt;
  Reading r;
  r.sku = text_of(product, "itemNumber");
  auto id = integer_of(product.value("id", nlohmann::json()));
  auto available = quantity_of(product.value("availableToSell", nlohmann::json()));
  if (r.sku.empty() || !id || !available) return std::nullopt;
  r.wms_id = *id;
  r.available = *available;
  r.read_at = read_at;
  return r;
}

// Versions order every reading this connector makes: the host's clock when
// the read went out, then a sequence, fixed width so that text order is
// time order (PeakWMS's updatedAt does not move for a reservation).
std::string PeakwmsConnector::next_version(std::int64_t read_at) {
  if (read_at < last_read_ms_) read_at = last_read_ms_;
  last_read_ms_ = read_at;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%013lld.%06llu", static_cast<long long>(read_at),
                static_cast<unsigned long long>(++seq_ % 1000000));
  return buf;
}

void PeakwmsConnector::emit_levels(const std::vector<Reading>& readings, bool all) {
  std::vector<sr::Event> events;
  for (const auto& r : readings) {
    if (conflicts_.count(r.sku)) continue;  // which of its products would it be?
    auto [at, fresh] = shown_.try_emplace(r.sku, r.available.milli());
    if (!fresh && !all && at->second == r.available.milli()) continue;
    at->second = r.available.milli();
    sr::StockLevel l;
    l.version = next_version(r.read_at);
    l.key = "level:" + r.sku + ":" + l.version;
    l.at = r.read_at;
    l.read_at = r.read_at;
    l.sku = r.sku;
    l.quantity = r.available;
    l.remote_id = std::to_string(r.wms_id);
    events.push_back(std::move(l));
  }
  host().emit(events);
}

void PeakwmsConnector::read_touched() {
  std::set<std::int64_t> read;  // PeakWMS ids: a product two shops share is read once
  for (const auto& [name, product_id] : touched_) {
    const Shop* shop = settings_.shop(name);
    const std::int64_t read_at = host().now_ms();
    auto variants = api_.get(*shop, "/product/" + sr::percent_encode(product_id));
    if (!variants.is_array()) continue;
    for (const auto& v : variants) {
      index_[name].learn(v);
      if (auto r = reading_of(v, read_at); r && read.insert(r->wms_id).second) pending_.push_back(*r);
    }
  }
  touched_.clear();
}

void PeakwmsConnector::poll(sr::PollMode mode) {
  const bool all = mode == sr::PollMode::Reconcile || !polled_;
  std::map<std::string, Reading> by_sku;
  std::set<std::string> conflicts;  // SKUs on more than one PeakWMS product
  std::size_t seen = 0;
  for (const auto& shop : settings_.shops) {
    ShopIndex fresh;
    const std::int64_t read_at = host().now_ms();
    list_products(shop, [&](const nlohmann::json& p) {
      ++seen;
      fresh.learn(p);
      auto r = reading_of(p, read_at);
      if (!r) return;
      // The same PeakWMS product seen through two shops' keys is one SKU.
      auto [at, first] = by_sku.try_emplace(r->sku, *r);
      if (!first && at->second.wms_id != r->wms_id) conflicts.insert(r->sku);
      else at->second = *r;
    });
    replace_index(shop, std::move(fresh));
  }
  std::vector<Reading> readings;
  for (const auto& [sku, r] : by_sku) {
    readings.push_back(r);
    if (conflicts.count(sku) && !conflicts_.count(sku))
      host().warn("PeakWMS: SKU '" + sku + "' is on more than one PeakWMS product (one is #" +
                  std::to_string(r.wms_id) + "); its level is not mirrored until the SKU is unique");
  }
  conflicts_ = std::move(conflicts);
  emit_levels(readings, all);
  if (!polled_) host().info("PeakWMS: read " + std::to_string(seen) + " product integrations, " +
                            std::to_string(readings.size()) + " SKUs");
  polled_ = true;
}

bool PeakwmsConnector::duplicate_hook(const std::string& key, std::int64_t at) {
  while (!recent_hooks_.empty() && recent_hooks_.front().second < at - kDuplicateWindowMs) recent_hooks_.pop_front();
  for (const auto& [k, when] : recent_hooks_)
    if (k == key && at - when <= kDuplicateWindowMs) return true;
  return false;
}

void PeakwmsConnector::remember_hook(std::string key, std::int64_t at) {
  recent_hooks_.emplace_back(std::move(key), at);
  if (recent_hooks_.size() > kRecentHooks) recent_hooks_.pop_front();
}

sr::WebhookResponse PeakwmsConnector::on_webhook(const sr::WebhookRequest& req) {
  // PeakWMS does not sign webhooks: the token in the URL we registered is the proof.
  if (!settings_.webhook_token.empty() &&
      !sr::constant_time_equal(query_value(req.query, "token"), settings_.webhook_token))
    return refusal(401, "the webhook's token is missing or wrong (settings 'webhook_token')");
  if (req.method != "POST") return refusal(405, "PeakWMS webhooks arrive as POST");
  const std::string shop_name = query_value(req.query, "shop");
  const Shop* shop = settings_.shop(shop_name);
  if (!shop) {
    host().warn("PeakWMS webhook for unknown shop '" + shop_name + "' refused (settings.shops names the shops)");
    return refusal(400, "unknown shop '" + shop_name + "': the URL's ?shop= must name a shop in settings.shops");
  }
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  const std::string product_id = text_of(body, "productId");
  if (product_id.empty()) {
    host().warn("PeakWMS webhook for " + shop->name + " refused: the body is not a StockAdjust with a productId");
    return refusal(400, "the body is not a StockAdjust JSON object with a productId");
  }
  const std::int64_t at = req.received_at ? req.received_at : host().now_ms();
  const std::string key = hook_key(*shop, body);
  if (duplicate_hook(key, at)) return {200, R"({"duplicate":true})"};

  // A failed read is retryable: the host answers 503 (and polling catches up anyway).
  const std::int64_t read_at = host().now_ms();
  nlohmann::json variants;
  try {
    variants = api_.get(*shop, "/product/" + sr::percent_encode(product_id));
  } catch (const ApiError& e) {
    throw sr::retryable_error(e.what());
  } catch (const sr::invalid_error& e) {
    throw sr::retryable_error(e.what());
  }
  const std::string variant_id = text_of(body, "variantId");
  std::vector<Reading> readings;
  if (variants.is_array())
    for (const auto& v : variants)
      if (text_of(v, "variantId") == variant_id) {
        index_[shop->name].learn(v);
        if (auto r = reading_of(v, read_at)) readings.push_back(*r);
      }
  if (readings.empty())
    host().info("PeakWMS StockAdjust for " + shop->name + "'s product " + product_id + " (variant '" + variant_id +
                "'): no longer in its integration; nothing to mirror");
  emit_levels(readings, true);
  remember_hook(key, at);
  return {200, "{}"};
}

}  // namespace peakwms
