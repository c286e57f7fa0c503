// A C++ connector written WITHOUT the SDK's export macro: start() lets a C++
// exception escape into the host, which abi.h rule 6 forbids. The loader
// cannot see that and must accept the library; guarding calls is the
// engine's job, and its tests use this library to prove the guard.
#include <stdexcept>

#include <stockrelay/abi.h>

namespace {

const char kDescribe[] =
    R"({"schema":"stockrelay.describe/1","id":"bad.throws_through_c","version":"0.1.0",)"
    R"("abi":{"major":1,"minor":0},"capabilities":[]})";

sr_instance* the_instance() {
  static int storage;
  return reinterpret_cast<sr_instance*>(&storage);
}

extern "C" {
sr_str describe() { return {kDescribe, sizeof kDescribe - 1}; }
sr_instance* create(sr_host*, const sr_host_api*, sr_str, sr_status* rc, sr_str*) {
  *rc = SR_OK;
  return the_instance();
}
sr_status start(sr_instance*) { throw std::runtime_error("start() failed with a C++ exception"); }
void stop(sr_instance*) {}
void destroy(sr_instance*) {}
sr_str last_error(sr_instance*) { return {"", 0}; }
}

const sr_connector_api kTable = [] {
  sr_connector_api t{};
  t.struct_size = sizeof t;
  t.abi_major = SR_ABI_MAJOR;
  t.abi_minor = SR_ABI_MINOR;
  t.describe = describe;
  t.create = create;
  t.start = start;
  t.stop = stop;
  t.destroy = destroy;
  t.last_error = last_error;
  return t;
}();

}  // namespace

extern "C" SR_EXPORT const sr_connector_api* stockrelay_connector_v1(uint16_t, uint16_t) { return &kTable; }
