// The hub as the end-to-end benchmarks run it (bench_woo, bench_sitoo):
// loaded from a config file, plugins found on its plugin paths, started;
// plus the timing helpers they share. bench/ only; link sr_hub.
#pragma once

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "hub/hub.hpp"
#include "loader/registry.hpp"
#include "store/store.hpp"

namespace bench {

using Steady = std::chrono::steady_clock;

inline double ms_since(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

// The value below which a share `p` (0..1) of `v` lies.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

// A loopback port free now (for the hub's webhooks).
inline int free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// Opens the store the config names, loads the plugins and starts the hub;
// throws std::runtime_error with the first problem.
inline std::unique_ptr<stockrelay::hub::Hub> start_hub(const std::string& config_path) {
  using namespace stockrelay;
  auto loaded = config::load_file(config_path);
  if (!loaded.errors.empty()) throw std::runtime_error(loaded.errors.front().message());
  auto store = store::open_sqlite(loaded.config->store.path, store::OpenMode::Owner);
  if (!store) throw std::runtime_error(store.error().message());
  auto hub = std::make_unique<hub::Hub>(*loaded.config, std::move(*store));
  loader::Registry reg(loaded.config->plugin_paths);
  auto errors = hub->open([&](const std::string& id) { return reg.find(id); });
  if (!errors.empty()) throw std::runtime_error(errors.front().message());
  if (auto st = hub->start(); !st) throw std::runtime_error(st.error().message());
  return hub;
}

}  // namespace bench
