#include "http/transfer.hpp"

#include <array>
#include <string_view>

namespace stockrelay::http {
namespace {

// Callbacks run inside libcurl's C frames: nothing may throw through them.
size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
  try {
    static_cast<Response*>(user)->body.append(data, size * count);
    return size * count;
  } catch (...) {
    return 0;  // a short count makes libcurl fail the transfer
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept {
  try {
    auto* response = static_cast<Response*>(user);
    std::string_view line(data, size * count);
    // A status line starts a new header block (after "100 Continue" or a
    // proxy's CONNECT answer): only the final block describes the response.
    if (line.starts_with("HTTP/")) {
      response->headers.clear();
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      response->headers.push_back({lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    return size * count;
  } catch (...) {
    return 0;
  }
}

// Called once a connection exists and just before the request goes out;
// from then on the server may act on it, which decides whether a failed POST
// may be retried.
int on_prereq(void* user, char*, char*, int, int) noexcept {
  *static_cast<bool*>(user) = true;
  return CURL_PREREQFUNC_OK;
}

bool retry_cannot_help(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_LOGIN_DENIED:
      return true;
    default:
      return false;
  }
}

curl_slist* header_list(const Request& request) {
  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& h : request.headers) {
    has_content_type = has_content_type || iequals(h.name, "Content-Type");
    // "Name:" would tell libcurl to drop the header; "Name;" sends it empty.
    std::string line = h.value.empty() ? h.name + ";" : h.name + ": " + h.value;
    list = curl_slist_append(list, line.c_str());
  }
  // No "Expect: 100-continue" dance (a 1 s stall with servers that ignore
  // it), and no invented form Content-Type: what the connector sets is sent.
  list = curl_slist_append(list, "Expect:");
  if (!has_content_type) list = curl_slist_append(list, "Content-Type:");
  return list;
}

void set_method(CURL* easy, const Request& request) {
  const std::string& m = request.method;
  if (m == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    return;
  }
  // POST/PUT/PATCH always carry a body (possibly empty, so Content-Length: 0
  // is sent); other methods only when the connector gave one.
  if (!request.body.empty() || m == "POST" || m == "PUT" || m == "PATCH") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (m != "GET" && m != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m.c_str());
  if (m == "GET" && !request.body.empty()) curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "GET");
}

}  // namespace

void global_curl_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SharedCache::SharedCache() : share_(curl_share_init()) {
  if (!share_) return;  // transfers then simply keep private caches
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &SharedCache::lock);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &SharedCache::unlock);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

SharedCache::~SharedCache() {
  if (share_) curl_share_cleanup(share_);
}

void SharedCache::lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  static_cast<SharedCache*>(self)->mu_[data].lock();
}

void SharedCache::unlock(CURL*, curl_lock_data data, void* self) {
  static_cast<SharedCache*>(self)->mu_[data].unlock();
}

std::unique_ptr<Transfer> Transfer::create(const SharedCache& cache) {
  global_curl_init();
  CURL* easy = curl_easy_init();
  CURLM* multi = curl_multi_init();
  if (!easy || !multi) {
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
    return nullptr;
  }
  return std::unique_ptr<Transfer>(new Transfer(easy, multi, cache));
}

Transfer::~Transfer() {
  curl_easy_cleanup(easy_);
  curl_multi_cleanup(multi_);
}

void Transfer::wake() { curl_multi_wakeup(multi_); }

TransferResult Transfer::perform(const Request& request, int connect_timeout_ms, const std::atomic<bool>& stopped) {
  TransferResult result;
  Response& response = result.response;
  bool sent = false;
  std::array<char, CURL_ERROR_SIZE> detail{};

  // Reset keeps the connection cache (it lives in multi_), so keep-alive survives.
  curl_easy_reset(easy_);
  curl_easy_setopt(easy_, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);  // threads: never longjmp on timeouts
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_ms));
  curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate/br, decoded for the caller
  curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, detail.data());
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(easy_, CURLOPT_PREREQFUNCTION, &on_prereq);
  curl_easy_setopt(easy_, CURLOPT_PREREQDATA, &sent);
  if (cache_.handle()) curl_easy_setopt(easy_, CURLOPT_SHARE, cache_.handle());
  curl_slist* headers = header_list(request);
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers);
  set_method(easy_, request);

  CURLMcode multi_code = curl_multi_add_handle(multi_, easy_);
  bool aborted = false;
  int running = 1;
  while (multi_code == CURLM_OK) {
    if (stopped.load()) { aborted = true; break; }
    multi_code = curl_multi_perform(multi_, &running);
    if (multi_code != CURLM_OK || running == 0) break;
    // Returns on socket activity, libcurl's own timers, or wake().
    multi_code = curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }
  CURLcode code = CURLE_OK;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg == CURLMSG_DONE) code = msg->data.result;
  }
  curl_multi_remove_handle(multi_, easy_);
  curl_slist_free_all(headers);

  AttemptOutcome& outcome = result.outcome;
  outcome.request_sent = sent;
  if (aborted || multi_code != CURLM_OK || code != CURLE_OK) {
    // A partial answer (say, a timeout mid-body) is no answer at all.
    response.headers.clear();
    response.body.clear();
    outcome.transport_error = true;
    if (aborted) {
      response.error = "stopped";
    } else if (multi_code != CURLM_OK) {
      response.error = std::string("libcurl: ") + curl_multi_strerror(multi_code);
    } else {
      response.error = detail[0] ? detail.data() : curl_easy_strerror(code);
      if (code == CURLE_OPERATION_TIMEDOUT) response.error = "timeout: " + response.error;
      outcome.retry_cannot_help = retry_cannot_help(code);
    }
    return result;
  }
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  outcome.status = response.status;
  outcome.retry_after = response.header("retry-after");
  return result;
}

}  // namespace stockrelay::http
