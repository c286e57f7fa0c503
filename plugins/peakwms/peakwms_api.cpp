#include "peakwms_api.hpp"

#include <charconv>

#include <stockrelay/text.hpp>

namespace peakwms {

namespace {

// Retry-After in whole seconds (PeakWMS's form); an HTTP date or nothing: 1 s.
std::int64_t retry_after_ms(const sr::HttpResponse& r) {
  auto s = integer_of(nlohmann::json(r.header("retry-after")));
  return s && *s > 0 ? *s * 1000 : 1000;
}

}  // namespace

Api::Api(const sr::Host& host, const Settings& settings, std::function<bool()> stopping)
    : host_(host), settings_(settings), stopping_(std::move(stopping)) {
  for (const auto& shop : settings_.shops)
    limiters_.try_emplace(shop.api_key,
                          std::make_unique<RateLimiter>(settings_.rate_requests, settings_.rate_window_ms));
}

RateLimiter& Api::limiter(const Shop& shop) { return *limiters_.at(shop.api_key); }

void Api::stop() {
  for (auto& [key, l] : limiters_) l->stop();
}

std::int64_t Api::waited_ms() const {
  std::int64_t sum = 0;
  for (const auto& [key, l] : limiters_) sum += l->waited_ms();
  return sum;
}

std::string Api::scrub(std::string text) const {
  auto hide = [&](const std::string& secret) {
    if (secret.size() < 4) return;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
      text.replace(pos, secret.size(), "***");
  };
  for (const auto& shop : settings_.shops) hide(shop.api_key);
  hide(settings_.webhook_token);
  return text;
}

sr::HttpResponse Api::send(const Shop& shop, const sr::HttpRequest& req, const std::string& what) {
  RateLimiter& limit = limiter(shop);
  if (stopping_() || !limit.acquire()) throw sr::stopped_error();
  // The slot stays taken for a window after the answer, however the call ends.
  struct Answered {
    RateLimiter& l;
    ~Answered() { l.answered(); }
  } answered{limit};
  try {
    return host_.http(req);
  } catch (const sr::retryable_error& e) {
    std::string text = e.what();
    auto pos = text.find(" failed: ");
    std::string reason = pos == std::string::npos ? std::string() : " (" + text.substr(pos + 9) + ")";
    throw sr::retryable_error(scrub(where() + ": " + what + " for " + shop.name + " got no answer" + reason));
  }
}

void Api::refuse(const Shop& shop, const sr::HttpResponse& r, const std::string& what) {
  const std::string status = std::to_string(r.status);
  const std::string text = scrub(message_of(r));
  if (r.status == 401 || r.status == 403)
    throw sr::invalid_error("PeakWMS refused the API key of " + shop.name + " (" + status + ") for " + what + ": " +
                            text + "; check 'shops." + shop.name + ".api_key' (the key of " + shop.name +
                            "'s web-shop integration at " + settings_.base_url + ")");
  if (r.status == 429) {
    const std::int64_t wait = retry_after_ms(r);
    limiter(shop).hold_for(wait);
    throw sr::retryable_error(where() + ": " + what + " for " + shop.name + " hit the rate limit of its key (429; " +
                              "retry after " + std::to_string(wait / 1000) + " s)");
  }
  if (r.status >= 500 || r.status < 200)
    throw sr::retryable_error(where() + ": " + what + " for " + shop.name + " answered " + status + ": " + text);
  if (r.status >= 300 && r.status < 400)
    throw sr::invalid_error(where() + " redirects " + what + " (" + status +
                            "); set 'base_url' to the integration API, e.g. https://api.peakwms.com/api/integration/v1");
  throw ApiError(r.status, text, where() + ": " + what + " for " + shop.name + " answered " + status + ": " + text);
}

nlohmann::json Api::exchange(const Shop& shop, const std::string& method, const std::string& path,
                             const Params& query, const std::string& body) {
  sr::HttpRequest req;
  req.method = method;
  req.url = settings_.base_url + path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    req.url += sep + sr::percent_encode(k) + "=" + sr::percent_encode(v);
    sep = '&';
  }
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("Authorization", "Bearer " + shop.api_key);
  req.headers.emplace_back("User-Agent", "stockrelay-peakwms/1.0");
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  const std::string what = method + " " + path;
  sr::HttpResponse r = send(shop, req, what);
  if (!r.ok()) refuse(shop, r, what);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded())
    throw sr::retryable_error(where() + ": " + what + " for " + shop.name + " answered " + std::to_string(r.status) +
                              " with a body that is not JSON");
  return j;
}

nlohmann::json Api::get(const Shop& shop, const std::string& path, const Params& query) {
  return exchange(shop, "GET", path, query, {});
}

nlohmann::json Api::post(const Shop& shop, const std::string& path, const nlohmann::json& body) {
  return exchange(shop, "POST", path, {}, body.dump());
}

nlohmann::json Api::put(const Shop& shop, const std::string& path, const nlohmann::json& body) {
  return exchange(shop, "PUT", path, {}, body.dump());
}

nlohmann::json Api::del(const Shop& shop, const std::string& path) { return exchange(shop, "DELETE", path, {}, {}); }

void Api::list(const Shop& shop, const std::string& path, const std::function<void(const nlohmann::json&)>& on_page) {
  for (std::int64_t last_id = 0;;) {
    auto page = get(shop, path, {{"lastId", std::to_string(last_id)}, {"pageSize", std::to_string(settings_.page_size)}});
    if (!page.is_object() || !page.contains("data") || !page["data"].is_array())
      throw sr::retryable_error(where() + ": GET " + path + " for " + shop.name + " answered without a data list");
    const auto& data = page["data"];
    if (data.empty()) return;
    on_page(data);
    auto next = data.back().is_object() ? integer_of(data.back().value("id", nlohmann::json())) : std::nullopt;
    if (!next || *next <= last_id)
      throw sr::retryable_error(where() + ": GET " + path + " for " + shop.name +
                                " answered a page whose last id does not move past " + std::to_string(last_id));
    last_id = *next;
    if (static_cast<int>(data.size()) < settings_.page_size) return;
  }
}

std::string message_of(const sr::HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  if (r.body.empty()) return "(no body)";
  return j.is_discarded() ? "(a body that is not the API's JSON)" : "(unexpected JSON)";
}

std::optional<std::int64_t> integer_of(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return out;
}

std::optional<sr::Quantity> quantity_of(const nlohmann::json& v) {
  if (v.is_number_integer()) return sr::Quantity::units(v.get<std::int64_t>());
  if (v.is_number()) return sr::Quantity::parse(nlohmann::json(v.get<double>()).dump());
  if (v.is_string()) return sr::Quantity::parse(v.get<std::string>());
  return std::nullopt;
}

std::string text_of(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return {};
  auto it = object.find(field);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

}  // namespace peakwms
