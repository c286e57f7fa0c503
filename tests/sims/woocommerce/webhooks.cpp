// Webhooks: the REST resource, event queueing with WooCommerce's collapse of
// pending deliveries, and the delivery workers (payload built at send time,
// X-WC-Webhook-* headers, HMAC-SHA256 signature, no retries, failure counter).
#include <algorithm>

#include "sim_impl.hpp"

namespace woo_sim {

namespace {

constexpr const char* kUserAgent = "WooCommerce/9.4.0 Hookshot (WordPress/6.6.2)";

bool valid_topic(const std::string& topic) {
  if (topic.starts_with("action.") && topic.size() > 7) return true;
  auto dot = topic.find('.');
  if (dot == std::string::npos) return false;
  std::string resource = topic.substr(0, dot), event = topic.substr(dot + 1);
  bool r = resource == "coupon" || resource == "customer" || resource == "order" || resource == "product";
  bool e = event == "created" || event == "updated" || event == "deleted" || event == "restored";
  return (r && e) || topic == "product.published";
}

std::vector<std::string> hooks_of(const std::string& topic) {
  if (topic == "order.created") return {"woocommerce_new_order"};
  if (topic == "order.updated") return {"woocommerce_update_order", "woocommerce_order_refunded"};
  if (topic == "order.deleted") return {"wp_trash_post", "woocommerce_delete_order"};
  if (topic == "order.restored") return {"untrashed_post"};
  if (topic == "product.created") {
    return {"woocommerce_process_product_meta", "woocommerce_new_product", "woocommerce_new_product_variation"};
  }
  if (topic == "product.updated") {
    return {"woocommerce_process_product_meta", "woocommerce_update_product", "woocommerce_update_product_variation"};
  }
  if (topic == "product.deleted") return {"wp_trash_post", "woocommerce_delete_product"};
  if (topic == "product.restored") return {"untrashed_post"};
  if (topic.starts_with("action.")) return {topic.substr(7)};
  return {};
}

}  // namespace

ojson Simulator::Impl::webhook_json(const Webhook& h) const {
  const std::int64_t offset = static_cast<std::int64_t>(opts.utc_offset_minutes) * 60;
  const std::string api = base_url + "/wp-json/wc/v3/webhooks";
  auto dot = h.topic.find('.');
  ojson j = ojson::object();
  j["id"] = h.id;
  j["name"] = h.name;
  j["status"] = h.status;
  j["topic"] = h.topic;
  j["resource"] = h.topic.substr(0, dot);
  j["event"] = dot == std::string::npos ? std::string() : h.topic.substr(dot + 1);
  j["hooks"] = hooks_of(h.topic);
  j["delivery_url"] = h.delivery_url;
  j["date_created"] = util::format_date(h.created + offset);
  j["date_created_gmt"] = util::format_date(h.created);
  j["date_modified"] = util::format_date(h.modified + offset);
  j["date_modified_gmt"] = util::format_date(h.modified);
  j["_links"] = {{"self", ojson::array({{{"href", api + "/" + std::to_string(h.id)}}})},
                 {"collection", ojson::array({{{"href", api}}})}};
  return j;
}

Webhook& Simulator::Impl::webhook_or_throw(std::int64_t id, bool for_update) {
  auto it = webhooks.find(id);
  if (it == webhooks.end()) throw invalid_id("shop_webhook", for_update ? 400 : 404);
  return it->second;
}

bool Simulator::Impl::apply_webhook_body(Webhook& h, const json& body, bool create, const Auth& auth) {
  if (!body.is_object()) throw RestError{400, "rest_invalid_json", "Invalid JSON body passed."};
  auto str = [&](const char* k) -> std::optional<std::string> {
    auto it = body.find(k);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw invalid_param(k, std::string(k) + " is not of type string.");
    return it->get<std::string>();
  };
  Webhook n = h;
  if (auto v = str("name")) n.name = *v;
  if (auto v = str("status")) {
    if (*v != "active" && *v != "paused" && *v != "disabled") {
      throw invalid_param("status", "status is not one of active, paused, and disabled.");
    }
    n.status = *v;
  }
  if (auto v = str("topic")) n.topic = *v;
  if ((create || body.contains("topic")) && !valid_topic(n.topic)) {
    throw RestError{400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid."};
  }
  if (auto v = str("delivery_url")) n.delivery_url = *v;
  if ((create || body.contains("delivery_url")) &&
      !(n.delivery_url.starts_with("http://") || n.delivery_url.starts_with("https://"))) {
    throw RestError{400, "woocommerce_rest_webhook_invalid_delivery_url",
                    "Webhook delivery URL must be a valid URL starting with http:// or https://."};
  }
  if (auto v = str("secret")) n.secret = *v;
  // Without a secret WooCommerce signs with the API user's consumer secret.
  if (create && n.secret.empty()) n.secret = auth.secret.empty() ? consumer_secret : auth.secret;
  if (create && n.name.empty()) n.name = "Webhook created on " + util::format_date(util::now_seconds());
  bool ping = false;
  if (create) {
    n.pending_delivery = n.status != "active";
    ping = true;
  } else if (n.status == "active" && h.status != "active" && n.pending_delivery) {
    n.pending_delivery = false;
    ping = true;
  }
  n.modified = util::now_seconds();
  h = std::move(n);
  return ping;
}

// ---- queueing ------------------------------------------------------------------------

void Simulator::Impl::fire(const std::string& resource, const std::string& event, std::int64_t id) {
  if (webhooks.empty()) return;
  const std::string topic = resource + "." + event;
  bool deleted = event == "deleted";
  if (!deleted) {
    // Drafts are not delivered.
    if (resource == "product") {
      const Product* p = find_product(id);
      if (p && p->status == "draft") return;
    } else if (resource == "order") {
      auto it = orders.find(id);
      if (it != orders.end() && it->second.status == "checkout-draft") return;
    }
  }
  for (const auto& [wid, h] : webhooks) {
    if (h.status != "active" || h.topic != topic) continue;
    DeliveryJob job;
    job.webhook_id = wid;
    job.resource_id = id;
    job.topic = topic;
    if (deleted) job.fixed_body = "{\"id\":" + std::to_string(id) + "}";
    enqueue(std::move(job), std::chrono::milliseconds(std::max(0, opts.webhook_delay_ms)));
  }
}

void Simulator::Impl::enqueue(DeliveryJob job, std::chrono::milliseconds delay) {
  if (stopped) return;
  auto key = std::make_pair(job.webhook_id, job.resource_id);
  // A job for the same (webhook, resource) still waiting carries the latest
  // state anyway: WooCommerce does not schedule a second one.
  if (!job.ping && pending.count(key)) return;
  bool ping = job.ping;
  auto it = queue.emplace(std::chrono::steady_clock::now() + delay, std::move(job));
  if (!ping) pending[key] = it;
  queue_cv.notify_one();
}

std::string Simulator::Impl::payload_for(const DeliveryJob& job) const {
  if (job.fixed_body) return *job.fixed_body;
  if (job.topic.starts_with("product.")) {
    const Product* p = find_product(job.resource_id);
    // Gone by send time: WooCommerce sends what its REST call answered.
    if (!p) return error_body(invalid_id("product", 404));
    return product_json(*p, Shape::Product);
  }
  if (job.topic.starts_with("order.")) {
    auto it = orders.find(job.resource_id);
    if (it == orders.end()) return error_body(invalid_id("shop_order", 404));
    return util::php_json(order_json(it->second));
  }
  return "{\"id\":" + std::to_string(job.resource_id) + "}";
}

// ---- workers --------------------------------------------------------------------------

void Simulator::Impl::worker_loop() {
  std::unique_lock lock(mu);
  while (!stopped) {
    if (queue.empty()) {
      queue_cv.wait(lock);
      continue;
    }
    auto due = queue.begin()->first;
    if (due > std::chrono::steady_clock::now()) {
      queue_cv.wait_until(lock, due);
      continue;
    }
    auto first = queue.begin();
    auto key = std::make_pair(first->second.webhook_id, first->second.resource_id);
    if (!first->second.ping) {
      auto p = pending.find(key);
      if (p != pending.end() && p->second == first) pending.erase(p);
    }
    DeliveryJob job = std::move(first->second);
    queue.erase(first);
    ++in_flight;
    if (job.ping) {
      send_ping(lock, std::move(job));
    } else {
      deliver(lock, std::move(job));
    }
    --in_flight;
    idle_cv.notify_all();
  }
}

void Simulator::Impl::send_ping(std::unique_lock<std::mutex>& lock, DeliveryJob job) {
  http::Request req;
  req.method = "POST";
  req.url = job.ping_url;
  req.body = "webhook_id=" + std::to_string(job.webhook_id);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"User-Agent", kUserAgent}};
  req.timeout_ms = 15000;
  lock.unlock();
  // The REST create ignores the ping's result.
  if (hook_client) hook_client->send(req);
  if (job.done) job.done();
  job.done = nullptr;
  lock.lock();
}

void Simulator::Impl::deliver(std::unique_lock<std::mutex>& lock, DeliveryJob job) {
  auto it = webhooks.find(job.webhook_id);
  if (it == webhooks.end() || it->second.status != "active") return;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (faults.webhook_drop_rate > 0 && unit(dice) < faults.webhook_drop_rate) {
    ++counters.webhooks_dropped;
    return;
  }
  if (!job.held && faults.webhook_reorder_rate > 0 && unit(dice) < faults.webhook_reorder_rate) {
    // Held back: whatever is queued meanwhile goes first.
    job.held = true;
    auto hold = std::chrono::milliseconds(std::max(0, opts.webhook_delay_ms) * 2 + 50);
    queue.emplace(std::chrono::steady_clock::now() + hold, std::move(job));
    queue_cv.notify_one();
    return;
  }
  int copies = faults.webhook_duplicate_rate > 0 && unit(dice) < faults.webhook_duplicate_rate ? 2 : 1;
  const Webhook& h = it->second;
  const std::string body = payload_for(job);
  const std::string signature = util::base64(util::hmac_sha256(util::html_entity_decode(h.secret), body));
  auto dot = job.topic.find('.');
  http::Request req;
  req.method = "POST";
  req.url = h.delivery_url;
  req.body = body;
  req.timeout_ms = 15000;
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", kUserAgent},
                 {"X-WC-Webhook-Source", site_url},
                 {"X-WC-Webhook-Topic", job.topic},
                 {"X-WC-Webhook-Resource", job.topic.substr(0, dot)},
                 {"X-WC-Webhook-Event", job.topic.substr(dot + 1)},
                 {"X-WC-Webhook-Signature", signature},
                 {"X-WC-Webhook-ID", std::to_string(h.id)},
                 {"X-WC-Webhook-Delivery-ID", ""}};
  const std::int64_t webhook_id = h.id;
  for (int copy = 0; copy < copies; ++copy) {
    req.headers.back().value = util::random_hex(32);
    lock.unlock();
    http::Response resp = hook_client ? hook_client->send(req) : http::Response{};
    lock.lock();
    if (resp.error == "stopped") return;
    ++counters.webhooks_sent;
    bool ok = resp.status >= 200 && resp.status <= 302;
    auto w = webhooks.find(webhook_id);
    if (ok) {
      if (w != webhooks.end()) w->second.failure_count = 0;
      continue;
    }
    ++counters.webhooks_failed;
    if (w == webhooks.end()) continue;
    // WooCommerce: a failure while the counter is already above the limit
    // disables the webhook; otherwise the counter grows. No retry either way.
    if (w->second.failure_count > opts.webhook_failure_threshold) {
      w->second.status = "disabled";
      w->second.modified = util::now_seconds();
    } else {
      ++w->second.failure_count;
    }
  }
}

}  // namespace woo_sim
