// The little cryptography and encoding WooCommerce needs: HMAC-SHA256,
// base64, RFC 3986 percent-encoding (OAuth 1.0a), nonces, and a
// constant-time comparison for webhook signatures.
#pragma once

#include <string>
#include <string_view>

namespace woo {

std::string hmac_sha256(std::string_view key, std::string_view data);  // the raw 32-byte digest
std::string base64(std::string_view bytes);                            // standard alphabet, padded
// True when a == b, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);
std::string random_hex(std::size_t bytes);                             // from the OpenSSL CSPRNG
// RFC 3986: everything but ALPHA / DIGIT / "-" / "." / "_" / "~" becomes %XX (upper case).
std::string percent_encode(std::string_view text);
// The few HTML entities WordPress leaves in a stored webhook secret (&amp; &lt; &gt; &quot; &#039;).
std::string html_entity_decode(std::string_view text);

}  // namespace woo
