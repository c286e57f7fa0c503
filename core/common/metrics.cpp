#include "common/metrics.hpp"

#include <cstdio>

namespace stockrelay {

Metrics& Metrics::global() {
  static Metrics m;
  return m;
}

std::string Metrics::render_labels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') { out += "\\n"; continue; }
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mu_);
  auto& f = families_[name];
  if (f.type.empty()) { f.type = type; f.help = help; }
}

void Metrics::add(const std::string& name, const Labels& labels, double delta) {
  std::string key = render_labels(labels);
  std::lock_guard lock(mu_);
  auto& f = families_[name];
  if (f.type.empty()) f.type = "counter";
  f.series[key] += delta;
}

double Metrics::value(const std::string& name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(render_labels(labels));
  return s == it->second.series.end() ? 0 : s->second;
}

double Metrics::sum(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  double total = 0;
  if (it != families_.end())
    for (const auto& [labels, v] : it->second.series) total += v;
  return total;
}

void Metrics::gauge(const std::string& name, const std::string& help, GaugeFn fn) {
  std::lock_guard lock(mu_);
  gauges_[name] = {help, std::move(fn)};
}

static std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Metrics::render() const {
  std::map<std::string, std::pair<std::string, GaugeFn>> gauges;
  std::string out;
  {
    std::lock_guard lock(mu_);
    gauges = gauges_;
    for (const auto& [name, f] : families_) {
      if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
      out += "# TYPE " + name + " " + f.type + "\n";
      for (const auto& [labels, v] : f.series) out += name + labels + " " + number(v) + "\n";
    }
  }
  // Gauge callbacks may take other locks (the store's): call them unlocked.
  for (const auto& [name, g] : gauges) {
    out += "# HELP " + name + " " + g.first + "\n# TYPE " + name + " gauge\n";
    for (const auto& [labels, v] : g.second()) out += name + render_labels(labels) + " " + number(v) + "\n";
  }
  return out;
}

}  // namespace stockrelay
