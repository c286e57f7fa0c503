// The `stockrelay` command as an operator uses it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "hub_fixture.hpp"

using namespace hub_test;

namespace {

std::string exe() { return STOCKRELAY_EXE; }

}  // namespace

TEST_CASE("check accepts every example configuration") {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SR_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    ++n;
    std::string out;
    INFO(entry.path().string());
    int rc = run_command(exe() + " check --config " + entry.path().string(), out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find(": ok (") != std::string::npos);
  }
  CHECK(n >= 2);
}

TEST_CASE("check names file, line and column of a bad key and exits 3") {
  TempDir dir;
  std::ofstream(dir.file("bad.yaml")) << "connections:\n  shop-a:\n    plugin: memory\n    setings: {}\n";
  std::string out;
  CHECK(run_command(exe() + " check --config " + dir.file("bad.yaml"), out) == 3);
  CHECK(out.find("bad.yaml:4:5") != std::string::npos);
  CHECK(out.find("settings") != std::string::npos);  // the hint names the right key
}

TEST_CASE("check refuses settings the plugin's schema rejects, naming the connection") {
  TempDir dir;
  std::ofstream(dir.file("c.yaml")) << "connections:\n  shop-a:\n    plugin: memory\n    settings: {shop_file: 12}\n";
  std::string out;
  CHECK(run_command(exe() + " check --config " + dir.file("c.yaml"), out) == 3);
  CHECK(out.find("c.yaml:4:") != std::string::npos);
  CHECK(out.find("shop-a") != std::string::npos);
  CHECK(out.find("shop_file") != std::string::npos);
}

TEST_CASE("check refuses a route that sends a connection a command its plugin does not take") {
  TempDir dir;
  std::ofstream(dir.file("r.yaml")) << "connections:\n"
                                       "  sitoo:\n"
                                       "    plugin: sitoo\n"
                                       "    settings: {base_url: \"http://127.0.0.1:9/v2/accounts/1\", api_id: \"1-1\", "
                                       "api_password: pw, warehouse_id: 1}\n"
                                       "  shop-a:\n"
                                       "    plugin: memory\n"
                                       "    settings: {shop_file: shop-a.json}\n"
                                       "routes:\n"
                                       "  - name: counts-to-sitoo\n"
                                       "    on: [stock_level]\n"
                                       "    from: [shop-a]\n"
                                       "    do:\n"
                                       "      - command: set_stock\n"
                                       "        to: [sitoo]\n";
  std::string out;
  CHECK(run_command(exe() + " check --config " + dir.file("r.yaml"), out) == 3);
  INFO(out);
  CHECK(out.find("r.yaml:13:9") != std::string::npos);  // the action
  CHECK(out.find("route 'counts-to-sitoo': connection 'sitoo' (plugin sitoo) does not take set_stock: it declares "
                 "no 'stock.out'") != std::string::npos);
}

TEST_CASE("plugins list shows the memory connector with its ABI and capabilities") {
  std::string out;
  CHECK(run_command(exe() + " plugins list --json", out) == 0);
  auto j = nlohmann::json::parse(out.substr(out.find('[')));
  bool found = false;
  for (const auto& p : j)
    if (p.value("id", "") == "memory") {
      found = true;
      CHECK(p["abi"] == "1.0");
      CHECK(p["capabilities"].size() >= 5);
    }
  CHECK(found);
}

TEST_CASE("plugins inspect prints a plugin's description and refuses a file that is not one") {
  std::string out;
  CHECK(run_command(exe() + " plugins inspect " + std::string(MEMORY_PLUGIN_DIR) + "/libmemory.so", out) == 0);
  CHECK(out.find("\"id\": \"memory\"") != std::string::npos);
  TempDir dir;
  std::ofstream(dir.file("libnot.so")) << "not a library";
  CHECK(run_command(exe() + " plugins inspect " + dir.file("libnot.so"), out) == 1);
  CHECK(out.find("libnot.so") != std::string::npos);
}

TEST_CASE("every command answers --help, and an unknown command is a usage error") {
  std::string out;
  for (const char* c : {"run", "sync", "check", "plugins list", "plugins inspect", "plugins install", "orders list",
                        "orders retry", "log", "links list", "links refetch",
                        "report inactive-with-stock", "version"}) {
    INFO(c);
    CHECK(run_command(exe() + " " + c + " --help", out) == 0);
    CHECK(out.find("usage: stockrelay") != std::string::npos);
  }
  CHECK(run_command(exe() + " frobnicate", out) == 2);
  CHECK(run_command(exe() + " log --no-such-flag", out) == 2);
}

TEST_CASE("a second hub on the same store is refused with the first one's pid") {
  HubFixture f;
  REQUIRE(f.shop("shop-a").create_product("A", q(1)).ok());
  f.start();
  std::string out;
  CHECK(run_command(exe() + " run --config " + f.config_path(), out) == 4);
  CHECK(out.find("in use by another stockrelay process (pid " + std::to_string(getpid()) + ")") != std::string::npos);
}

namespace {

// Three shops with 10 of SKU A, synced once by `stockrelay sync --once`.
HubSetup cli_setup() {
  HubSetup s;
  s.engine_yaml = "engine: {settle_ms: 100, default_poll_seconds: 3600}\n";
  return s;
}

void first_sync(HubFixture& f) {
  for (const char* n : {"shop-a", "shop-b", "shop-c"}) REQUIRE(f.shop(n).create_product("A", q(10)).ok());
  std::string out;
  REQUIRE(run_command(exe() + " sync --once --config " + f.config_path(), out) == 0);
}

}  // namespace

TEST_CASE("sync --once delivers everything and exits: log and orders show what happened") {
  HubFixture f(cli_setup());
  first_sync(f);
  std::string out;
  REQUIRE(f.shop("shop-b").place_order("42", {{"A", q(2)}}).ok());
  REQUIRE(run_command(exe() + " sync --once --config " + f.config_path(), out) == 0);
  INFO(out);
  for (const auto& [shop, level] : f.levels("A")) CHECK(level == q(8));
  CHECK(run_command(exe() + " log --config " + f.config_path() + " --connection shop-b", out) == 0);
  CHECK(out.find("order #42 in shop-b") != std::string::npos);
  CHECK(run_command(exe() + " orders list --failed --config " + f.config_path(), out) == 0);
  CHECK(out.find("(no failed orders)") != std::string::npos);
}

TEST_CASE("run --dry-run shows what would be sent and sends nothing") {
  HubFixture f(cli_setup());
  first_sync(f);
  std::string out;
  REQUIRE(f.shop("shop-a").place_order("7", {{"A", q(3)}}).ok());
  CHECK(run_command(exe() + " run --dry-run --config " + f.config_path(), out) == 0);
  INFO(out);
  CHECK(out.find("command(s) would be sent") != std::string::npos);
  CHECK(out.find("\"quantity\":7") != std::string::npos);
  CHECK(f.levels("A").at("shop-b") == q(10));  // nothing was sent
  CHECK(f.levels("A").at("shop-c") == q(10));
}
