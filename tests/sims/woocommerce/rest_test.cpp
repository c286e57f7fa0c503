// The simulator's REST API over real HTTP: auth, errors, paging, the SKU
// filter, modified_after, unique SKUs, manage_stock rules and batches
// (woocommerce.md §12 items 1-8).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "test_support.hpp"

using namespace woo_sim;
using namespace woo_sim::testing;

namespace {

std::string enc(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// One-legged OAuth 1.0a as a WooCommerce client library signs a URL.
std::string oauth_url(const std::string& method, const std::string& url, std::map<std::string, std::string> params,
                      const std::string& key, const std::string& secret, const std::string& algo,
                      std::int64_t timestamp, const std::string& nonce) {
  params["oauth_consumer_key"] = key;
  params["oauth_timestamp"] = std::to_string(timestamp);
  params["oauth_nonce"] = nonce;
  params["oauth_signature_method"] = algo;
  std::string joined;
  for (const auto& [k, v] : params) joined += (joined.empty() ? "" : "&") + enc(k) + "=" + enc(v);
  std::string base = method + "&" + enc(url) + "&" + enc(joined);
  std::string signing_key = secret + "&";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(algo == "HMAC-SHA1" ? EVP_sha1() : EVP_sha256(), signing_key.data(), static_cast<int>(signing_key.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &len);
  params["oauth_signature"] = stockrelay::http::base64_encode(std::string(reinterpret_cast<char*>(digest), len));
  std::string query;
  for (const auto& [k, v] : params) query += (query.empty() ? "" : "&") + enc(k) + "=" + enc(v);
  return url + "?" + query;
}

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

http::Response raw_get(const std::string& url, std::vector<http::Header> headers = {}) {
  http::Client client("raw", no_retries());
  http::Request r;
  r.url = url;
  r.headers = std::move(headers);
  return client.send(r);
}

struct Shop {
  explicit Shop(Options o = {}) : sim(std::move(o)) { sim.start(); }
  Simulator sim;
};

}  // namespace

// ---- 1. authentication ------------------------------------------------------------------

TEST_CASE("auth: Basic and query-string keys are accepted") {
  Shop shop;
  shop.sim.add_simple("A-1", 5);
  Api api(shop.sim);
  CHECK(api.get("/products").status == 200);
  auto url = api.url("/products?consumer_key=" + shop.sim.consumer_key() +
                     "&consumer_secret=" + shop.sim.consumer_secret());
  auto r = raw_get(url);
  CHECK(r.status == 200);
  CHECK(body_of(r).size() == 1);
}

TEST_CASE("auth: the exact 401 codes for wrong secret, unknown key and no credentials") {
  Shop shop;
  Api api(shop.sim);
  auto basic = [&](const std::string& user, const std::string& pass) {
    return http::Header{"Authorization", "Basic " + stockrelay::http::base64_encode(user + ":" + pass)};
  };
  auto wrong_secret = raw_get(api.url("/products"), {basic(shop.sim.consumer_key(), "cs_wrong")});
  CHECK(error_code(wrong_secret, 401) == "woocommerce_rest_authentication_error");
  CHECK(body_of(wrong_secret)["message"] == "Consumer secret is invalid.");
  // An unknown key on the Basic path sets no error: anonymous, then refused by permission.
  CHECK(error_code(raw_get(api.url("/products"), {basic("ck_nobody", "cs_x")}), 401) == "woocommerce_rest_cannot_view");
  CHECK(error_code(raw_get(api.url("/products")), 401) == "woocommerce_rest_cannot_view");
  CHECK(error_code(api.send("POST", "/products", "{}", {}, false), 401) == "woocommerce_rest_cannot_create");
  CHECK(error_code(api.send("PUT", "/products/1", "{}", {}, false), 401) == "woocommerce_rest_cannot_edit");
  CHECK(error_code(api.send("DELETE", "/products/1", "", {}, false), 401) == "woocommerce_rest_cannot_delete");
  CHECK(error_code(api.send("POST", "/products/batch", "{}", {}, false), 401) == "woocommerce_rest_cannot_batch");
  // A wrong secret fails before routing, even on an unknown route.
  CHECK(error_code(raw_get(api.url("/nowhere"), {basic(shop.sim.consumer_key(), "cs_wrong")}), 401) ==
        "woocommerce_rest_authentication_error");
  CHECK(shop.sim.counters().unauthorized == 8);
}

TEST_CASE("auth: a read-only key reads but cannot write") {
  Options o;
  o.read_only_key = "ck_readonly";
  o.read_only_secret = "cs_readonly";
  Shop shop(o);
  auto auth = http::Header{"Authorization", "Basic " + stockrelay::http::base64_encode("ck_readonly:cs_readonly")};
  Api api(shop.sim);
  CHECK(raw_get(api.url("/products"), {auth}).status == 200);
  http::Client client("ro", no_retries());
  http::Request r;
  r.method = "POST";
  r.url = api.url("/products");
  r.body = R"({"name":"x"})";
  r.headers = {auth, {"Content-Type", "application/json"}};
  auto resp = client.send(r);
  CHECK(error_code(resp, 401) == "woocommerce_rest_authentication_error");
  CHECK(body_of(resp)["message"] == "The API key provided does not have write permissions.");
}

TEST_CASE("auth: strict_https_auth refuses Basic and query keys like WordPress over plain HTTP") {
  Options o;
  o.strict_https_auth = true;
  Shop shop(o);
  Api api(shop.sim);
  CHECK(error_code(api.get("/products"), 401) == "woocommerce_rest_cannot_view");
  auto url = api.url("/products?consumer_key=" + shop.sim.consumer_key() +
                     "&consumer_secret=" + shop.sim.consumer_secret());
  CHECK(error_code(raw_get(url), 401) == "woocommerce_rest_cannot_view");
  // OAuth still works.
  auto signed_url = oauth_url("GET", api.url("/products"), {{"per_page", "5"}}, shop.sim.consumer_key(),
                              shop.sim.consumer_secret(), "HMAC-SHA1", now(), "n1");
  CHECK(raw_get(signed_url).status == 200);
}

TEST_CASE("auth: OAuth 1.0a with HMAC-SHA1 and HMAC-SHA256, query and header forms") {
  Shop shop;
  shop.sim.add_simple("A-1", 5);
  Api api(shop.sim);
  const auto& ck = shop.sim.consumer_key();
  const auto& cs = shop.sim.consumer_secret();
  auto sha1 = raw_get(oauth_url("GET", api.url("/products"), {{"sku", "A-1"}}, ck, cs, "HMAC-SHA1", now(), "a"));
  CHECK(sha1.status == 200);
  CHECK(body_of(sha1).size() == 1);
  CHECK(raw_get(oauth_url("GET", api.url("/products"), {}, ck, cs, "HMAC-SHA256", now(), "b")).status == 200);

  // Authorization: OAuth header carrying the same parameters.
  std::string signed_url = oauth_url("GET", api.url("/products"), {}, ck, cs, "HMAC-SHA256", now(), "c");
  std::string query = signed_url.substr(signed_url.find('?') + 1);
  std::string header = "OAuth ";
  for (std::size_t start = 0; start < query.size();) {
    auto amp = std::min(query.find('&', start), query.size());
    auto piece = query.substr(start, amp - start);
    auto eq = piece.find('=');
    header += (start ? ", " : "") + piece.substr(0, eq) + "=\"" + piece.substr(eq + 1) + "\"";
    start = amp + 1;
  }
  CHECK(raw_get(api.url("/products"), {{"Authorization", header}}).status == 200);
}

TEST_CASE("auth: OAuth failures answer the documented codes") {
  Shop shop;
  Api api(shop.sim);
  const auto& ck = shop.sim.consumer_key();
  const auto& cs = shop.sim.consumer_secret();
  auto missing = raw_get(api.url("/products?oauth_consumer_key=" + ck + "&oauth_nonce=x"));
  CHECK(error_code(missing, 401) == "woocommerce_rest_authentication_missing_parameter");
  CHECK(body_of(missing)["message"].get<std::string>().find("oauth_signature") != std::string::npos);

  auto unknown = raw_get(oauth_url("GET", api.url("/products"), {}, "ck_unknown", cs, "HMAC-SHA1", now(), "n1"));
  CHECK(error_code(unknown, 401) == "woocommerce_rest_authentication_error");
  CHECK(body_of(unknown)["message"] == "Consumer key is invalid.");

  auto bad_sig = raw_get(oauth_url("GET", api.url("/products"), {}, ck, "cs_other", "HMAC-SHA1", now(), "n2"));
  CHECK(error_code(bad_sig, 401) == "woocommerce_rest_authentication_error");
  CHECK(body_of(bad_sig)["message"] == "Invalid signature - provided signature does not match.");

  auto md5 = raw_get(oauth_url("GET", api.url("/products"), {}, ck, cs, "HMAC-MD5", now(), "n3"));
  CHECK(body_of(md5)["message"] == "Invalid signature - signature method is invalid.");

  // Outside the 15-minute window.
  auto old = raw_get(oauth_url("GET", api.url("/products"), {}, ck, cs, "HMAC-SHA1", now() - 16 * 60, "n4"));
  CHECK(error_code(old, 401) == "woocommerce_rest_authentication_error");
  CHECK(body_of(old)["message"] == "Invalid timestamp.");
  CHECK(raw_get(oauth_url("GET", api.url("/products"), {}, ck, cs, "HMAC-SHA1", now() - 14 * 60, "n5")).status == 200);

  // A nonce is good once.
  auto url = oauth_url("GET", api.url("/products"), {}, ck, cs, "HMAC-SHA1", now(), "once");
  CHECK(raw_get(url).status == 200);
  auto replay = raw_get(url);
  CHECK(error_code(replay, 401) == "woocommerce_rest_authentication_error");
  CHECK(body_of(replay)["message"] == "Invalid nonce - nonce has already been used.");
}

// ---- 2. error bodies -----------------------------------------------------------------------

TEST_CASE("errors: update of a missing id is 400, get and delete are 404, unknown route is rest_no_route") {
  Shop shop;
  Api api(shop.sim);
  CHECK(error_code(api.put("/products/424242", {{"name", "x"}}), 400) == "woocommerce_rest_product_invalid_id");
  CHECK(error_code(api.get("/products/424242"), 404) == "woocommerce_rest_product_invalid_id");
  CHECK(error_code(api.del("/products/424242?force=true"), 404) == "woocommerce_rest_product_invalid_id");
  CHECK(error_code(api.put("/orders/424242", {{"status", "completed"}}), 400) == "woocommerce_rest_shop_order_invalid_id");
  CHECK(error_code(api.get("/orders/424242"), 404) == "woocommerce_rest_shop_order_invalid_id");
  CHECK(error_code(api.get("/webhooks/77"), 404) == "woocommerce_rest_shop_webhook_invalid_id");
  CHECK(error_code(api.get("/nothing/here"), 404) == "rest_no_route");
  CHECK(error_code(api.get("/products/abc"), 404) == "rest_no_route");
  CHECK(error_code(api.send("PATCH", "/products"), 404) == "rest_no_route");
  CHECK(error_code(api.send("POST", "/products", "{not json"), 400) == "rest_invalid_json");
  auto r = api.get("/products/424242");
  CHECK(r.header("content-type").starts_with("application/json"));
  // A create with an id is refused.
  CHECK(error_code(api.post("/products", {{"id", 5}, {"name", "x"}}), 400) == "woocommerce_rest_product_exists");
}

TEST_CASE("errors: DELETE without force trashes a product, a second time is 410") {
  Shop shop;
  auto id = shop.sim.add_simple("T-1", 3);
  Api api(shop.sim);
  auto r = api.del("/products/" + std::to_string(id));
  CHECK(r.status == 200);
  CHECK(body_of(r)["status"] == "trash");
  CHECK(error_code(api.del("/products/" + std::to_string(id)), 410) == "woocommerce_rest_already_trashed");
  // Trashed products are not listed by default and free their SKU.
  CHECK(body_of(api.get("/products")).empty());
  CHECK(api.post("/products", {{"name", "again"}, {"sku", "T-1"}}).status == 201);
  CHECK(api.del("/products/" + std::to_string(id) + "?force=true").status == 200);
  CHECK(error_code(api.get("/products/" + std::to_string(id)), 404) == "woocommerce_rest_product_invalid_id");
}

// ---- 3. paging -----------------------------------------------------------------------------------

TEST_CASE("paging: per_page default 10, limits 1..100, totals, Link prev/next only, [] past the end") {
  Shop shop;
  for (int i = 1; i <= 25; ++i) shop.sim.add_simple("P-" + std::to_string(i), i);
  Api api(shop.sim);

  auto first = api.get("/products");
  CHECK(first.status == 200);
  CHECK(body_of(first).size() == 10);
  CHECK(first.header("x-wp-total") == "25");
  CHECK(first.header("x-wp-totalpages") == "3");
  auto link = first.header("link");
  CHECK(link.find("rel=\"next\"") != std::string::npos);
  CHECK(link.find("page=2") != std::string::npos);
  CHECK(link.find("rel=\"prev\"") == std::string::npos);
  CHECK(link.find("first") == std::string::npos);
  CHECK(link.find("last") == std::string::npos);

  auto middle = api.get("/products?page=2&per_page=10");
  CHECK(middle.header("link").find("rel=\"prev\"") != std::string::npos);
  CHECK(middle.header("link").find("rel=\"next\"") != std::string::npos);

  auto last = api.get("/products?page=3");
  CHECK(body_of(last).size() == 5);
  CHECK(last.header("link").find("rel=\"next\"") == std::string::npos);

  auto past = api.get("/products?page=9");
  CHECK(past.status == 200);
  CHECK(past.body == "[]");
  CHECK(past.header("x-wp-total") == "25");
  CHECK(past.header("x-wp-totalpages") == "3");

  for (const char* bad : {"per_page=0", "per_page=101", "per_page=abc", "page=0"}) {
    auto r = api.get(std::string("/products?") + bad);
    CHECK(error_code(r, 400) == "rest_invalid_param");
    CHECK(body_of(r)["data"].contains("params"));
  }
  CHECK(body_of(api.get("/products?per_page=100")).size() == 25);
  CHECK(body_of(api.get("/products?per_page=1")).size() == 1);
}

TEST_CASE("paging: default order is newest first, orderby id asc and offset work") {
  Shop shop;
  std::vector<std::int64_t> ids;
  for (int i = 1; i <= 5; ++i) ids.push_back(shop.sim.add_simple("O-" + std::to_string(i), 1));
  Api api(shop.sim);
  auto desc = body_of(api.get("/products"));
  CHECK(desc[0]["id"] == ids.back());
  auto asc = body_of(api.get("/products?orderby=id&order=asc"));
  CHECK(asc[0]["id"] == ids.front());
  auto off = body_of(api.get("/products?orderby=id&order=asc&offset=3&per_page=10"));
  REQUIRE(off.size() == 2);
  CHECK(off[0]["id"] == ids[3]);
  CHECK(error_code(api.get("/products?orderby=nonsense"), 400) == "rest_invalid_param");
}

TEST_CASE("paging: walking a generated catalogue sees every top-level product exactly once") {
  Options o;
  o.seed = 7;
  Shop shop(o);
  shop.sim.generate_catalog(2000, "G");
  Api api(shop.sim);
  std::set<std::int64_t> seen;
  int pages = 0;
  std::string total;
  for (int page = 1;; ++page) {
    auto r = api.get("/products?per_page=100&_fields=id,sku&page=" + std::to_string(page));
    REQUIRE(r.status == 200);
    auto list = body_of(r);
    total = r.header("x-wp-total");
    if (list.empty()) break;
    ++pages;
    for (const auto& p : list) CHECK(seen.insert(p["id"].get<std::int64_t>()).second);
  }
  std::size_t top_level = 0;
  for (const auto& p : shop.sim.products()) top_level += p.type != "variation";
  CHECK(seen.size() == top_level);
  CHECK(total == std::to_string(top_level));
  CHECK(pages == static_cast<int>((top_level + 99) / 100));
}

// ---- 4. SKU filter ----------------------------------------------------------------------------------

TEST_CASE("sku filter: exact match, comma lists, variations with type variation and parent_id") {
  Shop shop;
  shop.sim.add_simple("AB-1", 1);
  shop.sim.add_simple("AB-10", 2);
  auto parent = shop.sim.add_variable("SHIRT", "Shirt");
  auto red = shop.sim.add_variation(parent, "SHIRT-RED", ManageMode::Own, 4);
  Api api(shop.sim);

  auto exact = body_of(api.get("/products?sku=AB-1"));
  REQUIRE(exact.size() == 1);
  CHECK(exact[0]["sku"] == "AB-1");
  CHECK(body_of(api.get("/products?sku=AB")).empty());

  auto list = body_of(api.get("/products?sku=AB-1,AB-10,SHIRT-RED"));
  CHECK(list.size() == 3);

  auto variation = body_of(api.get("/products?sku=SHIRT-RED"));
  REQUIRE(variation.size() == 1);
  CHECK(variation[0]["id"] == red);
  CHECK(variation[0]["type"] == "variation");
  CHECK(variation[0]["parent_id"] == parent);
  CHECK(variation[0]["stock_quantity"] == 4);

  // Without sku the list holds top-level products only.
  for (const auto& p : body_of(api.get("/products?per_page=100"))) CHECK(p["type"] != "variation");
  // The variations endpoint has no parent_id/type; /products/{vid} has both.
  auto v = body_of(api.get("/products/" + std::to_string(parent) + "/variations/" + std::to_string(red)));
  CHECK_FALSE(v.contains("parent_id"));
  CHECK_FALSE(v.contains("type"));
  auto as_product = body_of(api.get("/products/" + std::to_string(red)));
  CHECK(as_product["type"] == "variation");
  CHECK(as_product["parent_id"] == parent);
}

// ---- 5. modified_after ---------------------------------------------------------------------------------

TEST_CASE("modified_after: exclusive, one-second resolution, dates_are_gmt and the site offset") {
  Options o;
  o.utc_offset_minutes = 120;
  Shop shop(o);
  auto id = shop.sim.add_simple("M-1", 5);
  Api api(shop.sim);
  auto p = body_of(api.get("/products/" + std::to_string(id)));
  std::string gmt = p["date_modified_gmt"];
  std::string local = p["date_modified"];
  CHECK(gmt != local);

  auto count = [&](const std::string& query) { return body_of(api.get("/products?" + query)).size(); };
  // Exclusive: the exact second does not match.
  CHECK(count("modified_after=" + gmt + "&dates_are_gmt=true") == 0);
  // One second earlier matches; fractions are cut to the second.
  std::tm tm{};
  strptime(gmt.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  std::time_t t = timegm(&tm) - 1;
  char earlier[32];
  std::strftime(earlier, sizeof earlier, "%Y-%m-%dT%H:%M:%S", gmtime(&t));
  CHECK(count(std::string("modified_after=") + earlier + "&dates_are_gmt=true") == 1);
  CHECK(count(std::string("modified_after=") + earlier + ".999&dates_are_gmt=true") == 1);
  // Without dates_are_gmt the value is site time: the local stamp is exact,
  // a GMT stamp read as site time reaches two hours further back.
  CHECK(count("modified_after=" + local) == 0);
  CHECK(count("modified_after=" + gmt) == 1);
  CHECK(count("modified_after=" + gmt + "Z") == 0);  // an explicit zone wins
  CHECK(count("modified_before=" + gmt + "&dates_are_gmt=true") == 0);
  CHECK(error_code(api.get("/products?modified_after=yesterday"), 400) == "rest_invalid_param");
}

TEST_CASE("modified_after: a save bumps date_modified_gmt, a variation save bumps its parent too") {
  Shop shop;
  auto parent = shop.sim.add_variable("V", "Vest");
  auto child = shop.sim.add_variation(parent, "V-S", ManageMode::Own, 3);
  Api api(shop.sim);
  std::string before = body_of(api.get("/products/" + std::to_string(parent)))["date_modified_gmt"];
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto r = api.put("/products/" + std::to_string(parent) + "/variations/" + std::to_string(child), {{"stock_quantity", 9}});
  CHECK(r.status == 200);
  auto found = body_of(api.get("/products?dates_are_gmt=true&modified_after=" + before));
  REQUIRE(found.size() == 1);
  CHECK(found[0]["id"] == parent);
  auto vars = body_of(api.get("/products/" + std::to_string(parent) + "/variations?dates_are_gmt=true&modified_after=" + before));
  REQUIRE(vars.size() == 1);
  CHECK(vars[0]["id"] == child);
}

// ---- 6. unique SKUs ---------------------------------------------------------------------------------------

TEST_CASE("unique sku: duplicates across products and variations are 400 product_invalid_sku with resource_id") {
  Shop shop;
  auto owner = shop.sim.add_simple("DUP", 1);
  auto parent = shop.sim.add_variable("PAR");
  auto var = shop.sim.add_variation(parent, "PAR-1", ManageMode::Own, 1);
  Api api(shop.sim);

  auto r = api.post("/products", {{"name", "copy"}, {"sku", "DUP"}});
  CHECK(error_code(r, 400) == "product_invalid_sku");
  CHECK(body_of(r)["data"]["resource_id"] == owner);

  auto v = api.post("/products/" + std::to_string(parent) + "/variations", {{"sku", "DUP"}});
  CHECK(error_code(v, 400) == "product_invalid_sku");

  auto u = api.put("/products/" + std::to_string(owner), {{"sku", "PAR-1"}});
  CHECK(error_code(u, 400) == "product_invalid_sku");
  CHECK(body_of(u)["data"]["resource_id"] == var);
  // The rejected write changed nothing.
  CHECK(shop.sim.product("DUP")->id == owner);
  CHECK_THROWS_AS(shop.sim.add_simple("PAR-1", 1), std::invalid_argument);
  // Saving a product with its own SKU is fine.
  CHECK(api.put("/products/" + std::to_string(owner), {{"sku", "DUP"}}).status == 200);
}

TEST_CASE("unique sku: inside a batch each duplicate item fails on its own") {
  Shop shop;
  auto owner = shop.sim.add_simple("B-1", 1);
  Api api(shop.sim);
  json batch = {{"create", {{{"name", "n1"}, {"sku", "B-2"}}, {{"name", "n2"}, {"sku", "B-1"}}, {{"name", "n3"}, {"sku", "B-2"}}}}};
  auto r = api.post("/products/batch", batch);
  CHECK(r.status == 200);
  auto b = body_of(r);
  REQUIRE(b["create"].size() == 3);
  CHECK(b["create"][0]["sku"] == "B-2");
  CHECK(b["create"][1]["id"] == 0);
  CHECK(b["create"][1]["error"]["code"] == "product_invalid_sku");
  CHECK(b["create"][1]["error"]["data"]["resource_id"] == owner);
  CHECK(b["create"][2]["id"] == 0);
  CHECK(b["create"][2]["error"]["data"]["resource_id"] == b["create"][0]["id"]);
}

// ---- 7. manage_stock ------------------------------------------------------------------------------------------

TEST_CASE("manage_stock: off means stock_quantity null, on recomputes stock_status, backorders allow negative") {
  Shop shop;
  Api api(shop.sim);
  auto created = body_of(api.post("/products", {{"name", "n"}, {"sku", "MS"}, {"stock_quantity", 7}}));
  CHECK(created["manage_stock"] == false);
  CHECK(created["stock_quantity"].is_null());  // quantity without manage_stock is ignored
  auto id = std::to_string(created["id"].get<std::int64_t>());

  auto on = body_of(api.put("/products/" + id, {{"manage_stock", true}, {"stock_quantity", 0}}));
  CHECK(on["stock_quantity"] == 0);
  CHECK(on["stock_status"] == "outofstock");
  auto some = body_of(api.put("/products/" + id, {{"stock_quantity", 3}, {"stock_status", "outofstock"}}));
  CHECK(some["stock_status"] == "instock");  // recomputed, the written status is ignored
  auto back = body_of(api.put("/products/" + id, {{"backorders", "notify"}, {"stock_quantity", -2}}));
  CHECK(back["stock_quantity"] == -2);
  CHECK(back["stock_status"] == "onbackorder");
  CHECK(back["backorders_allowed"] == true);
  auto off = body_of(api.put("/products/" + id, {{"manage_stock", false}, {"stock_status", "outofstock"}}));
  CHECK(off["stock_quantity"].is_null());
  CHECK(off["backorders"] == "no");
  CHECK(off["stock_status"] == "outofstock");
  CHECK(shop.sim.stock("MS") == std::nullopt);
  CHECK(shop.sim.counters().stock_writes == 4);  // null -> 0 -> 3 -> -2 -> null
}

TEST_CASE("manage_stock: parent-managed variations show the parent's quantity and ignore their own writes") {
  Shop shop;
  auto parent = shop.sim.add_variable("PM", "Cap", 12);
  auto own = shop.sim.add_variation(parent, "PM-OWN", ManageMode::Own, 2);
  auto pm = shop.sim.add_variation(parent, "PM-PAR", ManageMode::Parent);
  Api api(shop.sim);
  std::string base = "/products/" + std::to_string(parent) + "/variations/";
  auto v = body_of(api.get(base + std::to_string(pm)));
  CHECK(v["manage_stock"] == true);
  CHECK(v["stock_quantity"] == 12);
  CHECK(body_of(api.get(base + std::to_string(own)))["stock_quantity"] == 2);
  // A quantity written to the parent-managed variation does not stick.
  auto w = body_of(api.put(base + std::to_string(pm), {{"stock_quantity", 1}}));
  CHECK(w["stock_quantity"] == 12);
  // Writing the parent changes what the variation shows.
  CHECK(api.put("/products/" + std::to_string(parent), {{"stock_quantity", 4}}).status == 200);
  CHECK(body_of(api.get(base + std::to_string(pm)))["stock_quantity"] == 4);
  CHECK(shop.sim.stock("PM-PAR") == 4);
  auto list = body_of(api.get("/products/" + std::to_string(parent) + "/variations"));
  CHECK(list.size() == 2);
}

// ---- 8. batch -----------------------------------------------------------------------------------------------------

TEST_CASE("batch: over 100 items is 413, the whole request fails") {
  Shop shop;
  Api api(shop.sim);
  json batch = {{"create", json::array()}, {"delete", json::array()}};
  for (int i = 0; i < 60; ++i) batch["create"].push_back({{"name", "x" + std::to_string(i)}});
  for (int i = 0; i < 41; ++i) batch["delete"].push_back(1000 + i);
  CHECK(error_code(api.post("/products/batch", batch), 413) == "woocommerce_rest_request_entity_too_large");
  CHECK(shop.sim.products().empty());
  batch["delete"].erase(0);
  CHECK(api.post("/products/batch", batch).status == 200);
  CHECK(shop.sim.products().size() == 60);
}

TEST_CASE("batch: create then update then delete, per-item errors, keys only for given sections") {
  Shop shop;
  auto a = shop.sim.add_simple("BA", 1);
  auto b = shop.sim.add_simple("BB", 1);
  Api api(shop.sim);
  json batch = {{"update", {{{"id", a}, {"manage_stock", true}, {"stock_quantity", 50}}, {{"id", 999999}, {"name", "ghost"}}}},
                {"delete", {b, 0, 888888}},
                {"create", {{{"name", "new"}, {"sku", "BC"}, {"manage_stock", true}, {"stock_quantity", 3}}}}};
  auto r = api.post("/products/batch", batch);
  CHECK(r.status == 200);
  auto j = body_of(r);
  CHECK(j["create"][0]["sku"] == "BC");
  CHECK(j["update"][0]["stock_quantity"] == 50);
  CHECK(j["update"][1]["id"] == 999999);
  CHECK(j["update"][1]["error"]["code"] == "woocommerce_rest_product_invalid_id");
  CHECK(j["update"][1]["error"]["data"]["status"] == 400);
  REQUIRE(j["delete"].size() == 2);  // id 0 is skipped
  CHECK(j["delete"][0]["id"] == b);
  CHECK(j["delete"][1]["error"]["data"]["status"] == 404);
  CHECK(!shop.sim.product("BB").has_value());
  CHECK(shop.sim.stock("BA") == 50);
  auto only_update = body_of(api.post("/products/batch", {{"update", {{{"id", a}, {"stock_quantity", 1}}}}}));
  CHECK(only_update.contains("update"));
  CHECK_FALSE(only_update.contains("create"));
  CHECK_FALSE(only_update.contains("delete"));
  auto c = shop.sim.counters();
  CHECK(c.batch_requests == 2);
  CHECK(c.batch_items == 7);
}

TEST_CASE("batch: variations batch under a parent") {
  Shop shop;
  auto parent = shop.sim.add_variable("VB", "Var", std::nullopt);
  auto v1 = shop.sim.add_variation(parent, "VB-1", ManageMode::Own, 1);
  Api api(shop.sim);
  auto r = api.post("/products/" + std::to_string(parent) + "/variations/batch",
                    {{"create", {{{"sku", "VB-2"}, {"manage_stock", true}, {"stock_quantity", 8}}}},
                     {"update", {{{"id", v1}, {"stock_quantity", 6}}}}});
  CHECK(r.status == 200);
  auto j = body_of(r);
  CHECK(j["create"][0]["stock_quantity"] == 8);
  CHECK(j["update"][0]["stock_quantity"] == 6);
  CHECK(shop.sim.stock("VB-2") == 8);
  CHECK(body_of(api.get("/products/" + std::to_string(parent)))["variations"].size() == 2);
}

TEST_CASE("fields: _fields trims the answer and keeps id") {
  Shop shop;
  shop.sim.add_simple("F-1", 5);
  Api api(shop.sim);
  auto list = body_of(api.get("/products?_fields=sku,stock_quantity"));
  REQUIRE(list.size() == 1);
  CHECK(list[0].size() == 3);
  CHECK(list[0].contains("id"));
  CHECK(list[0]["stock_quantity"] == 5);
}

TEST_CASE("plain permalinks: ?rest_route= reaches the same API") {
  Shop shop;
  shop.sim.add_simple("R-1", 5);
  Api api(shop.sim);
  auto r = api.send("GET", api.base() + "/?rest_route=/wc/v3/products&per_page=5");
  CHECK(r.status == 200);
  CHECK(body_of(r).size() == 1);
}
