/* Needs libsr_missing_dependency_helper.so, which the dynamic loader cannot
 * find: rtld_now makes dlopen fail, and dlerror() names the missing file. */
#include "stub.h"

int sr_missing_dependency_helper(void);

static sr_str describe(void) {
  return sr_missing_dependency_helper() ? stub_str(STUB_DESCRIBE_JSON("bad.missing_dependency", "")) : stub_str("");
}
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
