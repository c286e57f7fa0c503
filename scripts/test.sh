#!/usr/bin/env bash
# The quick start's second command: set up, build with AddressSanitizer and
# UndefinedBehaviorSanitizer (the debug-asan preset), run the whole suite
# through ctest.
#   scripts/test.sh [preset]     (debug-asan by default; release and debug work too)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-debug-asan}"
scripts/setup.sh "$preset"
ctest --preset "$preset"
