// Loads a built connector library the way the host does, for tests that
// drive the real lib<name>.so with FakeHost: dlopen with RTLD_NOW (a missing
// dependency fails here, not mid-test) and RTLD_LOCAL, one entry symbol,
// never unloaded. POSIX only; link the test with ${CMAKE_DL_LIBS}.
#pragma once

#include <dlfcn.h>

#include <stdexcept>
#include <string>

#include "stockrelay/abi.h"

namespace sr::testing {

inline const sr_connector_api* load_connector(const std::string& path) {
  void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) throw std::runtime_error("cannot load " + path + ": " + ::dlerror());
  void* sym = ::dlsym(lib, SR_ENTRY_SYMBOL_V1);
  if (!sym) throw std::runtime_error(path + " does not export " SR_ENTRY_SYMBOL_V1);
  auto entry = reinterpret_cast<sr_entry_v1_fn>(sym);
  const sr_connector_api* api = entry(SR_ABI_MAJOR, SR_ABI_MINOR);
  if (!api) throw std::runtime_error(path + ": " SR_ENTRY_SYMBOL_V1 " returned no table");
  return api;
}

}  // namespace sr::testing
