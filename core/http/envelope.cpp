#include "http/envelope.hpp"

#include <nlohmann/json.hpp>

#include "http/encoding.hpp"

namespace stockrelay::http {
namespace {

using nlohmann::json;

Error bad(std::string what) { return Error{"http request", std::move(what), ""}; }

// Methods are case-sensitive tokens on the wire; accept "get" from a
// connector but send what every server expects.
Result<std::string> parse_method(const json& j) {
  auto it = j.find("method");
  if (it == j.end()) return std::string("GET");
  if (!it->is_string()) return bad("'method' must be a string");
  std::string method = it->get<std::string>();
  if (method.empty()) return bad("'method' must not be empty");
  for (char& c : method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return bad("'method' must be letters only, got \"" + it->get<std::string>() + "\"");
  }
  return method;
}

Result<std::string> parse_url(const json& j) {
  auto it = j.find("url");
  if (it == j.end()) return bad("'url' is required");
  if (!it->is_string()) return bad("'url' must be a string");
  std::string url = it->get<std::string>();
  // Only the web: a plugin must not reach file:// or other schemes through the host.
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return bad("'url' must start with http:// or https://");
  }
  return url;
}

// Header names are tokens and values must not contain line breaks; anything
// else would let a payload smuggle extra headers or a second request.
Status check_header(const std::string& name, const std::string& value) {
  if (name.empty()) return bad("a header name in 'headers' is empty");
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 0x7F) return bad("header name \"" + name + "\" in 'headers' is not a valid token");
  }
  if (value.find_first_of("\r\n", 0) != std::string::npos || value.find('\0') != std::string::npos) {
    return bad("header \"" + name + "\" in 'headers' contains a line break");
  }
  return Ok{};
}

Status parse_headers(const json& j, std::vector<Header>& out) {
  auto it = j.find("headers");
  if (it == j.end()) return Ok{};
  if (!it->is_object()) return bad("'headers' must be an object of strings or arrays of strings");
  for (const auto& [name, value] : it->items()) {
    if (value.is_string()) {
      out.push_back({name, value.get<std::string>()});
    } else if (value.is_array()) {
      for (const auto& v : value) {
        if (!v.is_string()) return bad("'headers." + name + "' must contain strings only");
        out.push_back({name, v.get<std::string>()});
      }
    } else {
      return bad("'headers." + name + "' must be a string or an array of strings");
    }
  }
  for (const auto& h : out) {
    if (auto ok = check_header(h.name, h.value); !ok) return ok;
  }
  return Ok{};
}

Result<std::string> parse_body(const json& j) {
  auto text = j.find("body");
  auto encoded = j.find("body_base64");
  if (text != j.end() && encoded != j.end()) return bad("give 'body' or 'body_base64', not both");
  if (text != j.end()) {
    if (!text->is_string()) return bad("'body' must be a string (send JSON payloads serialised)");
    return text->get<std::string>();
  }
  if (encoded != j.end()) {
    if (!encoded->is_string()) return bad("'body_base64' must be a string");
    auto bytes = base64_decode(encoded->get<std::string>());
    if (!bytes) return bad("'body_base64' is not valid base64");
    return std::move(*bytes);
  }
  return std::string();
}

Status parse_timeout(const json& j, int& out) {
  auto it = j.find("timeout_ms");
  if (it == j.end()) return Ok{};
  if (!it->is_number_integer() || it->get<long long>() <= 0 || it->get<long long>() > 3'600'000) {
    return bad("'timeout_ms' must be a whole number of milliseconds between 1 and 3600000");
  }
  out = static_cast<int>(it->get<long long>());
  return Ok{};
}

Status parse_basic_auth(const json& j, std::vector<Header>& headers) {
  auto it = j.find("basic_auth");
  if (it == j.end()) return Ok{};
  if (!it->is_object()) return bad("'basic_auth' must be an object with 'user' and 'password'");
  auto user = it->find("user");
  auto password = it->find("password");
  if (user == it->end() || !user->is_string()) return bad("'basic_auth.user' must be a string");
  if (password == it->end() || !password->is_string()) return bad("'basic_auth.password' must be a string");
  for (const auto& h : headers) {
    if (iequals(h.name, "Authorization")) return bad("give 'basic_auth' or an Authorization header, not both");
  }
  headers.push_back(
      {"Authorization", "Basic " + base64_encode(user->get<std::string>() + ":" + password->get<std::string>())});
  return Ok{};
}

}  // namespace

Result<Request> request_from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return bad(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) return bad("must be a JSON object");

  Request request;
  auto method = parse_method(j);
  if (!method) return method.error();
  request.method = std::move(*method);
  auto url = parse_url(j);
  if (!url) return url.error();
  request.url = std::move(*url);
  if (auto ok = parse_headers(j, request.headers); !ok) return ok.error();
  auto body = parse_body(j);
  if (!body) return body.error();
  request.body = std::move(*body);
  if (auto ok = parse_timeout(j, request.timeout_ms); !ok) return ok.error();
  if (auto ok = parse_basic_auth(j, request.headers); !ok) return ok.error();
  return request;
}

std::string response_to_json(const Response& response) {
  json headers = json::object();
  for (const auto& h : response.headers) {
    auto it = headers.find(h.name);
    if (it == headers.end()) {
      headers[h.name] = h.value;
    } else {
      if (!it->is_array()) *it = json::array({*it});
      it->push_back(h.value);
    }
  }
  json j = {{"status", response.status},
            {"headers", std::move(headers)},
            {"error", response.error},
            {"attempts", response.attempts},
            {"elapsed_ms", response.elapsed_ms}};
  if (is_valid_utf8(response.body)) {
    j["body"] = response.body;
  } else {
    j["body_base64"] = base64_encode(response.body);
  }
  // Header values and transport errors come from the remote side and are not
  // guaranteed UTF-8; replace bad bytes rather than fail the whole exchange.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace stockrelay::http
