// Simulator lifecycle and the merchant/customer API (thread-safe wrappers
// around Impl, each under the one state mutex).
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim_impl.hpp"

namespace woo_sim {

namespace {
constexpr int kIoThreads = 2;
constexpr int kDeliveryWorkers = 4;
}  // namespace

Simulator::Impl::Impl(Options o) : opts(std::move(o)), dice(opts.seed) {
  consumer_key = opts.consumer_key.empty() ? "ck_" + util::random_hex(40) : opts.consumer_key;
  consumer_secret = opts.consumer_secret.empty() ? "cs_" + util::random_hex(40) : opts.consumer_secret;
  read_only_key = opts.read_only_key;
  read_only_secret = opts.read_only_secret.empty() ? consumer_secret : opts.read_only_secret;
}

Simulator::Impl::~Impl() { stop(); }

void Simulator::Impl::start() {
  if (started) throw std::runtime_error("woo_sim: already started");
  if (stopped) throw std::runtime_error("woo_sim: cannot restart a stopped simulator");
  http::ServerOptions so;
  so.listen = opts.listen;
  so.max_body_bytes = 32u << 20;
  so.request_timeout_ms = 60000;
  server = std::make_unique<http::Server>(io, so);
  server->route("*", "/", [this](const http::ServerRequest& req, http::Respond respond) { handle(req, std::move(respond)); });
  auto port = server->start();
  if (!port) throw std::runtime_error("woo_sim: " + port.error().message());
  {
    std::lock_guard lock(mu);
    base_url = server->base_url();
    site_url = opts.site_url.empty() ? base_url + "/" : opts.site_url;
    if (!site_url.ends_with('/')) site_url += '/';
    api_products = base_url + "/wp-json/wc/v3/products";
    started = true;
  }
  http::Limits limits;
  limits.max_concurrency = kDeliveryWorkers + 1;
  limits.max_retries = 0;  // WooCommerce never retries a delivery
  limits.connect_timeout_ms = 3000;
  hook_client = std::make_unique<http::Client>("woo-sim-webhooks", limits);
  work.emplace(boost::asio::make_work_guard(io));
  for (int i = 0; i < kIoThreads; ++i) io_threads.emplace_back([this] { io.run(); });
  for (int i = 0; i < kDeliveryWorkers; ++i) workers.emplace_back([this] { worker_loop(); });
}

void Simulator::Impl::stop() {
  {
    std::lock_guard lock(mu);
    if (stopped) return;
    stopped = true;
    // Pending deliveries are dropped (a ping's REST answer with them).
    pending.clear();
    queue.clear();
  }
  queue_cv.notify_all();
  idle_cv.notify_all();
  if (hook_client) hook_client->abort_all();
  for (auto& t : workers) t.join();
  workers.clear();
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

std::string Simulator::base_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->base_url;
}
const std::string& Simulator::consumer_key() const { return impl_->consumer_key; }
const std::string& Simulator::consumer_secret() const { return impl_->consumer_secret; }

std::int64_t Simulator::add_simple(const std::string& sku, std::optional<int> stock, const std::string& name,
                                   const std::string& status) {
  std::lock_guard lock(impl_->mu);
  return impl_->admin_add_simple(sku, stock, name, status, true);
}

std::int64_t Simulator::add_variable(const std::string& sku, const std::string& name, std::optional<int> parent_stock) {
  std::lock_guard lock(impl_->mu);
  return impl_->admin_add_variable(sku, name, parent_stock);
}

std::int64_t Simulator::add_variation(std::int64_t parent_id, const std::string& sku, ManageMode mode,
                                      std::optional<int> stock) {
  std::lock_guard lock(impl_->mu);
  return impl_->admin_add_variation(parent_id, sku, mode, stock);
}

void Simulator::generate_catalog(int n, const std::string& prefix) {
  std::lock_guard lock(impl_->mu);
  impl_->generate_catalog(n, prefix);
}

void Simulator::load_catalog_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read catalogue " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) throw std::invalid_argument("catalogue " + path + " is not valid JSON");
  std::lock_guard lock(impl_->mu);
  impl_->load_catalog(doc);
}

Product& Simulator::Impl::product_by_sku_or_throw(const std::string& sku) {
  Product* p = product_by_sku(sku);
  if (!p) throw std::invalid_argument("unknown SKU " + sku);
  return *p;
}

void Simulator::set_stock(const std::string& sku, std::optional<int> stock) {
  std::lock_guard lock(impl_->mu);
  Product& p = impl_->product_by_sku_or_throw(sku);
  // A parent-managed variation has no stock of its own: the admin edits the parent.
  Product* owner = &p;
  if (!p.manage_stock && p.type == PType::Variation && impl_->stock_owner(p)) owner = impl_->stock_owner(p);
  if (stock && owner->manage_stock) owner->manual_unseen += *stock - owner->stock;
  int before = owner->stock;
  owner->manage_stock = stock.has_value();
  if (stock) owner->stock = *stock;
  impl_->log_stock(*owner, before, "merchant");
  if (!stock) {
    owner->backorders = Backorders::No;
    owner->low_stock_amount.reset();
  }
  impl_->saved(*owner);
}

int Simulator::adjust_stock(const std::string& sku, int delta) {
  std::lock_guard lock(impl_->mu);
  Product& p = impl_->product_by_sku_or_throw(sku);
  Product* owner = &p;
  if (!p.manage_stock && p.type == PType::Variation && impl_->stock_owner(p)) owner = impl_->stock_owner(p);
  if (!owner->manage_stock) throw std::invalid_argument("SKU " + sku + " does not track stock");
  owner->stock += delta;
  owner->manual_unseen += delta;
  impl_->log_stock(*owner, owner->stock - delta, "merchant");
  impl_->saved(*owner);
  return owner->stock;
}

void Simulator::set_meta(const std::string& sku, const std::string& key, const std::string& value) {
  std::lock_guard lock(impl_->mu);
  Product& p = impl_->product_by_sku_or_throw(sku);
  bool found = false;
  for (auto& m : p.meta)
    if (m.key == key) {
      m.value = value;
      found = true;
    }
  if (!found) p.meta.push_back({impl_->next_meta_id++, key, value});
  impl_->saved(p);
}

std::int64_t Simulator::duplicate_product(const std::string& sku, const std::string& new_sku) {
  std::lock_guard lock(impl_->mu);
  if (impl_->sku_holder(new_sku, 0)) throw std::invalid_argument("duplicate SKU " + new_sku);
  Product copy = impl_->product_by_sku_or_throw(sku);
  copy.id = 0;
  copy.sku = new_sku;
  copy.name += " (Copy)";
  copy.status = "publish";
  for (auto& m : copy.meta) m.id = impl_->next_meta_id++;
  auto id = impl_->insert_product(std::move(copy));
  impl_->saved(impl_->products.at(id), true);
  return id;
}

void Simulator::set_status(const std::string& sku, const std::string& status) {
  std::lock_guard lock(impl_->mu);
  Product& p = impl_->product_by_sku_or_throw(sku);
  static const std::vector<std::string> valid = {"publish", "draft", "private", "pending", "trash", "future"};
  if (std::find(valid.begin(), valid.end(), status) == valid.end()) throw std::invalid_argument("bad status " + status);
  std::string from = p.status;
  if (status != "trash" && from == "trash" && !p.sku.empty() && impl_->sku_holder(p.sku, p.id)) {
    throw std::invalid_argument("SKU " + p.sku + " is in use by another product");
  }
  p.status = status;
  ++impl_->structure_gen;
  impl_->saved(p);
  if (status == "trash" && from != "trash") impl_->fire("product", "deleted", p.id);
  if (status != "trash" && from == "trash") impl_->fire("product", "restored", p.id);
}

void Simulator::set_sku(const std::string& old_sku, const std::string& new_sku) {
  std::lock_guard lock(impl_->mu);
  Product& p = impl_->product_by_sku_or_throw(old_sku);
  if (new_sku == old_sku) return;
  if (impl_->sku_holder(new_sku, p.id)) throw std::invalid_argument("duplicate SKU " + new_sku);
  impl_->unindex_sku(p.id, p.sku);
  p.sku = new_sku;
  impl_->index_sku(p);
  impl_->saved(p);
}

std::int64_t Simulator::force_duplicate_sku(const std::string& sku, std::optional<int> stock) {
  std::lock_guard lock(impl_->mu);
  return impl_->admin_add_simple(sku, stock, "", "publish", false);
}

std::optional<ProductView> Simulator::product(const std::string& sku) const {
  std::lock_guard lock(impl_->mu);
  Product* p = impl_->product_by_sku(sku);
  if (!p) return std::nullopt;
  return impl_->view_of(*p);
}

std::optional<int> Simulator::stock(const std::string& sku) const {
  std::lock_guard lock(impl_->mu);
  Product* p = impl_->product_by_sku(sku);
  if (!p) return std::nullopt;
  return impl_->shown_stock(*p);
}

std::vector<ProductView> Simulator::products() const {
  std::lock_guard lock(impl_->mu);
  std::vector<ProductView> out;
  out.reserve(impl_->products.size());
  for (const auto& [id, p] : impl_->products) out.push_back(impl_->view_of(p));
  return out;
}

std::int64_t Simulator::place_order(const std::vector<LineSpec>& lines, const std::string& status) {
  std::lock_guard lock(impl_->mu);
  try {
    return impl_->place_order(lines, status);
  } catch (const RestError& e) {
    throw std::invalid_argument(e.message);
  }
}

void Simulator::set_order_status(std::int64_t order_id, const std::string& status) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->orders.find(order_id);
  if (it == impl_->orders.end()) throw std::invalid_argument("unknown order " + std::to_string(order_id));
  if (!is_order_status(status)) throw std::invalid_argument("unknown order status " + status);
  if (it->second.status == status) return;
  impl_->change_status(it->second, status);
  impl_->order_saved(it->second);
}

void Simulator::refund(std::int64_t order_id, const std::vector<RefundLine>& lines, bool restock) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->orders.find(order_id);
  if (it == impl_->orders.end()) throw std::invalid_argument("unknown order " + std::to_string(order_id));
  Order& o = it->second;
  std::vector<RefundItem> rest_lines;
  double amount = 0;
  for (const auto& l : lines) {
    auto line = std::find_if(o.lines.begin(), o.lines.end(), [&](const LineItem& li) {
      const Product* p = impl_->find_product(li.variation_id ? li.variation_id : li.product_id);
      return (p ? p->sku : li.sku_at_order) == l.sku;
    });
    if (line == o.lines.end()) throw std::invalid_argument("order has no line with SKU " + l.sku);
    double total = line->price * l.quantity;
    amount += total;
    RefundItem rl;
    rl.item_id = line->id;
    rl.quantity = l.quantity;
    rl.total = total;
    rest_lines.push_back(rl);
  }
  try {
    impl_->create_refund(o, amount, "", std::move(rest_lines), restock);
  } catch (const RestError& e) {
    throw std::invalid_argument(e.message);
  }
}

std::vector<Note> Simulator::notes(std::int64_t order_id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->orders.find(order_id);
  if (it == impl_->orders.end()) throw std::invalid_argument("unknown order " + std::to_string(order_id));
  std::vector<Note> out;
  for (const auto& n : it->second.notes) out.push_back({n.id, n.note, n.customer_note, n.added_by_user});
  return out;
}

std::string Simulator::order_status(std::int64_t order_id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->orders.find(order_id);
  if (it == impl_->orders.end()) throw std::invalid_argument("unknown order " + std::to_string(order_id));
  return it->second.status;
}

std::vector<std::int64_t> Simulator::order_ids() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::int64_t> out;
  for (const auto& [id, o] : impl_->orders) out.push_back(id);
  return out;
}

std::vector<WebhookView> Simulator::webhooks() const {
  std::lock_guard lock(impl_->mu);
  std::vector<WebhookView> out;
  for (const auto& [id, h] : impl_->webhooks) out.push_back({h.id, h.topic, h.delivery_url, h.status, h.failure_count});
  return out;
}

void Simulator::set_webhook_status(std::int64_t id, const std::string& status) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->webhooks.find(id);
  if (it == impl_->webhooks.end()) throw std::invalid_argument("unknown webhook " + std::to_string(id));
  if (status != "active" && status != "paused" && status != "disabled") {
    throw std::invalid_argument("bad webhook status " + status);
  }
  it->second.status = status;
  it->second.modified = util::now_seconds();
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

std::vector<Simulator::StockChange> Simulator::stock_history(const std::string& sku) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->stock_log.find(sku);
  return it == impl_->stock_log.end() ? std::vector<StockChange>{} : it->second;
}

std::map<std::string, int> Simulator::manual_lost() const {
  std::lock_guard lock(impl_->mu);
  return impl_->manual_lost;
}

void Simulator::reset_counters() {
  std::lock_guard lock(impl_->mu);
  impl_->counters = Counters{};
}

bool Simulator::wait_webhooks_idle(int timeout_ms) const {
  std::unique_lock lock(impl_->mu);
  return impl_->idle_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                 [&] { return impl_->queue.empty() && impl_->in_flight == 0; });
}

}  // namespace woo_sim
