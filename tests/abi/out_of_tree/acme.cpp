// The smallest useful connector: accepts stock commands and reports each one.
#include <stockrelay/connector.hpp>

namespace {

constexpr std::string_view kDescribe = R"({
  "schema": "stockrelay.describe/1", "id": "acme", "version": "0.1.0", "vendor": "ACME",
  "abi": {"major": 1, "minor": 0}, "capabilities": ["stock.out"]
})";

class Acme : public sr::Connector {
 public:
  Acme(sr::Host& host, const nlohmann::json&) : sr::Connector(host) {}
  void deliver(const std::vector<sr::Command>& batch) override {
    std::vector<sr::CommandResult> results;
    for (const auto& c : batch) {
      sr::CommandResult r;
      r.id = c.id;
      results.push_back(r);
    }
    host().report(results);
  }
};

}  // namespace

STOCKRELAY_CONNECTOR(Acme, kDescribe)
