// Credentials that travel in URLs. Shop APIs (WooCommerce's consumer_key /
// consumer_secret, OAuth 1.0a signatures, api_key=...) put secrets in the
// query string, so a logged URL is scrubbed by name, not only by the secrets
// someone remembered to register with log::add_secret().
#pragma once

#include <string>
#include <string_view>

namespace stockrelay::http {

// True for query parameter names that carry credentials: names ending in
// consumer_key, consumer_secret, password, token, api_key, apikey, secret or
// signature (so also oauth_signature, access_token, PayTraq's APIToken and
// APIKey), and a bare "key". Case-insensitive. Over-redacting a pagination
// token in a log line is cheap; leaking a credential is not.
bool is_sensitive_parameter(std::string_view name);

// `url` (absolute, or a request target such as "/hook?token=x") with the
// values of sensitive query parameters and any user-info password replaced
// by "***". Everything else is left byte for byte.
std::string redact_url(std::string_view url);

}  // namespace stockrelay::http
