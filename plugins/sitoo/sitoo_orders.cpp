// Orders out: a web order becomes a Sitoo order in the mirrored warehouse,
// which reserves its stock there; a delivery turns the reservation into a
// stock decrease; cancelling the web order cancels the Sitoo order and
// releases what is still reserved. Every step can be repeated safely: the
// order is found by its externalid before it is created, a delivery sends
// only what is not delivered yet, a cancelled order is left alone.
#include <algorithm>
#include <map>
#include <set>

#include "sitoo_connector.hpp"

namespace sitoo {

namespace {

sr::CommandResult result(const sr::Command& c, sr::Outcome o, std::string message, std::string ref = {}) {
  sr::CommandResult r;
  r.id = c.id;
  r.outcome = o;
  r.message = std::move(message);
  r.remote_ref = std::move(ref);
  return r;
}

constexpr std::int64_t kOrderCancelled = 20;

std::string quoted(const std::string& sku) { return "'" + sku + "'"; }

std::vector<std::string> skus_in(const nlohmann::json& order) {
  std::vector<std::string> out;
  if (auto rows = order.find("orderitems"); rows != order.end() && rows->is_array())
    for (const auto& row : *rows)
      if (row.is_object() && row.contains("sku") && row["sku"].is_string()) out.push_back(row["sku"]);
  return out;
}

}  // namespace

void SitooConnector::look_up_batch(const std::vector<sr::Command>& batch) {
  std::vector<std::string> externals, skus;
  for (const auto& c : batch) {
    const auto* co = std::get_if<sr::CreateOrder>(&c.body);
    if (!co) continue;
    externals.push_back(external_id(co->source.connection, co->source.order_id));
    for (const auto& l : co->order.lines)
      if (!l.sku.empty()) skus.push_back(l.sku);
  }
  if (externals.size() < 2) return;  // one create looks up on its own, as cheaply
  for (const auto& list : comma_lists(externals, kSkusPerRead)) {
    api_.list(api_.site_path("/orders.json"), {{"externalid", list}, {"fields", "orderid,orderstateid,externalid"}},
              static_cast<int>(kSkusPerRead) * 2, [&](const nlohmann::json& page) {
                for (const auto& o : page)
                  if (o.is_object()) lookup_.orders[o.value("externalid", std::string())] = o;
              });
  }
  auto known = known_skus(skus);
  lookup_.externals_asked.insert(externals.begin(), externals.end());
  lookup_.skus_asked.insert(skus.begin(), skus.end());
  lookup_.skus_known = std::move(known);
}

std::set<std::string> SitooConnector::known_skus(const std::vector<std::string>& skus) {
  std::set<std::string> known;
  for (const auto& list : comma_lists(skus, kSkusPerRead)) {
    api_.list(items_path(), {{"sku", list}, {"fields", "sku"}}, settings_.page_size, [&](const nlohmann::json& page) {
      for (const auto& it : page)
        if (it.is_object() && it.contains("sku") && it["sku"].is_string()) known.insert(it["sku"].get<std::string>());
    });
  }
  return known;
}

std::optional<nlohmann::json> SitooConnector::find_order(const std::string& external) {
  // Looked up with the rest of the batch: what that found is still true
  // (this connection is the only one creating orders with its externalids).
  if (lookup_.externals_asked.count(external)) {
    auto it = lookup_.orders.find(external);
    if (it == lookup_.orders.end()) return std::nullopt;
    return it->second;
  }
  auto page = api_.get(api_.site_path("/orders.json"),
                       {{"externalid", external}, {"fields", "orderid,orderstateid,externalid"}, {"num", "2"}});
  if (!page.is_object() || !page.contains("items") || !page["items"].is_array())
    throw sr::retryable_error(api_.where() + ": GET orders.json?externalid= answered without an items list");
  for (const auto& o : page["items"])
    if (o.is_object() && o.value("externalid", std::string()) == external) return o;
  return std::nullopt;
}

std::optional<std::int64_t> SitooConnector::order_id_for(const sr::SourceOrder& source, const std::string& ref) {
  if (!ref.empty()) {
    if (auto id = integer_of(nlohmann::json(ref))) return id;
  }
  if (auto found = find_order(external_id(source.connection, source.order_id)))
    return integer_of(found->value("orderid", nlohmann::json()));
  return std::nullopt;
}

nlohmann::json SitooConnector::order_body(const sr::CreateOrder& co, const std::string& external) const {
  const sr::Order& o = co.order;
  std::int64_t placed = o.created_at > 0 ? o.created_at / 1000 : host().now_ms() / 1000;
  nlohmann::json body{{"ordertypeid", settings_.order_type},
                      {"externalid", external},
                      {"orderstateid", 0},
                      // The source sends an order once it holds its stock: paid.
                      {"paymentstateid", 20},
                      {"warehouseid", settings_.warehouse_id},
                      {"orderdate", placed},
                      {"datereserved", placed + std::int64_t{settings_.reserve_days} * 86400}};
  if (!o.currency.empty()) body["currencycode"] = o.currency;
  if (!o.customer_email.empty()) body["email"] = o.customer_email;
  if (!o.customer_name.empty()) {
    auto space = o.customer_name.find(' ');
    body["namefirst"] = o.customer_name.substr(0, space);
    if (space != std::string::npos) body["namelast"] = o.customer_name.substr(space + 1);
  }
  body["additionaldata"] = {{"weborder", "true"},
                            {"stockrelay-source", co.source.connection},
                            {"stockrelay-order", co.source.order_id}};
  if (!o.number.empty()) body["customerref"] = o.number;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& l : o.lines) {
    sr::Quantity q = l.quantity - l.restocked;
    if (q <= sr::Quantity()) continue;
    nlohmann::json row{{"productname", l.name.empty() ? l.sku : l.name}, {"sku", l.sku}, {"quantity", q.whole()},
                       {"orderitemtype", 10}};
    if (l.unit_price) {
      sr::Money row_price = *l.unit_price;
      row_price.minor *= q.whole();
      row["moneyrowprice"] = row_price.amount_string();
    }
    rows.push_back(std::move(row));
  }
  body["orderitems"] = std::move(rows);
  return body;
}

sr::CommandResult SitooConnector::create_order(const sr::Command& c, const sr::CreateOrder& co) {
  const std::string order = co.source.connection + " order " + (co.order.number.empty() ? co.source.order_id : co.order.number);
  const std::string external = external_id(co.source.connection, co.source.order_id);
  // Created before (a retry, or the hub stopped between creating it and
  // recording it): the same order, never a second one.
  if (auto found = find_order(external)) {
    auto id = integer_of(found->value("orderid", nlohmann::json()));
    std::string ref = id ? std::to_string(*id) : std::string();
    return result(c, sr::Outcome::Ok, "already in Sitoo as order " + ref + " (externalid " + external + ")", ref);
  }

  std::vector<std::string> skus;
  for (const auto& l : co.order.lines) {
    sr::Quantity q = l.quantity - l.restocked;
    if (q <= sr::Quantity()) continue;
    if (l.sku.empty())
      return result(c, sr::Outcome::Failed,
                    order + ": line " + l.id + " ('" + l.name + "') has no SKU; Sitoo matches stock by SKU");
    if (!q.is_whole())
      return result(c, sr::Outcome::Failed,
                    order + ": line " + l.id + " (SKU " + quoted(l.sku) + ") has quantity " + q.to_string() +
                        "; Sitoo order rows take whole units");
    skus.push_back(l.sku);
  }
  if (skus.empty())
    return result(c, sr::Outcome::Failed, order + " has no line left to send (every line was refunded)");

  // Every SKU must exist in the warehouse, byte for byte: no partial order.
  std::set<std::string> wanted(skus.begin(), skus.end());
  bool all_asked = std::all_of(wanted.begin(), wanted.end(), [&](const std::string& k) { return lookup_.skus_asked.count(k) > 0; });
  std::set<std::string> known = all_asked ? lookup_.skus_known : known_skus(skus);
  std::vector<std::string> unknown;
  for (const auto& s : wanted)
    if (!known.count(s)) unknown.push_back(s);
  if (!unknown.empty()) {
    std::string list;
    for (const auto& s : unknown) list += (list.empty() ? "" : ", ") + quoted(s);
    auto r = result(c, sr::Outcome::Failed,
                    order + ": unknown SKU " + list + " in Sitoo warehouse " + std::to_string(settings_.warehouse_id) +
                        "; nothing was sent (SKUs must match byte for byte)");
    r.unknown_skus = unknown;
    return r;
  }

  nlohmann::json answer;
  try {
    answer = api_.post(api_.site_path("/orders.json"), order_body(co, external));
  } catch (const ApiError& e) {
    // Another attempt created it meanwhile (externalid is unique): that one counts.
    if (auto found = find_order(external)) {
      auto id = integer_of(found->value("orderid", nlohmann::json()));
      std::string ref = id ? std::to_string(*id) : std::string();
      return result(c, sr::Outcome::Ok, "already in Sitoo as order " + ref + " (externalid " + external + ")", ref);
    }
    return result(c, sr::Outcome::Failed, order + ": Sitoo refused the order: " + e.text);
  }
  std::optional<std::int64_t> id = integer_of(answer);
  if (!id && answer.is_object()) id = integer_of(answer.value("orderid", nlohmann::json()));
  if (!id && answer.is_array() && !answer.empty() && answer[0].is_object())
    id = integer_of(answer[0].value("return", nlohmann::json()));
  if (!id) {
    // Created, but the answer did not say as what: the look-up on the next
    // attempt finds it.
    return result(c, sr::Outcome::Retry, order + ": Sitoo answered the new order without its orderid");
  }
  // The reservation does not move the items' datelastmodified: read them
  // (after the batch).
  touched(skus);
  // A retry of this batch finds it without asking again.
  lookup_.orders[external] = nlohmann::json{{"orderid", *id}, {"orderstateid", 0}, {"externalid", external}};
  std::string ref = std::to_string(*id);
  host().info(order + " -> Sitoo order " + ref + " (externalid " + external + ", warehouse " +
              std::to_string(settings_.warehouse_id) + ")");
  return result(c, sr::Outcome::Ok, "Sitoo order " + ref + " (externalid " + external + ")", ref);
}

sr::CommandResult SitooConnector::deliver_order(const sr::Command& c, const sr::DeliverOrder& d) {
  auto id = order_id_for(d.source, d.remote_ref);
  if (!id)
    return result(c, sr::Outcome::Failed, "no Sitoo order for " + d.source.connection + " order " + d.source.order_id +
                                              " (externalid " + external_id(d.source.connection, d.source.order_id) + ")");
  const std::string base = api_.site_path("/orders/" + std::to_string(*id));
  nlohmann::json order;
  try {
    order = api_.get(base + ".json");
  } catch (const ApiError& e) {
    if (e.status == 404) return result(c, sr::Outcome::Failed, "Sitoo order " + std::to_string(*id) + " does not exist");
    throw;
  }
  if (integer_of(order.value("orderstateid", nlohmann::json())) == kOrderCancelled)
    return result(c, sr::Outcome::Failed, "Sitoo order " + std::to_string(*id) + " is cancelled; nothing to deliver");

  // What earlier deliveries (ours, a retry's, or one made in Sitoo) already sent.
  std::map<std::int64_t, std::int64_t> delivered;
  std::string last_delivery;
  api_.list(base + "/orderdeliveries.json", {}, 100, [&](const nlohmann::json& page) {
    for (const auto& dv : page) {
      if (!dv.is_object() || (dv.contains("datecancelled") && !dv["datecancelled"].is_null())) continue;
      if (auto did = integer_of(dv.value("orderdeliveryid", nlohmann::json()))) last_delivery = std::to_string(*did);
      if (auto rows = dv.find("orderdeliveryitems"); rows != dv.end() && rows->is_array())
        for (const auto& r : *rows) {
          auto item = integer_of(r.value("orderitemid", nlohmann::json()));
          auto q = integer_of(r.value("quantity", nlohmann::json()));
          if (item && q) delivered[*item] += *q;
        }
    }
  });
  nlohmann::json rows = nlohmann::json::array();
  if (auto items = order.find("orderitems"); items != order.end() && items->is_array())
    for (const auto& it : *items) {
      auto item = integer_of(it.value("orderitemid", nlohmann::json()));
      auto q = integer_of(it.value("quantity", nlohmann::json()));
      if (!item || !q) continue;
      std::int64_t left = *q - delivered[*item];
      if (left > 0) rows.push_back({{"orderitemid", *item}, {"quantity", left}});
    }
  if (rows.empty())
    return result(c, sr::Outcome::Ok, "Sitoo order " + std::to_string(*id) + " is already delivered", last_delivery);

  nlohmann::json body{{"warehouseid", settings_.warehouse_id},
                      {"orderdeliveryref", external_id(d.source.connection, d.source.order_id)},
                      {"orderdeliveryitems", std::move(rows)}};
  nlohmann::json answer;
  try {
    answer = api_.post(base + "/orderdeliveries.json", body);
  } catch (const ApiError& e) {
    return result(c, sr::Outcome::Failed, "Sitoo refused the delivery of order " + std::to_string(*id) + ": " + e.text);
  }
  auto did = integer_of(answer);
  if (!did && answer.is_object()) did = integer_of(answer.value("orderdeliveryid", nlohmann::json()));
  touched(skus_in(order));
  std::string ref = did ? std::to_string(*did) : std::string();
  return result(c, sr::Outcome::Ok, "Sitoo order " + std::to_string(*id) + " delivered" + (ref.empty() ? "" : " (delivery " + ref + ")"),
                ref);
}

sr::CommandResult SitooConnector::cancel_order(const sr::Command& c, const sr::CancelOrder& k) {
  auto id = order_id_for(k.source, k.remote_ref);
  if (!id)
    return result(c, sr::Outcome::Ok, "nothing to cancel: no Sitoo order for " + k.source.connection + " order " +
                                          k.source.order_id);
  const std::string path = api_.site_path("/orders/" + std::to_string(*id) + ".json");
  nlohmann::json order;
  try {
    order = api_.get(path);
  } catch (const ApiError& e) {
    if (e.status == 404) return result(c, sr::Outcome::Ok, "nothing to cancel: Sitoo order " + std::to_string(*id) + " does not exist");
    throw;
  }
  const std::string ref = std::to_string(*id);
  if (integer_of(order.value("orderstateid", nlohmann::json())) == kOrderCancelled)
    return result(c, sr::Outcome::Ok, "Sitoo order " + ref + " was already cancelled", ref);
  try {
    api_.put(path, {{"orderstateid", kOrderCancelled}});
  } catch (const ApiError& e) {
    return result(c, sr::Outcome::Failed, "Sitoo refused to cancel order " + ref + ": " + e.text);
  }
  touched(skus_in(order));
  return result(c, sr::Outcome::Ok, "Sitoo order " + ref + " cancelled; its reservation is released", ref);
}

}  // namespace sitoo
