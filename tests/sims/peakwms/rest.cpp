// The HTTP face of the simulator: fault knobs, bearer-key authentication, the
// per-key rate limit, routing under /api/integration/v1, keyset paging, the
// {"message"} error body, and the simulator-only /__sim/ endpoints.
#include <algorithm>
#include <stdexcept>

#include "http/message.hpp"
#include "sim_impl.hpp"

namespace peakwms_sim {

namespace {
const std::string kRoot = "/api/integration/v1";
ApiError not_found(const std::string& path) { return ApiError{404, "No resource at " + path}; }
}  // namespace

// ---- shared helpers ----------------------------------------------------------------------------

http::ServerResponse json_response(int status, const ojson& body) {
  http::ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, ojson::error_handler_t::replace);
  return r;
}

http::ServerResponse error_response(const ApiError& e) {
  ojson body = ojson::object();
  body["message"] = e.text;
  return json_response(e.status, body);
}

KeySet read_keyset(const util::Query& q) {
  KeySet k;
  if (auto v = q.get("LastId"); v && !v->empty()) {
    auto n = util::parse_int(*v);
    if (!n || *n < 0) throw ApiError{400, "LastId must be a non-negative integer, got \"" + *v + "\""};
    k.last_id = *n;
  }
  if (auto v = q.get("PageSize"); v && !v->empty()) {
    auto n = util::parse_int(*v);
    if (!n || *n < 1 || *n > 1000) throw ApiError{400, "PageSize must be an integer 1..1000, got \"" + *v + "\""};
    k.page_size = *n;
  }
  return k;
}

ojson keyset_page(const std::vector<ojson>& rows, const KeySet& k) {
  ojson data = ojson::array();
  std::int64_t before = 0;  // rows at or below LastId
  for (const auto& r : rows) {
    if (r["id"].get<std::int64_t>() <= k.last_id) {
      ++before;
    } else if (static_cast<std::int64_t>(data.size()) < k.page_size) {
      data.push_back(r);
    }
  }
  ojson out = ojson::object();
  out["data"] = std::move(data);
  out["page"] = before / k.page_size + 1;
  out["pageSize"] = k.page_size;
  out["totalRecords"] = rows.size();
  return out;
}

// ---- entry -------------------------------------------------------------------------------------

void Simulator::Impl::handle(const http::ServerRequest& req, http::Respond respond) {
  // ---- NOT PART OF PEAKWMS: simulator-only endpoints under /__sim/ ----
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
  }
  host.replies.send(std::move(respond), std::move(out), latency);
}

std::optional<http::ServerResponse> Simulator::Impl::injected_fault() {
  bool fail = false;
  if (faults.fail_next > 0) {
    --faults.fail_next;
    fail = true;
  } else if (faults.error_rate > 0 && std::uniform_real_distribution<double>(0.0, 1.0)(dice) < faults.error_rate) {
    fail = true;
  }
  if (!fail) return std::nullopt;
  ++counters.errors_injected;
  return error_response({500, "An error occurred while processing the request (injected by peakwms_sim)"});
}

std::int64_t Simulator::Impl::authenticate(const http::ServerRequest& req) {
  std::string header = req.header("authorization");
  if (header.empty()) throw ApiError{401, "Authorization header missing: send Authorization: Bearer <apiKey>"};
  if (header.size() < 8 || !http::iequals(header.substr(0, 7), "bearer ")) {
    throw ApiError{401, "Authorization must use the Bearer scheme"};
  }
  auto found = integration_by_key.find(header.substr(7));
  if (found == integration_by_key.end()) throw ApiError{401, "Unknown API key"};
  return found->second;
}

// A fixed window per key: it opens with the key's first request and admits
// opts.rate_limit requests; refused requests do not count.
std::optional<http::ServerResponse> Simulator::Impl::rate_limited(std::int64_t integration) {
  if (!opts.rate_limit_enabled) return std::nullopt;
  auto t = std::chrono::steady_clock::now();
  const auto window = std::chrono::milliseconds(opts.rate_window_ms);
  Window& w = rate_windows[integration];
  if (w.used == 0 || t - w.start >= window) {
    w.start = t;
    w.used = 0;
  }
  if (w.used < opts.rate_limit) {
    ++w.used;
    return std::nullopt;
  }
  ++counters.rate_limited;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(w.start + window - t).count();
  auto r = error_response({429, "Rate limit exceeded: " + std::to_string(opts.rate_limit) + " requests per " +
                                    std::to_string(opts.rate_window_ms) + " ms for this API key"});
  r.headers.push_back({"Retry-After", std::to_string(std::max<std::int64_t>(1, (left + 999) / 1000))});
  return r;
}

http::ServerResponse Simulator::Impl::process(const http::ServerRequest& req) {
  if (auto f = injected_fault()) return *f;
  const std::string& method = req.method;
  try {
    if (!req.path.starts_with(kRoot + "/")) throw not_found(req.path);
    std::int64_t integration = authenticate(req);
    if (auto limited = rate_limited(integration)) return *limited;

    std::vector<std::string> segs;
    for (std::size_t start = kRoot.size() + 1; start < req.path.size();) {
      auto slash = req.path.find('/', start);
      if (slash == std::string::npos) slash = req.path.size();
      if (slash > start) segs.push_back(sim_common::percent_decode(req.path.substr(start, slash - start), false));
      start = slash + 1;
    }
    if (segs.empty()) throw not_found(req.path);
    util::Query q = util::Query::parse(req.query);
    json body;
    if (method == "POST" || method == "PUT") {
      body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
      if (body.is_discarded()) throw ApiError{400, "The request body is not valid JSON"};
    }
    auto allow = [&](std::initializer_list<const char*> methods) {
      for (const char* m : methods) {
        if (method == m) return;
      }
      throw ApiError{405, "Method " + method + " is not allowed on " + req.path};
    };
    auto id_at = [&](std::size_t i) -> std::int64_t {
      auto n = util::parse_int(segs[i]);
      if (!n) throw ApiError{404, "\"" + segs[i] + "\" is not a PeakWMS id (" + req.path + ")"};
      return *n;
    };
    auto ok = [](const ojson& j) { return json_response(200, j); };
    const std::string res = http::lower(segs[0]);
    const std::size_t n = segs.size();
    const bool keyset = n == 2 && http::iequals(segs[1], "keySet");

    if (res == "ping" && n == 1) {
      allow({"GET"});
      return ok(ojson{{"message", "pong"}});
    }
    if (res == "product") {
      if (n == 1 || keyset) {
        if (keyset) allow({"GET"});
        allow({"GET", "POST", "PUT"});
        if (method == "GET") return ok(list_products(integration, read_keyset(q)));
        if (method == "POST") return ok(post_product(integration, body));
        return ok(put_product(integration, std::nullopt, body));
      }
      if (n == 2) {
        allow({"GET", "PUT", "DELETE"});
        if (method == "GET") return ok(get_variants(integration, segs[1]));
        if (method == "PUT") return ok(put_product(integration, id_at(1), body));
        return ok(delete_product(integration, id_at(1)));
      }
      // ---- SIMULATOR-ONLY (peakwms.md §6 proposal): refetch and product state ----
      if (n == 3 && http::iequals(segs[2], "refetch")) {
        allow({"POST"});
        return ok(refetch(integration, id_at(1)));
      }
      if (n == 3 && http::iequals(segs[2], "state")) {
        allow({"PUT"});
        return ok(set_state(integration, id_at(1), body));
      }
    }
    // ---- SIMULATOR-ONLY (peakwms.md §6 proposal): product integrations ----
    if (res == "productintegration" && n == 1) {
      allow({"GET"});
      return ok(list_links(integration, q));
    }
    if (res == "stock") {
      allow({"GET"});
      if (n == 1 || keyset) return ok(list_stock(integration, read_keyset(q)));
      if (n == 2) return ok(get_stock(integration, segs[1], q));
    }
    if (res == "stockaction" && (n == 1 || keyset)) {
      allow({"GET"});
      return ok(list_actions(integration, read_keyset(q), q));
    }
    if (res == "salesorder") {
      if (n == 1) {
        allow({"POST", "PUT"});
        if (method == "POST") return ok(post_order(integration, body));
        return ok(put_order(integration, std::nullopt, body));
      }
      if (n == 2) {
        allow({"PUT", "DELETE"});
        if (method == "PUT") return ok(put_order(integration, segs[1], body));
        return ok(delete_order(integration, segs[1]));
      }
      if (n == 3 && http::iequals(segs[2], "cancel")) {
        allow({"PUT"});
        return ok(cancel_order(integration, segs[1]));
      }
    }
    if (res == "webhook") {
      if (n == 1) {
        allow({"POST"});
        return ok(post_webhook(integration, body));
      }
      if (n == 2) {
        allow({"DELETE"});
        return ok(delete_webhook(integration, id_at(1)));
      }
    }
    throw not_found(req.path);
  } catch (const ApiError& e) {
    return error_response(e);
  } catch (const std::invalid_argument& e) {
    return error_response({400, e.what()});
  } catch (const std::exception& e) {
    return error_response({500, std::string("Internal error in peakwms_sim: ") + e.what()});
  }
}

// ---- NOT PART OF PEAKWMS ----------------------------------------------------------------------------
// Simulator-only endpoints for tools that run the simulator out of process
// (stockrelay-sim): counters, fault knobs, stock levels, warehouse moves
// (goods received, counted, picked) and packing. No authentication; never
// under /api.
http::ServerResponse Simulator::Impl::sim_endpoint(const http::ServerRequest& req) {
  auto counters_json = [&] {
    return ojson{{"requests", counters.requests},
                 {"unauthorized", counters.unauthorized},
                 {"rate_limited", counters.rate_limited},
                 {"errors_injected", counters.errors_injected},
                 {"products_created", counters.products_created},
                 {"products_updated", counters.products_updated},
                 {"orders_created", counters.orders_created},
                 {"orders_cancelled", counters.orders_cancelled},
                 {"webhook_posts", counters.webhook_posts},
                 {"webhook_failures", counters.webhook_failures}};
  };
  auto faults_json = [&] {
    return ojson{
        {"latency_ms", faults.latency_ms}, {"fail_next", faults.fail_next}, {"error_rate", faults.error_rate}};
  };
  auto level_json = [&](const Product& p) {
    return ojson{{"id", p.id},
                 {"onHand", p.on_hand},
                 {"reserved", p.reserved},
                 {"availableToSell", std::max<std::int64_t>(0, p.on_hand - p.reserved)},
                 {"state", p.state}};
  };
  try {
    util::Query q = util::Query::parse(req.query);
    if (req.method == "GET") {
      if (req.path == "/__sim/counters") return json_response(200, counters_json());
      if (req.path == "/__sim/faults") return json_response(200, faults_json());
      if (req.path == "/__sim/integrations") {
        ojson out = ojson::array();
        for (const auto& i : integrations) out.push_back({{"id", i.id}, {"name", i.name}, {"apiKey", i.api_key}});
        return json_response(200, out);
      }
      if (req.path == "/__sim/stock") {
        auto id = util::parse_int(q.get("id").value_or(""));
        if (!id) throw ApiError{400, "/__sim/stock needs ?id=<WMS product id>"};
        return json_response(200, level_json(product_or_throw(*id)));
      }
    } else if (req.method == "POST") {
      json body = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) throw ApiError{400, req.path + ": body must be a JSON object"};
      if (req.path == "/__sim/faults") {
        faults.latency_ms = body.value("latency_ms", faults.latency_ms);
        faults.fail_next = body.value("fail_next", faults.fail_next);
        faults.error_rate = body.value("error_rate", faults.error_rate);
        return json_response(200, faults_json());
      }
      if (req.path == "/__sim/stock") {
        // {"action": "receive"|"count", "id": <WMS product id>, "quantity"}
        const std::string action = body.value("action", std::string());
        auto id = util::int_field(body, "id");
        auto qty = util::int_field(body, "quantity");
        if (!id || !qty) throw ApiError{400, "/__sim/stock needs \"id\" and \"quantity\" (integers)"};
        Product& p = product_or_throw(*id);
        if (action == "receive") {
          adjust(p, *qty, 1, "Goods received");
        } else if (action == "count") {
          adjust(p, *qty - p.on_hand, 2, "Counted");
        } else {
          throw ApiError{400, "/__sim/stock: action must be receive or count, got \"" + action + "\""};
        }
        return json_response(200, level_json(p));
      }
      if (req.path == "/__sim/order") {
        // {"action": "pick"|"pack", "id": <WMS order id>, "trackingNumber"?}
        const std::string action = body.value("action", std::string());
        auto id = util::int_field(body, "id");
        auto o = id ? orders.find(*id) : orders.end();
        if (o == orders.end()) throw ApiError{404, "/__sim/order: no sales order with that \"id\""};
        if (action == "pick") {
          pick(o->second);
        } else if (action == "pack") {
          pack(o->second, util::string_field(body, "trackingNumber"));
        } else {
          throw ApiError{400, "/__sim/order: action must be pick or pack, got \"" + action + "\""};
        }
        return json_response(200, order_json(o->second));
      }
    }
  } catch (const ApiError& e) {
    return error_response(e);
  } catch (const std::exception& e) {
    return error_response({400, e.what()});
  }
  return error_response({404, "Unknown simulator endpoint " + req.method + " " + req.path});
}

}  // namespace peakwms_sim
