#!/usr/bin/env bash
# The quick start's first command: set up, build, and run `stockrelay demo`
# on examples/demo.yaml: three simulated WooCommerce shops (stockrelay-sim)
# in one shared pool, random orders, cancellations and stock edits, every
# change the hub passes on printed as it happens, and a check at the end that
# all shops show the same stock. Arguments go to `stockrelay demo`
# (scripts/run.sh --seconds 60 --rate 10; --help lists them). Ctrl-C ends the
# activity early; the check still runs. `scripts/run.sh --scenario sitoo`
# plays Sitoo as the master of two shops instead (examples/sitoo.yaml);
# `--scenario peakwms` a PeakWMS warehouse with product integrations
# per shop (examples/peakwms.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release stockrelay stockrelay-sim woocommerce sitoo peakwms
args=()
[ -n "${STOCKRELAY_WORKDIR:-}" ] && args+=(--workdir "$STOCKRELAY_WORKDIR")
exec build/release/stockrelay demo "${args[@]}" "$@"
