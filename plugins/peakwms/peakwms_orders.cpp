// Sales orders: a web order becomes a PeakWMS sales order of its shop's
// integration, which reserves (availableToSell drops, with no StockAdjust);
// cancelling the web order cancels it and releases the reservation. Both
// are safe to repeat: PeakWMS keeps one order per shop order id, and a
// cancelled order stays cancelled.
#include <ctime>

#include <stockrelay/text.hpp>

#include "peakwms_connector.hpp"

namespace peakwms {

namespace {

// PeakWMS's times: UTC yyyy-MM-ddTHH:mm:ss.
std::string iso_time(std::int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

// "... already exists (id 17)" -> 17: the order a lost answer created.
std::optional<std::int64_t> existing_id(const std::string& message) {
  if (message.find("already exists") == std::string::npos) return std::nullopt;
  auto at = message.rfind("(id ");
  if (at == std::string::npos) return std::nullopt;
  auto end = message.find(')', at);
  if (end == std::string::npos) return std::nullopt;
  return integer_of(nlohmann::json(message.substr(at + 4, end - at - 4)));
}

std::string quoted_list(const std::vector<std::string>& skus) {
  std::string out;
  for (const auto& s : skus) out += (out.empty() ? "'" : ", '") + s + "'";
  return out;
}

std::string order_name(const sr::SourceOrder& source, const std::string& number) {
  return source.connection + " order " + (number.empty() ? source.order_id : number);
}

}  // namespace

std::optional<sr::CommandResult> PeakwmsConnector::map_lines(const sr::Command& c, const sr::CreateOrder& co,
                                                             const Shop& shop, std::vector<nlohmann::json>& lines) {
  const std::string order = order_name(co.source, co.order.number);
  std::vector<const sr::OrderLine*> wanted;
  for (const auto& l : co.order.lines) {
    sr::Quantity q = l.quantity - l.restocked;
    if (q <= sr::Quantity()) continue;
    if (l.sku.empty())
      return result(c, sr::Outcome::Failed, order + ": line " + l.id + " ('" + l.name + "') has no SKU; PeakWMS matches products by SKU");
    if (!q.is_whole())
      return result(c, sr::Outcome::Failed, order + ": line " + l.id + " (SKU '" + l.sku + "') has quantity " +
                                                q.to_string() + "; PeakWMS order lines take whole units");
    wanted.push_back(&l);
  }
  if (wanted.empty()) return result(c, sr::Outcome::Failed, order + " has no line left to send (every line was refunded)");

  auto unknown_in = [&](const ShopIndex& index) {
    std::set<std::string> out;
    for (const auto* l : wanted)
      if (!index.by_sku.count(l->sku)) out.insert(l->sku);
    return out;
  };
  const ShopIndex* index = &index_of(shop);
  // A product added in PeakWMS since the index was read: list again, once per batch.
  if (!unknown_in(*index).empty() && !reindexed_.count(shop.name)) index = &reindex(shop);
  if (auto unknown = unknown_in(*index); !unknown.empty()) {
    std::vector<std::string> list(unknown.begin(), unknown.end());
    auto r = result(c, sr::Outcome::Failed, order + ": unknown SKU " + quoted_list(list) + " in PeakWMS for " + shop.name +
                                                " (its integration has no product with that itemNumber); nothing was sent");
    r.unknown_skus = std::move(list);
    return r;
  }
  for (const auto* l : wanted) {
    if (index->ambiguous.count(l->sku))
      return result(c, sr::Outcome::Failed, order + ": SKU '" + l->sku + "' is on more than one product of " + shop.name +
                                                " in PeakWMS; nothing was sent (make the SKUs unique)");
    const Item& item = index->by_sku.at(l->sku);
    nlohmann::json line{{"orderLineId", l->id},
                        {"productId", item.product_id},
                        {"variantId", item.variant_id},
                        {"quantityRequested", (l->quantity - l->restocked).whole()}};
    if (l->unit_price) line["salesPricePiece"] = std::stod(l->unit_price->amount_string());
    lines.push_back(std::move(line));
  }
  return std::nullopt;
}

nlohmann::json PeakwmsConnector::order_body(const sr::CreateOrder& co, const std::vector<nlohmann::json>& lines) const {
  const sr::Order& o = co.order;
  nlohmann::json address{{"customerName", o.customer_name}, {"email", o.customer_email}};
  nlohmann::json body{{"orderId", co.source.order_id},
                      {"orderNumber", o.number.empty() ? co.source.order_id : o.number},
                      {"orderDateTime", iso_time(o.created_at > 0 ? o.created_at : host().now_ms())},
                      {"billingAddress", address},
                      {"shippingAddress", address},
                      {"orderLines", lines}};
  if (!o.currency.empty()) body["salesCurrency"] = o.currency;
  return body;
}

sr::CommandResult PeakwmsConnector::create_order(const sr::Command& c, const sr::CreateOrder& co) {
  const Shop* shop = settings_.shop(co.source.connection);
  if (!shop) return result(c, sr::Outcome::Failed, "no API key for shop " + co.source.connection + " in settings.shops");
  const std::string order = order_name(co.source, co.order.number);
  std::vector<nlohmann::json> lines;
  if (auto refused = map_lines(c, co, *shop, lines)) return *refused;

  nlohmann::json answer;
  try {
    answer = api_.post(*shop, "/salesOrder", order_body(co, lines));
  } catch (const ApiError& e) {
    // Created before (a retry after a lost answer): that order counts.
    if (auto id = existing_id(e.message); id && e.status == 400) {
      const std::string ref = std::to_string(*id);
      return result(c, sr::Outcome::Ok, order + " is already in PeakWMS as sales order " + ref, ref);
    }
    return result(c, sr::Outcome::Failed, order + ": PeakWMS refused the sales order: " + e.message);
  }
  auto id = integer_of(answer.is_object() ? answer.value("id", nlohmann::json()) : nlohmann::json());
  // Created, but the answer did not say as what: the next attempt is told.
  if (!id) return result(c, sr::Outcome::Retry, order + ": PeakWMS answered the new sales order without its id");
  for (const auto& l : lines) touched(*shop, l["productId"].get<std::string>());
  const std::string ref = std::to_string(*id);
  host().info(order + " -> PeakWMS sales order " + ref + " (" + shop->name + "'s integration)");
  return result(c, sr::Outcome::Ok, "PeakWMS sales order " + ref, ref);
}

sr::CommandResult PeakwmsConnector::cancel_order(const sr::Command& c, const sr::CancelOrder& k) {
  const Shop* shop = settings_.shop(k.source.connection);
  if (!shop) return result(c, sr::Outcome::Failed, "no API key for shop " + k.source.connection + " in settings.shops");
  const std::string order = order_name(k.source, {});
  nlohmann::json answer;
  try {
    answer = api_.put(*shop, "/salesOrder/" + sr::percent_encode(k.source.order_id) + "/cancel");
  } catch (const ApiError& e) {
    if (e.status == 404) return result(c, sr::Outcome::Ok, "nothing to cancel: no such order in PeakWMS (" + order + ")");
    if (e.status == 400 && e.message.find("in state CANCELLED") != std::string::npos)
      return result(c, sr::Outcome::Ok, order + " was already cancelled in PeakWMS", k.remote_ref);
    return result(c, sr::Outcome::Failed, order + ": PeakWMS refused to cancel it: " + e.message);
  }
  if (auto rows = answer.find("orderLines"); answer.is_object() && rows != answer.end() && rows->is_array())
    for (const auto& l : *rows)
      if (auto pid = text_of(l, "productId"); !pid.empty()) touched(*shop, pid);
  auto id = integer_of(answer.is_object() ? answer.value("id", nlohmann::json()) : nlohmann::json());
  const std::string ref = id ? std::to_string(*id) : k.remote_ref;
  return result(c, sr::Outcome::Ok, "PeakWMS sales order " + ref + " cancelled; its reservation is released", ref);
}

}  // namespace peakwms
