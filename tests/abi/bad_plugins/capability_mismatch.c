/* Declares stock.out but has no deliver(): the host would call a NULL slot. */
#include "stub.h"

static sr_str describe(void) { return stub_str(STUB_DESCRIBE_JSON("bad.capability_mismatch", "\"stock.out\"")); }
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
