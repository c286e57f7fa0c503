// The HTTP face of the simulator: fault knobs, authentication, routing under
// /wp-json/wc/v3, permission checks, paging headers, batch endpoints, and the
// simulator-only /__sim/ endpoints.
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <cmath>

#include "sim_impl.hpp"

namespace woo_sim {

// ---- shared helpers ----------------------------------------------------------------

std::string error_body(const RestError& e) {
  json data = e.data.is_object() ? e.data : json::object();
  ojson d = ojson::object();
  d["status"] = e.status;
  for (auto it = data.begin(); it != data.end(); ++it) d[it.key()] = it.value();
  ojson body = ojson::object();
  body["code"] = e.code;
  body["message"] = e.message;
  body["data"] = d;
  return util::php_json(body);
}

http::ServerResponse json_response(int status, std::string body) {
  http::ServerResponse r;
  r.status = status;
  r.content_type = "application/json; charset=UTF-8";
  r.body = std::move(body);
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  r.headers.push_back({"Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"});
  return r;
}

http::ServerResponse error_response(const RestError& e) { return json_response(e.status, error_body(e)); }

RestError invalid_param(const std::string& param, const std::string& why) {
  RestError e{400, "rest_invalid_param", "Invalid parameter(s): " + param};
  e.data["params"] = {{param, why}};
  e.data["details"] = {{param, {{"code", "rest_invalid_param"}, {"message", why}, {"data", nullptr}}}};
  return e;
}

RestError invalid_id(const std::string& post_type, int status, const std::string& message) {
  return RestError{status, "woocommerce_rest_" + post_type + "_invalid_id", message};
}

Paging parse_paging(const Query& q) {
  Paging p;
  if (auto v = q.get("per_page")) {
    auto n = util::parse_int(*v);
    if (!n) throw invalid_param("per_page", "per_page is not of type integer.");
    if (*n < 1 || *n > 100) throw invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)");
    p.per_page = static_cast<int>(*n);
  }
  if (auto v = q.get("page")) {
    auto n = util::parse_int(*v);
    if (!n) throw invalid_param("page", "page is not of type integer.");
    if (*n < 1) throw invalid_param("page", "page must be greater than or equal to 1");
    p.page = static_cast<int>(std::min<std::int64_t>(*n, 1 << 30));
  }
  if (auto v = q.get("offset")) {
    auto n = util::parse_int(*v);
    if (!n) throw invalid_param("offset", "offset is not of type integer.");
    p.offset = std::max<std::int64_t>(0, *n);
  }
  return p;
}

std::pair<std::int64_t, std::int64_t> page_window(const Paging& p, std::int64_t total) {
  std::int64_t start = p.offset ? *p.offset : static_cast<std::int64_t>(p.page - 1) * p.per_page;
  if (start >= total) return {total, total};
  return {start, std::min(total, start + p.per_page)};
}

std::string html_page(int status) {
  switch (status) {
    case 429:
      return "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many "
             "Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    case 504:
      return "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway "
             "Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    case 404:
      return "<!DOCTYPE html>\n<html lang=\"en-US\"><head><meta charset=\"UTF-8\"><title>Page not found</title></head>"
             "<body class=\"error404\"><h1>Oops! That page can&rsquo;t be found.</h1></body></html>\n";
    default:
      return "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n\t<meta http-equiv=\"Content-Type\" content=\"text/html; "
             "charset=utf-8\" />\n\t<title>WordPress &rsaquo; Error</title>\n</head>\n<body id=\"error-page\">\n\t<div "
             "class=\"wp-die-message\"><p>There has been a critical error on this website.</p><p><a "
             "href=\"https://wordpress.org/documentation/article/faq-troubleshooting/\">Learn more about "
             "troubleshooting WordPress.</a></p></div></body>\n</html>\n";
  }
}

namespace {

http::ServerResponse html_response(int status) {
  http::ServerResponse r;
  r.status = status;
  r.content_type = "text/html; charset=UTF-8";
  r.body = html_page(status);
  return r;
}

bool is_read(const std::string& method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

bool is_id(const std::string& s) {
  return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

RestError no_route() {
  return RestError{404, "rest_no_route", "No route was found matching the URL and request method."};
}

enum class Perm { View, Create, Edit, Delete, Batch };

RestError forbidden(Perm perm, bool collection) {
  switch (perm) {
    case Perm::View:
      return RestError{401, "woocommerce_rest_cannot_view",
                       collection ? "Sorry, you cannot list resources." : "Sorry, you cannot view this resource."};
    case Perm::Create:
      return RestError{401, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."};
    case Perm::Edit:
      return RestError{401, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."};
    case Perm::Delete:
      return RestError{401, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."};
    case Perm::Batch:
      return RestError{401, "woocommerce_rest_cannot_batch",
                       "Sorry, you are not allowed to batch manipulate this resource."};
  }
  return no_route();
}

bool force_flag(const Query& q) {
  auto v = q.get("force");
  return v && util::as_boolean(json(*v)).value_or(false);
}

std::string batch_error_entry(std::int64_t id, const RestError& e) {
  std::string out = "{\"id\":" + std::to_string(id) + ",\"error\":";
  out += error_body(e);
  out += '}';
  return out;
}

}  // namespace

// ---- entry --------------------------------------------------------------------------

void Simulator::Impl::handle(const http::ServerRequest& req, http::Respond respond) {
  // ---- NOT PART OF WOOCOMMERCE: simulator-only endpoints under /__sim/ ----
  if (req.path.starts_with("/__sim/")) {
    std::lock_guard lock(mu);
    auto r = sim_endpoint(req);
    respond(r ? std::move(*r) : json_response(404, "{\"error\":\"unknown simulator endpoint\"}"));
    return;
  }
  std::string route;
  if (req.path == "/wp-json" || req.path.starts_with("/wp-json/")) {
    route = req.path.substr(8);
    if (route.empty()) route = "/";
  } else if (auto rest_route = Query::parse(req.query).get("rest_route");
             rest_route && (req.path == "/" || req.path == "/index.php")) {
    route = *rest_route;  // plain permalinks: /?rest_route=/wc/v3/...
  } else {
    respond(html_response(404));  // the theme's 404 page, not the REST API
    return;
  }
  int latency = 0;
  std::optional<http::ServerResponse> out;
  if (req.method != "GET" && route.ends_with("/batch")) {
    std::function<void()> hook;
    {
      std::lock_guard lock(mu);
      hook = std::move(faults.before_batch);
      faults.before_batch = nullptr;
    }
    if (hook) hook();
  }
  {
    std::lock_guard lock(mu);
    latency = faults.latency_ms;
    ++counters.requests;
    rest_read = is_read(req.method);
    out = process(req, route, respond);
    rest_read = false;
    if (out && out->status == 401) ++counters.unauthorized;
  }
  if (out) replies.send(std::move(respond), std::move(*out), latency);
}

std::optional<http::ServerResponse> Simulator::Impl::injected_fault(const std::string& method) {
  (void)method;
  if (faults.rate_limit_next > 0) {
    --faults.rate_limit_next;
    ++counters.errors_injected;
    auto r = html_response(429);
    r.headers.push_back({"Retry-After", "1"});
    return r;
  }
  if (faults.fail_next > 0) {
    --faults.fail_next;
    ++counters.errors_injected;
    return html_response(injected_failures++ % 2 == 0 ? 500 : 504);
  }
  if (faults.error_rate > 0 && std::uniform_real_distribution<double>(0.0, 1.0)(dice) < faults.error_rate) {
    ++counters.errors_injected;
    return html_response(500);
  }
  return std::nullopt;
}

std::optional<http::ServerResponse> Simulator::Impl::process(const http::ServerRequest& req, const std::string& route,
                                                             http::Respond& respond) {
  std::string method = req.method;
  if (auto o = req.header("x-http-method-override"); !o.empty() && method == "POST") method = http::lower(o);
  std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
  if (is_read(method)) {
    ++counters.reads;
  } else {
    ++counters.writes;
  }
  Query q = Query::parse(req.query);
  if (auto f = injected_fault(method)) return f;

  try {
    Auth auth = authenticate(req, method, q);
    if (auth.kind == Auth::ReadOnly && !is_read(method)) {
      throw RestError{401, "woocommerce_rest_authentication_error",
                      "The API key provided does not have write permissions."};
    }

    std::vector<std::string> segs;
    for (std::size_t start = 0; start < route.size();) {
      auto slash = route.find('/', start);
      if (slash == std::string::npos) slash = route.size();
      if (slash > start) segs.push_back(route.substr(start, slash - start));
      start = slash + 1;
    }
    if (segs.empty()) {
      if (method != "GET") throw no_route();
      ojson index = {{"name", opts.name}, {"url", site_url}, {"home", site_url}, {"namespaces", {"wc/v3"}}};
      return json_response(200, util::php_json(index));
    }
    if (segs.size() < 2 || segs[0] != "wc" || segs[1] != "v3") throw no_route();
    segs.erase(segs.begin(), segs.begin() + 2);
    if (segs.empty()) {
      if (method != "GET") throw no_route();
      return json_response(200, util::php_json(ojson{{"namespace", "wc/v3"}, {"routes", ojson::object()}}));
    }

    // Match the route: resource, optional id, optional sub-resource, ...
    const std::string& res = segs[0];
    const std::size_t n = segs.size();
    bool collection = false, batch = false;
    bool known = false;
    if (res == "products" || res == "orders" || res == "webhooks") {
      if (n == 1) known = collection = true;
      else if (n == 2 && segs[1] == "batch") known = batch = true;
      else if (n == 2 && is_id(segs[1])) known = true;
      else if (n == 3 && is_id(segs[1])) {
        known = (res == "products" && segs[2] == "variations") ||
                (res == "orders" && (segs[2] == "notes" || segs[2] == "refunds"));
        collection = known;
      } else if (n == 4 && is_id(segs[1])) {
        if (res == "products" && segs[2] == "variations") {
          known = segs[3] == "batch" || is_id(segs[3]);
          batch = segs[3] == "batch";
        } else if (res == "orders" && (segs[2] == "notes" || segs[2] == "refunds")) {
          known = is_id(segs[3]);
        }
      }
    } else if (res == "system_status" && n == 1) {
      known = collection = true;
    }
    if (!known) throw no_route();

    const bool edit_method = method == "PUT" || method == "PATCH" || method == "POST";
    if (batch && method != "POST" && method != "PUT" && method != "PATCH") throw no_route();
    if (collection && method != "GET" && method != "POST") throw no_route();
    if (!collection && !batch && method != "GET" && method != "DELETE" && !edit_method) throw no_route();
    // Notes and refunds: no update route.
    bool sub_item = n == 4 && (segs[2] == "notes" || segs[2] == "refunds");
    if (sub_item && method != "GET" && method != "DELETE") throw no_route();
    if (res == "system_status" && method != "GET") throw no_route();

    Perm perm = method == "GET"    ? Perm::View
                : batch            ? Perm::Batch
                : method == "DELETE" ? Perm::Delete
                : collection       ? Perm::Create
                                   : Perm::Edit;
    if (auth.kind == Auth::Anonymous) throw forbidden(perm, collection);

    // Body: JSON only with a JSON content type, form fields with a form one;
    // WordPress ignores anything else.
    json body = json::object();
    if (!is_read(method) && !req.body.empty()) {
      std::string ct = http::lower(req.header("content-type"));
      if (ct.find("json") != std::string::npos) {
        body = json::parse(req.body, nullptr, false);
        if (body.is_discarded()) {
          RestError e{400, "rest_invalid_json", "Invalid JSON body passed."};
          e.data["json_error_code"] = 4;
          e.data["json_error_message"] = "Syntax error";
          throw e;
        }
      } else if (ct.find("application/x-www-form-urlencoded") != std::string::npos) {
        for (const auto& [k, v] : Query::parse(req.body).pairs) body[k] = v;
      }
    }

    const std::int64_t id = n >= 2 && is_id(segs[1]) ? std::stoll(segs[1]) : 0;
    const std::int64_t sub = n >= 4 && is_id(segs[3]) ? std::stoll(segs[3]) : 0;
    const std::string rest_base = "/wc/v3/" + res + (n >= 3 ? "/" + segs[1] + "/" + segs[2] : std::string());

    auto list_answer = [&](const ListAnswer& a, const Paging& p) {
      auto r = json_response(200, a.body);
      std::int64_t pages = a.total == 0 ? 0 : (a.total + p.per_page - 1) / p.per_page;
      r.headers.push_back({"X-WP-Total", std::to_string(a.total)});
      r.headers.push_back({"X-WP-TotalPages", std::to_string(pages)});
      // Link: prev/next only (the core controller adds no first/last).
      std::string base = base_url + "/wp-json" + rest_base + "?";
      std::string others;
      for (const auto& [k, v] : q.raw) {
        if (k == "page") continue;
        others += k + (v.empty() ? "" : "=" + v) + "&";
      }
      std::vector<std::string> links;
      if (p.page > 1) {
        std::int64_t prev = std::min<std::int64_t>(p.page - 1, pages);
        if (prev >= 1) links.push_back("<" + base + others + "page=" + std::to_string(prev) + ">; rel=\"prev\"");
      }
      if (pages > p.page) links.push_back("<" + base + others + "page=" + std::to_string(p.page + 1) + ">; rel=\"next\"");
      if (!links.empty()) {
        std::string value;
        for (const auto& l : links) value += (value.empty() ? "" : ", ") + l;
        r.headers.push_back({"Link", value});
      }
      return r;
    };
    auto created = [&](std::string json_body, const std::string& location) {
      auto r = json_response(201, std::move(json_body));
      r.headers.push_back({"Location", base_url + "/wp-json/wc/v3/" + location});
      return r;
    };

    // Batch: create -> update -> delete, each item on its own; 413 over 100.
    auto run_batch = [&](auto create_one, auto update_one, auto delete_one) {
      if (!body.is_object()) throw RestError{400, "rest_invalid_json", "Invalid JSON body passed."};
      std::size_t total = 0;
      for (const char* k : {"create", "update", "delete"}) {
        if (body.contains(k) && body[k].is_array()) total += body[k].size();
      }
      if (total > 100) {
        throw RestError{413, "woocommerce_rest_request_entity_too_large",
                        "Unable to accept more than 100 items for this request."};
      }
      ++counters.batch_requests;
      counters.batch_items += total;
      int limit = faults.fail_batch_after_items;
      if (limit >= 0) faults.fail_batch_after_items = -1;
      int done = 0;
      bool cut = false;
      auto budget = [&] {
        if (limit >= 0 && done >= limit) cut = true;
        return !cut;
      };
      std::string out = "{";
      bool first_key = true;
      auto section = [&](const char* key, auto each) {
        if (!body.contains(key) || !body[key].is_array()) return;
        out += std::string(first_key ? "" : ",") + "\"" + key + "\":[";
        first_key = false;
        bool first = true;
        for (const auto& item : body[key]) {
          if (!budget()) break;
          std::string entry;
          if (!each(item, entry)) continue;
          ++done;
          out += (first ? "" : ",") + entry;
          first = false;
        }
        out += "]";
      };
      section("create", [&](const json& item, std::string& entry) {
        try {
          entry = create_one(item);
        } catch (const RestError& e) {
          entry = batch_error_entry(0, e);
        }
        return true;
      });
      section("update", [&](const json& item, std::string& entry) {
        std::int64_t item_id = item.is_object() && item.contains("id") ? util::as_integer(item["id"]).value_or(0) : 0;
        try {
          entry = update_one(item_id, item);
        } catch (const RestError& e) {
          entry = batch_error_entry(item_id, e);
        }
        return true;
      });
      section("delete", [&](const json& item, std::string& entry) {
        std::int64_t item_id = util::as_integer(item).value_or(0);
        if (item_id == 0) return false;  // skipped, as WooCommerce does
        try {
          entry = delete_one(item_id);
        } catch (const RestError& e) {
          entry = batch_error_entry(item_id, e);
        }
        return true;
      });
      out += "}";
      if (cut) {
        // The host gave up mid-batch: the items so far are applied, the
        // answer is an HTML error page.
        ++counters.errors_injected;
        return html_response(500);
      }
      return json_response(200, out);
    };

    // ---- products and variations ----
    if (res == "products") {
      const bool variations = n >= 3;
      if (!variations && collection) {
        if (method == "GET") {
          Paging p = parse_paging(q);
          return list_answer(list_products(q, p, std::nullopt), p);
        }
        auto pid = create_product(body, 0, false);
        return created(product_json(products.at(pid), Shape::Product), "products/" + std::to_string(pid));
      }
      if (!variations && batch) {
        return run_batch(
            [&](const json& item) { return product_json(products.at(create_product(item, 0, false)), Shape::Product); },
            [&](std::int64_t item_id, const json& item) {
              Product& p = product_or_throw(item_id, true, Shape::Product);
              update_product(p, item, false);
              return product_json(p, Shape::Product);
            },
            [&](std::int64_t item_id) { return delete_product(item_id, true, Shape::Product, 0); });
      }
      if (!variations) {
        if (method == "GET") {
          auto fields = q.list("_fields");
          return json_response(200, product_json(product_or_throw(id, false, Shape::Product), Shape::Product,
                                                  fields.empty() ? nullptr : &fields));
        }
        if (method == "DELETE") return json_response(200, delete_product(id, force_flag(q), Shape::Product, 0));
        Product& p = product_or_throw(id, true, Shape::Product);
        update_product(p, body, false);
        return json_response(200, product_json(p, Shape::Product));
      }
      // /products/{id}/variations...
      if (collection) {
        if (method == "GET") {
          Paging p = parse_paging(q);
          return list_answer(list_products(q, p, id), p);
        }
        auto vid = create_product(body, id, true);
        return created(product_json(products.at(vid), Shape::Variation),
                       "products/" + std::to_string(id) + "/variations/" + std::to_string(vid));
      }
      if (batch) {
        return run_batch(
            [&](const json& item) { return product_json(products.at(create_product(item, id, true)), Shape::Variation); },
            [&](std::int64_t item_id, const json& item) {
              Product& p = product_or_throw(item_id, true, Shape::Variation, id);
              update_product(p, item, true);
              return product_json(p, Shape::Variation);
            },
            [&](std::int64_t item_id) { return delete_product(item_id, true, Shape::Variation, id); });
      }
      if (method == "GET") {
        auto fields = q.list("_fields");
        return json_response(200, product_json(product_or_throw(sub, false, Shape::Variation, id), Shape::Variation,
                                                fields.empty() ? nullptr : &fields));
      }
      if (method == "DELETE") return json_response(200, delete_product(sub, force_flag(q), Shape::Variation, id));
      Product& p = product_or_throw(sub, true, Shape::Variation, id);
      update_product(p, body, true);
      return json_response(200, product_json(p, Shape::Variation));
    }

    // ---- orders, notes, refunds ----
    if (res == "orders") {
      if (n == 1) {
        if (method == "GET") {
          Paging p = parse_paging(q);
          return list_answer(list_orders(q, p), p);
        }
        auto oid = create_order(body);
        return created(util::php_json(order_json(orders.at(oid))), "orders/" + std::to_string(oid));
      }
      if (batch) {
        return run_batch([&](const json& item) { return util::php_json(order_json(orders.at(create_order(item)))); },
                         [&](std::int64_t item_id, const json& item) {
                           Order& o = order_or_throw(item_id, true);
                           update_order(o, item);
                           return util::php_json(order_json(o));
                         },
                         [&](std::int64_t item_id) { return delete_order(item_id, true); });
      }
      if (n == 2) {
        if (method == "GET") return json_response(200, util::php_json(order_json(order_or_throw(id, false))));
        if (method == "DELETE") return json_response(200, delete_order(id, force_flag(q)));
        Order& o = order_or_throw(id, true);
        update_order(o, body);
        return json_response(200, util::php_json(order_json(o)));
      }
      auto oit = orders.find(id);
      if (oit == orders.end()) throw RestError{404, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID."};
      Order& o = oit->second;
      if (segs[2] == "notes") {
        if (n == 3 && method == "GET") {
          std::string type = q.get("type").value_or("any");
          if (type != "any" && type != "customer" && type != "internal") {
            throw invalid_param("type", "type is not one of any, customer, and internal.");
          }
          ojson list = ojson::array();
          for (auto it = o.notes.rbegin(); it != o.notes.rend(); ++it) {
            if (type == "customer" && !it->customer_note) continue;
            if (type == "internal" && it->customer_note) continue;
            list.push_back(note_json(o, *it));
          }
          return json_response(200, util::php_json(list));
        }
        if (n == 3) {
          auto note = body.find("note");
          if (note == body.end() || !note->is_string() || note->get<std::string>().empty()) {
            RestError e{400, "rest_missing_callback_param", "Missing parameter(s): note"};
            e.data["params"] = {"note"};
            throw e;
          }
          bool customer = body.contains("customer_note") && util::as_boolean(body["customer_note"]).value_or(false);
          bool by_user = body.contains("added_by_user") && util::as_boolean(body["added_by_user"]).value_or(false);
          add_note(o, note->get<std::string>(), customer, by_user);
          return created(util::php_json(note_json(o, o.notes.back())),
                         "orders/" + std::to_string(id) + "/notes/" + std::to_string(o.notes.back().id));
        }
        auto nit = std::find_if(o.notes.begin(), o.notes.end(), [&](const NoteRec& r) { return r.id == sub; });
        if (nit == o.notes.end()) throw RestError{404, "woocommerce_rest_invalid_id", "Invalid resource ID."};
        if (method == "GET") return json_response(200, util::php_json(note_json(o, *nit)));
        if (!force_flag(q)) {
          throw RestError{501, "woocommerce_rest_trash_not_supported",
                          "The resource does not support trashing."};
        }
        std::string before = util::php_json(note_json(o, *nit));
        o.notes.erase(nit);
        return json_response(200, before);
      }
      // refunds
      if (n == 3 && method == "GET") {
        ojson list = ojson::array();
        for (auto it = o.refunds.rbegin(); it != o.refunds.rend(); ++it) list.push_back(refund_json(o, *it));
        auto r = json_response(200, util::php_json(list));
        r.headers.push_back({"X-WP-Total", std::to_string(o.refunds.size())});
        r.headers.push_back({"X-WP-TotalPages", o.refunds.empty() ? "0" : "1"});
        return r;
      }
      if (n == 3) {
        bool api_refund = !body.contains("api_refund") || util::as_boolean(body["api_refund"]).value_or(true);
        bool api_restock = !body.contains("api_restock") || util::as_boolean(body["api_restock"]).value_or(true);
        std::vector<RefundItem> lines;
        double line_sum = 0;
        if (auto li = body.find("line_items"); li != body.end() && li->is_array()) {
          for (const auto& item : *li) {
            if (!item.is_object()) continue;
            RefundItem rl;
            rl.item_id = util::as_integer(item.value("id", json(0))).value_or(0);
            rl.quantity = static_cast<int>(util::as_integer(item.value("quantity", json(0))).value_or(0));
            auto total = item.value("refund_total", json(0));
            rl.total = total.is_string() ? std::atof(total.get<std::string>().c_str())
                       : total.is_number() ? total.get<double>()
                                           : 0.0;
            line_sum += rl.total;
            lines.push_back(rl);
          }
        }
        double amount = line_sum;
        if (auto a = body.find("amount"); a != body.end() && !a->is_null()) {
          amount = a->is_string() ? std::atof(a->get<std::string>().c_str()) : a->is_number() ? a->get<double>() : 0.0;
        }
        if (amount < 0) {
          throw RestError{400, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero."};
        }
        // api_refund asks the payment gateway to pay back; the simulated
        // store's gateways cannot, as many real ones cannot.
        if (api_refund) {
          throw RestError{500, "woocommerce_rest_cannot_create_order_refund",
                          o.payment_method.empty() ? "The payment gateway for this order does not exist."
                                                   : "The payment gateway for this order does not support automatic refunds."};
        }
        std::string reason = body.contains("reason") && body["reason"].is_string() ? body["reason"].get<std::string>() : "";
        Refund& r = create_refund(o, amount, reason, lines, api_restock);
        return created(util::php_json(refund_json(o, r)),
                       "orders/" + std::to_string(id) + "/refunds/" + std::to_string(r.id));
      }
      auto rit = std::find_if(o.refunds.begin(), o.refunds.end(), [&](const Refund& r) { return r.id == sub; });
      if (rit == o.refunds.end()) throw RestError{404, "woocommerce_rest_invalid_id", "Invalid ID."};
      if (method == "GET") return json_response(200, util::php_json(refund_json(o, *rit)));
      if (!force_flag(q)) {
        throw RestError{501, "woocommerce_rest_trash_not_supported", "Refunds do not support trashing."};
      }
      std::string before = util::php_json(refund_json(o, *rit));
      for (const auto& rl : rit->lines) {
        for (auto& line : o.lines) {
          if (line.id == rl.item_id) line.refunded_qty = std::max(0, line.refunded_qty - rl.quantity);
        }
      }
      o.refunds.erase(rit);
      order_saved(o);
      return json_response(200, before);
    }

    // ---- webhooks ----
    if (res == "webhooks") {
      auto create_hook = [&](const json& item, bool& ping) {
        Webhook h;
        h.id = next_webhook_id;
        h.created = util::now_seconds();
        ping = apply_webhook_body(h, item, true, auth);
        ++next_webhook_id;
        return webhooks.emplace(h.id, std::move(h)).first->second.id;
      };
      auto queue_ping = [&](const Webhook& h, std::function<void()> done) {
        DeliveryJob job;
        job.ping = true;
        job.webhook_id = h.id;
        job.ping_url = h.delivery_url;
        job.done = std::move(done);
        enqueue(std::move(job), std::chrono::milliseconds(0));
      };
      if (n == 1) {
        if (method == "GET") {
          Paging p = parse_paging(q);
          std::string status = q.get("status").value_or("all");
          if (status != "all" && status != "active" && status != "paused" && status != "disabled") {
            throw invalid_param("status", "status is not one of all, active, paused, and disabled.");
          }
          std::vector<const Webhook*> found;
          for (const auto& [wid, h] : webhooks) {
            if (status == "all" || h.status == status) found.push_back(&h);
          }
          if (q.get("order").value_or("desc") == "desc") std::reverse(found.begin(), found.end());
          ListAnswer a;
          a.total = static_cast<std::int64_t>(found.size());
          auto [b, e] = page_window(p, a.total);
          ojson list = ojson::array();
          for (auto i = b; i < e; ++i) list.push_back(webhook_json(*found[static_cast<std::size_t>(i)]));
          a.body = util::php_json(list);
          return list_answer(a, p);
        }
        bool ping = false;
        auto wid = create_hook(body, ping);
        const Webhook& h = webhooks.at(wid);
        auto response = created(util::php_json(webhook_json(h)), "webhooks/" + std::to_string(wid));
        if (!ping || !hook_client) return response;
        // The REST create answers after its ping went out, as WooCommerce's does.
        int latency = faults.latency_ms;
        queue_ping(h, [this, respond = std::move(respond), response, latency]() mutable {
          replies.send(std::move(respond), std::move(response), latency);
        });
        return std::nullopt;
      }
      if (batch) {
        return run_batch(
            [&](const json& item) {
              bool ping = false;
              auto wid = create_hook(item, ping);
              if (ping) queue_ping(webhooks.at(wid), nullptr);
              return util::php_json(webhook_json(webhooks.at(wid)));
            },
            [&](std::int64_t item_id, const json& item) {
              Webhook& h = webhook_or_throw(item_id, true);
              if (apply_webhook_body(h, item, false, auth)) queue_ping(h, nullptr);
              return util::php_json(webhook_json(h));
            },
            [&](std::int64_t item_id) {
              Webhook& h = webhook_or_throw(item_id, false);
              std::string before = util::php_json(webhook_json(h));
              webhooks.erase(item_id);
              return before;
            });
      }
      if (method == "GET") return json_response(200, util::php_json(webhook_json(webhook_or_throw(id, false))));
      if (method == "DELETE") {
        Webhook& h = webhook_or_throw(id, false);
        if (!force_flag(q)) {
          throw RestError{501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."};
        }
        std::string before = util::php_json(webhook_json(h));
        webhooks.erase(id);
        return json_response(200, before);
      }
      Webhook& h = webhook_or_throw(id, true);
      if (apply_webhook_body(h, body, false, auth)) queue_ping(h, nullptr);
      return json_response(200, util::php_json(webhook_json(h)));
    }

    // ---- system_status (a small part of it) ----
    ojson status = {{"environment",
                     {{"home_url", site_url},
                      {"site_url", site_url},
                      {"version", "9.4.0"},
                      {"wp_version", "6.6.2"},
                      {"wp_multisite", false},
                      {"server_info", "nginx"}}},
                    {"settings",
                     {{"api_enabled", true},
                      {"force_ssl", false},
                      {"currency", "EUR"},
                      {"currency_symbol", "\u20ac"},
                      {"woocommerce_manage_stock", "yes"},
                      {"timezone_offset_minutes", opts.utc_offset_minutes}}}};
    return json_response(200, util::php_json(status));
  } catch (const RestError& e) {
    return error_response(e);
  }
}

// ---- NOT PART OF WOOCOMMERCE ----------------------------------------------------------
// Simulator-only endpoints for tools that run the simulator out of process
// (stockrelay-sim): counters, fault knobs, and the shop's own checkout/admin.
// No authentication; never under /wp-json.
std::optional<http::ServerResponse> Simulator::Impl::sim_endpoint(const http::ServerRequest& req) {
  auto counters_json = [&] {
    return json{{"requests", counters.requests},
                {"reads", counters.reads},
                {"writes", counters.writes},
                {"batch_requests", counters.batch_requests},
                {"batch_items", counters.batch_items},
                {"errors_injected", counters.errors_injected},
                {"unauthorized", counters.unauthorized},
                {"webhooks_sent", counters.webhooks_sent},
                {"webhooks_failed", counters.webhooks_failed},
                {"webhooks_dropped", counters.webhooks_dropped},
                {"stock_writes", counters.stock_writes},
                {"manual_overwritten", counters.manual_overwritten}};
  };
  auto faults_json = [&] {
    return json{{"latency_ms", faults.latency_ms},
                {"fail_next", faults.fail_next},
                {"fail_batch_after_items", faults.fail_batch_after_items},
                {"rate_limit_next", faults.rate_limit_next},
                {"error_rate", faults.error_rate},
                {"webhook_drop_rate", faults.webhook_drop_rate},
                {"webhook_duplicate_rate", faults.webhook_duplicate_rate},
                {"webhook_reorder_rate", faults.webhook_reorder_rate}};
  };
  auto bad = [](const std::string& why) { return json_response(400, json{{"error", why}}.dump()); };
  if (req.path == "/__sim/counters" && req.method == "GET") return json_response(200, counters_json().dump());
  if (req.path == "/__sim/faults" && req.method == "GET") return json_response(200, faults_json().dump());
  json body = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
  if (req.method != "POST") return std::nullopt;
  if (body.is_discarded() || !body.is_object()) return bad("body must be a JSON object");
  try {
    if (req.path == "/__sim/faults") {
      faults.latency_ms = body.value("latency_ms", faults.latency_ms);
      faults.fail_next = body.value("fail_next", faults.fail_next);
      faults.fail_batch_after_items = body.value("fail_batch_after_items", faults.fail_batch_after_items);
      faults.rate_limit_next = body.value("rate_limit_next", faults.rate_limit_next);
      faults.error_rate = body.value("error_rate", faults.error_rate);
      faults.webhook_drop_rate = body.value("webhook_drop_rate", faults.webhook_drop_rate);
      faults.webhook_duplicate_rate = body.value("webhook_duplicate_rate", faults.webhook_duplicate_rate);
      faults.webhook_reorder_rate = body.value("webhook_reorder_rate", faults.webhook_reorder_rate);
      return json_response(200, faults_json().dump());
    }
    if (req.path == "/__sim/orders") {
      std::vector<LineSpec> lines;
      for (const auto& l : body.value("lines", json::array())) {
        lines.push_back({l.at("sku").get<std::string>(), l.value("quantity", 1)});
      }
      auto id = place_order(lines, body.value("status", std::string("processing")));
      return json_response(201, json{{"id", id}}.dump());
    }
    if (req.path == "/__sim/stock") {
      Product* p = product_by_sku(body.at("sku").get<std::string>());
      if (!p) return bad("unknown SKU");
      Product* owner = p;
      if (!p->manage_stock && p->type == PType::Variation && stock_owner(*p)) owner = stock_owner(*p);
      auto stock = body.at("stock");
      owner->manage_stock = !stock.is_null();
      if (!stock.is_null()) owner->stock = stock.get<int>();
      if (stock.is_null()) owner->backorders = Backorders::No;
      saved(*owner);
      return json_response(200, product_json(*p, Shape::Product));
    }
  } catch (const std::exception& e) {
    return bad(e.what());
  }
  return std::nullopt;
}

}  // namespace woo_sim
