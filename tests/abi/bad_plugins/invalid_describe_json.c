/* describe() returns text that is not JSON. */
#include "stub.h"

static sr_str describe(void) { return stub_str("{\"id\": \"bad.invalid_describe_json\", "); }
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
