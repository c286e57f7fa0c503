// libbench_emitter.so: a connector that exists only to be measured. Each
// poll() builds `events` stock levels and emit()s them through sr::Host in
// documents of `batch` items (serialised by the SDK's payload.hpp, exactly as
// a real connector's would be).
//
// settings: {"events": <int, default 100000>, "batch": <int, default 100>}
#include <string>
#include <string_view>
#include <vector>

#include "stockrelay/connector.hpp"

namespace {

constexpr std::string_view kDescribe = R"({
  "schema": "stockrelay.describe/1",
  "id": "bench_emitter",
  "name": "Benchmark emitter",
  "version": "1.0.0",
  "vendor": "stockrelay bench",
  "abi": {"major": 1, "minor": 0},
  "capabilities": ["stock.in", "poll"],
  "limits": {"batch_size": 100, "requests_per_second": 0, "max_concurrency": 1},
  "config_schema": {
    "type": "object",
    "properties": {
      "events": {"type": "integer", "description": "stock levels emitted per poll"},
      "batch": {"type": "integer", "description": "events per emit() document"}
    },
    "additionalProperties": false
  }
})";

class Emitter : public sr::Connector {
 public:
  Emitter(sr::Host& host, const nlohmann::json& settings) : sr::Connector(host) {
    events_ = settings.value("events", std::int64_t{100000});
    batch_ = settings.value("batch", std::int64_t{100});
    if (events_ < 0 || batch_ < 1) throw sr::invalid_error("settings: events >= 0 and batch >= 1 please");
  }

  void poll(sr::PollMode) override {
    // Every poll emits new keys, so a journal never sees them as duplicates.
    ++round_;
    const std::int64_t now = host().now_ms();
    std::vector<sr::Event> batch;
    batch.reserve(static_cast<std::size_t>(batch_));
    for (std::int64_t i = 0; i < events_; ++i) {
      sr::StockLevel l;
      l.sku = "SKU-" + std::to_string(100000 + i % 20000);
      l.version = "2024-05-01T10:00:00." + std::to_string(i);
      l.key = "level:" + l.sku + ":" + std::to_string(round_) + ":" + l.version;
      l.at = now;
      l.quantity = sr::Quantity::units(i % 97);
      l.remote_id = "p-" + std::to_string(i % 20000);
      batch.push_back(std::move(l));
      if (static_cast<std::int64_t>(batch.size()) == batch_ || i + 1 == events_) {
        if (!host().emit(batch)) throw sr::retryable_error("the host refused part of a batch");
        batch.clear();
      }
    }
  }

 private:
  std::int64_t events_ = 0;
  std::int64_t batch_ = 100;
  std::int64_t round_ = 0;
};

}  // namespace

STOCKRELAY_CONNECTOR(Emitter, kDescribe)
