/* describe() never returns: the probing child must be stopped at its deadline. */
#include <unistd.h>

#include "stub.h"

static sr_str describe(void) {
  for (;;) pause();
  return stub_str("");
}
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
