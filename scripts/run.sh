#!/usr/bin/env bash
# The quick start's first command: set up, build, and run the hub on its
# embedded default (SQLite) with three memory test shops in one shared pool
# (examples/shared-pool.yaml). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release stockrelay memory memory-shop
build=build/release
work="${STOCKRELAY_WORKDIR:-$PWD/.demo}"
mkdir -p "$work"
cp examples/shared-pool.yaml "$work/stockrelay.yaml"
cd "$work"
for shop in shop-a shop-b shop-c; do
  [ -f "$shop.json" ] || "$OLDPWD/$build/tests/plugins/memory/memory-shop" "$shop.json" create SKU-1 10 >/dev/null
done
echo "shops: $work/shop-{a,b,c}.json  (change them with $build/tests/plugins/memory/memory-shop)"
exec "$OLDPWD/$build/stockrelay" run --config stockrelay.yaml
