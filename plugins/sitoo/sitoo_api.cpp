#include "sitoo_api.hpp"

#include <stockrelay/text.hpp>

#include <algorithm>

namespace sitoo {

Api::Api(const sr::Host& host, const Settings& settings, std::function<bool()> stopping)
    : host_(host), settings_(settings), stopping_(std::move(stopping)) {}

std::string Api::site_path(const std::string& rest) const {
  return "/sites/" + std::to_string(settings_.site_id) + rest;
}

std::string Api::scrub(std::string text) const {
  const std::string& secret = settings_.api_password;
  if (secret.size() >= 4)
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
      text.replace(pos, secret.size(), "***");
  return text;
}

std::string Api::error_text(const sr::HttpResponse& r) const {
  std::string out = std::to_string(r.status);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("errortext") && j["errortext"].is_string()) {
    out += ": " + j["errortext"].get<std::string>();
  } else if (!r.body.empty()) {
    out += j.is_discarded() ? " (a page that is not the API's JSON)" : " (unexpected JSON)";
  }
  return scrub(out);
}

nlohmann::json Api::exchange(const std::string& method, const std::string& path, const Params& query,
                             const std::string& body) {
  if (stopping_()) throw sr::stopped_error();
  sr::HttpRequest req;
  req.method = method;
  req.url = settings_.base_url + path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    req.url += sep + sr::percent_encode(k) + "=" + sr::percent_encode(v);
    sep = '&';
  }
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", "stockrelay-sitoo/1.0");
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  req.basic_auth = std::make_pair(settings_.api_id, settings_.api_password);
  const std::string what = method + " " + path;
  sr::HttpResponse r;
  try {
    r = host_.http(req);
  } catch (const sr::retryable_error& e) {
    std::string text = e.what();
    auto pos = text.find(" failed: ");
    std::string reason = pos == std::string::npos ? std::string() : " (" + text.substr(pos + 9) + ")";
    throw sr::retryable_error(scrub(where() + ": " + what + " got no answer" + reason));
  }
  if (r.status == 401 || r.status == 403)
    throw sr::invalid_error(where() + " refused " + what + " (" + error_text(r) +
                            "); check api_id and api_password, and that this hub's address is allowed in Sitoo's "
                            "Backoffice (IP allow-list)");
  if (r.status == 429 || r.status >= 500 || r.status < 200)
    throw sr::retryable_error(where() + ": " + what + " answered " + error_text(r));
  if (r.status >= 300 && r.status < 400)
    throw sr::invalid_error(where() + " redirects " + what + " (" + std::to_string(r.status) +
                            "); set 'base_url' to the address shown with the API password");
  if (!r.ok()) throw ApiError(r.status, error_text(r), where() + ": " + what + " answered " + error_text(r));
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded())
    throw sr::retryable_error(where() + ": " + what + " answered " + std::to_string(r.status) +
                              " with a body that is not JSON");
  return j;
}

nlohmann::json Api::get(const std::string& path, const Params& query) { return exchange("GET", path, query, {}); }

nlohmann::json Api::post(const std::string& path, const nlohmann::json& body, const Params& query) {
  return exchange("POST", path, query, body.dump());
}

nlohmann::json Api::put(const std::string& path, const nlohmann::json& body) {
  return exchange("PUT", path, {}, body.dump());
}

void Api::list(const std::string& path, const Params& query, int page_size,
               const std::function<void(const nlohmann::json&)>& on_items) {
  for (std::int64_t start = 0;;) {
    Params q = query;
    q.emplace_back("start", std::to_string(start));
    q.emplace_back("num", std::to_string(page_size));
    auto page = get(path, q);
    if (!page.is_object() || !page.contains("items") || !page["items"].is_array())
      throw sr::retryable_error(where() + ": GET " + path + " answered without an items list");
    const auto& items = page["items"];
    on_items(items);
    start += static_cast<std::int64_t>(items.size());
    auto total = integer_of(page.value("totalcount", nlohmann::json()));
    if (items.empty() || static_cast<int>(items.size()) < page_size || (total && start >= *total)) break;
  }
}

std::optional<sr::Quantity> quantity_of(const nlohmann::json& v) {
  if (v.is_string()) return sr::Quantity::parse(v.get<std::string>());
  if (v.is_number_integer()) return sr::Quantity::units(v.get<std::int64_t>());
  if (v.is_number()) return sr::Quantity::parse(nlohmann::json(v.get<double>()).dump());
  return std::nullopt;
}

std::vector<std::string> comma_lists(std::vector<std::string> values, std::size_t per) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::vector<std::string> lists;
  std::size_t in_list = per;
  for (const auto& v : values) {
    if (v.find(',') != std::string::npos) continue;
    if (in_list == per) {
      lists.emplace_back();
      in_list = 0;
    }
    lists.back() += (in_list++ ? "," : "") + v;
  }
  return lists;
}

std::string decimal_string(sr::Quantity q) {
  std::int64_t m = q.milli();
  std::int64_t a = m < 0 ? -m : m;
  std::string frac = std::to_string(a % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  return (m < 0 ? "-" : "") + std::to_string(a / 1000) + "." + frac;
}

std::optional<std::int64_t> integer_of(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::int64_t out = 0;
    std::size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      out = out * 10 + (s[i] - '0');
    }
    return s[0] == '-' ? -out : out;
  }
  return std::nullopt;
}

}  // namespace sitoo
