// Connectors built against every frozen ABI header (sdk/abi-history/) load
// in this host and run their lifecycle: upgrading stockrelay never strands a
// connector built for an older minor.
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "loader/load.hpp"

namespace {

// {version, path of the history connector built against that header}
const std::vector<std::pair<std::string, std::string>> kHistory = {SR_HISTORY_CONNECTORS};

}  // namespace

TEST_CASE("connectors built for every released ABI version load and run") {
  REQUIRE_FALSE(kHistory.empty());
  CHECK(kHistory.front().first == "1.0");
  for (const auto& [version, path] : kHistory) {
    INFO("built against sdk/abi-history/" << version << ": " << path);
    auto plugin = stockrelay::loader::load(path);
    REQUIRE(plugin.ok());
    const auto& p = **plugin;
    CHECK(p.abi() == version);
    CHECK(std::to_string(p.description.abi_major) + "." + std::to_string(p.description.abi_minor) == version);

    sr_status rc = SR_FAILED;
    sr_str error{nullptr, 0};
    sr_instance* instance = p.api->create(nullptr, nullptr, sr_str{"{}", 2}, &rc, &error);
    REQUIRE(instance != nullptr);
    CHECK(rc == SR_OK);
    CHECK(p.api->start(instance) == SR_OK);
    p.api->stop(instance);
    p.api->destroy(instance);
  }
}
