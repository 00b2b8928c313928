#!/usr/bin/env bash
# Installs everything podns needs to build, test and run, from Debian 12's
# packages. Safe to run again. README.md says why each package is here.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (it uses apt-get)" >&2
  exit 1
fi
packages=(
  # build
  build-essential cmake pkg-config
  # the Debian package: cpack finds the ELF files for dpkg-shlibdeps with file(1)
  file
  # libraries
  libsqlite3-dev nlohmann-json3-dev libcli11-dev
  # tests and benchmarks; python3 for the C API's ctypes test, man-db for the
  # man pages' rendering test
  googletest libgtest-dev libgmock-dev libbenchmark-dev python3 man-db
  # what podns works with: runtimes, CNI plugins, a test rootfs, tools
  runc crun containernetworking-plugins busybox-static iproute2 util-linux
  # systemd-analyze verify checks the boot unit (unit.install.unit)
  systemd
  # benchmark runner and plot
  hyperfine gnuplot-nox jq
  # fuzzing (scripts/fuzz.sh): clang 16 with libFuzzer and the sanitizer
  # runtimes, llvm-symbolizer for readable crash reports
  clang-16 libclang-rt-16-dev llvm-16
  # static analysis
  clang-tidy-16
)
# The default network for the main job (bridge podns0, 10.217.0.0/24, no
# masquerading), unless one of that name is already configured.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -e /etc/cni/net.d/10-podns.conflist ]; then
  install -D -m 0644 "$here/packaging/cni/10-podns.conflist" /etc/cni/net.d/10-podns.conflist
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
