// Sites, warehouses, products, warehouse items and warehouse transactions:
// everything that holds or moves stock. Every change of a level is a
// transaction (item logs with the level after, datelastmodified, an event);
// reservations move `reserved` only.
#include <algorithm>
#include <set>

#include "sim_impl.hpp"

namespace sitoo_sim {

namespace {

constexpr std::size_t kMaxTransactionItems = 1000;

ApiError bad(std::string text) { return ApiError{400, std::move(text)}; }

std::string shown(const std::string& sku) { return "\"" + util::printable(sku) + "\""; }

// An optional string member; 400 when present with another type.
std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw bad(where + std::string(key) + " must be a string");
  return it->get<std::string>();
}

}  // namespace

// ---- set-up ---------------------------------------------------------------------------------

std::int64_t Simulator::Impl::add_warehouse(const std::string& name, int type, std::int64_t id) {
  if (id == 0) id = next_warehouse_id;
  next_warehouse_id = std::max(next_warehouse_id, id + 1);
  Warehouse w;
  w.id = id;
  w.type = type;
  w.name = name.empty() ? "Warehouse " + std::to_string(id) : name;
  w.currencycode = opts.currency;
  w.sellable = type == kWarehouseFifo;
  warehouses[id] = w;
  for (const auto& [pid, p] : products) ensure_item(id, p.sku);
  return id;
}

WarehouseItem& Simulator::Impl::ensure_item(std::int64_t warehouse, const std::string& sku) {
  auto [it, inserted] = items[warehouse].try_emplace(sku);
  if (inserted) {
    it->second.id = next_item_id++;
    it->second.warehouse_id = warehouse;
    it->second.sku = sku;
  }
  return it->second;
}

WarehouseItem* Simulator::Impl::find_item(std::int64_t warehouse, const std::string& sku) {
  auto w = items.find(warehouse);
  if (w == items.end()) return nullptr;
  auto it = w->second.find(sku);  // std::string compares bytes: no folding, no normalising
  return it == w->second.end() ? nullptr : &it->second;
}

const Warehouse& Simulator::Impl::warehouse_or_throw(std::int64_t id, int status) {
  auto it = warehouses.find(id);
  if (it == warehouses.end()) throw ApiError{status, "Warehouse " + std::to_string(id) + " not found"};
  return it->second;
}

std::int64_t Simulator::Impl::add_product(const std::string& sku, const std::string& title, std::int64_t price) {
  if (sku.empty()) throw bad("sku is required");
  if (auto at = util::bad_sku_char(sku); at != std::string::npos) {
    throw bad("Invalid sku " + shown(sku) + ": character at byte " + std::to_string(at) +
              " is not allowed (allowed: A-Z a-z 0-9 _ + - /)");
  }
  if (auto it = product_by_sku.find(sku); it != product_by_sku.end()) {
    throw bad("sku " + shown(sku) + " is already used by product " + std::to_string(it->second));
  }
  Product p;
  p.id = next_product_id++;
  p.sku = sku;
  p.title = title;
  p.price = price;
  p.created = p.modified = now();
  product_by_sku[sku] = p.id;
  products[p.id] = p;
  for (const auto& [wid, w] : warehouses) ensure_item(wid, sku);
  return p.id;
}

std::int64_t Simulator::Impl::apply_transaction(std::int64_t warehouse, int type, const std::vector<TxLine>& lines,
                                                std::string description, std::optional<std::string> externalid,
                                                std::optional<std::string> reasoncode,
                                                std::optional<std::int64_t> orderdelivery_id) {
  Transaction t;
  t.id = next_transaction_id++;
  t.warehouse_id = warehouse;
  t.type = type;
  t.created = now();
  t.description = std::move(description);
  t.externalid = std::move(externalid);
  t.reasoncode = std::move(reasoncode);
  t.orderdelivery_id = orderdelivery_id;
  for (const auto& line : lines) {
    WarehouseItem& item = ensure_item(warehouse, line.sku);
    ItemLog log;
    log.id = next_log_id++;
    log.item_id = item.id;
    log.sku = line.sku;
    log.quantity = line.quantity;
    log.price_in = line.price_in;
    if (line.price_in) {
      log.money_value = *line.price_in * line.quantity / 1000;
    } else if (item.total > 0) {
      log.money_value = item.money_total * line.quantity / item.total;  // at the average value
    }
    item.total += line.quantity;
    item.money_total = item.total > 0 ? item.money_total + log.money_value : 0;
    item.modified = t.created;
    if (type == kTxStocktaking) item.last_stocktaking = t.created;
    log.total_after = item.total;
    log.money_total = item.money_total;
    t.logs.push_back(std::move(log));
  }
  auto& stored = transactions[t.id] = std::move(t);
  event_transaction(stored);
  return stored.id;
}

void Simulator::Impl::reserve(std::int64_t warehouse, const std::string& sku, std::int64_t delta_milli) {
  WarehouseItem* item = find_item(warehouse, sku);
  if (!item || delta_milli == 0) return;
  item->reserved += delta_milli;
  // Sitoo: datelastmodified is "the last date this item was part of a
  // transaction"; a reservation is none (the gap a connector must cover).
  if (!opts.datelastmodified_only_on_transactions) item->modified = now();
}

std::int64_t Simulator::Impl::shop_floor(std::int64_t warehouse, const std::string& sku, int type, std::int64_t delta,
                                         const std::string& description) {
  if (!warehouses.count(warehouse)) throw std::invalid_argument("unknown warehouse " + std::to_string(warehouse));
  if (!find_item(warehouse, sku)) {
    throw std::invalid_argument("unknown SKU " + shown(sku) + " in warehouse " + std::to_string(warehouse));
  }
  return apply_transaction(warehouse, type, {{sku, delta, std::nullopt}}, description);
}

// ---- rendering -------------------------------------------------------------------------------

ojson Simulator::Impl::site_json() const {
  ojson j = ojson::object();
  j["eshopid"] = opts.site_id;
  j["title"] = opts.site_title;
  j["currencycode"] = opts.currency;
  return j;
}

ojson Simulator::Impl::warehouse_json(const Warehouse& w) const {
  ojson j = ojson::object();
  j["warehouseid"] = w.id;
  j["warehousetype"] = w.type;
  j["usetype"] = w.usetype;
  j["storeid"] = nullptr;
  j["sellable"] = w.sellable;
  j["currencycode"] = w.currencycode;
  j["name"] = w.name;
  j["externalid"] = nullptr;
  return j;
}

ojson Simulator::Impl::item_json(const WarehouseItem& i) const {
  ojson j = ojson::object();
  j["warehouseitemid"] = i.id;
  j["warehouseid"] = i.warehouse_id;
  j["sku"] = i.sku;
  j["decimaltotal"] = util::decimal3(i.total);
  j["decimalreserved"] = util::decimal3(i.reserved);
  j["decimalavailable"] = util::decimal3(i.total - i.reserved);
  j["decimalthreshold"] = util::decimal3(i.threshold);
  j["moneytotal"] = util::money2(i.money_total);
  j["binlocation"] = i.binlocation;
  j["datelastmodified"] = i.modified ? ojson(*i.modified) : ojson(nullptr);
  j["datelaststocktaking"] = i.last_stocktaking ? ojson(*i.last_stocktaking) : ojson(nullptr);
  return j;
}

ojson Simulator::Impl::product_json(const Product& p) const {
  ojson j = ojson::object();
  j["productid"] = p.id;
  j["sku"] = p.sku;
  j["title"] = p.title;
  j["variantparentid"] = nullptr;
  j["variant"] = ojson::array();
  j["activepos"] = true;
  j["stockcountenable"] = true;
  j["moneyprice"] = util::money2(p.price);
  j["moneypriceorg"] = util::money2(p.price);
  j["moneypricein"] = util::money2(p.price_in);
  j["vatvalue"] = p.vat;
  j["barcode"] = "";
  j["barcodealiases"] = ojson::array();
  j["datecreated"] = p.created;
  j["datemodified"] = p.modified;
  return j;
}

ojson Simulator::Impl::transaction_json(const Transaction& t) const {
  ojson j = ojson::object();
  j["warehousetransactionid"] = t.id;
  j["warehouseid"] = t.warehouse_id;
  j["datecreated"] = t.created;
  j["transactiontype"] = t.type;
  j["description"] = t.description;
  j["orderdeliveryid"] = t.orderdelivery_id ? ojson(*t.orderdelivery_id) : ojson(nullptr);
  j["shipmentid"] = nullptr;
  j["externalid"] = t.externalid ? ojson(*t.externalid) : ojson(nullptr);
  j["reasoncode"] = t.reasoncode ? ojson(*t.reasoncode) : ojson(nullptr);
  ojson logs = ojson::array();
  for (const auto& l : t.logs) {
    ojson e = ojson::object();
    e["warehouseitemlogid"] = l.id;
    e["warehouseitemid"] = l.item_id;
    e["warehousetransactionid"] = t.id;
    e["sku"] = l.sku;
    e["decimalquantity"] = util::decimal3(l.quantity);
    e["decimaltotal"] = util::decimal3(l.total_after);
    e["moneypricein"] = l.price_in ? ojson(util::money2(*l.price_in)) : ojson(nullptr);
    e["moneyvalue"] = util::money2(l.money_value);
    e["moneytotal"] = util::money2(l.money_total);
    logs.push_back(std::move(e));
  }
  j["items"] = std::move(logs);
  return j;
}

// ---- lists ---------------------------------------------------------------------------------------

std::string Simulator::Impl::list_sites(const Query& q) {
  ListParams p = parse_list(q);
  ojson site = site_json();
  std::vector<const ojson*> found = {&site};
  return envelope(found, p, [](const ojson& s) { return s; });
}

std::string Simulator::Impl::list_warehouses(const Query& q) {
  ListParams p = parse_list(q);
  auto ids = int_list(q, "warehouseid");
  std::vector<const Warehouse*> found;
  for (const auto& [id, w] : warehouses) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
    found.push_back(&w);
  }
  return envelope(found, p, [&](const Warehouse& w) { return warehouse_json(w); });
}

std::string Simulator::Impl::list_items(std::int64_t warehouse, const Query& q) {
  warehouse_or_throw(warehouse);
  ListParams p = parse_list(q);
  ++counters.warehouse_item_reads;
  auto from = int_param(q, "datelastmodifiedfrom");
  auto to = int_param(q, "datelastmodifiedto");
  auto skus = q.list("sku");
  auto& stock = items[warehouse];
  std::vector<const WarehouseItem*> found;
  auto consider = [&](const WarehouseItem& i) {
    if (from && (!i.modified || *i.modified < *from)) return;
    if (to && (!i.modified || *i.modified >= *to)) return;
    found.push_back(&i);
  };
  if (!skus.empty()) {
    std::set<std::string> wanted(skus.begin(), skus.end());
    for (const auto& sku : wanted) {
      if (auto it = stock.find(sku); it != stock.end()) consider(it->second);
    }
  } else {
    for (const auto& [sku, i] : stock) consider(i);
  }
  std::sort(found.begin(), found.end(), [](auto* a, auto* b) { return a->id < b->id; });
  return envelope(found, p, [&](const WarehouseItem& i) { return item_json(i); });
}

std::string Simulator::Impl::list_products(const Query& q) {
  ListParams p = parse_list(q);
  auto ids = int_list(q, "productid");
  std::vector<const Product*> found;
  if (auto skus = q.list("sku"); !skus.empty()) {
    std::set<std::int64_t> hit;
    for (const auto& sku : skus) {
      if (auto it = product_by_sku.find(sku); it != product_by_sku.end()) hit.insert(it->second);
    }
    for (auto id : hit) found.push_back(&products.at(id));
  } else {
    for (const auto& [id, pr] : products) found.push_back(&pr);
  }
  if (!ids.empty()) {
    std::erase_if(found, [&](const Product* pr) { return std::find(ids.begin(), ids.end(), pr->id) == ids.end(); });
  }
  return envelope(found, p, [&](const Product& pr) { return product_json(pr); });
}

std::string Simulator::Impl::post_products(const json& body) {
  json list = body.is_array() ? body : json::array({body});
  if (list.empty()) throw bad("Expected a non-empty JSON array of products");
  // Validate every item first: a refused request adds nothing.
  std::set<std::string> seen;
  struct New {
    std::string sku, title;
    std::int64_t price = 0;
  };
  std::vector<New> adds;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "product " + std::to_string(i) + ": ";
    const json& item = list[i];
    if (!item.is_object()) throw bad(where + "must be an object");
    auto sku = opt_string(item, "sku", where);
    if (!sku || sku->empty()) throw bad(where + "sku is required");
    if (auto at = util::bad_sku_char(*sku); at != std::string::npos) {
      throw bad(where + "invalid sku " + shown(*sku) + ": character at byte " + std::to_string(at) +
                " is not allowed (allowed: A-Z a-z 0-9 _ + - /)");
    }
    if (auto it = product_by_sku.find(*sku); it != product_by_sku.end()) {
      throw bad(where + "sku " + shown(*sku) + " is already used by product " + std::to_string(it->second));
    }
    if (!seen.insert(*sku).second) throw bad(where + "sku " + shown(*sku) + " appears twice in the request");
    New n;
    n.sku = *sku;
    n.title = opt_string(item, "title", where).value_or(*sku);
    if (auto pr = item.find("moneyprice"); pr != item.end() && !pr->is_null()) {
      auto cents = util::parse_fixed(*pr, 2);
      if (!cents) throw bad(where + "moneyprice must be a money string such as \"123.50\"");
      n.price = *cents;
    }
    adds.push_back(std::move(n));
  }
  std::vector<std::int64_t> ids;
  for (const auto& n : adds) ids.push_back(add_product(n.sku, n.title, n.price));
  return batch_answer(ids);
}

std::string Simulator::Impl::list_transactions(std::optional<std::int64_t> warehouse, const Query& q) {
  if (warehouse) warehouse_or_throw(*warehouse);
  ListParams p = parse_list(q);
  auto ids = int_list(q, "warehousetransactionid");
  auto types = int_list(q, "transactiontype");
  auto wids = warehouse ? std::vector<std::int64_t>{} : int_list(q, "warehouseid");
  auto from = int_param(q, "warehousetransactionidfrom");
  auto to = int_param(q, "warehousetransactionidto");
  auto created_from = int_param(q, "datecreatedfrom");
  auto created_to = int_param(q, "datecreatedto");
  bool desc = sort_desc(q, "warehousetransactionid", true);
  auto has = [](const std::vector<std::int64_t>& v, std::int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  std::vector<const Transaction*> found;
  for (auto it = transactions.lower_bound(from.value_or(0)); it != transactions.end(); ++it) {
    const Transaction& t = it->second;
    if (to && t.id >= *to) break;
    if (warehouse && t.warehouse_id != *warehouse) continue;
    if (!wids.empty() && !has(wids, t.warehouse_id)) continue;
    if (!ids.empty() && !has(ids, t.id)) continue;
    if (!types.empty() && !has(types, t.type)) continue;
    if (created_from && t.created < *created_from) continue;
    if (created_to && t.created >= *created_to) continue;
    found.push_back(&t);
  }
  if (desc) std::reverse(found.begin(), found.end());
  return envelope(found, p, [&](const Transaction& t) { return transaction_json(t); });
}

std::string Simulator::Impl::post_transactions(const json& body) {
  if (!body.is_array()) throw bad("Expected a JSON array of warehouse transactions");
  if (body.empty()) throw bad("Expected at least one warehouse transaction");
  std::size_t total_items = 0;
  for (const auto& t : body) {
    if (t.is_object() && t.contains("items") && t["items"].is_array()) total_items += t["items"].size();
  }
  if (total_items > kMaxTransactionItems) {
    throw bad("Too many items: " + std::to_string(total_items) + " in one request, at most " +
              std::to_string(kMaxTransactionItems));
  }
  struct Pending {
    std::int64_t warehouse = 0;
    int type = 0;
    std::vector<TxLine> lines;
    std::string description;
    std::optional<std::string> externalid, reasoncode;
  };
  std::vector<Pending> todo;
  // Validate everything first: a refused request moves no stock.
  for (std::size_t i = 0; i < body.size(); ++i) {
    const std::string where = "transaction " + std::to_string(i) + ": ";
    const json& t = body[i];
    if (!t.is_object()) throw bad(where + "must be an object");
    Pending p;
    auto wid = t.contains("warehouseid") ? util::as_int(t["warehouseid"]) : std::nullopt;
    if (!wid) throw bad(where + "warehouseid is required");
    auto w = warehouses.find(*wid);
    if (w == warehouses.end()) throw bad(where + "warehouse " + std::to_string(*wid) + " does not exist");
    if (w->second.type == kWarehouseVirtual) {
      throw bad(where + "warehouse " + std::to_string(*wid) + " is Virtual (type 20): transactions are not allowed");
    }
    p.warehouse = *wid;
    auto type = t.contains("transactiontype") ? util::as_int(t["transactiontype"]) : std::nullopt;
    if (!type) throw bad(where + "transactiontype is required");
    if (*type != kTxMoveIn && *type != kTxMoveOut) {
      throw bad(where + "transactiontype " + std::to_string(*type) +
                " is read-only or unknown; only 10 (in) and 20 (out) can be added");
    }
    p.type = static_cast<int>(*type);
    p.description = opt_string(t, "description", where).value_or("");
    p.externalid = opt_string(t, "externalid", where);
    p.reasoncode = opt_string(t, "reasoncode", where);
    if (p.reasoncode && p.reasoncode->size() > 32) throw bad(where + "reasoncode is longer than 32 characters");
    auto it = t.find("items");
    if (it == t.end() || !it->is_array() || it->empty()) throw bad(where + "items must be a non-empty array");
    for (std::size_t k = 0; k < it->size(); ++k) {
      const std::string at = where + "item " + std::to_string(k) + ": ";
      const json& item = (*it)[k];
      if (!item.is_object()) throw bad(at + "must be an object");
      auto sku = opt_string(item, "sku", at);
      if (!sku || sku->empty()) throw bad(at + "sku is required");
      if (!find_item(p.warehouse, *sku)) {
        throw bad(at + "unknown sku " + shown(*sku) + " in warehouse " + std::to_string(p.warehouse));
      }
      auto q = item.contains("decimalquantity") ? util::parse_fixed(item["decimalquantity"], 3) : std::nullopt;
      if (!q) throw bad(at + "decimalquantity is required as a decimal string such as \"-2.000\"");
      if (p.type == kTxMoveIn && *q <= 0) throw bad(at + "transactiontype 10 needs a positive decimalquantity");
      if (p.type == kTxMoveOut && *q >= 0) throw bad(at + "transactiontype 20 needs a negative decimalquantity");
      TxLine line{*sku, *q, std::nullopt};
      if (auto pr = item.find("moneypricein"); pr != item.end() && !pr->is_null()) {
        line.price_in = util::parse_fixed(*pr, 2);
        if (!line.price_in) throw bad(at + "moneypricein must be a money string such as \"12.50\"");
      }
      p.lines.push_back(std::move(line));
    }
    todo.push_back(std::move(p));
  }
  std::vector<std::int64_t> ids;
  for (auto& p : todo) {
    ids.push_back(apply_transaction(p.warehouse, p.type, p.lines, std::move(p.description), std::move(p.externalid),
                                    std::move(p.reasoncode)));
    ++counters.transactions_posted;
    counters.transaction_items += p.lines.size();
  }
  return batch_answer(ids);
}

}  // namespace sitoo_sim
