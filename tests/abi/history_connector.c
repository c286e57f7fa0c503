/* The history connector: compiled once against every frozen ABI header in
 * sdk/abi-history/<version>/ and loaded by the current host, which proves
 * that connectors built for every released minor still load. Plain C, and
 * it may use only what ABI 1.0 offers, since every frozen header must
 * compile it. It reports the version it was built for in describe(). */
#include <string.h>

#include <stockrelay/abi.h>

#define SR_STR_(x) #x
#define SR_STR(x) SR_STR_(x)

static const char describe_json[] =
    "{\"schema\":\"stockrelay.describe/1\",\"id\":\"test.history\",\"version\":\"1.0.0\","
    "\"abi\":{\"major\":" SR_STR(SR_ABI_MAJOR) ",\"minor\":" SR_STR(SR_ABI_MINOR) "},"
    "\"capabilities\":[]}";

struct sr_instance {
  int unused;
};
static struct sr_instance instance;

static sr_str describe(void) {
  sr_str s = {describe_json, sizeof describe_json - 1};
  return s;
}

static sr_instance* create(sr_host* host, const sr_host_api* api, sr_str config, sr_status* rc, sr_str* error) {
  (void)host, (void)api, (void)config, (void)error;
  *rc = SR_OK;
  return &instance;
}

static sr_status start(sr_instance* self) { return (void)self, SR_OK; }
static void stop(sr_instance* self) { (void)self; }
static void destroy(sr_instance* self) { (void)self; }

static sr_str last_error(sr_instance* self) {
  sr_str s = {"", 0};
  (void)self;
  return s;
}

static const sr_connector_api table = {.struct_size = sizeof(sr_connector_api),
                                       .abi_major = SR_ABI_MAJOR,
                                       .abi_minor = SR_ABI_MINOR,
                                       .describe = describe,
                                       .create = create,
                                       .start = start,
                                       .stop = stop,
                                       .destroy = destroy,
                                       .last_error = last_error};

SR_EXPORT const sr_connector_api* stockrelay_connector_v1(uint16_t host_major, uint16_t host_minor) {
  (void)host_major, (void)host_minor;
  return &table;
}
