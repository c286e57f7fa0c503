// Shared by the abi tests: the built plugin files and a scratch folder.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace sr_test {

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("sr-abi-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Copies `file` into this folder as `name`; returns the copy's path.
  std::string copy(const std::string& file, const std::string& name) const {
    std::filesystem::copy_file(file, path_ / name);
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

inline std::string canonical(const std::string& path) { return std::filesystem::canonical(path).string(); }

}  // namespace sr_test
