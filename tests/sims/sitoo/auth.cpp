// Who may call the API (sitoo.md §2): the client's address must be on the
// account's allow-list (when one is set), then HTTP Basic with the API ID
// ("{accountid}-{n}") and its password. The account in the path must be the
// API ID's account.
#include <algorithm>

#include "http/encoding.hpp"
#include "sim_impl.hpp"

namespace sitoo_sim {

namespace {

// "127.0.0.1:54321" -> "127.0.0.1"; "[::1]:54321" -> "::1".
std::string host_of(const std::string& remote) {
  if (remote.starts_with('[')) {
    auto close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

}  // namespace

void Simulator::Impl::authenticate(const http::ServerRequest& req, const std::string& path_account) {
  if (!opts.allowed_ips.empty()) {
    std::string ip = host_of(req.remote_address);
    if (std::find(opts.allowed_ips.begin(), opts.allowed_ips.end(), ip) == opts.allowed_ips.end()) {
      throw ApiError{403, "Access denied: requests from IP address " + ip +
                              " are not allowed for this account (add it to the allow-list in Backoffice)"};
    }
  }
  std::string header = req.header("authorization");
  if (header.empty()) throw ApiError{401, "Authorization required: HTTP Basic with API ID and password"};
  if (header.size() < 7 || !http::iequals(header.substr(0, 6), "basic ")) {
    throw ApiError{401, "Authorization failed: only HTTP Basic is supported"};
  }
  auto decoded = http::base64_decode(header.substr(6));
  if (!decoded) throw ApiError{401, "Authorization failed: malformed Basic credentials"};
  auto colon = decoded->find(':');
  std::string id = decoded->substr(0, colon);
  std::string secret = colon == std::string::npos ? std::string() : decoded->substr(colon + 1);
  if (id != api_id || secret != password) throw ApiError{401, "Authorization failed: wrong API ID or password"};
  if (path_account != std::to_string(opts.account_id)) {
    throw ApiError{401, "Authorization failed: API ID " + api_id + " does not belong to account " + path_account};
  }
}

}  // namespace sitoo_sim
