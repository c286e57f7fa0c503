// The Events SPI (sitoo.md §8): events queue in chronological order and one
// worker POSTs them as JSON arrays of at most max_events_per_post. 2xx =
// done; 429/503/504 (and, as one Sitoo page says, any non-4xx answer or no
// answer) block the queue and the same array is sent again after the next
// retry delay, until it gets through or event_give_up_ms has passed; any
// other 4xx drops the array. Nothing behind a blocked array is sent.
#include <algorithm>

#include "http/encoding.hpp"
#include "sim_impl.hpp"

namespace sitoo_sim {

namespace {

bool retryable(const http::Response& r) {
  if (r.status == 0) return true;  // no answer (connect failure, timeout)
  if (r.status == 429) return true;
  return r.status < 400 || r.status >= 500;  // 3xx, 5xx
}

}  // namespace

void Simulator::Impl::emit(const std::string& type, json data) {
  if (opts.events_url.empty() || stopped) return;
  json e = json::object();
  e["event_id"] = util::random_hex(32);
  e["event_type"] = type;
  e["event_date"] = now();
  e["account_id"] = opts.account_id;
  e["data"] = std::move(data);
  event_queue.push_back({std::move(e), std::chrono::steady_clock::now()});
  events_cv.notify_all();
}

void Simulator::Impl::event_order(const Order& o, const std::string& event_type,
                                  std::optional<std::string> state_changed) {
  json data = {{"eshop_id", opts.site_id},
               {"order_id", o.id},
               {"warehouse_id", o.warehouse_id ? json(*o.warehouse_id) : json(nullptr)},
               {"order_event_type", event_type}};
  if (state_changed) data["order_state_changed"] = *state_changed;
  emit("order", std::move(data));
}

void Simulator::Impl::event_delivery(const Delivery& d) {
  emit("order-delivery", {{"eshop_id", opts.site_id},
                          {"order_id", d.order_id},
                          {"order_delivery_id", d.id},
                          {"warehouse_id", d.warehouse_id},
                          {"order_delivery_event_type", "add"},
                          {"order_delivery_state_changed", "delivered"}});
}

void Simulator::Impl::event_transaction(const Transaction& t) {
  emit("warehouse-transaction",
       {{"eshop_id", opts.site_id}, {"warehouse_id", t.warehouse_id}, {"warehouse_transaction_id", t.id}});
}

void Simulator::Impl::events_loop() {
  std::unique_lock lock(mu);
  std::size_t attempt = 0;  // retries of the current array so far
  std::chrono::steady_clock::time_point first_try;
  while (!stopped) {
    if (batch.empty()) {
      if (event_queue.empty()) {
        idle_cv.notify_all();
        events_cv.wait(lock);
        continue;
      }
      // Let events created close together travel in one array.
      auto ready = event_queue.front().queued + std::chrono::milliseconds(std::max(0, opts.event_batch_window_ms));
      if (static_cast<int>(event_queue.size()) < opts.max_events_per_post && std::chrono::steady_clock::now() < ready) {
        events_cv.wait_until(lock, ready);
        continue;
      }
      while (!event_queue.empty() && static_cast<int>(batch.size()) < opts.max_events_per_post) {
        batch.push_back(std::move(event_queue.front().event));
        event_queue.pop_front();
      }
      attempt = 0;
      first_try = std::chrono::steady_clock::now();
    }

    http::Request req;
    req.method = "POST";
    req.url = opts.events_url;
    req.body = json(batch).dump(-1, ' ', false, json::error_handler_t::replace);
    req.timeout_ms = opts.event_timeout_ms;
    req.headers = {{"Content-Type", "application/json"}, {"User-Agent", "sitoo-sim-events"}};
    if (!opts.events_user.empty() || !opts.events_password.empty()) {
      req.headers.push_back(
          {"Authorization", "Basic " + http::base64_encode(opts.events_user + ":" + opts.events_password)});
    }
    sending = true;
    ++counters.event_posts;
    if (attempt > 0) ++counters.event_retries;
    lock.unlock();
    http::Response resp = events_client ? events_client->send(req) : http::Response{};
    lock.lock();
    sending = false;
    if (stopped || resp.error == "stopped") break;

    if (resp.status >= 200 && resp.status < 300) {
      counters.events_delivered += batch.size();
      bool twice = false;
      if (faults.duplicate_events_next > 0) {
        --faults.duplicate_events_next;
        twice = true;
      } else if (faults.duplicate_event_rate > 0 &&
                 std::uniform_real_distribution<double>(0.0, 1.0)(dice) < faults.duplicate_event_rate) {
        twice = true;
      }
      if (twice) {
        // The same array again (same event_ids): receivers must dedupe.
        counters.event_duplicates += batch.size();
        ++counters.event_posts;
        sending = true;
        lock.unlock();
        if (events_client) events_client->send(req);
        lock.lock();
        sending = false;
        if (stopped) break;
      }
      batch.clear();
      continue;
    }
    if (!retryable(resp)) {
      counters.events_dropped += batch.size();
      batch.clear();
      continue;
    }
    // Blocked: wait, then the same array again.
    const auto& delays = opts.event_retry_delays_ms;
    int delay = delays[std::min(attempt, delays.size() - 1)];
    ++attempt;
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - first_try);
    if (waited.count() + delay > opts.event_give_up_ms) {
      counters.events_dropped += batch.size();
      batch.clear();
      continue;
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, delay));
    while (!stopped && std::chrono::steady_clock::now() < until) events_cv.wait_until(lock, until);
  }
  idle_cv.notify_all();
}

}  // namespace sitoo_sim
