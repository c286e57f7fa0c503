// Installing a connector: probed in a child first, copied into the plugin
// folder, recorded with its hash, ABI and description.
#include <openssl/evp.h>

#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "loader/install.hpp"
#include "test_support.hpp"

using stockrelay::loader::install;

namespace {

std::string sha256_hex(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("installing a connector copies it and records its hash, ABI and description") {
  sr_test::TempDir dir;
  auto plugins = dir.path() / "plugins";
  auto rec = install(SR_GOOD_CONNECTOR, plugins.string(), SR_PROBE_EXE);
  REQUIRE(rec.ok());
  auto installed = plugins / "libgood_connector.so";
  CHECK(rec->file == installed.string());
  CHECK(std::filesystem::exists(installed));
  CHECK(rec->id == "test.good");
  CHECK(rec->version == "1.2.3");
  CHECK(rec->abi == "1.0");
  CHECK(rec->sha256 == sha256_hex(SR_GOOD_CONNECTOR));
  CHECK(rec->describe["capabilities"] == nlohmann::json{"poll", "stock.out"});

  auto index = read_json(plugins / "installed.json");
  CHECK(index["schema"] == "stockrelay.installed/1");
  const auto& entry = index["plugins"]["libgood_connector.so"];
  CHECK(entry["id"] == "test.good");
  CHECK(entry["sha256"] == rec->sha256);
  CHECK(entry["abi"] == "1.0");
  CHECK(entry["describe"]["id"] == "test.good");
  // Nothing is left behind but the library and the record.
  CHECK(std::distance(std::filesystem::directory_iterator(plugins), std::filesystem::directory_iterator()) == 2);
}

TEST_CASE("installing the same file name again replaces it (an upgrade)") {
  sr_test::TempDir dir;
  REQUIRE(install(SR_GOOD_CONNECTOR, dir.path().string(), SR_PROBE_EXE).ok());
  auto again = install(SR_GOOD_CONNECTOR, dir.path().string(), SR_PROBE_EXE);
  REQUIRE(again.ok());
  CHECK(read_json(dir.path() / "installed.json")["plugins"].size() == 1);
}

TEST_CASE("a library that crashes while probed is not installed") {
  sr_test::TempDir dir;
  auto rec = install(SR_BAD_crash_in_describe, dir.path().string(), SR_PROBE_EXE);
  REQUIRE_FALSE(rec.ok());
  CHECK(rec.error().where == SR_BAD_crash_in_describe);
  CHECK_THAT(rec.error().what, Catch::Contains("crashed while loading (signal 11, SIGSEGV)"));
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("a refused library is not installed, and the reason is given") {
  sr_test::TempDir dir;
  auto rec = install(SR_BAD_null_required_slot, dir.path().string(), SR_PROBE_EXE);
  REQUIRE_FALSE(rec.ok());
  CHECK(rec.error().where == SR_BAD_null_required_slot);
  CHECK(rec.error().what == "required slot 'stop' is NULL");
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("a second library with an installed connector's id is refused") {
  sr_test::TempDir src, dir;
  REQUIRE(install(SR_GOOD_CONNECTOR, dir.path().string(), SR_PROBE_EXE).ok());
  auto other = src.copy(SR_GOOD_CONNECTOR, "libgood_fork.so");
  auto rec = install(other, dir.path().string(), SR_PROBE_EXE);
  REQUIRE_FALSE(rec.ok());
  CHECK(rec.error().where == other);
  CHECK_THAT(rec.error().what, Catch::Contains("connector 'test.good' is already installed as") &&
                                   Catch::Contains("libgood_connector.so"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "libgood_fork.so"));
}

TEST_CASE("a file not named lib<name>.so is refused before anything runs") {
  sr_test::TempDir src, dir;
  auto odd = src.copy(SR_GOOD_CONNECTOR, "good.so");
  auto rec = install(odd, (dir.path() / "plugins").string(), SR_PROBE_EXE);
  REQUIRE_FALSE(rec.ok());
  CHECK_THAT(rec.error().what, Catch::Contains("must be named lib<name>.so"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "plugins"));
}
