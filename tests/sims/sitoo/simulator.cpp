// Simulator lifecycle and the public test-side API (thread-safe wrappers
// around Impl, each under the one state mutex).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim_impl.hpp"

namespace sitoo_sim {

namespace {
constexpr int kIoThreads = 2;
}  // namespace

Simulator::Impl::Impl(Options o) : opts(std::move(o)), dice(opts.seed) {
  api_id = opts.api_id.empty() ? std::to_string(opts.account_id) + "-1" : opts.api_id;
  password = opts.password.empty() ? util::random_hex(32) : opts.password;
  api_root = "/v2/accounts/" + std::to_string(opts.account_id);
  if (opts.max_events_per_post < 1) opts.max_events_per_post = 1;
  if (opts.event_retry_delays_ms.empty()) opts.event_retry_delays_ms = {1000};
  add_warehouse(opts.warehouse_name, kWarehouseFifo, opts.warehouse_id);
}

Simulator::Impl::~Impl() { stop(); }

std::int64_t Simulator::Impl::now() const {
  if (frozen_now) return *frozen_now;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void Simulator::Impl::start() {
  if (started) throw std::runtime_error("sitoo_sim: already started");
  if (stopped) throw std::runtime_error("sitoo_sim: cannot restart a stopped simulator");
  http::ServerOptions so;
  so.listen = opts.listen;
  so.max_body_bytes = 32u << 20;
  so.request_timeout_ms = 60000;
  server = std::make_unique<http::Server>(io, so);
  server->route("*", "/", [this](const http::ServerRequest& req, http::Respond respond) { handle(req, std::move(respond)); });
  auto port = server->start();
  if (!port) throw std::runtime_error("sitoo_sim: " + port.error().message());
  {
    std::lock_guard lock(mu);
    server_url = server->base_url();
    started = true;
  }
  http::Limits limits;
  limits.max_concurrency = 2;
  limits.max_retries = 0;  // the events worker retries by Sitoo's rules itself
  limits.connect_timeout_ms = 3000;
  events_client = std::make_unique<http::Client>("sitoo-sim-events", limits);
  work.emplace(boost::asio::make_work_guard(io));
  for (int i = 0; i < kIoThreads; ++i) io_threads.emplace_back([this] { io.run(); });
  events_thread = std::thread([this] { events_loop(); });
}

void Simulator::Impl::stop() {
  {
    std::lock_guard lock(mu);
    if (stopped) return;
    stopped = true;
    event_queue.clear();
    batch.clear();
  }
  events_cv.notify_all();
  idle_cv.notify_all();
  if (events_client) events_client->abort_all();
  if (events_thread.joinable()) events_thread.join();
  if (server) server->stop();
  replies.cancel_all();
  work.reset();
  for (auto& t : io_threads) t.join();
  io_threads.clear();
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
  return impl_->server_url + impl_->api_root;
}
const std::string& Simulator::api_id() const { return impl_->api_id; }
const std::string& Simulator::password() const { return impl_->password; }
std::int64_t Simulator::account_id() const { return impl_->opts.account_id; }
std::int64_t Simulator::site_id() const { return impl_->opts.site_id; }
std::int64_t Simulator::warehouse_id() const { return impl_->opts.warehouse_id; }

std::int64_t Simulator::add_warehouse(const std::string& name, int type) {
  if (type != kWarehouseFifo && type != kWarehouseVirtual) {
    throw std::invalid_argument("warehouse type must be 10 (FIFO) or 20 (Virtual), not " + std::to_string(type));
  }
  std::lock_guard lock(impl_->mu);
  return impl_->add_warehouse(name, type);
}

std::int64_t Simulator::add_product(const std::string& sku, double stock, const std::string& title,
                                    std::int64_t warehouse) {
  std::lock_guard lock(impl_->mu);
  std::int64_t wid = warehouse == 0 ? impl_->opts.warehouse_id : warehouse;
  if (!impl_->warehouses.count(wid)) throw std::invalid_argument("unknown warehouse " + std::to_string(wid));
  std::int64_t id = 0;
  try {
    id = impl_->add_product(sku, title.empty() ? sku : title, 0);
  } catch (const ApiError& e) {
    throw std::invalid_argument(e.text);
  }
  if (stock != 0) {
    WarehouseItem& item = impl_->ensure_item(wid, sku);
    item.total = util::to_milli(stock);
    item.modified = impl_->now();  // the import counts as its last transaction
  }
  return id;
}

void Simulator::generate_catalog(int n, const std::string& prefix) {
  std::lock_guard lock(impl_->mu);
  std::uniform_int_distribution<int> level(0, 50);
  for (int i = 1; i <= n; ++i) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%05d", i);
    std::string sku = prefix + "-" + digits;
    if (impl_->product_by_sku.count(sku)) continue;
    try {
      impl_->add_product(sku, "Product " + sku, 100 * (10 + i % 90));
    } catch (const ApiError& e) {
      throw std::invalid_argument(e.text);
    }
    WarehouseItem& item = impl_->ensure_item(impl_->opts.warehouse_id, sku);
    item.total = 1000LL * level(impl_->dice);
    item.modified = impl_->now();
  }
}

void Simulator::load_catalog_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read catalogue " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    throw std::invalid_argument("catalogue " + path + " must be a JSON array of {\"sku\",\"title\",\"stock\"}");
  }
  std::size_t index = 0;
  for (const auto& entry : doc) {
    const std::string where = "catalogue " + path + " item " + std::to_string(index++);
    if (!entry.is_object() || !entry.contains("sku") || !entry["sku"].is_string()) {
      throw std::invalid_argument(where + ": needs a string \"sku\"");
    }
    double stock = 0;
    if (auto s = entry.find("stock"); s != entry.end() && !s->is_null()) {
      auto milli = util::parse_fixed(*s, 3);
      if (!milli) throw std::invalid_argument(where + ": \"stock\" must be a number");
      stock = util::from_milli(*milli);
    }
    try {
      add_product(entry["sku"].get<std::string>(), stock, entry.value("title", std::string()));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
  }
}

std::size_t Simulator::product_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->products.size();
}

// ---- NOT PART OF SITOO: shop floor --------------------------------------------------------

std::int64_t Simulator::pos_sale(std::int64_t warehouse, const std::string& sku, double quantity) {
  std::lock_guard lock(impl_->mu);
  return impl_->shop_floor(warehouse, sku, kTxPosSale, -util::to_milli(quantity), "POS sale");
}

std::int64_t Simulator::goods_received(std::int64_t warehouse, const std::string& sku, double quantity) {
  std::lock_guard lock(impl_->mu);
  return impl_->shop_floor(warehouse, sku, kTxMoveIn, util::to_milli(quantity), "Goods received");
}

std::int64_t Simulator::manual_count(std::int64_t warehouse, const std::string& sku, double counted) {
  std::lock_guard lock(impl_->mu);
  WarehouseItem* item = impl_->find_item(warehouse, sku);
  if (!item) throw std::invalid_argument("unknown SKU \"" + util::printable(sku) + "\" in warehouse " + std::to_string(warehouse));
  return impl_->shop_floor(warehouse, sku, kTxStocktaking, util::to_milli(counted) - item->total, "Stocktaking");
}

std::optional<StockLevel> Simulator::stock(std::int64_t warehouse, const std::string& sku) const {
  std::lock_guard lock(impl_->mu);
  auto w = impl_->items.find(warehouse);
  if (w == impl_->items.end()) return std::nullopt;
  auto it = w->second.find(sku);
  if (it == w->second.end()) return std::nullopt;
  const WarehouseItem& i = it->second;
  return StockLevel{util::from_milli(i.total), util::from_milli(i.reserved), util::from_milli(i.total - i.reserved),
                    i.modified};
}

void Simulator::set_clock(std::optional<std::int64_t> unix_seconds) {
  std::lock_guard lock(impl_->mu);
  impl_->frozen_now = unix_seconds;
}

void Simulator::advance_clock(std::int64_t seconds) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->frozen_now) throw std::logic_error("advance_clock needs a frozen clock (set_clock)");
  *impl_->frozen_now += seconds;
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

bool Simulator::wait_events_idle(int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->idle_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return impl_->stopped || (impl_->event_queue.empty() && impl_->batch.empty() && !impl_->sending);
  });
}

std::size_t Simulator::events_pending() const {
  std::lock_guard lock(impl_->mu);
  return impl_->event_queue.size() + impl_->batch.size();
}

}  // namespace sitoo_sim
