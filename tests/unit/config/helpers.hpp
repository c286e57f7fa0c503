// Shared by the config tests: load a YAML snippet and look at its errors.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "config/loader.hpp"

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

// A fresh folder under the system temp folder, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("sr-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace sr_test
