/* Loads fine; create() refuses every configuration. The loader never calls
 * create(), so it must accept the library; the error is the engine's to show. */
#include "stub.h"

static sr_str describe(void) { return stub_str(STUB_DESCRIBE_JSON("bad.create_fails", "")); }

static sr_instance* create(sr_host* host, const sr_host_api* api, sr_str config, sr_status* rc, sr_str* error) {
  (void)host, (void)api, (void)config;
  *rc = SR_INVALID;
  *error = stub_str("settings.api_key is required");
  return NULL;
}

static const sr_connector_api table = {.struct_size = sizeof(sr_connector_api),
                                       .abi_major = 1,
                                       .abi_minor = 0,
                                       .describe = describe,
                                       .create = create,
                                       .start = stub_start,
                                       .stop = stub_stop,
                                       .destroy = stub_destroy,
                                       .last_error = stub_last_error};
STUB_ENTRY(table)
