// libmemory.so: the memory test shop (shop.hpp) as a connector plugin. It
// behaves like a small web shop seen through its API: orders and levels are
// polled by revision or pushed by signed webhooks, and the hub's commands
// change the shop file. Tests drive it through the same C table the host uses.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <cstdio>
#include <string>
#include <vector>

#include <stockrelay/connector.hpp>

#include "memory_events.hpp"
#include "shop.hpp"

namespace {

using nlohmann::json;

constexpr std::string_view kDescribe = R"({
  "schema": "stockrelay.describe/1",
  "id": "memory",
  "name": "Memory test shop",
  "version": "1.0.0",
  "vendor": "stockrelay tests",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["orders.in", "stock.in", "products.in", "stock.out", "orders.out", "notes.out",
                   "prices.out", "poll", "webhooks"],
  "limits": {"batch_size": 50, "requests_per_second": 0, "max_concurrency": 1},
  "config_schema": {
    "type": "object",
    "properties": {
      "shop_file": {"type": "string",
                    "description": "Path of the shop's JSON file; created on start if missing. Tests and the memory-shop tool edit it as the merchant."},
      "webhook_secret": {"type": "string", "x-secret": true,
                         "description": "Key of the HMAC-SHA256 in the x-memory-signature header. Without it, webhooks are refused."},
      "create_products": {"type": "object",
                          "description": "SKU -> initial quantity (integer or decimal string), created on start if the shop file lacks them",
                          "additionalProperties": {"type": ["integer", "string"]}}
    },
    "required": ["shop_file"],
    "additionalProperties": false
  }
})";

// At most this many events per emit() call: large enough to make the
// boundary cheap, small enough to keep one journal transaction short.
constexpr std::size_t kEmitBatch = 500;

constexpr const char* kOrdersCursor = "orders_rev";
constexpr const char* kProductsCursor = "products_rev";

std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", mac[i]);
    hex += byte;
  }
  return hex;
}

sr::WebhookResponse refuse(int status, const std::string& why) {
  return {status, json{{"error", why}}.dump()};
}

class MemoryShop : public sr::Connector {
 public:
  MemoryShop(sr::Host& host, const json& settings) : sr::Connector(host), shop_(shop_file(settings)) {
    if (auto s = settings.find("webhook_secret"); s != settings.end()) {
      if (!s->is_string()) throw sr::invalid_error("settings: 'webhook_secret' must be a string");
      secret_ = s->get<std::string>();
    }
    if (auto c = settings.find("create_products"); c != settings.end()) {
      if (!c->is_object()) throw sr::invalid_error("settings: 'create_products' must map SKU to quantity");
      for (const auto& [sku, q] : c->items()) {
        std::optional<sr::Quantity> quantity;
        if (q.is_number_integer()) quantity = sr::Quantity::units(q.get<std::int64_t>());
        else if (q.is_string()) quantity = sr::Quantity::parse(q.get<std::string>());
        if (!quantity)
          throw sr::invalid_error("settings: create_products." + sku + " must be an integer or a decimal string, not " +
                                  q.dump());
        initial_[sku] = *quantity;
      }
    }
  }

  void start() override {
    auto r = shop_.ensure_products(initial_);
    if (!r.ok()) throw sr::invalid_error("settings: create_products: " + r.error);
    host().info("memory shop at " + shop_.path() + (secret_.empty() ? " (no webhook_secret: webhooks are refused)" : ""));
  }

  void poll(sr::PollMode mode) override {
    const bool all = mode == sr::PollMode::Reconcile;
    memory_shop::State state = shop_.read();
    std::int64_t orders_from = all ? 0 : cursor(kOrdersCursor);
    std::int64_t products_from = all ? 0 : cursor(kProductsCursor);

    std::vector<const memory_shop::Order*> orders;
    for (const auto& [id, o] : state.orders)
      if (o.revision > orders_from) orders.push_back(&o);
    std::vector<const memory_shop::Product*> products;
    for (const auto& [sku, p] : state.products)
      if (p.revision > products_from) products.push_back(&p);
    auto by_revision = [](const auto* a, const auto* b) { return a->revision < b->revision; };
    std::sort(orders.begin(), orders.end(), by_revision);
    std::sort(products.begin(), products.end(), by_revision);

    // Orders first: a level must never reach the hub before the sale that
    // caused it, or the hub would take the sale for a manual change.
    std::vector<sr::Event> events;
    for (const auto* o : orders) events.push_back(memory_shop::order_event(*o, state));
    if (all)
      for (const auto* p : products) events.push_back(memory_shop::product_event(*p));
    for (const auto* p : products) events.push_back(memory_shop::level_event(*p));
    host().debug("poll " + std::string(all ? "reconcile" : "incremental") + ": " + std::to_string(orders.size()) +
                 " orders after revision " + std::to_string(orders_from) + ", " + std::to_string(products.size()) +
                 " products after revision " + std::to_string(products_from));
    emit(events);

    // Only now: the host journalled everything emitted above before emit()
    // returned, so the cursors never run ahead of the events they cover.
    if (!orders.empty()) advance(kOrdersCursor, orders.back()->revision);
    if (!products.empty()) advance(kProductsCursor, products.back()->revision);
  }

  sr::WebhookResponse on_webhook(const sr::WebhookRequest& req) override {
    if (req.method != "POST") return refuse(405, "webhooks are POST requests");
    if (secret_.empty()) {
      host().warn("webhook refused: this connection has no webhook_secret, so no signature can be checked");
      return refuse(401, "webhooks are disabled: no webhook_secret configured");
    }
    std::string expected = hmac_sha256_hex(secret_, req.body);
    std::string given = req.header("x-memory-signature");
    // Constant time, so the response time does not reveal how much of a forged signature was right.
    if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
      host().warn(given.empty() ? "webhook refused: no x-memory-signature header" : "webhook refused: bad signature");
      return refuse(401, "bad or missing x-memory-signature");
    }
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("topic") || !body["topic"].is_string() || !body.contains("id") ||
        !body["id"].is_string())
      return refuse(400, R"(the body must be {"topic": "...", "id": "..."})");
    std::string topic = body["topic"].get<std::string>();
    std::string id = body["id"].get<std::string>();

    // Like WooCommerce, the payload is what the shop holds now, not when the
    // change happened: a late or repeated delivery carries current state.
    memory_shop::State state = shop_.read();
    sr::Event event;
    if (topic == "order.updated") {
      auto o = state.orders.find(id);
      if (o == state.orders.end()) return refuse(404, "unknown order " + id);
      event = memory_shop::order_event(o->second, state);
    } else if (topic == "product.updated") {
      auto p = state.products.find(id);
      if (p == state.products.end()) return refuse(404, "unknown SKU " + id);
      event = memory_shop::level_event(p->second);
    } else {
      return refuse(400, "unknown topic '" + topic + "' (order.updated, product.updated)");
    }
    host().debug("webhook " + topic + " " + id + " -> " + sr::key_of(event));
    emit({event});
    return {200, json{{"key", sr::key_of(event)}}.dump()};
  }

  void deliver(const std::vector<sr::Command>& batch) override {
    if (shop_.consume_retry()) throw sr::retryable_error("memory shop: injected failure (faults.retry_next)");
    std::vector<sr::CommandResult> results;
    for (const auto& command : batch) {
      if (stopping()) {
        host().report(results);  // what was applied stays reported; the rest take SR_STOPPED
        throw sr::stopped_error();
      }
      results.push_back(apply(command));
      const auto& r = results.back();
      host().debug(std::string(sr::name_of(command)) + " " + command.id + ": " + sr::to_string(r.outcome) +
                   (r.message.empty() ? "" : " (" + r.message + ")"));
    }
    host().report(results);
  }

 private:
  static std::string shop_file(const json& settings) {
    auto f = settings.find("shop_file");
    if (f == settings.end() || !f->is_string() || f->get<std::string>().empty())
      throw sr::invalid_error("settings: 'shop_file' is required: the path of the shop's JSON file");
    return f->get<std::string>();
  }

  static std::optional<std::int64_t> revision_of(const std::string& text) {
    std::int64_t n = 0;
    for (char ch : text) {
      if (ch < '0' || ch > '9' || n > (INT64_MAX - 9) / 10) return std::nullopt;
      n = n * 10 + (ch - '0');
    }
    return text.empty() ? std::nullopt : std::optional<std::int64_t>(n);
  }

  std::int64_t cursor(const char* key) const {
    auto v = host().state_get(key);
    if (!v) return 0;
    if (auto n = revision_of(*v)) return *n;
    // Reading everything again is safe (the journal drops repeats); failing
    // every poll on a damaged cursor would not be.
    host().warn(std::string("state ") + key + " is not a revision ('" + *v + "'); reading from the start");
    return 0;
  }

  // Moves a cursor forward, never back (a reconcile reads from 0 but must
  // not rewind the incremental cursor), with compare-and-set against the
  // value read, so a concurrent writer is noticed rather than overwritten.
  void advance(const char* key, std::int64_t to) const {
    auto old = host().state_get(key);
    if (old && revision_of(*old).value_or(-1) >= to) return;
    bool stored = old ? host().state_put(key, std::to_string(to), *old) : host().state_put(key, std::to_string(to));
    if (!stored) host().warn(std::string("cursor ") + key + " changed during the poll; left as it is");
    else host().debug(std::string("cursor ") + key + " -> " + std::to_string(to));
  }

  void emit(const std::vector<sr::Event>& events) const {
    for (std::size_t i = 0; i < events.size(); i += kEmitBatch) {
      if (stopping()) throw sr::stopped_error();
      std::vector<sr::Event> batch(events.begin() + static_cast<std::ptrdiff_t>(i),
                                   events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + kEmitBatch)));
      if (!host().emit(batch)) throw sr::retryable_error("the host did not journal the events; the cursors stay");
    }
  }

  // Results are built by member: SDK structs gain fields over time.
  static sr::CommandResult result(const sr::Command& c, sr::Outcome outcome, std::string message = "") {
    sr::CommandResult r;
    r.id = c.id;
    r.outcome = outcome;
    r.message = std::move(message);
    return r;
  }

  static sr::CommandResult stock_result(const sr::Command& c, const memory_shop::StockWrite& w) {
    if (!w.ok() && !w.conflict) return result(c, sr::Outcome::Failed, w.error);
    // A conflict reports what the shop shows, so the hub can explain it.
    sr::CommandResult r = w.conflict ? result(c, sr::Outcome::Conflict, w.error) : result(c, sr::Outcome::Ok);
    r.level = w.level;
    r.version = memory_shop::version_of(w.revision);
    // The shop compares and writes (or refuses) in one step.
    r.compared = w.compared;
    return r;
  }

  static sr::CommandResult plain_result(const sr::Command& c, const memory_shop::Result& w, std::string ref = "") {
    if (!w.ok()) return result(c, sr::Outcome::Failed, w.error);
    sr::CommandResult r = result(c, sr::Outcome::Ok);
    r.remote_ref = std::move(ref);
    return r;
  }

  sr::CommandResult apply(const sr::Command& c) {
    return std::visit(
        [&](const auto& b) -> sr::CommandResult {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, sr::SetStock>) {
            std::optional<std::int64_t> revision;
            if (!b.expected_version.empty()) revision = std::strtoll(b.expected_version.c_str(), nullptr, 10);
            return stock_result(c, shop_.apply_set_stock(b.sku, b.quantity, b.expected, revision));
          } else if constexpr (std::is_same_v<T, sr::AdjustStock>) {
            return stock_result(c, shop_.apply_adjust(b.sku, b.delta));
          } else if constexpr (std::is_same_v<T, sr::CreateOrder>) {
            if (b.source.connection.empty() || b.source.order_id.empty())
              return result(c, sr::Outcome::Invalid, "create_order needs source.connection and source.order_id");
            std::vector<memory_shop::LineItem> lines;
            for (const auto& l : b.order.lines) lines.push_back({l.sku, l.quantity});
            auto w = shop_.create_document(b.source.connection, b.source.order_id, lines);
            return plain_result(c, w, w.remote_ref);
          } else if constexpr (std::is_same_v<T, sr::DeliverOrder>) {
            return plain_result(c, shop_.deliver_document(b.remote_ref), b.remote_ref);
          } else if constexpr (std::is_same_v<T, sr::AddNote>) {
            return plain_result(c, shop_.add_note(b.order_id, b.note, b.customer_visible));
          } else if constexpr (std::is_same_v<T, sr::CancelOrder>) {
            return result(c, sr::Outcome::Unsupported, "the memory shop does not cancel documents");
          } else if constexpr (std::is_same_v<T, sr::SetPrice>) {
            return plain_result(c, shop_.set_price(b.sku, b.price));
          } else {
            return result(c, sr::Outcome::Unsupported, std::string("the memory shop does not carry out ") + sr::name_of(c));
          }
        },
        c.body);
  }

  memory_shop::Shop shop_;
  std::string secret_;
  std::map<std::string, sr::Quantity> initial_;
};

}  // namespace

STOCKRELAY_CONNECTOR(MemoryShop, kDescribe)
