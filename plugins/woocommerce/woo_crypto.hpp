// The little cryptography WooCommerce needs beyond the SDK's encodings
// (stockrelay/text.hpp: base64, percent-encoding, constant-time compare):
// HMAC-SHA256 and nonces.
#pragma once

#include <string>
#include <string_view>

#include <stockrelay/text.hpp>

namespace woo {

std::string hmac_sha256(std::string_view key, std::string_view data);  // the raw 32-byte digest
using sr::base64;
using sr::constant_time_equal;
using sr::percent_encode;
std::string random_hex(std::size_t bytes);                             // from the OpenSSL CSPRNG
// The few HTML entities WordPress leaves in a stored webhook secret (&amp; &lt; &gt; &quot; &#039;).
std::string html_entity_decode(std::string_view text);

}  // namespace woo
