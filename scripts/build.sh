#!/usr/bin/env bash
# Configures and builds podns into BUILD_DIR (default: build), warnings as
# errors (-DPODNS_WERROR=ON, as every CI build has it).
# Extra arguments go to cmake's configure step, e.g. -DPODNS_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODNS_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
