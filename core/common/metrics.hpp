// Counters and gauges exposed at /metrics in the Prometheus text format.
// Counters are incremented where things happen; gauges are read at scrape
// time through callbacks (outbox depth comes from the store, not a copy).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace stockrelay {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Declares a metric family (once; later calls are no-ops).
  void describe(const std::string& name, const std::string& type, const std::string& help);
  void add(const std::string& name, const Labels& labels, double delta = 1);
  double value(const std::string& name, const Labels& labels) const;
  double sum(const std::string& name) const;  // over every label set
  // A gauge family computed at scrape time: returns (labels, value) rows.
  using GaugeFn = std::function<std::vector<std::pair<Labels, double>>()>;
  void gauge(const std::string& name, const std::string& help, GaugeFn fn);

  std::string render() const;  // Prometheus text exposition format 0.0.4

  static Metrics& global();

 private:
  struct Family {
    std::string type, help;
    std::map<std::string, double> series;  // rendered label set -> value
  };
  static std::string render_labels(const Labels&);
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::map<std::string, std::pair<std::string, GaugeFn>> gauges_;
};

}  // namespace stockrelay
