#include "peakwms_connector.hpp"

#include <cstdio>

#include <stockrelay/text.hpp>

namespace peakwms {

namespace {

// What the state remembers of a registered webhook: its id and a
// fingerprint of the URL (which may hold the token; the token itself is
// never stored).
std::string fingerprint(const std::string& url) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : url) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string webhook_state_key(const std::string& shop) { return "webhook." + shop; }

sr::CommandResult result(const sr::Command& c, sr::Outcome o, std::string message, std::string ref) {
  sr::CommandResult r;
  r.id = c.id;
  r.outcome = o;
  r.message = std::move(message);
  r.remote_ref = std::move(ref);
  return r;
}

PeakwmsConnector::PeakwmsConnector(sr::Host& host, const nlohmann::json& settings)
    : sr::Connector(host), settings_(Settings::parse(settings)), api_(host, settings_, [this] { return stopping(); }) {}

void PeakwmsConnector::stop() {
  sr::Connector::stop();
  api_.stop();
}

void PeakwmsConnector::ping(const Shop& shop) {
  try {
    api_.get(shop, "/ping");
  } catch (const ApiError& e) {
    throw sr::invalid_error(api_.where() + " did not answer GET /ping for " + shop.name + " (" +
                            std::to_string(e.status) + ": " + e.message + "); check 'base_url'");
  }
}

std::string PeakwmsConnector::webhook_url_of(const Shop& shop) const {
  std::string url = settings_.webhook_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "shop=" + sr::percent_encode(shop.name);
  if (!settings_.webhook_token.empty()) url += "&token=" + sr::percent_encode(settings_.webhook_token);
  return url;
}

void PeakwmsConnector::register_webhook(const Shop& shop) {
  const std::string key = webhook_state_key(shop.name);
  auto stored = nlohmann::json::parse(host().state_get(key).value_or(""), nullptr, false);
  if (!stored.is_object()) stored = nlohmann::json::object();
  const std::string url = settings_.webhook_url.empty() ? std::string() : webhook_url_of(shop);
  const std::string print = url.empty() ? std::string() : fingerprint(url);
  if (stored.value("fingerprint", std::string()) == print) return;  // registered before, at this URL

  if (auto old = integer_of(stored.value("id", nlohmann::json()))) {
    try {
      api_.del(shop, "/webhook/" + std::to_string(*old));
    } catch (const ApiError& e) {
      if (e.status != 404) throw;  // gone already: nothing to remove
    }
    host().info("PeakWMS: removed " + shop.name + "'s StockAdjust webhook " + std::to_string(*old) +
                " (its address changed)");
  }
  if (url.empty()) {
    host().state_put(key, "");
    return;
  }
  auto answer = api_.post(shop, "/webhook", {{"name", kStockAdjust}, {"url", url}});
  auto id = integer_of(answer.is_object() ? answer.value("id", nlohmann::json()) : nlohmann::json());
  if (!id) throw sr::retryable_error(api_.where() + ": POST /webhook for " + shop.name + " answered without an id");
  host().state_put(key, nlohmann::json{{"id", *id}, {"fingerprint", print}}.dump());
  host().info("PeakWMS: registered StockAdjust webhook " + std::to_string(*id) + " for " + shop.name + " at " +
              settings_.webhook_url + " (shop=" + shop.name + ")");
}

void PeakwmsConnector::start() {
  // Every key first: a refused one names its shop before anything is registered.
  for (const auto& shop : settings_.shops) ping(shop);
  for (const auto& shop : settings_.shops) register_webhook(shop);
  if (!settings_.webhook_url.empty() && settings_.webhook_token.empty())
    host().warn("PeakWMS does not sign webhooks and no 'webhook_token' is set: anyone who knows " +
                settings_.webhook_url + " can make this hub read a product; set webhook_token");
  host().info("PeakWMS at " + settings_.base_url + ": " + std::to_string(settings_.shops.size()) +
              " shop integration(s), at most " + std::to_string(settings_.rate_requests) + " requests per " +
              std::to_string(settings_.rate_window_ms) + " ms per key");
}

sr::CommandResult PeakwmsConnector::run(const sr::Command& c) {
  try {
    return std::visit(
        [&](const auto& b) -> sr::CommandResult {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, sr::UpsertProduct>) return upsert_product(c, b);
          else if constexpr (std::is_same_v<T, sr::CreateOrder>) return create_order(c, b);
          else if constexpr (std::is_same_v<T, sr::CancelOrder>) return cancel_order(c, b);
          else
            return result(c, sr::Outcome::Unsupported,
                           std::string("PeakWMS is the master of stock: it takes products and orders, not ") +
                               sr::name_of(c));
        },
        c.body);
  } catch (const sr::retryable_error& e) {
    return result(c, sr::Outcome::Retry, api_.scrub(e.what()));
  } catch (const sr::invalid_error& e) {
    // A refused key or a wrong address: the merchant must fix the settings.
    return result(c, sr::Outcome::Failed, api_.scrub(e.what()));
  } catch (const ApiError& e) {
    return result(c, sr::Outcome::Failed, e.what());
  } catch (const sr::stopped_error&) {
    throw;
  } catch (const std::exception& e) {
    return result(c, sr::Outcome::Failed, api_.scrub(e.what()));
  }
}

const Shop* PeakwmsConnector::shop_of(const sr::Command& c) const {
  if (auto* u = std::get_if<sr::UpsertProduct>(&c.body)) return settings_.shop(u->connection);
  if (auto* o = std::get_if<sr::CreateOrder>(&c.body)) return settings_.shop(o->source.connection);
  if (auto* k = std::get_if<sr::CancelOrder>(&c.body)) return settings_.shop(k->source.connection);
  return nullptr;
}

void PeakwmsConnector::deliver(const std::vector<sr::Command>& batch) {
  reindexed_.clear();
  touched_.clear();
  pending_.clear();
  std::vector<sr::CommandResult> results;
  try {
    // Each key has a rate limit of its own: rather than wait for one key
    // while another could send, always start the command (in batch order
    // per shop) whose key can send soonest. Calls stay on this thread.
    std::map<const Shop*, std::deque<const sr::Command*>> queues;
    for (const auto& c : batch) queues[shop_of(c)].push_back(&c);
    while (!queues.empty()) {
      auto next = queues.begin();
      std::int64_t soonest = INT64_MAX;
      for (auto it = queues.begin(); it != queues.end(); ++it) {
        const std::int64_t ready = it->first ? api_.ready_in_ms(*it->first) : 0;
        if (ready < soonest) {
          soonest = ready;
          next = it;
        }
        if (ready == 0) break;
      }
      const sr::Command& c = *next->second.front();
      next->second.pop_front();
      if (next->second.empty()) queues.erase(next);
      results.push_back(run(c));
      results.back().id = c.id;
    }
    // What the batch reserved or released moved availableToSell without a
    // StockAdjust: read once, at its end. A failure here leaves the results
    // as they are; the next poll reads the levels.
    try {
      read_touched();
    } catch (const sr::stopped_error&) {
      throw;
    } catch (const std::exception& e) {
      host().warn("PeakWMS: levels after the batch not read now (the next poll reads them): " + api_.scrub(e.what()));
    }
    emit_levels(pending_, true);
  } catch (const sr::stopped_error&) {
    host().report(results);  // what is done stays done; the rest comes again after the restart
    throw;
  }
  pending_.clear();
  if (auto waited = api_.waited_ms(); waited > waited_logged_) {
    waited_logged_ = waited;
    host().debug("PeakWMS: requests have waited " + std::to_string(waited) + " ms in all for the API keys' rate limits");
  }
  host().report(results);
}

}  // namespace peakwms

STOCKRELAY_CONNECTOR(peakwms::PeakwmsConnector, peakwms::kDescribe)
