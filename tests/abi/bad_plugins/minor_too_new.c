/* Built for ABI 1.4, newer than the host: it may call slots the host lacks. */
#include "stub.h"

static sr_str describe(void) {
  return stub_str("{\"schema\":\"stockrelay.describe/1\",\"id\":\"bad.minor_too_new\",\"version\":\"0.1.0\","
                  "\"abi\":{\"major\":1,\"minor\":4},\"capabilities\":[]}");
}
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 4, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
