// Shared by the abi tests: the built plugin files and a scratch folder.
#pragma once

#include <filesystem>

#include "sr_test_support.hpp"
#include <random>
#include <string>

namespace sr_test {


inline std::string canonical(const std::string& path) { return std::filesystem::canonical(path).string(); }

}  // namespace sr_test
