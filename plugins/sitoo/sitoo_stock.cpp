// Warehouse levels in: what every shop mirrors is the warehouse's available
// quantity (in stock minus reserved by open orders). Polling reads the items
// changed since the cursor (datelastmodified moves with transactions) plus
// the SKUs of orders created since the last poll (a reservation does not
// move datelastmodified); Sitoo's events are hints that make the same reads
// at once.
#include <algorithm>
#include <cstdio>

#include <stockrelay/text.hpp>

#include "sitoo_connector.hpp"

namespace sitoo {

namespace {

constexpr const char* kItemFields = "warehouseitemid,sku,decimaltotal,decimalreserved,datelastmodified";
constexpr std::size_t kRecentEvents = 4096;

}  // namespace

std::optional<std::int64_t> SitooConnector::cursor(const char* key) const {
  auto v = host().state_get(key);
  if (!v) return std::nullopt;
  return integer_of(nlohmann::json(*v));
}

// Versions order every reading this connector makes: the host's clock when
// the read went out, then a sequence, fixed width so that text order is
// time order. (datelastmodified cannot order them: a reservation changes the
// level without moving it.)
std::string SitooConnector::next_version(std::int64_t read_at) {
  if (read_at <= last_read_ms_) read_at = last_read_ms_;
  last_read_ms_ = read_at;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%013lld.%06llu", static_cast<long long>(read_at),
                static_cast<unsigned long long>(++seq_ % 1000000));
  return buf;
}

std::int64_t SitooConnector::emit_items(const nlohmann::json& items, std::int64_t read_at, bool all) {
  std::vector<sr::Event> events;
  std::int64_t newest = 0;
  for (const auto& it : items) {
    if (!it.is_object()) continue;
    std::string sku = it.value("sku", std::string());
    auto total = quantity_of(it.value("decimaltotal", nlohmann::json()));
    auto reserved = quantity_of(it.value("decimalreserved", nlohmann::json("0")));
    if (sku.empty() || !total || !reserved) {
      host().warn("Sitoo warehouse " + std::to_string(settings_.warehouse_id) + ": skipped a warehouse item with " +
                  (sku.empty() ? "no SKU" : "SKU '" + sku + "' and unreadable decimaltotal/decimalreserved"));
      continue;
    }
    if (auto d = integer_of(it.value("datelastmodified", nlohmann::json())); d && *d > newest) newest = *d;
    Shown now{total->milli(), reserved->milli()};
    auto [at, fresh] = shown_.try_emplace(sku, now);
    if (!fresh && !all && at->second.total == now.total && at->second.reserved == now.reserved) continue;
    at->second = now;
    sr::StockLevel l;
    l.version = next_version(read_at);
    l.key = "level:" + sku + ":" + l.version;
    l.at = read_at;
    l.read_at = read_at;
    l.sku = sku;
    l.quantity = *total - *reserved;
    if (auto id = integer_of(it.value("warehouseitemid", nlohmann::json()))) l.remote_id = std::to_string(*id);
    events.push_back(std::move(l));
  }
  host().emit(events);
  return newest;
}

std::string SitooConnector::items_path() const {
  return api_.site_path("/warehouses/" + std::to_string(settings_.warehouse_id) + "/warehouseitems.json");
}

void SitooConnector::refresh(const std::vector<std::string>& skus) {
  for (const auto& list : comma_lists(skus, kSkusPerRead)) {
    std::int64_t read_at = host().now_ms();
    api_.list(items_path(), {{"sku", list}, {"fields", kItemFields}}, settings_.page_size,
              [&](const nlohmann::json& items) { emit_items(items, read_at, true); });
  }
}

void SitooConnector::poll_new_orders() {
  auto from = cursor(kOrdersCursor);
  if (!from) {
    // The first poll only learns where the orders end (the full read of the
    // items that comes with it already shows every reservation): the newest
    // order, not the whole history.
    auto page = api_.get(api_.site_path("/orders.json"), {{"fields", "orderid"}, {"sort", "-orderid"}, {"num", "1"}});
    std::int64_t newest = 0;
    if (page.is_object() && page.contains("items") && page["items"].is_array() && !page["items"].empty())
      newest = integer_of(page["items"][0].value("orderid", nlohmann::json())).value_or(0);
    host().state_put(kOrdersCursor, std::to_string(newest));
    return;
  }
  std::int64_t newest = *from;
  std::vector<std::string> skus;
  Params q{{"fields", "orderid,warehouseid,orderitems"}, {"sort", "orderid"},
           {"orderidfrom", std::to_string(*from + 1)}};
  api_.list(api_.site_path("/orders.json"), q, std::min(settings_.page_size, 1000), [&](const nlohmann::json& items) {
    for (const auto& o : items) {
      auto id = integer_of(o.value("orderid", nlohmann::json()));
      if (id && *id > newest) newest = *id;
      auto wh = integer_of(o.value("warehouseid", nlohmann::json()));
      if (wh && *wh != settings_.warehouse_id) continue;
      if (auto rows = o.find("orderitems"); rows != o.end() && rows->is_array())
        for (const auto& row : *rows)
          if (row.is_object() && row.contains("sku") && row["sku"].is_string()) skus.push_back(row["sku"]);
    }
  });
  refresh(skus);
  if (newest > *from) host().state_put(kOrdersCursor, std::to_string(newest));
}

void SitooConnector::poll(sr::PollMode mode) {
  auto since = cursor(kItemsCursor);
  const bool everything = mode == sr::PollMode::Reconcile || !since;
  // New orders first: the item read after them is then at least as new.
  poll_new_orders();
  Params q{{"fields", kItemFields}};
  if (!everything) q.emplace_back("datelastmodifiedfrom", std::to_string(std::max<std::int64_t>(0, *since - kOverlapSeconds)));
  std::int64_t newest = since.value_or(0);
  std::int64_t read_at = host().now_ms();
  std::size_t seen = 0;
  api_.list(items_path(), q, settings_.page_size, [&](const nlohmann::json& items) {
    seen += items.size();
    newest = std::max(newest, emit_items(items, read_at, mode == sr::PollMode::Reconcile));
  });
  if (newest > since.value_or(0)) host().state_put(kItemsCursor, std::to_string(newest));
  if (everything) host().info("Sitoo warehouse " + std::to_string(settings_.warehouse_id) + ": read " +
                              std::to_string(seen) + " warehouse items");
}

std::vector<std::string> SitooConnector::skus_of_event(const nlohmann::json& e) {
  std::vector<std::string> skus;
  if (!e.is_object()) return skus;
  std::string type = e.value("event_type", std::string());
  const nlohmann::json data = e.value("data", nlohmann::json::object());
  if (!data.is_object()) return skus;
  auto warehouse = integer_of(data.value("warehouse_id", nlohmann::json()));
  if (warehouse && *warehouse != settings_.warehouse_id) return skus;
  auto rows_of = [&](const nlohmann::json& doc, const char* field) {
    if (auto rows = doc.find(field); rows != doc.end() && rows->is_array())
      for (const auto& row : *rows)
        if (row.is_object() && row.contains("sku") && row["sku"].is_string()) skus.push_back(row["sku"]);
  };
  try {
    if (type == "warehouse-transaction") {
      auto id = integer_of(data.value("warehouse_transaction_id", nlohmann::json()));
      if (!id || !warehouse) return skus;
      rows_of(api_.get(api_.site_path("/warehouses/" + std::to_string(*warehouse) + "/warehousetransactions/" +
                                      std::to_string(*id) + ".json")),
              "items");
    } else if (type == "order" || type == "order-delivery") {
      auto id = integer_of(data.value("order_id", nlohmann::json()));
      if (!id) return skus;
      rows_of(api_.get(api_.site_path("/orders/" + std::to_string(*id) + ".json")), "orderitems");
    }
  } catch (const ApiError& err) {
    // Gone meanwhile (404) or refused: nothing to read; the next poll covers it.
    host().warn("Sitoo event " + e.value("event_id", std::string()) + " (" + type + "): " + err.what());
  }
  return skus;
}

sr::WebhookResponse SitooConnector::on_webhook(const sr::WebhookRequest& req) {
  if (!settings_.events_user.empty() &&
      !sr::basic_auth_matches(req.header("authorization"), settings_.events_user, settings_.events_password))
    return {401, R"({"error":"the callback's HTTP Basic credentials do not match events_user/events_password"})"};
  if (req.method != "POST") return {405, R"({"error":"Sitoo events arrive as POST"})"};
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_object()) body = nlohmann::json::array({body});
  if (!body.is_array()) return {400, R"({"error":"the body is not a JSON array of Sitoo events"})"};

  std::vector<std::string> ids, skus;
  for (const auto& e : body) {
    std::string id = e.is_object() ? e.value("event_id", std::string()) : std::string();
    if (!id.empty() && recent_set_.count(id)) continue;  // a duplicate Sitoo sent again
    auto touched = skus_of_event(e);
    skus.insert(skus.end(), touched.begin(), touched.end());
    if (!id.empty()) ids.push_back(id);
  }
  // A failure here throws retryable_error: the host answers 503, Sitoo keeps
  // the array and sends it again (its queue waits), so no change is lost.
  refresh(skus);
  for (auto& id : ids) {
    if (!recent_set_.insert(id).second) continue;
    recent_events_.push_back(std::move(id));
    if (recent_events_.size() > kRecentEvents) {
      recent_set_.erase(recent_events_.front());
      recent_events_.pop_front();
    }
  }
  return {200, "{}"};
}

}  // namespace sitoo
