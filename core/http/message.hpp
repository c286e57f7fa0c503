// The plain data of one HTTP exchange as the client side sees it. These are
// the shapes behind the plugin boundary's `http` host service (see
// envelope.hpp for their JSON form) and behind the core's own calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stockrelay::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";
  std::string url;  // http:// or https:// only
  std::vector<Header> headers;
  std::string body;
  int timeout_ms = 30000;  // whole transfer, per attempt
};

struct Response {
  int status = 0;               // 0 when there was no HTTP answer
  std::vector<Header> headers;  // names lower-cased; repeated headers stay separate entries
  std::string body;
  std::string error;  // transport error or "stopped"; empty on an HTTP answer
  int attempts = 0;   // tries on the wire (connecting counts; waiting for a slot does not)
  std::int64_t elapsed_ms = 0;  // including backoff and rate-limit waits

  // First value of a header (name matched case-insensitively), "" if absent.
  std::string header(std::string_view name) const;
};

// ASCII case-insensitive equality; header names and methods are ASCII.
bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view text);

}  // namespace stockrelay::http
