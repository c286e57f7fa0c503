/* The entry function has no table to give. */
#include "stub.h"

SR_EXPORT const sr_connector_api* stockrelay_connector_v1(uint16_t host_major, uint16_t host_minor) {
  (void)host_major, (void)host_minor;
  return NULL;
}
