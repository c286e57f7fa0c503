/* Claims a table that ends before the last 1.0 slot. */
#include "stub.h"

static sr_str describe(void) { return stub_str(STUB_DESCRIBE_JSON("bad.table_too_small", "")); }
static const sr_connector_api table = {.struct_size = offsetof(sr_connector_api, destroy),
                                       .abi_major = 1,
                                       .abi_minor = 0,
                                       .describe = describe,
                                       STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
