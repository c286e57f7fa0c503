#include "http/redact.hpp"

#include <algorithm>
#include <array>

#include "http/message.hpp"

namespace stockrelay::http {

bool is_sensitive_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kEndings = {
      "consumer_key", "consumer_secret", "password", "token", "api_key", "apikey", "secret", "signature"};
  const std::string n = lower(name);
  // A bare "key" is how several APIs name their API key.
  if (n == "key") return true;
  return std::any_of(kEndings.begin(), kEndings.end(), [&](std::string_view e) { return n.ends_with(e); });
}

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());

  // scheme://user:password@host — keep the user, hide the password.
  std::size_t authority = url.find("://");
  std::size_t pos = 0;
  if (authority != std::string_view::npos) {
    authority += 3;
    std::size_t end = url.find_first_of("/?#", authority);
    if (end == std::string_view::npos) end = url.size();
    std::size_t at = url.rfind('@', end);
    std::size_t colon = url.find(':', authority);
    if (at != std::string_view::npos && at >= authority && colon < at) {
      out.append(url.substr(0, colon + 1)).append("***");
      pos = at;
    }
  }

  std::size_t query = url.find('?', pos);
  if (query == std::string_view::npos) return out.append(url.substr(pos));
  std::size_t fragment = url.find('#', query);
  if (fragment == std::string_view::npos) fragment = url.size();
  out.append(url.substr(pos, query + 1 - pos));

  std::size_t p = query + 1;
  while (p <= fragment) {
    std::size_t amp = url.find('&', p);
    if (amp == std::string_view::npos || amp > fragment) amp = fragment;
    std::string_view pair = url.substr(p, amp - p);
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_sensitive_parameter(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1)).append("***");
    } else {
      out.append(pair);
    }
    if (amp < fragment) out += '&';
    p = amp + 1;
  }
  return out.append(url.substr(fragment));
}

}  // namespace stockrelay::http
