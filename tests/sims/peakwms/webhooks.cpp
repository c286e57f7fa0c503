// Webhooks (peakwms.md §4, §7 item 6): each integration registers URLs per
// event name; events go as JSON POSTs, the name not in the body. One worker
// sends them in order, once each: PeakWMS's retry policy is not known, so a
// non-2xx answer or none is counted as a failure and the payload dropped.
#include "sim_impl.hpp"

namespace peakwms_sim {

ojson Simulator::Impl::post_webhook(std::int64_t integration, const json& body) {
  auto name = util::int_field(body, "name");
  if (!name || *name < 100 || *name > 111) {
    throw ApiError{400, "POST /webhook: name must be a webhook name 100..111, got " +
                            (name ? std::to_string(*name) : std::string("none"))};
  }
  const std::string url = util::string_field(body, "url");
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw ApiError{400, "POST /webhook: url must be an http(s) URL, got \"" + url + "\""};
  }
  Webhook w;
  w.id = next_webhook_id++;
  w.integration_id = integration;
  w.name = static_cast<int>(*name);
  w.url = url;
  webhooks[w.id] = w;
  return ojson{{"id", w.id}, {"name", w.name}, {"url", w.url}};
}

ojson Simulator::Impl::delete_webhook(std::int64_t integration, std::int64_t id) {
  auto w = webhooks.find(id);
  if (w == webhooks.end() || w->second.integration_id != integration) {
    throw ApiError{404, "Webhook with id " + std::to_string(id) + " was not found"};
  }
  ojson out{{"id", id}, {"name", w->second.name}, {"url", w->second.url}};
  webhooks.erase(w);
  return out;
}

void Simulator::Impl::notify(std::int64_t integration, int name, const ojson& payload) {
  if (stopped) return;
  const std::string body = payload.dump(-1, ' ', false, ojson::error_handler_t::replace);
  for (const auto& [id, w] : webhooks) {
    if (w.integration_id == integration && w.name == name) outbox.push_back({w.url, body});
  }
  webhook_cv.notify_all();
}

void Simulator::Impl::webhook_loop() {
  std::unique_lock lock(mu);
  while (!stopped) {
    if (outbox.empty()) {
      idle_cv.notify_all();
      webhook_cv.wait(lock);
      continue;
    }
    Outgoing next = std::move(outbox.front());
    outbox.pop_front();
    http::Request req;
    req.method = "POST";
    req.url = next.url;
    req.body = std::move(next.body);
    req.timeout_ms = opts.webhook_timeout_ms;
    req.headers = {{"Content-Type", "application/json"}, {"User-Agent", "peakwms-sim-webhooks"}};
    sending = true;
    ++counters.webhook_posts;
    lock.unlock();
    http::Response resp = webhook_client ? webhook_client->send(req) : http::Response{};
    lock.lock();
    sending = false;
    if (stopped) break;
    if (resp.status < 200 || resp.status >= 300) ++counters.webhook_failures;
  }
  idle_cv.notify_all();
}

}  // namespace peakwms_sim
