// Shared by the config tests: load a YAML snippet and look at its errors.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "config/loader.hpp"
#include "sr_test_support.hpp"

namespace sr_test {

// Loads `yaml` as the file "cfg.yaml" in the working folder.
inline stockrelay::config::LoadResult load(const std::string& yaml) {
  return stockrelay::config::load_string(yaml, "cfg.yaml");
}

// The config of a snippet that must load cleanly; fails the test otherwise
// and shows the errors.
inline stockrelay::config::Config load_ok(const std::string& yaml) {
  auto r = load(yaml);
  for (const auto& e : r.errors) UNSCOPED_INFO(e.message());
  REQUIRE(r.errors.empty());
  REQUIRE(r.config);
  return *r.config;
}

// The only error of a snippet that must produce exactly one.
inline stockrelay::Error only_error(const std::string& yaml) {
  auto r = load(yaml);
  for (const auto& e : r.errors) UNSCOPED_INFO(e.message());
  REQUIRE(r.errors.size() == 1);
  CHECK_FALSE(r.config);
  return r.errors.front();
}

using TempDir = sr_test::TempDir;

}  // namespace sr_test
