// Finding connectors in the plugin search paths, by id or by path.
#include <catch2/catch.hpp>

#include "loader/registry.hpp"
#include "test_support.hpp"

using stockrelay::loader::Registry;

namespace {

// A plugin folder as an operator has it: a connector named after its id, one
// whose file name differs from its id, and one this host refuses.
struct PluginFolder {
  sr_test::TempDir dir;
  std::string good = sr_test::canonical(dir.copy(SR_GOOD_CONNECTOR, "libtest.good.so"));
  std::string history = sr_test::canonical(dir.copy(SR_HISTORY_1_0, "libsomething-else.so"));
  std::string broken = sr_test::canonical(dir.copy(SR_BAD_abi_major_2, "libbroken.so"));
  std::string ignored = dir.copy(SR_GOOD_CONNECTOR, "notaplugin.so");
  Registry registry{{dir.path().string()}};
};

}  // namespace

TEST_CASE("the search paths end with the installed stockrelay's plugin folders") {
  Registry r({"/etc/stockrelay/plugins"});
  REQUIRE(r.search_paths().size() == 3);
  CHECK(r.search_paths()[0] == "/etc/stockrelay/plugins");
  CHECK_THAT(r.search_paths()[1], Catch::EndsWith("/lib/stockrelay/plugins"));
  CHECK_THAT(r.search_paths()[2], Catch::EndsWith("/plugins"));
}

TEST_CASE("a connector is found by its id") {
  PluginFolder f;
  auto p = f.registry.find("test.good");
  REQUIRE(p.ok());
  CHECK((*p)->path == f.good);
}

TEST_CASE("a connector whose file name differs from its id is found by its id") {
  PluginFolder f;
  auto p = f.registry.find("test.history");
  REQUIRE(p.ok());
  CHECK((*p)->path == f.history);
}

TEST_CASE("a value ending in .so is loaded as a path") {
  PluginFolder f;
  auto p = f.registry.find(SR_GOOD_CONNECTOR);
  REQUIRE(p.ok());
  CHECK((*p)->path == sr_test::canonical(SR_GOOD_CONNECTOR));
}

TEST_CASE("an unknown id names the folders searched and how many libraries were refused") {
  PluginFolder f;
  auto p = f.registry.find("woocommerce");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().where == "connector woocommerce");
  CHECK_THAT(p.error().what, Catch::Contains(f.dir.path().string()));
  CHECK_THAT(p.error().hint, Catch::Contains("1 library in these folders could not be loaded"));
}

TEST_CASE("a scan lists every lib*.so with its connector or the reason it was refused") {
  PluginFolder f;
  auto entries = f.registry.scan();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].path == f.broken);
  REQUIRE_FALSE(entries[0].plugin.ok());
  CHECK_THAT(entries[0].plugin.error().what, Catch::Contains("built for ABI 2.0"));
  CHECK(entries[1].path == f.history);
  CHECK(entries[1].plugin.ok());
  CHECK(entries[2].path == f.good);
  REQUIRE(entries[2].plugin.ok());
  CHECK((*entries[2].plugin)->description.id == "test.good");
}
