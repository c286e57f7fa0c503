// The JSON form of an HTTP exchange at the plugin boundary: a connector hands
// the host's `http` service a request envelope and gets a response envelope
// back (see docs/http.md). Unknown fields are ignored, so either side can grow.
//
// Request:
//   {"method":"GET", "url":"https://...",
//    "headers":{"Name":"v", "X-Many":["v1","v2"]},
//    "body":"text"  or  "body_base64":"...",          (not both)
//    "timeout_ms":30000,
//    "basic_auth":{"user":"..","password":".."}}      (→ Authorization: Basic ...)
// Response:
//   {"status":200, "headers":{"x-wp-total":"12","link":["<..>; rel=next","..."]},
//    "body":"..."  or, when the body is not UTF-8,  "body_base64":"...",
//    "error":"", "attempts":1, "elapsed_ms":3}
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"
#include "http/message.hpp"

namespace stockrelay::http {

// Parses and checks a request envelope; an Error names the offending field
// ("http request: 'url' must be a string").
Result<Request> request_from_json(std::string_view json);

std::string response_to_json(const Response& response);

}  // namespace stockrelay::http
