// The host-owned HTTP client. Connectors never open sockets themselves: they
// call the host's `http` service, which lands here, so keep-alive, timeouts,
// retries, 429 handling, rate limits, redaction and metrics are the same for
// every connector and are enforced by the host, not by plugin good will.
//
// One Client per configured connection (its limits are that connection's).
// send() is thread-safe; abort_all() may come from any thread and makes every
// send (in flight, waiting or future) return Response.error == "stopped".
// The Client must outlive every send() call on it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "http/message.hpp"
#include "http/rate_limit.hpp"

namespace stockrelay::http {

struct Limits {
  double requests_per_second = 0;  // 0 = unlimited; burst is one second's worth
  int max_concurrency = 4;         // requests in flight at once (values < 1 mean 1)
  int max_retries = 3;             // retries after the first attempt
  int retry_base_ms = 200;         // backoff ceiling before the first retry; doubles each retry
  int retry_max_ms = 10000;        // cap for backoff and for a server's Retry-After
  int connect_timeout_ms = 5000;
};

class Transfer;
class SharedCache;

class Client {
 public:
  Client(std::string connection, Limits limits, const Clock& clock = SystemClock::instance());
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request`, retrying as retry.hpp decides; returns the final answer
  // (which may be a 429/5xx once retries are used up) or a transport error.
  Response send(const Request& request);

  // Stops this client for good: in-flight transfers, backoff and rate-limit
  // waits end within milliseconds, and later sends return at once.
  void abort_all();

 private:
  struct Attempt;
  class Lease;

  Attempt attempt(const Request& request);
  Transfer* acquire_transfer();
  void release_transfer(Transfer* transfer);
  // Sleeps for `ms` unless abort_all() comes first; false when stopped.
  bool sleep_unless_stopped(Millis ms);
  void record(const Request& request, const Response& response, Millis ms);

  const std::string connection_;
  const Limits limits_;
  const Clock& clock_;
  TokenBucket bucket_;
  std::unique_ptr<SharedCache> cache_;

  std::atomic<bool> stopped_{false};
  // One mutex + condition variable guard the transfer pool, the in-flight
  // count and every wait, so abort_all() can wake them all with one notify.
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  std::vector<std::unique_ptr<Transfer>> owned_;  // at most max_concurrency
  std::vector<Transfer*> idle_;                    // reused, so connections stay alive
  std::vector<Transfer*> active_;                  // woken by abort_all()
};

}  // namespace stockrelay::http
