// One configured connection: a plugin instance and the host services it is
// given (abi.h's sr_host_api). Every entry call into the plugin goes through
// here, on the connection's strand; the host services it calls back land
// here too, and reach the core only through the Services it was built with.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/timed_mutex.hpp"
#include "config/config.hpp"
#include "http/client.hpp"
#include "loader/plugin.hpp"
#include "stockrelay/abi.h"
#include "stockrelay/payload.hpp"
#include "store/store.hpp"

namespace stockrelay::hub {
class Connection;
}

// The host's context behind the opaque sr_host handle.
struct sr_host {
  stockrelay::hub::Connection* connection;
};

namespace stockrelay::hub {

// What a connection's host services reach in the core.
struct Services {
  store::Store* store = nullptr;
  const Clock* clock = &SystemClock::instance();
  // Journals an emitted batch; returns SR_OK, or SR_INVALID if items were refused.
  std::function<sr_status(const std::string& connection, std::string_view events_json)> emit;
  // Serialises store writes with the engine's transactions.
  TimedMutex* store_mutex = nullptr;
};

class Connection {
 public:
  Connection(const config::ConnectionConfig& cfg, std::shared_ptr<const loader::Plugin> plugin, Services services);
  ~Connection();  // destroys the instance (after stop)
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Calls the plugin's create() with the validated settings.
  Status create();

  sr_status start();
  sr_status poll(sr::PollMode mode);
  // request_json: the webhook envelope; response_json receives the plugin's answer.
  sr_status on_webhook(const std::string& request_json, std::string& response_json);
  // Delivers a stockrelay.commands/1 document; per-item results land in `reported`.
  sr_status deliver(const std::string& commands_json, std::vector<sr::CommandResult>& reported);
  // Any thread: aborts HTTP in flight and asks the plugin to stop.
  void stop();

  std::string last_error() const;
  const std::string& name() const { return name_; }
  const loader::Plugin& plugin() const { return *plugin_; }
  bool has_capability(const std::string& capability) const;
  bool stopping() const { return stopping_.load(); }

  // Host services (called from the C table in connection.cpp).
  void service_log(int32_t level, std::string_view msg);
  sr_status service_http(std::string_view request_json, sr_str* response_json);
  sr_status service_state_get(std::string_view key, sr_str* value);
  sr_status service_state_put(std::string_view key, std::string_view value, const sr_str* expected);
  sr_status service_emit(std::string_view events_json);
  sr_status service_report(std::string_view results_json);
  const Clock& clock() const { return *services_.clock; }

 private:
  template <class F>
  sr_status entry(const char* what, F&& call);

  std::string name_;
  config::ConnectionConfig cfg_;
  std::shared_ptr<const loader::Plugin> plugin_;
  Services services_;
  sr_host host_{this};
  sr_host_api api_{};
  sr_instance* instance_ = nullptr;
  std::unique_ptr<http::Client> http_;
  std::atomic<bool> stopping_{false};

  // Host-owned strings handed out through out-parameters: valid until the
  // current entry call returns (abi.h rule 4).
  std::string http_scratch_;
  std::string state_scratch_;
  std::vector<sr::CommandResult>* reports_ = nullptr;  // set during deliver()
};

}  // namespace stockrelay::hub
