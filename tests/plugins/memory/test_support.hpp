// Shared by the memory shop's tests: a scratch directory that disappears
// with the test, so every test has its own shop file.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "sr_test_support.hpp"

namespace memory_test {

using TempDir = sr_test::TempDir;

}  // namespace memory_test
