// libwoocommerce.so: the connector class's life cycle and its state
// (cursors, catalogue), and the export of the C table.
#include "woo_connector.hpp"

namespace woo {

WooConnector::WooConnector(sr::Host& host, const nlohmann::json& settings)
    : sr::Connector(host), settings_(Settings::parse(settings)), api_(host, settings_, [this] { return stopping(); }) {
  parser_.set_product_id_meta(settings_.product_id_meta);
}

void WooConnector::start() {
  // One cheap read proves the URL and the credentials before anything else.
  api_.get("/products", {{"per_page", "1"}, {"_fields", "id"}});
  load_catalog();
  if (!settings_.webhook_url.empty()) {
    ensure_webhooks(true);
    last_webhook_check_ms_ = host().monotonic_ms();
  } else if (settings_.webhook_secret.empty()) {
    host().info(api_.where() + ": no webhook_secret, so webhooks are refused; changes arrive by polling only");
  }
  host().info(api_.where() + ": connected (" + std::to_string(catalog_.size()) + " products and variations known)");
}

void WooConnector::poll(sr::PollMode mode) {
  load_catalog();
  ReportedGuard guard(catalog_);
  // Orders first: a level must never reach the hub before the sale that
  // caused it, or the sale would look like a manual change.
  poll_orders();
  // Looking for the cause of a level (an order not seen yet): the orders are enough.
  if (mode != sr::PollMode::Orders) poll_products(mode == sr::PollMode::Reconcile);
  save_catalog();
  check_webhooks_if_due();
}

void WooConnector::deliver(const std::vector<sr::Command>& batch) {
  load_catalog();
  std::vector<sr::CommandResult> results;
  std::vector<const sr::Command*> stock, prices;
  std::vector<const sr::Command*> notes;
  for (const auto& c : batch) {
    if (std::holds_alternative<sr::SetStock>(c.body)) stock.push_back(&c);
    else if (std::holds_alternative<sr::SetPrice>(c.body)) prices.push_back(&c);
    else if (std::holds_alternative<sr::AddNote>(c.body)) notes.push_back(&c);
    else if (std::holds_alternative<sr::FetchProduct>(c.body)) results.push_back(refetch(c));
    else {
      sr::CommandResult r;
      r.id = c.id;
      r.outcome = sr::Outcome::Unsupported;
      r.message = std::string("WooCommerce connector does not carry out ") + sr::name_of(c);
      results.push_back(std::move(r));
    }
  }
  host().report(results);
  results.clear();
  write_stock(stock, results);
  write_prices(prices, results);
  for (const auto* c : notes) {
    if (stopping()) throw sr::stopped_error();
    results.push_back(add_note(*c));
    host().report({results.back()});
  }
}

// ---- state ------------------------------------------------------------------------

void WooConnector::load_catalog() {
  if (catalog_loaded_) return;
  if (!catalog_.load([this](const std::string& key) { return host().state_get(key); }))
    host().warn("state '" + std::string(kCatalogKey) + "' is damaged; the catalogue is read again at the next reconcile");
  catalog_loaded_ = true;
}

void WooConnector::save_catalog() {
  if (!catalog_.dirty()) return;
  // Only the shards that changed; one that could not be written is tried again next time.
  catalog_.save([this](const std::string& key, const std::string& value) { return host().state_put(key, value); });
}

std::optional<std::int64_t> WooConnector::cursor(const char* key) {
  auto v = host().state_get(key);
  if (!v) return std::nullopt;
  if (auto t = parse_gmt(*v)) return t;
  // Reading from the start again is safe (repeats are dropped by key);
  // failing every poll on a damaged cursor would not be.
  host().warn("state '" + std::string(key) + "' is not a GMT time ('" + *v + "'); reading from the start");
  return std::nullopt;
}

void WooConnector::advance_cursor(const char* key, const std::string& to) {
  if (!parse_gmt(to)) return;
  auto old = host().state_get(key);
  if (old && parse_gmt(*old) && *old >= to) return;  // forward only
  bool stored = old ? host().state_put(key, to, *old) : host().state_put(key, to);
  if (!stored) host().warn("cursor " + std::string(key) + " changed during the poll; left as it is");
  else host().debug("cursor " + std::string(key) + " -> " + to);
}

}  // namespace woo

STOCKRELAY_CONNECTOR(woo::WooConnector, woo::kDescribe)
