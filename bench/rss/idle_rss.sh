#!/usr/bin/env bash
# Idle memory of `stockrelay run`: one connection of the memory test plugin,
# HTTP server on a free port, store in a temp dir. Waits until the hub has
# started and polled once, reads VmRSS / VmHWM from /proc/<pid>/status,
# stops it with SIGTERM and checks that it exits 0.
#
# usage: bench/rss/idle_rss.sh [BUILD_DIR] [--wait SECONDS]
#   BUILD_DIR: holds the `stockrelay` binary and tests/plugins/memory/libmemory.so
#              (default: build/release next to this repository's sources).
#              Missing targets are built with ninja (stockrelay, memory).
# Target: idle RSS <= 20 MB.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$repo/build/release"
wait_s=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --wait) wait_s="$2"; shift 2 ;;
    --quick) wait_s=2; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) build="$1"; shift ;;
  esac
done
build="$(cd "$build" && pwd)"

bin="$build/stockrelay"
plugin="$build/tests/plugins/memory/libmemory.so"
if [[ ! -x "$bin" || ! -f "$plugin" ]]; then
  echo "# building stockrelay and memory in $build" >&2
  ninja -C "$build" -j2 stockrelay memory >&2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sr-bench-rss.XXXXXX")"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/stockrelay.yaml" <<EOF
store: { path: $tmp/store.db }
server: { listen: 127.0.0.1:0 }
plugins: { paths: [$(dirname "$plugin")] }
connections:
  shop-a:
    plugin: memory
    settings:
      shop_file: $tmp/shop.json
EOF

"$bin" run --config "$tmp/stockrelay.yaml" --log-level warn >"$tmp/out.log" 2>&1 &
pid=$!
sleep "$wait_s"
if ! kill -0 "$pid" 2>/dev/null; then
  echo "idle_rss: stockrelay run exited early; its output:" >&2
  cat "$tmp/out.log" >&2
  exit 1
fi

status="/proc/$pid/status"
rss_kb=$(awk '/^VmRSS:/ {print $2}' "$status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "$status")
threads=$(awk '/^Threads:/ {print $2}' "$status")
# Anonymous vs file-backed part of the resident set (RssAnon: heap, stacks).
anon_kb=$(awk '/^RssAnon:/ {print $2}' "$status")
file_kb=$(awk '/^RssFile:/ {print $2}' "$status")
# Proportional set size: shared library pages divided among the processes mapping them.
pss_kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
# The largest file-backed parts of the resident set, for the report.
top=$(awk '/^[0-9a-f]+-[0-9a-f]+ / {name=$6} /^Rss:/ {if (name != "") r[name]+=$2} END {for (n in r) printf "%d %s\n", r[n], n}' \
        "/proc/$pid/smaps" 2>/dev/null | sort -rn | head -n 5 | awk '{n=$2; sub(".*/", "", n); printf "%s%s %.1f", (NR>1?", ":""), n, $1/1024}')

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
if [[ $rc -ne 0 ]]; then
  echo "idle_rss: stockrelay run exited with $rc after SIGTERM (expected 0); its output:" >&2
  cat "$tmp/out.log" >&2
  exit 1
fi

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
printf 'idle rss: %s MB VmRSS, %s MB VmHWM (anon %s MB, file %s MB, PSS %s MB, %s threads; 1 memory connection, HTTP on, after %ss; exit 0 on SIGTERM)\n' \
  "$(mb "$rss_kb")" "$(mb "$hwm_kb")" "$(mb "$anon_kb")" "$(mb "$file_kb")" "$(mb "$pss_kb")" "$threads" "$wait_s"
echo "idle rss largest mappings (MB): $top"
if (( rss_kb <= 20 * 1024 )); then
  echo "idle rss target: <= 20 MB -> met"
else
  echo "idle rss target: <= 20 MB -> MISSED"
fi
