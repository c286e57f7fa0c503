// Probing in a child process: what `plugins inspect`/`install` rely on so that
// a crashing or hanging library cannot take the CLI down.
#include <catch2/catch.hpp>

#include "loader/probe.hpp"
#include "test_support.hpp"

using stockrelay::loader::probe;
using stockrelay::loader::probe_in_child;

TEST_CASE("probe() reports an accepted connector as one JSON object") {
  auto j = probe(SR_GOOD_CONNECTOR);
  CHECK(j["ok"] == true);
  CHECK(j["path"] == sr_test::canonical(SR_GOOD_CONNECTOR));
  CHECK(j["abi"] == "1.0");
  CHECK(j["capabilities"] == nlohmann::json{"poll", "stock.out"});
  CHECK(j["describe"]["id"] == "test.good");
}

TEST_CASE("probe() reports a refused library with the file and the reason") {
  auto j = probe(SR_BAD_abi_major_2);
  CHECK(j["ok"] == false);
  CHECK_THAT(j["error"].get<std::string>(), Catch::Contains(sr_test::canonical(SR_BAD_abi_major_2)) &&
                                                 Catch::Contains("built for ABI 2.0; this stockrelay provides 1.0"));
}

TEST_CASE("a connector probed in a child process reports its description") {
  auto j = probe_in_child(SR_GOOD_CONNECTOR, SR_PROBE_EXE);
  REQUIRE(j.ok());
  CHECK((*j)["describe"]["id"] == "test.good");
  CHECK((*j)["abi"] == "1.0");
}

TEST_CASE("a library refused in the child comes back as an error naming it") {
  auto j = probe_in_child(SR_BAD_minor_too_new, SR_PROBE_EXE);
  REQUIRE_FALSE(j.ok());
  CHECK(j.error().where == SR_BAD_minor_too_new);
  CHECK_THAT(j.error().what, Catch::Contains("built for ABI 1.4; this stockrelay provides 1.0"));
}

TEST_CASE("a library that crashes while loading kills only the child") {
  auto j = probe_in_child(SR_BAD_crash_in_describe, SR_PROBE_EXE);
  REQUIRE_FALSE(j.ok());
  CHECK(j.error().where == SR_BAD_crash_in_describe);
  CHECK_THAT(j.error().message(), Catch::Contains(SR_BAD_crash_in_describe) &&
                                      Catch::Contains("crashed while loading (signal 11, SIGSEGV)"));
  // This process is still here and still probes.
  CHECK(probe_in_child(SR_GOOD_CONNECTOR, SR_PROBE_EXE).ok());
}

TEST_CASE("a library that hangs while loading is stopped at the deadline") {
  auto j = probe_in_child(SR_BAD_hangs_in_describe, SR_PROBE_EXE, std::chrono::milliseconds(500));
  REQUIRE_FALSE(j.ok());
  CHECK(j.error().where == SR_BAD_hangs_in_describe);
  CHECK_THAT(j.error().what, Catch::Contains("did not finish loading within 500 ms"));
}

TEST_CASE("a probe program that gives no answer is an error, not a crash") {
  auto j = probe_in_child(SR_GOOD_CONNECTOR, "/bin/true");
  REQUIRE_FALSE(j.ok());
  CHECK_THAT(j.error().what, Catch::Contains("the probe gave no answer (exit status 0)"));
}
