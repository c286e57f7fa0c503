/* Loads fine; poll() emits a batch that is not JSON. For the engine's tests:
 * the host must refuse the batch with a clear error and keep running. */
#include <stdlib.h>

#include "stub.h"

struct emitter {
  sr_host* host;
  const sr_host_api* api;
  char last_error[64];
};

static sr_str describe(void) { return stub_str(STUB_DESCRIBE_JSON("bad.emits_invalid_json", "\"poll\"")); }

static sr_instance* create(sr_host* host, const sr_host_api* api, sr_str config, sr_status* rc, sr_str* error) {
  struct emitter* e = calloc(1, sizeof *e);
  (void)config, (void)error;
  e->host = host;
  e->api = api;
  *rc = SR_OK;
  return (sr_instance*)e;
}

static sr_status poll(sr_instance* self, sr_str request) {
  struct emitter* e = (struct emitter*)self;
  (void)request;
  return e->api->emit(e->host, stub_str("{\"schema\":\"stockrelay.events/1\",\"items\":[{\"kind\":"));
}

static void destroy(sr_instance* self) { free(self); }
static sr_str last_error(sr_instance* self) { return stub_str(((struct emitter*)self)->last_error); }

static const sr_connector_api table = {.struct_size = sizeof(sr_connector_api),
                                       .abi_major = 1,
                                       .abi_minor = 0,
                                       .describe = describe,
                                       .create = create,
                                       .start = stub_start,
                                       .poll = poll,
                                       .stop = stub_stop,
                                       .destroy = destroy,
                                       .last_error = last_error};
STUB_ENTRY(table)
