// The products a shop no longer sells (draft, private, trash, deleted)
// while the pool's master still holds stock of them: what `stockrelay report
// inactive-with-stock` prints and the peakwms demo shows.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "store/store.hpp"

namespace stockrelay::cli {

struct InactiveWithStock {
  std::string shop;
  std::string master;
  store::Product product;
  sr::Quantity quantity;  // the master's level, as last read
  store::Millis read_at = 0;
  std::string status() const { return product.status.empty() ? "inactive" : product.status; }
};

// Per pool with a master, per member (`connection` only, if not empty).
std::vector<InactiveWithStock> inactive_with_stock(store::Store& st, const config::Config& cfg,
                                                   const std::string& connection);
void print_inactive_with_stock(const std::vector<InactiveWithStock>& rows, std::ostream& out);

}  // namespace stockrelay::cli
