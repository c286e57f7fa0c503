// Webhooks in both directions: deliveries from the store (signature check,
// ping, topics -> events) and the store's webhook registrations (created at
// start, re-enabled or recreated by the polls).
//
// WooCommerce builds a delivery's body when it sends it, from the resource's
// current state: a late or repeated delivery carries the newest state, and
// the keys (woo_events.hpp) are those a poll of that state gives, so the
// journal drops repeats and reordering changes nothing.
#include <algorithm>

#include "woo_connector.hpp"
#include "woo_crypto.hpp"

namespace woo {
namespace {

sr::WebhookResponse refuse(int status, const std::string& why) {
  return {status, nlohmann::json{{"error", why}}.dump()};
}

sr::WebhookResponse accepted(const std::vector<std::string>& keys) {
  return {200, nlohmann::json{{"keys", keys}}.dump()};
}

// WooCommerce's ping after a webhook is created: a form body
// "webhook_id=<n>" with no X-WC-Webhook-* headers and no signature.
bool is_ping(const sr::WebhookRequest& req) {
  if (!req.header("x-wc-webhook-topic").empty() || !req.header("x-wc-webhook-signature").empty()) return false;
  const std::string prefix = "webhook_id=";
  if (!req.body.starts_with(prefix) || req.body.size() == prefix.size()) return false;
  return std::all_of(req.body.begin() + static_cast<std::ptrdiff_t>(prefix.size()), req.body.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

sr::WebhookResponse WooConnector::on_webhook(const sr::WebhookRequest& req) {
  if (req.method != "POST") return refuse(405, "webhooks are POST requests");
  const std::string topic = req.header("x-wc-webhook-topic");
  const std::string delivery = req.header("x-wc-webhook-delivery-id");
  const std::string hook_id = req.header("x-wc-webhook-id");
  const std::string what = "webhook " + (topic.empty() ? std::string("without topic") : topic) + " (delivery " +
                           (delivery.empty() ? std::string("-") : delivery) +
                           (hook_id.empty() ? std::string() : ", webhook " + hook_id) + ")";
  if (is_ping(req)) {
    host().info(api_.where() + ": webhook ping (" + req.body + ") answered 200");
    return {200, "{}"};
  }
  if (settings_.webhook_secret.empty()) {
    host().warn(api_.where() + ": " + what + " refused: this connection has no webhook_secret, so no signature can be checked");
    return refuse(401, "webhooks are refused: no webhook_secret is configured");
  }
  const std::string given = req.header("x-wc-webhook-signature");
  // WooCommerce signs with the secret as stored, HTML entities decoded.
  const std::string expected = base64(hmac_sha256(html_entity_decode(settings_.webhook_secret), req.body));
  if (!constant_time_equal(given, expected)) {
    host().warn(api_.where() + ": " + what + " refused: " +
                (given.empty() ? "no X-WC-Webhook-Signature header" : "bad X-WC-Webhook-Signature"));
    return refuse(401, "bad or missing X-WC-Webhook-Signature");
  }

  load_catalog();
  ReportedGuard guard(catalog_);
  sr::WebhookResponse res;
  // The store builds a body when it sends it: at most as new as its arrival
  // at the host (this call may have waited behind a write of ours).
  const std::int64_t at = req.received_at > 0 ? req.received_at : host().now_ms();
  if (topic == "order.created" || topic == "order.updated") res = order_hook(req.body, what, at);
  else if (topic == "product.created" || topic == "product.updated") res = product_hook(req.body, what, at);
  else if (topic == "product.deleted") res = deleted_hook(req.body, what);
  else {
    host().debug(api_.where() + ": " + what + " ignored (not a topic this connector uses)");
    res = {200, nlohmann::json{{"ignored", topic}}.dump()};
  }
  save_catalog();
  return res;
}

// A resource deleted before its delivery was sent: WooCommerce sends the
// error its REST call gave ({"code": "..._invalid_id", ...}). Nothing to
// report, and a refusal would count as a failed delivery at the store.
bool WooConnector::gone(const std::string& body, const std::string& what) {
  ApiError e;
  if (!parser_.api_error(body, e) || e.code.empty()) return false;
  host().info(api_.where() + ": " + what + " carries WooCommerce error " + e.code + " (the resource is gone); ignored");
  return true;
}

sr::WebhookResponse WooConnector::order_hook(const std::string& body, const std::string& what, std::int64_t at) {
  OrderRecord o;
  std::string error;
  if (!parser_.order(body, o, error)) {
    if (gone(body, what)) return accepted({});
    host().warn(api_.where() + ": " + what + " refused: the body is not an order (" + error + ")");
    return refuse(400, "the body is not a WooCommerce order: " + error);
  }
  Emitter emitter(host(), true);
  emitter.add(order_to_event(o, at));
  emitter.flush();
  host().debug(api_.where() + ": " + what + " -> " + emitter.keys().front());
  return accepted(emitter.keys());
}

sr::WebhookResponse WooConnector::product_hook(const std::string& body, const std::string& what, std::int64_t at) {
  Product p;
  std::string error;
  if (!parser_.product(body, p, error)) {
    if (gone(body, what)) return accepted({});
    host().warn(api_.where() + ": " + what + " refused: the body is not a product (" + error + ")");
    return refuse(400, "the body is not a WooCommerce product: " + error);
  }
  return accepted(product_state(std::move(p), what, at));
}

std::vector<std::string> WooConnector::product_state(Product p, const std::string& what, std::int64_t received_at) {
  if (p.type.empty() && p.parent_id > 0 && p.variations.empty()) p.type = "variation";
  if (echo(p)) {
    host().debug(api_.where() + ": " + what + ": SKU " + p.sku + " shows what the hub's write left (" +
                 p.stock_quantity->to_string() + " at " + p.date_modified_gmt + "); nothing new");
    return {};
  }
  std::optional<Product> parent;
  // Whether a variation's stock is its parent's needs the parent.
  if (p.is_variation() && p.manage_stock && p.parent_id > 0)
    parent = fetch_product("/products/" + std::to_string(p.parent_id));
  Emitter emitter(host(), true);
  PassReport report;
  product_events(
      {p}, [&](std::int64_t id) -> const Product* { return parent && parent->id == id ? &*parent : nullptr; },
      catalog_, report, [&](sr::Event e) { emitter.add(std::move(e)); }, {}, received_at);
  emitter.flush();
  // Per delivery, only what needs attention: duplicates and stock holders.
  report.unmanaged.clear();
  report.without_sku.clear();
  report.log(host(), api_.where() + " " + what);
  host().debug(api_.where() + ": " + what + " -> " + std::to_string(emitter.keys().size()) + " event(s)");
  return emitter.keys();
}

sr::WebhookResponse WooConnector::deleted_hook(const std::string& body, const std::string& what) {
  std::int64_t id = 0;
  std::string error;
  if (!parser_.object_id(body, id, error)) {
    host().warn(api_.where() + ": " + what + " refused: " + error);
    return refuse(400, "product.deleted needs {\"id\": N}: " + error);
  }
  // Moved to the trash, the product is still there with a new modification
  // time: report it as it is (status "trash": inactive). Only when it is
  // gone for good is there nothing but the id.
  std::optional<Product> still;
  try {
    still = fetch_product("/products/" + std::to_string(id));
  } catch (const sr::retryable_error& e) {
    host().debug(api_.where() + ": could not look at deleted product " + std::to_string(id) + ": " + e.what());
  }
  if (still) return accepted(product_state(std::move(*still), what, host().now_ms()));  // read just now
  const auto entry = catalog_.find(id);
  if (!entry || entry->sku.empty()) {
    host().info(api_.where() + ": " + what + ": product " + std::to_string(id) +
                " was deleted; its SKU is not known here, nothing to report");
    return accepted({});
  }
  Emitter emitter(host(), true);
  emitter.add(deleted_product(id, *entry));
  for (auto child : catalog_.children(id)) {
    if (const auto c = catalog_.find(child); c && !c->sku.empty()) emitter.add(deleted_product(child, *c));
    catalog_.erase(child);
  }
  host().info(api_.where() + ": product " + std::to_string(id) + " (SKU " + entry->sku + ") was deleted");
  catalog_.erase(id);
  emitter.flush();
  return accepted(emitter.keys());
}

// ---- registrations ------------------------------------------------------------------

// WooCommerce pings a new webhook's delivery URL before it answers the
// request that created it. When the hub hands this connection's webhooks to
// the plugin one call at a time, that ping waits until the call registering
// the webhook has returned: the store gives up on it after its own timeout
// and keeps the webhook. So everything goes out in one batch request that
// waits at most this long; without an answer, the next poll looks again.
constexpr int kRegisterTimeoutMs = 5000;

void WooConnector::ensure_webhooks(bool set_secret) {
  std::vector<WebhookRecord> hooks;
  api_.pages("/webhooks", {}, [&](const sr::HttpResponse& r) {
    std::vector<WebhookRecord> page;
    std::string error;
    if (!parser_.webhooks(r.body, page, error)) throw sr::retryable_error(api_.where() + ": GET /webhooks: " + error);
    hooks.insert(hooks.end(), page.begin(), page.end());
    return page.size();
  });
  nlohmann::json create = nlohmann::json::array(), update = nlohmann::json::array();
  std::vector<std::string> created_topics, updated_topics;
  for (const char* topic : kTopics) {
    auto it = std::find_if(hooks.begin(), hooks.end(), [&](const WebhookRecord& w) {
      return w.topic == topic && w.delivery_url == settings_.webhook_url;
    });
    if (it == hooks.end()) {
      if (!set_secret) host().warn(api_.where() + ": the " + std::string(topic) + " webhook for " + settings_.webhook_url +
                                   " is missing; creating it again");
      create.push_back({{"name", std::string("stockrelay ") + topic},
                        {"topic", topic},
                        {"delivery_url", settings_.webhook_url},
                        {"secret", settings_.webhook_secret},
                        {"status", "active"}});
      created_topics.push_back(topic);
      continue;
    }
    nlohmann::json change = {{"id", it->id}};
    if (it->status != "active") {
      host().warn(api_.where() + ": webhook " + std::to_string(it->id) + " (" + topic + ") was " + it->status +
                  " (WooCommerce disables a webhook after repeated failed deliveries); re-enabling it");
      change["status"] = "active";
    }
    if (set_secret) change["secret"] = settings_.webhook_secret;
    if (change.size() == 1) continue;
    update.push_back(std::move(change));
    updated_topics.push_back(topic);
  }
  if (create.empty() && update.empty()) {
    webhooks_unsure_ = false;
    return;
  }
  nlohmann::json body = nlohmann::json::object();
  if (!create.empty()) body["create"] = std::move(create);
  if (!update.empty()) body["update"] = std::move(update);
  sr::HttpResponse r;
  try {
    r = api_.call("POST", "/webhooks/batch", {}, body.dump(), kRegisterTimeoutMs);
  } catch (const sr::retryable_error& e) {
    webhooks_unsure_ = true;
    host().warn(api_.where() + ": registering the webhooks for " + settings_.webhook_url + " got no answer in time (" +
                e.what() + "); WooCommerce pings that URL before it answers; they are checked again at the next poll");
    return;
  }
  if (!r.ok())
    throw sr::invalid_error(api_.where() + " refused to register the webhooks for " + settings_.webhook_url + ": " +
                            api_.error_text(r));
  webhooks_unsure_ = false;
  std::vector<BatchItem> created, updated;
  std::string error;
  if (!parser_.batch(r.body, "create", created, error) || !parser_.batch(r.body, "update", updated, error)) {
    webhooks_unsure_ = true;
    host().warn(api_.where() + ": POST /webhooks/batch answered something unreadable (" + error + "); checked again at the next poll");
    return;
  }
  for (std::size_t i = 0; i < created.size() && i < created_topics.size(); ++i) {
    if (created[i].failed)
      throw sr::invalid_error(api_.where() + " refused to create the " + created_topics[i] + " webhook for " +
                              settings_.webhook_url + ": " + api_.scrub(created[i].code + ": " + created[i].message));
    host().info(api_.where() + ": created webhook " + std::to_string(created[i].id) + " for " + created_topics[i] +
                " -> " + settings_.webhook_url);
  }
  for (std::size_t i = 0; i < updated.size() && i < updated_topics.size(); ++i)
    if (updated[i].failed)
      throw sr::invalid_error(api_.where() + " refused to update the " + updated_topics[i] + " webhook: " +
                              api_.scrub(updated[i].code + ": " + updated[i].message));
}

void WooConnector::check_webhooks_if_due() {
  if (settings_.webhook_url.empty()) return;
  std::int64_t now = host().monotonic_ms();
  bool due = webhooks_unsure_ || last_webhook_check_ms_ == std::numeric_limits<std::int64_t>::min() ||
             now - last_webhook_check_ms_ >= 60000;
  if (!due) return;
  last_webhook_check_ms_ = now;
  try {
    ensure_webhooks(false);
  } catch (const sr::stopped_error&) {
    throw;
  } catch (const std::exception& e) {
    // The poll itself went well; webhooks are a hint, polling is the record.
    host().warn(api_.where() + ": webhook check failed (" + api_.scrub(e.what()) + "); trying again at a later poll");
  }
}

}  // namespace woo
