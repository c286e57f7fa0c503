// When the host retries a connector's request, and how long it waits first.
// Plain data in, plain data out: no sockets, no clock reads, no randomness of
// its own (the caller passes a uniform random number for the jitter).
//
// The rule a connector author can rely on:
//  - 429 Too Many Requests is retried for every method: the server says it
//    did not process the request. Its Retry-After (seconds or HTTP-date) is
//    honoured, capped at retry_max_ms.
//  - Transport failures, timeouts, 408 and 5xx (except 501/505, which no
//    retry can fix) are retried only for idempotent requests: GET, HEAD, PUT,
//    DELETE, OPTIONS, or any request carrying an Idempotency-Key header.
//    A POST/PATCH that timed out or got a 502 may already have created the
//    order or document on the far side; sending it again could create it
//    twice, which for stock and accounting is worse than failing. The
//    connector (which knows the remote API) decides, e.g. by looking the
//    object up, or by sending an Idempotency-Key when the API supports one.
//  - A connection that was never established (DNS failure, refused, connect
//    timeout) is retried for every method: nothing reached the server.
//  - Otherwise the wait is exponential backoff with full jitter: uniform in
//    [0, min(retry_max_ms, retry_base_ms * 2^retry)], so many connectors
//    failing together do not retry in lockstep.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "http/client.hpp"

namespace stockrelay::http {

// What one attempt produced, as far as retrying is concerned.
struct AttemptOutcome {
  int status = 0;                  // HTTP status, 0 when the transport failed
  bool transport_error = false;
  bool request_sent = true;        // false: failed before a connection existed
  bool retry_cannot_help = false;  // malformed URL, unsupported scheme, ...
  std::string retry_after;         // the answer's Retry-After header, if any
};

bool is_idempotent(const Request& request);

// Milliseconds to wait before retry number `retries_done + 1`, or nullopt
// when `outcome` is the final answer. `unit_random` is uniform in [0, 1).
std::optional<Millis> retry_delay(const Request& request, const AttemptOutcome& outcome, int retries_done,
                                  const Limits& limits, Millis now_ms, double unit_random);

// Retry-After as a delay from `now_ms` (Unix ms): delta-seconds or an
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"). A date in the past is 0;
// anything unparseable is nullopt (the caller falls back to backoff).
std::optional<Millis> parse_retry_after(std::string_view value, Millis now_ms);

}  // namespace stockrelay::http
