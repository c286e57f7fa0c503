#!/usr/bin/env bash
# Installs what stockrelay needs to build on Debian 12 (only what is missing),
# then configures and builds one CMake preset.
#   scripts/setup.sh [preset] [targets...]     preset: release (default), debug, debug-asan
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${1:-release}"
shift || true

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libboost-filesystem-dev libboost-system-dev libboost-program-options-dev
  libyaml-cpp-dev libsimdjson-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev
  nlohmann-json3-dev catch2 binutils
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Compiler cache keyed on paths relative to the checkout, so a fresh clone
# elsewhere on the same machine reuses earlier builds. With -g the compiler
# also records the build folder; leaving it out of the key (NOHASHDIR) is
# what lets another checkout hit the cache (its debug info then names the
# folder of the build that filled the cache; the sources are the same).
export CCACHE_BASEDIR="$PWD"
export CCACHE_NOHASHDIR=1
cmake --preset "$preset" >/dev/null
if (($#)); then
  cmake --build --preset "$preset" --target "$@"
else
  cmake --build --preset "$preset"
fi
