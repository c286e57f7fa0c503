#!/usr/bin/env bash
# Peak RSS of the hub alone (target (e) of docs/performance.md): three
# simulated WooCommerce shops with N SKUs each run as their own processes
# (stockrelay-sim), and `stockrelay sync --once` reads every catalogue, links
# the levels into one shared pool and delivers, under /usr/bin/time -v.
#
#   bench/woocommerce/hub_rss.sh [BUILD_DIR] [SKUS]     (defaults: build/release 100000)
set -euo pipefail
build=${1:-build/release}
skus=${2:-100000}
for exe in "$build/stockrelay" "$build/stockrelay-sim" "$build/plugins/libwoocommerce.so"; do
  [[ -e $exe ]] || { echo "hub_rss: $exe is missing; build the release preset first" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "hub_rss: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

{
  echo "store: {path: $work/store.db}"
  echo "server: {listen: \"127.0.0.1:$(free_port)\"}"
  echo "plugins: {paths: [$(cd "$build/plugins" && pwd)]}"
  echo "connections:"
} > "$work/stockrelay.yaml"
for shop in shop-a shop-b shop-c; do
  "$build/stockrelay-sim" woocommerce --port "$(free_port)" --generate "$skus" --name "$shop" > "$work/$shop.json" &
  pids+=($!)
done
for shop in shop-a shop-b shop-c; do
  for _ in $(seq 1 600); do [[ -s $work/$shop.json ]] && break; sleep 0.1; done
  read -r url key secret < <(python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).readline()); print(j["base_url"], j["consumer_key"], j["consumer_secret"])' "$work/$shop.json")
  printf '  %s:\n    plugin: woocommerce\n    settings: {url: "%s", consumer_key: "%s", consumer_secret: "%s"}\n' \
    "$shop" "$url" "$key" "$secret" >> "$work/stockrelay.yaml"
done
echo "pools: {main: {members: [shop-a, shop-b, shop-c]}}" >> "$work/stockrelay.yaml"

echo "3 shops x $skus SKUs: stockrelay sync --once"
/usr/bin/time -v "$build/stockrelay" sync --once --config "$work/stockrelay.yaml" > "$work/sync.log" 2> "$work/time.log" || {
  echo "hub_rss: sync failed:" >&2; tail -n 20 "$work/sync.log" "$work/time.log" >&2; exit 1; }
wall=$(grep "Elapsed (wall clock)" "$work/time.log" | awk '{print $NF}')
rss=$(grep "Maximum resident set size" "$work/time.log" | awk '{print $NF}')
python3 -c 'import sys; print("(e) peak RSS of the hub alone: %.1f MB (sync --once of 3 x %s SKUs took %s)" % (int(sys.argv[1]) / 1024, sys.argv[2], sys.argv[3]))' "$rss" "$skus" "$wall"
