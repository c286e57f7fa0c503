#!/usr/bin/env bash
# Builds (or reuses) a release build, runs every foundation benchmark and
# prints a summary table against the targets (docs/performance.md).
#
# usage: bench/run_all.sh [BUILD_DIR] [--quick]
#   no BUILD_DIR: cmake --preset release && cmake --build --preset release
#   BUILD_DIR:    an existing build tree (e.g. build/release); only the
#                 benchmark targets, stockrelay and the memory plugin are
#                 brought up to date in it.
#   --quick:      less work per benchmark (a smoke run; numbers are noisier)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build=""
quick=()
for a in "$@"; do
  case "$a" in
    --quick) quick=(--quick) ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) build="$a" ;;
  esac
done

targets=(bench_ingest bench_rules bench_boundary bench_emitter bench_outbox stockrelay memory)
if [[ -z "$build" ]]; then
  (cd "$repo" && cmake --preset release && cmake --build --preset release)
  build="$repo/build/release"
else
  build="$(cd "$build" && pwd)"
  cmake --build "$build" -j2 --target "${targets[@]}"
fi

find_bin() {
  local f
  f="$(find "$build/bench" -type f -name "$1" -perm -u+x | head -n 1)"
  [[ -n "$f" ]] || { echo "run_all: $1 not found under $build/bench" >&2; exit 1; }
  echo "$f"
}

out="$(mktemp "${TMPDIR:-/tmp}/sr-bench-all.XXXXXX")"
trap 'rm -f "$out"' EXIT

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# build: $build"
for b in bench_ingest bench_rules bench_boundary bench_outbox; do
  echo "## $b ${quick[*]:-}"
  "$(find_bin "$b")" "${quick[@]}" | tee -a "$out"
done
echo "## idle_rss.sh"
"$here/rss/idle_rss.sh" "$build" "${quick[@]}" | tee -a "$out"

# "name: 123 events/s (..." -> 123
num() { sed -E 's/^[^:]+: ([0-9.]+) .*/\1/' <<<"$1"; }
line() { grep -E "$1" "$out" | head -n 1 || true; }
row() {  # label, line regex, target, comparison (ge|le), unit
  local l v ok
  l="$(line "$2")"
  if [[ -z "$l" ]]; then printf '| %-38s | %14s | %-16s | %-6s |\n' "$1" "n/a" "$3 $5" "?"; return; fi
  v="$(num "$l")"
  if [[ "$4" == ge ]]; then ok=$(awk -v v="$v" -v t="$3" 'BEGIN{print (v>=t)?"met":"MISSED"}')
  elif [[ "$4" == le ]]; then ok=$(awk -v v="$v" -v t="$3" 'BEGIN{print (v<=t)?"met":"MISSED"}')
  else ok="-"; fi
  printf '| %-38s | %14s | %-16s | %-6s |\n' "$1" "$v${5:+ $5}" "${3:+$([[ $4 == ge ]] && echo '>=' || echo '<=') $3}" "$ok"
}

echo
echo "## summary (median of repetitions)"
printf '| %-38s | %14s | %-16s | %-6s |\n' "benchmark" "measured" "target" "status"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" "$(printf -- '-%.0s' {1..16})" "$(printf -- '-%.0s' {1..18})" "$(printf -- '-%.0s' {1..8})"
row "ingest, 1000 per transaction (ev/s)" '^ingest: .*; 1000 per transaction' 50000 ge ""
row "ingest, 100 per transaction (ev/s)" '^ingest: .*; 100 per transaction' "" "-" ""
row "ingest, 1 per transaction (ev/s)" '^ingest: .*; 1 per transaction' "" "-" ""
row "ingest hub path, 100/doc (ev/s)" '^ingest hub path: ' "" "-" ""
row "rules, 5 routes (ev/s, 1 core)" '^rules: ' 1000000 ge ""
row "rules without sku_regex (ev/s)" '^rules without sku_regex: ' "" "-" ""
row "decode + rules (ev/s)" '^decode \+ rules: ' "" "-" ""
row "ledger mix (calls/s, 1 core)" '^ledger mix: ' "" "-" ""
row "boundary, batches of 100 (ev/s)" '^boundary: ' 500000 ge ""
row "boundary + journal (ev/s)" '^boundary \+ journal: ' "" "-" ""
row "outbox_busy, backlog 1000 (calls/s)" '^outbox_busy, backlog 1000: ' "" "-" ""
row "outbox_busy, backlog 10000 (calls/s)" '^outbox_busy, backlog 10000: ' "" "-" ""
row "idle RSS (MB)" '^idle rss: ' 20 le ""
