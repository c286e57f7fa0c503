/* Exports a misspelt entry symbol: the host must find no stockrelay_connector_v1. */
#include "stub.h"

static sr_str describe(void) { return stub_str(STUB_DESCRIBE_JSON("bad.no_entry_symbol", "")); }
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};

SR_EXPORT const sr_connector_api* stockrelay_connector(void) { return &table; }
