// Byte encodings the plugin boundary needs: payloads cross as UTF-8 JSON, so
// binary bodies travel as base64, and a body is checked for UTF-8 first.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stockrelay::http {

std::string base64_encode(std::string_view bytes);
// Standard alphabet with padding; whitespace is not accepted. nullopt if malformed.
std::optional<std::string> base64_decode(std::string_view text);

// Well-formed UTF-8 per RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF (exactly what a JSON string may carry).
bool is_valid_utf8(std::string_view bytes);

}  // namespace stockrelay::http
