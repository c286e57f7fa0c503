// Simulator lifecycle and the public test-side API (thread-safe wrappers
// around Impl, each under the one state mutex).
#include <stdexcept>

#include "sim_impl.hpp"

namespace peakwms_sim {

Simulator::Impl::Impl(Options o) : opts(std::move(o)), dice(opts.seed) {
  if (opts.rate_limit < 1) opts.rate_limit = 1;
  if (opts.rate_window_ms < 1) opts.rate_window_ms = 1;
  for (int i = 1; i <= opts.integrations; ++i) add_integration("Web shop " + std::to_string(i), "");
}

Simulator::Impl::~Impl() { stop(); }

std::int64_t Simulator::Impl::now() const {
  if (frozen_now) return *frozen_now;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Integration Simulator::Impl::add_integration(const std::string& name, const std::string& key) {
  Integration i;
  i.id = next_integration_id++;
  i.name = name;
  i.api_key = key.empty() ? sim_common::random_hex(32) : key;
  if (integration_by_key.count(i.api_key)) {
    throw std::invalid_argument("peakwms_sim: API key already belongs to integration " +
                                std::to_string(integration_by_key[i.api_key]));
  }
  integration_by_key[i.api_key] = i.id;
  integrations.push_back(i);
  return i;
}

void Simulator::Impl::start() {
  if (started) throw std::runtime_error("peakwms_sim: already started");
  if (stopped) throw std::runtime_error("peakwms_sim: cannot restart a stopped simulator");
  http::Limits limits;
  limits.max_concurrency = 2;
  limits.max_retries = 0;  // a webhook is sent once (PeakWMS's retry policy is not known)
  limits.connect_timeout_ms = 3000;
  webhook_client = std::make_unique<http::Client>("peakwms-sim-webhooks", limits);
  http::ServerOptions so;
  so.listen = opts.listen;
  so.max_body_bytes = 8u << 20;
  std::string url = host.start("peakwms_sim", so, [this](const http::ServerRequest& req, http::Respond respond) {
    handle(req, std::move(respond));
  });
  {
    std::lock_guard lock(mu);
    server_url = url;
    started = true;
  }
  webhook_thread = std::thread([this] { webhook_loop(); });
}

void Simulator::Impl::stop() {
  {
    std::lock_guard lock(mu);
    if (stopped) return;
    stopped = true;
    outbox.clear();
  }
  webhook_cv.notify_all();
  idle_cv.notify_all();
  if (webhook_client) webhook_client->abort_all();
  if (webhook_thread.joinable()) webhook_thread.join();
  host.stop();
}

// ---- public API ------------------------------------------------------------------------

Simulator::Simulator(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Simulator::~Simulator() { impl_->stop(); }

void Simulator::start() { impl_->start(); }
void Simulator::stop() { impl_->stop(); }

std::string Simulator::server_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->server_url;
}
std::string Simulator::base_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->server_url + "/api/integration/v1";
}

Integration Simulator::add_integration(const std::string& name, const std::string& api_key) {
  std::lock_guard lock(impl_->mu);
  return impl_->add_integration(name, api_key);
}

std::vector<Integration> Simulator::integrations() const {
  std::lock_guard lock(impl_->mu);
  return impl_->integrations;
}

std::string Simulator::api_key(std::size_t index) const {
  std::lock_guard lock(impl_->mu);
  if (index >= impl_->integrations.size()) {
    throw std::out_of_range("peakwms_sim: no integration at index " + std::to_string(index));
  }
  return impl_->integrations[index].api_key;
}

void Simulator::goods_received(std::int64_t product_id, std::int64_t quantity) {
  std::lock_guard lock(impl_->mu);
  try {
    impl_->adjust(impl_->product_or_throw(product_id), quantity, 1, "Goods received");
  } catch (const ApiError& e) {
    throw std::invalid_argument(e.text);
  }
}

void Simulator::count(std::int64_t product_id, std::int64_t counted) {
  std::lock_guard lock(impl_->mu);
  try {
    Product& p = impl_->product_or_throw(product_id);
    impl_->adjust(p, counted - p.on_hand, 2, "Counted");
  } catch (const ApiError& e) {
    throw std::invalid_argument(e.text);
  }
}

namespace {
SalesOrder& order_or_throw(std::map<std::int64_t, SalesOrder>& orders, std::int64_t id) {
  auto o = orders.find(id);
  if (o == orders.end()) throw std::invalid_argument("peakwms_sim: unknown sales order " + std::to_string(id));
  return o->second;
}
}  // namespace

void Simulator::pick_order(std::int64_t order_id) {
  std::lock_guard lock(impl_->mu);
  impl_->pick(order_or_throw(impl_->orders, order_id));
}

void Simulator::pack_order(std::int64_t order_id, const std::string& tracking_number) {
  std::lock_guard lock(impl_->mu);
  impl_->pack(order_or_throw(impl_->orders, order_id), tracking_number);
}

void Simulator::set_shop_product(std::int64_t integration_id, const std::string& product_json) {
  auto j = json::parse(product_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::invalid_argument("peakwms_sim: shop product must be a JSON object");
  std::lock_guard lock(impl_->mu);
  impl_->shop_catalogue[{integration_id, util::string_field(j, "productId"), util::string_field(j, "variantId")}] = j;
}

void Simulator::remove_shop_product(std::int64_t integration_id, const std::string& product_id,
                                    const std::string& variant_id) {
  std::lock_guard lock(impl_->mu);
  impl_->shop_catalogue.erase({integration_id, product_id, variant_id});
}

std::optional<StockLevel> Simulator::stock(std::int64_t product_id) const {
  std::lock_guard lock(impl_->mu);
  auto p = impl_->products.find(product_id);
  if (p == impl_->products.end()) return std::nullopt;
  StockLevel s;
  s.on_hand = p->second.on_hand;
  s.reserved = p->second.reserved;
  s.available_to_sell = std::max<std::int64_t>(0, s.on_hand - s.reserved);
  s.state = p->second.state;
  return s;
}

std::optional<std::int64_t> Simulator::product_id(std::int64_t integration_id, const std::string& shop_product_id,
                                                  const std::string& shop_variant_id) const {
  std::lock_guard lock(impl_->mu);
  auto l = impl_->link_by_key.find({integration_id, shop_product_id, shop_variant_id});
  if (l == impl_->link_by_key.end()) return std::nullopt;
  return impl_->links.at(l->second).product_id;
}

std::optional<int> Simulator::order_state(std::int64_t order_id) const {
  std::lock_guard lock(impl_->mu);
  auto o = impl_->orders.find(order_id);
  if (o == impl_->orders.end()) return std::nullopt;
  return o->second.state;
}

std::size_t Simulator::product_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->products.size();
}

void Simulator::set_clock(std::optional<std::int64_t> unix_seconds) {
  std::lock_guard lock(impl_->mu);
  impl_->frozen_now = unix_seconds;
}

std::int64_t Simulator::now() const {
  std::lock_guard lock(impl_->mu);
  return impl_->now();
}

void Simulator::set_faults(const Faults& f) {
  std::lock_guard lock(impl_->mu);
  impl_->faults = f;
}

Faults Simulator::faults() const {
  std::lock_guard lock(impl_->mu);
  return impl_->faults;
}

Counters Simulator::counters() const {
  std::lock_guard lock(impl_->mu);
  return impl_->counters;
}

void Simulator::reset_counters() {
  std::lock_guard lock(impl_->mu);
  impl_->counters = Counters{};
}

bool Simulator::wait_webhooks_idle(int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->idle_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                 [&] { return impl_->stopped || (impl_->outbox.empty() && !impl_->sending); });
}

}  // namespace peakwms_sim
