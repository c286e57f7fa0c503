// A correct connector built the way every connector is: the SDK's C++ layer,
// STOCKRELAY_CONNECTOR() and stockrelay_add_connector(). It polls and
// accepts stock commands, and does nothing else.
#include <stockrelay/connector.hpp>

namespace {

constexpr std::string_view kDescribe = R"({
  "schema": "stockrelay.describe/1",
  "id": "test.good",
  "name": "Good test connector",
  "version": "1.2.3",
  "vendor": "stockrelay tests",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["poll", "stock.out"],
  "limits": {"batch_size": 50, "requests_per_second": 5},
  "config_schema": {"type": "object", "properties": {"api_key": {"type": "string", "x-secret": true}}}
})";

class Good : public sr::Connector {
 public:
  Good(sr::Host& host, const nlohmann::json&) : sr::Connector(host) {}
  void poll(sr::PollMode) override {}
  void deliver(const std::vector<sr::Command>&) override {}
};

}  // namespace

STOCKRELAY_CONNECTOR(Good, kDescribe)
