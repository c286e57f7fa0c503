/* describe() is JSON but lacks the required "id". */
#include "stub.h"

static sr_str describe(void) {
  return stub_str("{\"schema\":\"stockrelay.describe/1\",\"version\":\"0.1.0\","
                  "\"abi\":{\"major\":1,\"minor\":0},\"capabilities\":[]}");
}
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
