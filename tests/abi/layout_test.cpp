// The byte layout of both ABI 1.0 tables on x86_64, frozen. A plugin built
// years ago reads and writes exactly these offsets; if one of these fails,
// a change broke every existing connector (abi.h rule 1: append only).
#include <cstddef>

#include "stockrelay/abi.h"

#if defined(__x86_64__)

static_assert(SR_ABI_MAJOR == 1, "ABI major 1 tables are frozen below");
static_assert(sizeof(sr_str) == 16 && offsetof(sr_str, ptr) == 0 && offsetof(sr_str, len) == 8);
static_assert(sizeof(sr_status) == 4);

static_assert(offsetof(sr_host_api, struct_size) == 0);
static_assert(offsetof(sr_host_api, abi_major) == 4);
static_assert(offsetof(sr_host_api, abi_minor) == 6);
static_assert(offsetof(sr_host_api, log) == 8);
static_assert(offsetof(sr_host_api, log_enabled) == 16);
static_assert(offsetof(sr_host_api, now_ms) == 24);
static_assert(offsetof(sr_host_api, monotonic_ms) == 32);
static_assert(offsetof(sr_host_api, http) == 40);
static_assert(offsetof(sr_host_api, state_get) == 48);
static_assert(offsetof(sr_host_api, state_put) == 56);
static_assert(offsetof(sr_host_api, emit) == 64);
static_assert(offsetof(sr_host_api, report) == 72);
// Grows with every minor; 80 is the size of 1.0.
static_assert(sizeof(sr_host_api) >= 80);

static_assert(offsetof(sr_connector_api, struct_size) == 0);
static_assert(offsetof(sr_connector_api, abi_major) == 4);
static_assert(offsetof(sr_connector_api, abi_minor) == 6);
static_assert(offsetof(sr_connector_api, describe) == 8);
static_assert(offsetof(sr_connector_api, create) == 16);
static_assert(offsetof(sr_connector_api, start) == 24);
static_assert(offsetof(sr_connector_api, poll) == 32);
static_assert(offsetof(sr_connector_api, on_webhook) == 40);
static_assert(offsetof(sr_connector_api, deliver) == 48);
static_assert(offsetof(sr_connector_api, stop) == 56);
static_assert(offsetof(sr_connector_api, destroy) == 64);
static_assert(offsetof(sr_connector_api, last_error) == 72);
static_assert(sizeof(sr_connector_api) >= 80);

#endif
