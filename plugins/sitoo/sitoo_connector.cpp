#include "sitoo_connector.hpp"

#include <cstdio>

namespace sitoo {

namespace {

sr::CommandResult outcome(const std::string& id, sr::Outcome o, std::string message) {
  sr::CommandResult r;
  r.id = id;
  r.outcome = o;
  r.message = std::move(message);
  return r;
}

bool external_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string external_id(const std::string& connection, const std::string& order_id) {
  constexpr std::size_t kMax = 40;
  bool digits = !order_id.empty();
  for (char c : order_id) digits = digits && c >= '0' && c <= '9';
  bool plain = !connection.empty();
  for (char c : connection) plain = plain && external_char(c);
  std::string readable = connection + "-" + order_id;
  // The order id is all digits after the last '-': the pair reads back unambiguously.
  if (digits && plain && readable.size() <= kMax) return readable;
  char hash[20];
  std::snprintf(hash, sizeof hash, "-h%016llx",
                static_cast<unsigned long long>(fnv1a64(connection + '\n' + order_id)));
  std::string prefix;
  for (char c : readable)
    if (external_char(c)) prefix += c;
  prefix.resize(std::min(prefix.size(), kMax - std::char_traits<char>::length(hash)));
  return prefix + hash;
}

SitooConnector::SitooConnector(sr::Host& host, const nlohmann::json& settings)
    : sr::Connector(host), settings_(Settings::parse(settings)), api_(host, settings_, [this] { return stopping(); }) {}

void SitooConnector::start() {
  // The warehouse the shops mirror must exist in the site: a wrong id would
  // otherwise only show as "unknown SKU" on every order.
  nlohmann::json w;
  try {
    w = api_.get(api_.site_path("/warehouses/" + std::to_string(settings_.warehouse_id) + ".json"));
  } catch (const ApiError& e) {
    if (e.status == 404)
      throw sr::invalid_error(api_.where() + " has no warehouse " + std::to_string(settings_.warehouse_id) +
                              " in site " + std::to_string(settings_.site_id) + ": check 'warehouse_id' and 'site_id'");
    throw;
  }
  std::string name = w.is_object() ? w.value("name", std::string()) : std::string();
  if (w.is_object() && w.value("warehousetype", 10) == 20)
    host().warn("Sitoo warehouse " + std::to_string(settings_.warehouse_id) + " ('" + name +
                "') is Virtual: web orders cannot be delivered from it");
  host().info("Sitoo site " + std::to_string(settings_.site_id) + ", warehouse " +
              std::to_string(settings_.warehouse_id) + (name.empty() ? "" : " ('" + name + "')") +
              ": its available quantity is the level every shop mirrors");
}

void SitooConnector::deliver(const std::vector<sr::Command>& batch) {
  lookup_ = {};
  touched_.clear();
  try {
    look_up_batch(batch);
  } catch (const sr::stopped_error&) {
    throw;
  } catch (const std::exception& e) {
    // Each create looks up on its own and reports what goes wrong.
    lookup_ = {};
    host().debug(std::string("Sitoo batch look-up skipped: ") + api_.scrub(e.what()));
  }
  std::vector<sr::CommandResult> results;
  for (const auto& c : batch) {
    sr::CommandResult r;
    try {
      r = std::visit(
          [&](const auto& b) -> sr::CommandResult {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, sr::CreateOrder>) return create_order(c, b);
            else if constexpr (std::is_same_v<T, sr::DeliverOrder>) return deliver_order(c, b);
            else if constexpr (std::is_same_v<T, sr::CancelOrder>) return cancel_order(c, b);
            else
              return outcome(c.id, sr::Outcome::Unsupported,
                             std::string("Sitoo is the master of stock: it takes orders, not ") + sr::name_of(c));
          },
          c.body);
    } catch (const sr::stopped_error&) {
      throw;
    } catch (const sr::retryable_error& e) {
      r = outcome(c.id, sr::Outcome::Retry, api_.scrub(e.what()));
    } catch (const sr::invalid_error& e) {
      // Credentials or the address: the merchant must fix the settings, then
      // push the order again.
      r = outcome(c.id, sr::Outcome::Failed, api_.scrub(e.what()));
    } catch (const std::exception& e) {
      r = outcome(c.id, sr::Outcome::Failed, api_.scrub(e.what()));
    }
    r.id = c.id;
    results.push_back(std::move(r));
  }
  // What the batch reserved, delivered or released, read once: Sitoo does
  // not move datelastmodified for a reservation. A failure here leaves the
  // results as they are (the orders exist); the next poll reads the levels.
  try {
    refresh(touched_);
  } catch (const sr::stopped_error&) {
    throw;
  } catch (const std::exception& e) {
    host().warn("Sitoo: levels after the batch not read now (the next poll reads them): " + api_.scrub(e.what()));
  }
  touched_.clear();
  host().report(results);
}

}  // namespace sitoo

STOCKRELAY_CONNECTOR(sitoo::SitooConnector, sitoo::kDescribe)
