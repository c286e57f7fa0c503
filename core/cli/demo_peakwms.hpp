// `stockrelay demo --scenario peakwms` (demo_peakwms.cpp): a PeakWMS
// warehouse as the master of stock for the configuration's WooCommerce
// shops, with one product integration per product per shop, acted out step
// by step against simulators, each step checked.
#pragma once

#include <filesystem>
#include <string>

namespace stockrelay::cli::demo {

struct PeakwmsScenario {
  std::string config;              // examples/peakwms.yaml or the user's copy
  std::filesystem::path workdir;   // the store (demo.db, replaced) and the simulators' logs
};

// Exit code: kOk when every check passed.
int run_peakwms_scenario(const PeakwmsScenario& options);

}  // namespace stockrelay::cli::demo
