// The HTTP face of the simulator: fault knobs, authentication, routing under
// /v2/accounts/{accountid} (with or without ".json"), list parameters,
// error bodies, and the simulator-only /__sim/ endpoints.
#include <algorithm>
#include <boost/asio/steady_timer.hpp>

#include "sim_impl.hpp"

namespace sitoo_sim {

// ---- shared helpers ----------------------------------------------------------------------------

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_body(int status, const std::string& text) {
  ojson body = ojson::object();
  body["statuscode"] = status;
  body["errortext"] = text;
  return dump(body);
}

http::ServerResponse json_response(int status, std::string body) {
  http::ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

namespace {

http::ServerResponse error_response(const ApiError& e) { return json_response(e.status, error_body(e.status, e.text)); }

ApiError not_found() { return ApiError{404, "Invalid URL or resource not found"}; }

}  // namespace

ListParams parse_list(const Query& q) {
  ListParams p;
  for (auto [key, target] : {std::pair{"start", &p.start}, std::pair{"num", &p.num}}) {
    if (auto v = q.get(key)) {
      auto n = util::parse_int(*v);
      if (!n || *n < 0) throw ApiError{400, std::string(key) + " must be a non-negative integer, got \"" + *v + "\""};
      *target = *n;
    }
  }
  p.fields = q.list("fields");
  return p;
}

std::vector<std::int64_t> int_list(const Query& q, const std::string& key) {
  std::vector<std::int64_t> out;
  for (const auto& v : q.list(key)) {
    auto n = util::parse_int(v);
    if (!n) throw ApiError{400, key + " must be a comma-separated list of integers, got \"" + v + "\""};
    out.push_back(*n);
  }
  return out;
}

std::optional<std::int64_t> int_param(const Query& q, const std::string& key) {
  auto v = q.get(key);
  if (!v) return std::nullopt;
  auto n = util::parse_int(*v);
  if (!n) throw ApiError{400, key + " must be an integer, got \"" + *v + "\""};
  return n;
}

bool sort_desc(const Query& q, const std::string& field, bool default_desc) {
  auto v = q.get("sort");
  if (!v || v->empty()) return default_desc;
  if (*v == field) return false;
  if (*v == "-" + field) return true;
  throw ApiError{400, "sort must be " + field + " or -" + field + ", got \"" + *v + "\""};
}

std::string batch_answer(const std::vector<std::int64_t>& ids) {
  if (ids.size() == 1) return std::to_string(ids.front());
  ojson out = ojson::array();
  for (auto id : ids) {
    ojson e = ojson::object();
    e["statuscode"] = 200;
    e["return"] = id;
    out.push_back(std::move(e));
  }
  return dump(out);
}

// ---- entry -------------------------------------------------------------------------------------

void Simulator::Impl::handle(const http::ServerRequest& req, http::Respond respond) {
  // ---- NOT PART OF SITOO: simulator-only endpoints under /__sim/ ----
  if (req.path.starts_with("/__sim/")) {
    std::lock_guard lock(mu);
    respond(sim_endpoint(req));
    return;
  }
  int latency = 0;
  http::ServerResponse out;
  {
    std::lock_guard lock(mu);
    latency = faults.latency_ms;
    ++counters.requests;
    out = process(req);
    if (out.status == 401) ++counters.unauthorized;
    if (out.status == 403) ++counters.forbidden;
  }
  replies.send(std::move(respond), std::move(out), latency);
}

std::optional<http::ServerResponse> Simulator::Impl::injected_fault() {
  if (faults.rate_limit_next > 0) {
    --faults.rate_limit_next;
    ++counters.rate_limited;
    return error_response({429, "Too Many Requests"});
  }
  if (faults.fail_next > 0) {
    --faults.fail_next;
    ++counters.errors_injected;
    return error_response({500, "Internal Server Error"});
  }
  if (faults.error_rate > 0 && std::uniform_real_distribution<double>(0.0, 1.0)(dice) < faults.error_rate) {
    ++counters.errors_injected;
    return error_response({500, "Internal Server Error"});
  }
  return std::nullopt;
}

http::ServerResponse Simulator::Impl::process(const http::ServerRequest& req) {
  const std::string& method = req.method;
  const bool read = method == "GET" || method == "HEAD";
  if (read) {
    ++counters.reads;
  } else {
    ++counters.writes;
  }
  if (auto f = injected_fault()) return *f;
  try {
    static const std::string prefix = "/v2/accounts/";
    if (!req.path.starts_with(prefix)) throw not_found();
    std::vector<std::string> segs;
    for (std::size_t start = prefix.size(); start < req.path.size();) {
      auto slash = req.path.find('/', start);
      if (slash == std::string::npos) slash = req.path.size();
      if (slash > start) segs.push_back(util::percent_decode(req.path.substr(start, slash - start)));
      start = slash + 1;
    }
    if (segs.empty()) throw not_found();
    if (segs.back().ends_with(".json")) segs.back().resize(segs.back().size() - 5);
    authenticate(req, segs.front());
    segs.erase(segs.begin());

    Query q = Query::parse(req.query);
    json body;
    if (method == "POST" || method == "PUT") {
      body = json::parse(req.body, nullptr, false);
      if (body.is_discarded()) throw ApiError{400, "Invalid JSON in request body"};
    }
    auto id_at = [&](std::size_t i) -> std::int64_t {
      auto n = util::parse_int(segs[i]);
      if (!n) throw not_found();
      return *n;
    };
    auto allow = [&](std::initializer_list<const char*> methods) {
      for (const char* m : methods) {
        if (method == m) return;
      }
      std::string list;
      for (const char* m : methods) list += (list.empty() ? "" : ", ") + std::string(m);
      throw ApiError{405, "Method " + method + " is not allowed here (allowed: " + list + ")"};
    };
    const std::size_t n = segs.size();
    auto ok = [](std::string b) { return json_response(200, std::move(b)); };

    if (n >= 1 && segs[0] == "orders" && n == 1) {  // orders of all sites
      allow({"GET"});
      auto eshops = int_list(q, "eshopid");
      if (!eshops.empty() && std::find(eshops.begin(), eshops.end(), opts.site_id) == eshops.end()) {
        return ok(dump(ojson{{"totalcount", 0}, {"items", ojson::array()}}));
      }
      return ok(list_orders(q));
    }
    if (n == 0 || segs[0] != "sites") throw not_found();
    if (n == 1) {
      allow({"GET"});
      return ok(list_sites(q));
    }
    if (id_at(1) != opts.site_id) throw ApiError{404, "Site " + segs[1] + " not found"};
    if (n == 2) {
      allow({"GET"});
      return ok(dump(site_json()));
    }
    const std::string& res = segs[2];
    if (res == "warehouses") {
      if (n == 3) {
        allow({"GET"});
        return ok(list_warehouses(q));
      }
      std::int64_t wid = id_at(3);
      const Warehouse& w = warehouse_or_throw(wid);
      if (n == 4) {
        allow({"GET"});
        return ok(dump(warehouse_json(w)));
      }
      if (n == 5 && segs[4] == "warehouseitems") {
        allow({"GET"});
        return ok(list_items(wid, q));
      }
      if (segs[4] == "warehousetransactions" && n <= 6) {
        allow({"GET"});
        if (n == 5) return ok(list_transactions(wid, q));
        auto t = transactions.find(id_at(5));
        if (t == transactions.end() || t->second.warehouse_id != wid) {
          throw ApiError{404, "Warehouse transaction " + segs[5] + " not found in warehouse " + segs[3]};
        }
        return ok(dump(transaction_json(t->second)));
      }
      throw not_found();
    }
    if (res == "warehousetransactions" && n == 3) {
      allow({"GET", "POST"});
      return ok(method == "GET" ? list_transactions(std::nullopt, q) : post_transactions(body));
    }
    if (res == "products") {
      if (n == 3) {
        allow({"GET", "POST"});
        return ok(method == "GET" ? list_products(q) : post_products(body));
      }
      if (n == 4) {
        allow({"GET"});
        auto p = products.find(id_at(3));
        if (p == products.end()) throw ApiError{404, "Product " + segs[3] + " not found"};
        return ok(dump(product_json(p->second)));
      }
      throw not_found();
    }
    if (res == "orders") {
      if (n == 3) {
        allow({"GET", "POST"});
        if (method == "GET") return ok(list_orders(q));
        std::string id = post_order(body);
        return ok(id);
      }
      Order& o = order_or_throw(id_at(3));
      if (n == 4) {
        // No DELETE: an order is cancelled by its state (sitoo.md §5).
        allow({"GET", "PUT"});
        if (method == "GET") return ok(dump(order_json(o, true)));
        return ok(put_order(o, body));
      }
      if (n == 5 && segs[4] == "orderdeliveries") {
        allow({"GET", "POST"});
        return ok(method == "GET" ? list_deliveries(o, q) : post_delivery(o, body));
      }
      throw not_found();
    }
    throw not_found();
  } catch (const ApiError& e) {
    return error_response(e);
  } catch (const std::exception& e) {
    return error_response({500, std::string("Internal error: ") + e.what()});
  }
}

// ---- NOT PART OF SITOO ------------------------------------------------------------------------------
// Simulator-only endpoints for tools that run the simulator out of process
// (stockrelay-sim): counters, fault knobs, stock levels and shop-floor moves.
// No authentication; never under /v2.
http::ServerResponse Simulator::Impl::sim_endpoint(const http::ServerRequest& req) {
  auto counters_json = [&] {
    return json{{"requests", counters.requests},
                {"reads", counters.reads},
                {"writes", counters.writes},
                {"unauthorized", counters.unauthorized},
                {"forbidden", counters.forbidden},
                {"rate_limited", counters.rate_limited},
                {"errors_injected", counters.errors_injected},
                {"warehouse_item_reads", counters.warehouse_item_reads},
                {"transactions_posted", counters.transactions_posted},
                {"transaction_items", counters.transaction_items},
                {"orders_created", counters.orders_created},
                {"order_updates", counters.order_updates},
                {"deliveries_created", counters.deliveries_created},
                {"event_posts", counters.event_posts},
                {"events_delivered", counters.events_delivered},
                {"event_retries", counters.event_retries},
                {"events_dropped", counters.events_dropped},
                {"event_duplicates", counters.event_duplicates}};
  };
  auto faults_json = [&] {
    return json{{"latency_ms", faults.latency_ms},
                {"rate_limit_next", faults.rate_limit_next},
                {"fail_next", faults.fail_next},
                {"error_rate", faults.error_rate},
                {"duplicate_events_next", faults.duplicate_events_next},
                {"duplicate_event_rate", faults.duplicate_event_rate}};
  };
  auto bad = [](const std::string& why) { return json_response(400, json{{"error", why}}.dump()); };
  auto level_json = [&](std::int64_t wid, const std::string& sku) -> std::optional<json> {
    WarehouseItem* i = find_item(wid, sku);
    if (!i) return std::nullopt;
    return json{{"warehouseid", wid},
                {"sku", sku},
                {"decimaltotal", util::decimal3(i->total)},
                {"decimalreserved", util::decimal3(i->reserved)},
                {"decimalavailable", util::decimal3(i->total - i->reserved)},
                {"datelastmodified", i->modified ? json(*i->modified) : json(nullptr)}};
  };
  try {
    Query q = Query::parse(req.query);
    if (req.method == "GET") {
      if (req.path == "/__sim/counters") return json_response(200, counters_json().dump());
      if (req.path == "/__sim/faults") return json_response(200, faults_json().dump());
      if (req.path == "/__sim/stock") {
        auto sku = q.get("sku");
        if (!sku) return bad("sku is required");
        auto level = level_json(int_param(q, "warehouseid").value_or(opts.warehouse_id), *sku);
        if (!level) return json_response(404, json{{"error", "unknown SKU or warehouse"}}.dump());
        return json_response(200, level->dump());
      }
    } else if (req.method == "POST") {
      json body = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) return bad("body must be a JSON object");
      if (req.path == "/__sim/faults") {
        faults.latency_ms = body.value("latency_ms", faults.latency_ms);
        faults.rate_limit_next = body.value("rate_limit_next", faults.rate_limit_next);
        faults.fail_next = body.value("fail_next", faults.fail_next);
        faults.error_rate = body.value("error_rate", faults.error_rate);
        faults.duplicate_events_next = body.value("duplicate_events_next", faults.duplicate_events_next);
        faults.duplicate_event_rate = body.value("duplicate_event_rate", faults.duplicate_event_rate);
        return json_response(200, faults_json().dump());
      }
      if (req.path == "/__sim/stock") {
        // {"action": "sale"|"receive"|"count", "sku", "quantity", "warehouseid"?}
        const std::string action = body.value("action", std::string());
        const std::string sku = body.value("sku", std::string());
        const std::int64_t wid = body.value("warehouseid", opts.warehouse_id);
        auto qty = body.contains("quantity") ? util::parse_fixed(body["quantity"], 3) : std::nullopt;
        if (!qty) return bad("quantity is required (a number)");
        WarehouseItem* item = find_item(wid, sku);
        if (!item) return bad("unknown SKU \"" + util::printable(sku) + "\" in warehouse " + std::to_string(wid));
        std::int64_t tx = 0;
        if (action == "sale") {
          tx = shop_floor(wid, sku, kTxPosSale, -*qty, "POS sale");
        } else if (action == "receive") {
          tx = shop_floor(wid, sku, kTxMoveIn, *qty, "Goods received");
        } else if (action == "count") {
          tx = shop_floor(wid, sku, kTxStocktaking, *qty - item->total, "Stocktaking");
        } else {
          return bad("action must be sale, receive or count");
        }
        json out = *level_json(wid, sku);
        out["warehousetransactionid"] = tx;
        return json_response(200, out.dump());
      }
    }
  } catch (const ApiError& e) {
    return bad(e.text);
  } catch (const std::exception& e) {
    return bad(e.what());
  }
  return json_response(404, json{{"error", "unknown simulator endpoint"}}.dump());
}

}  // namespace sitoo_sim
