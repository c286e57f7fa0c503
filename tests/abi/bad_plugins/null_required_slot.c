/* Leaves the required slot stop() NULL. */
#include "stub.h"

static sr_str describe(void) { return stub_str(STUB_DESCRIBE_JSON("bad.null_required_slot", "")); }
static const sr_connector_api table = {.struct_size = sizeof(sr_connector_api),
                                       .abi_major = 1,
                                       .abi_minor = 0,
                                       .describe = describe,
                                       .create = stub_create,
                                       .start = stub_start,
                                       .destroy = stub_destroy,
                                       .last_error = stub_last_error};
STUB_ENTRY(table)
