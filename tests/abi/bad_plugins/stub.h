/* The parts of a well-behaved ABI 1.0 connector that a bad plugin does not
 * break, so each bad_plugins/<case>.c shows only its one defect. Plain C
 * against abi.h, like a third-party connector written without the SDK. */
#ifndef SR_BAD_PLUGIN_STUB_H
#define SR_BAD_PLUGIN_STUB_H

#include <string.h>

#include <stockrelay/abi.h>

/* A describe() document for connector `id` with the given capabilities
 * (a comma-separated list of JSON strings, possibly empty). */
#define STUB_DESCRIBE_JSON(id, caps)                                                        \
  "{\"schema\":\"stockrelay.describe/1\",\"id\":\"" id "\",\"version\":\"0.1.0\","          \
  "\"abi\":{\"major\":1,\"minor\":0},\"capabilities\":[" caps "]}"

static inline sr_str stub_str(const char* s) {
  sr_str out = {s, strlen(s)};
  return out;
}

struct sr_instance {
  int unused;
};
static struct sr_instance stub_instance;

static inline sr_instance* stub_create(sr_host* host, const sr_host_api* api, sr_str config, sr_status* rc,
                                       sr_str* error) {
  (void)host, (void)api, (void)config, (void)error;
  *rc = SR_OK;
  return &stub_instance;
}
static inline sr_status stub_start(sr_instance* self) { return (void)self, SR_OK; }
static inline void stub_stop(sr_instance* self) { (void)self; }
static inline void stub_destroy(sr_instance* self) { (void)self; }
static inline sr_str stub_last_error(sr_instance* self) { return (void)self, stub_str(""); }

/* The required slots besides describe, for a designated initializer. */
#define STUB_REQUIRED_SLOTS                                                    \
  .create = stub_create, .start = stub_start, .stop = stub_stop, .destroy = stub_destroy, \
  .last_error = stub_last_error

/* Defines the entry symbol returning `table`. */
#define STUB_ENTRY(table)                                                                    \
  SR_EXPORT const sr_connector_api* stockrelay_connector_v1(uint16_t host_major, uint16_t host_minor) { \
    (void)host_major, (void)host_minor;                                                      \
    return &(table);                                                                         \
  }

#endif
