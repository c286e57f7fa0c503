#include "woo_api.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "woo_crypto.hpp"

namespace woo {

// ---- pacing -------------------------------------------------------------------

void Pacer::refill(std::int64_t elapsed_ms) {
  if (elapsed_ms <= 0) return;
  double burst = std::max(1.0, rate_);
  tokens_ = std::min(burst, tokens_ + static_cast<double>(elapsed_ms) * rate_ / 1000.0);
}

void Pacer::acquire(const sr::Host& host, const std::function<bool()>& stopping) {
  if (rate_ <= 0) return;
  std::int64_t now = host.monotonic_ms();
  if (!started_) {
    started_ = true;
    tokens_ = std::max(1.0, rate_);
    last_ms_ = now;
  }
  refill(now - last_ms_);
  last_ms_ = now;
  if (tokens_ < 1.0) {
    auto wait_ms = static_cast<std::int64_t>(std::ceil((1.0 - tokens_) / rate_ * 1000.0));
    std::int64_t slept = 0;
    while (slept < wait_ms) {
      if (stopping()) throw sr::stopped_error();
      std::int64_t step = std::min<std::int64_t>(wait_ms - slept, 50);
      std::this_thread::sleep_for(std::chrono::milliseconds(step));
      slept += step;
    }
    std::int64_t after = host.monotonic_ms();
    refill(std::max(after - now, slept));
    last_ms_ = after;
    if (tokens_ < 1.0) tokens_ = 1.0;  // rounding: we waited what one token costs
  }
  tokens_ -= 1.0;
}

// ---- requests -------------------------------------------------------------------

Api::Api(const sr::Host& host, const Settings& settings, std::function<bool()> stopping)
    : host_(host), settings_(settings), stopping_(std::move(stopping)), pacer_(settings.requests_per_second) {}

bool Api::looks_like_json(const std::string& body) {
  for (char c : body) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{' || c == '[';
  }
  return false;
}

std::string Api::scrub(std::string text) const {
  for (const std::string* secret : {&settings_.consumer_secret, &settings_.webhook_secret}) {
    if (secret->size() < 4) continue;  // too short to search for without mangling ordinary text
    for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos + 3))
      text.replace(pos, secret->size(), "***");
  }
  return text;
}

std::string Api::url(const std::string& method, const std::string& path, const Params& query) const {
  std::string base = settings_.api + path;
  Params q = query;
  if (settings_.auth == AuthMode::Query) {
    q.emplace_back("consumer_key", settings_.consumer_key);
    q.emplace_back("consumer_secret", settings_.consumer_secret);
  } else if (settings_.auth == AuthMode::OAuth1) {
    q.emplace_back("oauth_consumer_key", settings_.consumer_key);
    q.emplace_back("oauth_nonce", random_hex(16));
    q.emplace_back("oauth_signature_method", "HMAC-SHA256");
    q.emplace_back("oauth_timestamp", std::to_string(host_.now_ms() / 1000));
    // Base string: METHOD & enc(URL without query) & enc(sorted, encoded params).
    std::vector<std::pair<std::string, std::string>> enc;
    for (const auto& [k, v] : q) enc.emplace_back(percent_encode(k), percent_encode(v));
    std::sort(enc.begin(), enc.end());
    std::string params;
    for (const auto& [k, v] : enc) params += (params.empty() ? "" : "&") + k + "=" + v;
    std::string base_string = method + "&" + percent_encode(base) + "&" + percent_encode(params);
    q.emplace_back("oauth_signature", base64(hmac_sha256(settings_.consumer_secret + "&", base_string)));
  }
  std::string out = base;
  char sep = '?';
  for (const auto& [k, v] : q) {
    out += sep + percent_encode(k) + "=" + percent_encode(v);
    sep = '&';
  }
  return out;
}

sr::HttpResponse Api::send(const std::string& method, const std::string& path, const Params& query,
                           const std::string& body, int timeout_ms) {
  if (stopping()) throw sr::stopped_error();
  pacer_.acquire(host_, stopping_);
  sr::HttpRequest req;
  req.method = method;
  req.url = url(method, path, query);
  req.timeout_ms = timeout_ms;
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", "stockrelay-woocommerce/1.0");
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  if (settings_.auth == AuthMode::Basic) req.basic_auth = std::make_pair(settings_.consumer_key, settings_.consumer_secret);
  try {
    return host_.http(req);
  } catch (const sr::retryable_error& e) {
    // The host's message names the whole URL, which in query mode carries the
    // keys: keep only its reason ("...failed: <reason>").
    std::string text = e.what();
    auto pos = text.find(" failed: ");
    std::string reason = pos == std::string::npos ? std::string() : " (" + text.substr(pos + 9) + ")";
    throw sr::retryable_error(scrub(where() + ": " + method + " " + path + " got no answer" + reason));
  } catch (const sr::invalid_error&) {
    throw sr::invalid_error(where() + ": the host refused the request " + method + " " + path);
  }
}

std::string Api::error_text(const sr::HttpResponse& r) {
  std::string out = std::to_string(r.status);
  ApiError e;
  if (looks_like_json(r.body) && errors_.api_error(r.body, e)) {
    if (!e.code.empty()) out += " " + e.code;
    if (!e.message.empty()) out += ": " + e.message;
  } else if (!r.body.empty()) {
    out += looks_like_json(r.body) ? " (unexpected JSON)" : " (an HTML or text page, not the REST API's JSON)";
  }
  return scrub(out);
}

void Api::throw_if_fatal(const std::string& method, const std::string& path, const sr::HttpResponse& r) {
  const std::string what = method + " " + path;
  if (r.status == 401 || r.status == 403)
    throw sr::invalid_error(where() + " refused the credentials (" + what + ": " + error_text(r) +
                            "); check consumer_key, consumer_secret and auth, and that the key has read_write permission");
  if (r.status >= 300 && r.status < 400)
    throw sr::invalid_error(where() + " redirects " + what + " (" + std::to_string(r.status) + " to '" +
                            scrub(r.header("location")) + "'); set 'url' to the store's final address");
  if (r.status == 429 || r.status >= 500 || r.status < 200)
    throw sr::retryable_error(where() + ": " + what + " answered " + error_text(r));
}

sr::HttpResponse Api::call(const std::string& method, const std::string& path, const Params& query,
                           const std::string& body, int timeout_ms) {
  sr::HttpResponse r = send(method, path, query, body, timeout_ms);
  throw_if_fatal(method, path, r);
  if (!looks_like_json(r.body))
    throw sr::retryable_error(where() + ": " + method + " " + path + " answered " + std::to_string(r.status) +
                              " with a page that is not the REST API's JSON (a host or cache layer in between?)");
  return r;
}

sr::HttpResponse Api::get(const std::string& path, const Params& query) {
  sr::HttpResponse r = call("GET", path, query);
  if (!r.ok()) throw std::runtime_error(where() + ": GET " + path + " answered " + error_text(r));
  return r;
}

std::string Api::pages(const std::string& path, const Params& query,
                       const std::function<std::size_t(const sr::HttpResponse&)>& on_page) {
  std::string date;
  // A caller may ask for its own page size (SKU look-ups use 100).
  bool has_per_page = false;
  std::size_t per_page = static_cast<std::size_t>(settings_.page_size);
  for (const auto& [k, v] : query)
    if (k == "per_page") {
      has_per_page = true;
      per_page = static_cast<std::size_t>(std::stoul(v));
    }
  for (int page = 1;; ++page) {
    if (stopping()) throw sr::stopped_error();
    Params q = query;
    if (!has_per_page) q.emplace_back("per_page", std::to_string(per_page));
    q.emplace_back("page", std::to_string(page));
    sr::HttpResponse r = get(path, q);
    if (page == 1) date = r.header("date");
    std::size_t n = on_page(r);
    std::string total = r.header("x-wp-totalpages");
    long total_pages = -1;
    if (!total.empty() && std::all_of(total.begin(), total.end(), [](char c) { return c >= '0' && c <= '9'; }))
      total_pages = std::stol(total);
    if (n == 0) break;
    if (total_pages >= 0 ? page >= total_pages : n < per_page) break;
  }
  return date;
}

}  // namespace woo
