// One attempt over libcurl. Internal to the client; not part of the API.
//
// Each Transfer is an easy handle driven through its own multi handle rather
// than curl_easy_perform(), for two reasons:
//  - the multi handle owns the connection cache, so reusing the pair keeps
//    connections alive across requests (keep-alive without sharing
//    connections between threads, which libcurl does not support);
//  - we run the wait loop, so abort_all() can wake a blocked wait at once with
//    curl_multi_wakeup(). A progress callback alone is only polled about once
//    a second while a server is silent, too slow for a connector's stop().
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "http/message.hpp"
#include "http/retry.hpp"

namespace stockrelay::http {

// DNS and TLS-session caches shared by one client's transfers (thread-safe
// through the lock callbacks libcurl requires).
class SharedCache {
 public:
  SharedCache();
  ~SharedCache();
  SharedCache(const SharedCache&) = delete;
  SharedCache& operator=(const SharedCache&) = delete;
  CURLSH* handle() const { return share_; }

 private:
  static void lock(CURL* handle, curl_lock_data data, curl_lock_access access, void* self);
  static void unlock(CURL* handle, curl_lock_data data, void* self);
  CURLSH* share_;
  std::mutex mu_[CURL_LOCK_DATA_LAST];
};

struct TransferResult {
  Response response;  // status/headers/body, or error (attempts/elapsed left 0)
  AttemptOutcome outcome;
};

class Transfer {
 public:
  // nullptr if libcurl cannot allocate its handles.
  static std::unique_ptr<Transfer> create(const SharedCache& cache);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Runs one request to completion, or until `stopped` is seen (then the
  // response's error is "stopped"). Not reentrant: one caller at a time.
  TransferResult perform(const Request& request, int connect_timeout_ms, const std::atomic<bool>& stopped);

  // Makes a perform() blocked in this transfer re-check `stopped` now.
  // Thread-safe; may be called while perform() runs on another thread.
  void wake();

 private:
  Transfer(CURL* easy, CURLM* multi, const SharedCache& cache) : easy_(easy), multi_(multi), cache_(cache) {}
  CURL* easy_;
  CURLM* multi_;
  const SharedCache& cache_;
};

// Initialises libcurl once per process (before any thread uses it).
void global_curl_init();

}  // namespace stockrelay::http
