/* describe() dies of SIGSEGV: only the probing child may die, never the host.
 * The default disposition is restored first so that a sanitizer's SIGSEGV
 * handler (ASan turns the signal into exit status 1) cannot hide the crash. */
#include <signal.h>

#include "stub.h"

static sr_str describe(void) {
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
  return stub_str("");
}
static const sr_connector_api table = {
    .struct_size = sizeof(sr_connector_api), .abi_major = 1, .abi_minor = 0, .describe = describe, STUB_REQUIRED_SLOTS};
STUB_ENTRY(table)
