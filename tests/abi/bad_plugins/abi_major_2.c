/* Built for a future ABI major: the host must refuse, naming both versions. */
#include "stub.h"

static sr_str describe(void) {
  return stub_str("{\"schema\":\"stockrelay.describe/1\",\"id\":\"bad.abi_major_2\",\"version\":\"0.1.0\","
                  "\"abi\":{\"major\":2,\"minor\":0},\"capabilities\":[]}");
}
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 2, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
