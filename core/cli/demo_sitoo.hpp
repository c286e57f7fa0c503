// `stockrelay demo --scenario sitoo` (demo_sitoo.cpp): Sitoo as the master
// of stock for the configuration's WooCommerce shops, acted out step by step
// against simulators, each step checked.
#pragma once

#include <filesystem>
#include <string>

namespace stockrelay::cli::demo {

struct SitooScenario {
  std::string config;              // examples/sitoo.yaml or the user's copy
  std::filesystem::path workdir;   // the store (demo.db, replaced) and the simulators' logs
};

// Exit code: kOk when every check passed.
int run_sitoo_scenario(const SitooScenario& options);

}  // namespace stockrelay::cli::demo
