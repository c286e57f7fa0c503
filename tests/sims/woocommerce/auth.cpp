// REST authentication as class-wc-rest-authentication.php does it: Basic and
// query-string keys (the "HTTPS" path, refused in strict mode), then OAuth 1.0a
// one-legged with HMAC-SHA1/256, a 15-minute timestamp window and nonces.
#include <algorithm>

#include "http/encoding.hpp"
#include "sim_impl.hpp"

namespace woo_sim {

namespace {

RestError auth_error(const std::string& message) {
  return RestError{401, "woocommerce_rest_authentication_error", message};
}

// Authorization: OAuth k="v", k2="v2"
std::vector<std::pair<std::string, std::string>> parse_oauth_header(std::string_view header) {
  std::vector<std::pair<std::string, std::string>> out;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  header = trim(header);
  if (header.size() < 6 || !(header.substr(0, 6) == "OAuth " || header.substr(0, 6) == "oauth ")) return out;
  header.remove_prefix(6);
  std::size_t start = 0;
  while (start < header.size()) {
    auto comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    auto piece = trim(header.substr(start, comma - start));
    auto eq = piece.find('=');
    if (eq != std::string_view::npos) {
      auto key = trim(piece.substr(0, eq));
      auto value = trim(piece.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      out.emplace_back(util::percent_decode(key, false), util::percent_decode(value, false));
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace

Auth Simulator::Impl::authenticate(const http::ServerRequest& req, const std::string& method, const Query& q) {
  auto by_key = [&](const std::string& key) -> std::optional<Auth> {
    if (!consumer_key.empty() && key == consumer_key) return Auth{Auth::ReadWrite, consumer_secret};
    if (!read_only_key.empty() && key == read_only_key) return Auth{Auth::ReadOnly, read_only_secret};
    return std::nullopt;
  };

  // The "HTTPS" path. An unknown key sets no error: the request goes on as
  // anonymous (and then meets the route's permission check).
  if (!opts.strict_https_auth) {
    std::optional<std::string> key, secret;
    if (q.get("consumer_key") && q.get("consumer_secret")) {
      key = q.get("consumer_key");
      secret = q.get("consumer_secret");
    } else {
      std::string header = req.header("authorization");
      if (header.size() > 6 && (header.starts_with("Basic ") || header.starts_with("basic "))) {
        auto decoded = stockrelay::http::base64_decode(header.substr(6));
        if (decoded) {
          auto colon = decoded->find(':');
          key = decoded->substr(0, colon);
          secret = colon == std::string::npos ? std::string() : decoded->substr(colon + 1);
        }
      }
    }
    if (key) {
      if (auto found = by_key(*key)) {
        if (found->secret != *secret) throw auth_error("Consumer secret is invalid.");
        return *found;
      }
    }
  }

  // OAuth 1.0a: query and form parameters plus the Authorization header.
  std::map<std::string, std::string> params;
  for (const auto& [k, v] : q.pairs) params[k] = v;
  if (req.header("content-type").find("application/x-www-form-urlencoded") != std::string::npos) {
    for (const auto& [k, v] : Query::parse(req.body).pairs) params[k] = v;
  }
  for (const auto& [k, v] : parse_oauth_header(req.header("authorization"))) params[k] = v;
  static const char* required[] = {"oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature",
                                   "oauth_signature_method"};
  std::string missing;
  bool have_one = false;
  for (const char* name : required) {
    auto it = params.find(name);
    if (it == params.end() || it->second.empty()) {
      missing += (missing.empty() ? "" : ", ") + std::string(name);
    } else {
      have_one = true;
    }
  }
  if (!have_one) return Auth{};
  if (!missing.empty()) {
    throw RestError{401, "woocommerce_rest_authentication_missing_parameter", "Missing OAuth parameter " + missing};
  }
  auto found = by_key(params["oauth_consumer_key"]);
  if (!found) throw auth_error("Consumer key is invalid.");

  std::string provided = params["oauth_signature"];
  std::replace(provided.begin(), provided.end(), ' ', '+');
  provided = util::percent_decode(provided, false);
  params.erase("oauth_signature");
  const std::string signature_method = params["oauth_signature_method"];
  // std::map keeps keys sorted byte-wise, as PHP's uksort with strcmp.
  std::string normalized;
  for (const auto& [k, v] : params) {
    if (!normalized.empty()) normalized += "%26";
    normalized += util::rfc3986_encode(util::rfc3986_encode(k) + "=" + util::rfc3986_encode(v));
  }
  if (signature_method != "HMAC-SHA1" && signature_method != "HMAC-SHA256") {
    throw auth_error("Invalid signature - signature method is invalid.");
  }
  const std::string key = found->secret + "&";
  // The signed URL is the home URL plus the path; accept the configured site
  // URL and the Host the client used (they differ behind a wildcard listen).
  std::vector<std::string> bases;
  std::string home = site_url;
  while (!home.empty() && home.back() == '/') home.pop_back();
  bases.push_back(home + req.path);
  if (auto host = req.header("host"); !host.empty()) bases.push_back("http://" + host + req.path);
  bool matched = false;
  for (const auto& base : bases) {
    std::string to_sign = method + "&" + util::rfc3986_encode(base) + "&" + normalized;
    std::string digest =
        signature_method == "HMAC-SHA1" ? util::hmac_sha1(key, to_sign) : util::hmac_sha256(key, to_sign);
    if (util::base64(digest) == provided) matched = true;
  }
  if (!matched) throw auth_error("Invalid signature - provided signature does not match.");

  auto timestamp = util::parse_int(params["oauth_timestamp"]);
  const std::int64_t now = util::now_seconds();
  constexpr std::int64_t window = 15 * 60;
  if (!timestamp || *timestamp < now - window || *timestamp > now + window) throw auth_error("Invalid timestamp.");
  std::string nonce_key = params["oauth_consumer_key"] + "\n" + params["oauth_nonce"];
  if (nonces.count(nonce_key)) throw auth_error("Invalid nonce - nonce has already been used.");
  nonces.emplace(nonce_key, *timestamp);
  if (now - nonces_pruned > 60) {
    std::erase_if(nonces, [&](const auto& entry) { return entry.second < now - window; });
    nonces_pruned = now;
  }
  return *found;
}

}  // namespace woo_sim
