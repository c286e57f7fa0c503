#include "http/client.hpp"

#include <algorithm>
#include <random>

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "http/redact.hpp"
#include "http/retry.hpp"
#include "http/transfer.hpp"

namespace stockrelay::http {
namespace {

constexpr const char* kRequestsMetric = "stockrelay_http_requests_total";
constexpr const char* kRetriesMetric = "stockrelay_http_retries_total";

Limits sane(Limits limits) {
  limits.max_concurrency = std::max(1, limits.max_concurrency);
  limits.max_retries = std::max(0, limits.max_retries);
  limits.requests_per_second = std::max(0.0, limits.requests_per_second);
  return limits;
}

double unit_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// The core calls send() directly (the envelope checks plugin requests), so
// the same guards against header injection and odd schemes live here too.
std::string invalid_reason(const Request& request) {
  if (request.method.empty() ||
      !std::all_of(request.method.begin(), request.method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return "invalid request: method \"" + request.method + "\" must be upper-case letters";
  }
  if (!request.url.starts_with("http://") && !request.url.starts_with("https://")) {
    return "invalid request: url must start with http:// or https://";
  }
  if (request.timeout_ms <= 0) return "invalid request: timeout_ms must be positive";
  for (const auto& h : request.headers) {
    bool bad_name = h.name.empty() || std::any_of(h.name.begin(), h.name.end(), [](char c) {
                      return c <= ' ' || c == ':' || c == 0x7F;
                    });
    if (bad_name || h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return "invalid request: header \"" + h.name + "\" is malformed";
    }
  }
  return {};
}

log::Context context(const std::string& connection) {
  log::Context c;
  c.connection = connection;
  return c;
}

Response stopped_response(int attempts) {
  Response r;
  r.error = "stopped";
  r.attempts = attempts;
  return r;
}

}  // namespace

struct Client::Attempt {
  Response response;
  AttemptOutcome outcome;
};

// Holds one concurrency slot and one transfer; gives both back on scope exit.
class Client::Lease {
 public:
  Lease(Client& client, Transfer* transfer) : client_(client), transfer_(transfer) {}
  ~Lease() {
    if (transfer_) client_.release_transfer(transfer_);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Transfer* get() const { return transfer_; }

 private:
  Client& client_;
  Transfer* transfer_;
};

Client::Client(std::string connection, Limits limits, const Clock& clock)
    : connection_(std::move(connection)),
      limits_(sane(limits)),
      clock_(clock),
      bucket_(limits_.requests_per_second),
      cache_(std::make_unique<SharedCache>()) {
  global_curl_init();
  auto& metrics = Metrics::global();
  metrics.describe(kRequestsMetric, "counter", "HTTP requests sent for connectors, by connection and status");
  metrics.describe(kRetriesMetric, "counter", "HTTP requests retried after a 429, 5xx or transport failure");
}

Client::~Client() = default;

void Client::abort_all() {
  stopped_ = true;
  std::lock_guard lock(mu_);
  for (Transfer* t : active_) t->wake();
  cv_.notify_all();
}

bool Client::sleep_unless_stopped(Millis ms) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopped_.load(); });
}

Transfer* Client::acquire_transfer() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stopped_.load() || in_flight_ < limits_.max_concurrency; });
  if (stopped_) return nullptr;
  Transfer* transfer = nullptr;
  if (!idle_.empty()) {
    transfer = idle_.back();
    idle_.pop_back();
  } else if (auto fresh = Transfer::create(*cache_)) {
    transfer = fresh.get();
    owned_.push_back(std::move(fresh));
  } else {
    return nullptr;
  }
  ++in_flight_;
  // Registered under the same lock abort_all() takes, after which perform()
  // checks stopped_: an abort either sees this transfer or is seen by it.
  active_.push_back(transfer);
  return transfer;
}

void Client::release_transfer(Transfer* transfer) {
  {
    std::lock_guard lock(mu_);
    active_.erase(std::find(active_.begin(), active_.end(), transfer));
    idle_.push_back(transfer);
    --in_flight_;
  }
  cv_.notify_all();
}

Client::Attempt Client::attempt(const Request& request) {
  Attempt not_sent{stopped_response(0), {}};
  not_sent.outcome.transport_error = true;
  not_sent.outcome.request_sent = false;
  Lease lease(*this, acquire_transfer());
  if (!lease.get()) {
    if (!stopped_) not_sent.response.error = "libcurl could not allocate a transfer";
    return not_sent;
  }
  // Pace while holding the slot, so the request goes out the moment its
  // token is due instead of queueing again behind other senders.
  if (Millis wait = bucket_.reserve(clock_.monotonic_ms()); wait > 0 && !sleep_unless_stopped(wait)) {
    return not_sent;
  }
  auto result = lease.get()->perform(request, limits_.connect_timeout_ms, stopped_);
  result.response.attempts = 1;
  return {std::move(result.response), std::move(result.outcome)};
}

Response Client::send(const Request& request) {
  const Millis started = clock_.monotonic_ms();
  if (auto reason = invalid_reason(request); !reason.empty()) {
    Response r;
    r.error = std::move(reason);
    return r;
  }
  Response response;
  for (int retries = 0;; ++retries) {
    if (stopped_) {
      response = stopped_response(retries);
      break;
    }
    const Millis attempt_started = clock_.monotonic_ms();
    Attempt a = attempt(request);
    response = std::move(a.response);
    response.attempts += retries;  // 1 if this attempt reached the wire
    // An answer that arrived just as the stop came is still returned: the
    // connector must learn that its POST did create the order.
    if (response.error == "stopped") break;
    record(request, response, clock_.monotonic_ms() - attempt_started);
    auto delay = retry_delay(request, a.outcome, retries, limits_, clock_.now_ms(), unit_random());
    if (!delay) break;
    Metrics::global().add(kRetriesMetric, {{"connection", connection_}});
    log::info(context(connection_),
              request.method + " " + redact_url(request.url) + " -> " +
                  (response.error.empty() ? std::to_string(response.status) : response.error) + "; retry " +
                  std::to_string(retries + 1) + "/" + std::to_string(limits_.max_retries) + " in " +
                  std::to_string(*delay) + " ms");
    if (!sleep_unless_stopped(*delay)) {
      response = stopped_response(retries + 1);
      break;
    }
  }
  response.elapsed_ms = clock_.monotonic_ms() - started;
  return response;
}

// One line per exchange at debug level: method, scrubbed URL, outcome, time.
// Headers and bodies are never logged (they carry credentials and customer
// data); log::write still redacts registered secrets from what is.
void Client::record(const Request& request, const Response& response, Millis ms) {
  const std::string status = response.error.empty() ? std::to_string(response.status) : "error";
  Metrics::global().add(kRequestsMetric, {{"connection", connection_}, {"status", status}});
  if (!log::enabled(log::Level::Debug)) return;
  log::debug(context(connection_), request.method + " " + redact_url(request.url) + " -> " +
                                (response.error.empty() ? status : "error: " + response.error) + " in " +
                                std::to_string(ms) + " ms");
}

}  // namespace stockrelay::http
