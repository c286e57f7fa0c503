#include "config/config.hpp"

#include <algorithm>

namespace stockrelay::config {

std::string Location::str() const {
  // A location without a line (e.g. a value filled in by a default) still
  // names the file, so the operator knows which config to open.
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const ConnectionConfig* Config::connection(const std::string& name) const {
  auto it = std::find_if(connections.begin(), connections.end(),
                         [&](const ConnectionConfig& c) { return c.name == name; });
  return it == connections.end() ? nullptr : &*it;
}

const PoolConfig* Config::pool(const std::string& name) const {
  auto it = std::find_if(pools.begin(), pools.end(),
                         [&](const PoolConfig& p) { return p.name == name; });
  return it == pools.end() ? nullptr : &*it;
}

}  // namespace stockrelay::config
