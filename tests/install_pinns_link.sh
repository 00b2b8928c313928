#!/usr/bin/env bash
# `cmake --install` puts LIBEXECDIR/podns/pinns, a relative symlink to the
# installed podns, which then acts as CRI-O's pinns: installs into a
# temporary DESTDIR (with the configured prefix, and with another given to
# --prefix), checks the link, and pins a network namespace through it.
#
#   tests/install_pinns_link.sh CMAKE BUILD_DIR
#
# Needs root for the pin: skipped (77) without it, unless
# PODNS_REQUIRE_PRIVILEGED=1 or CI=true.
set -euo pipefail
cmake=${1:?usage: install_pinns_link.sh CMAKE BUILD_DIR}
build=${2:?usage: install_pinns_link.sh CMAKE BUILD_DIR}
if [ "$(id -u)" != 0 ]; then
  if [ "${PODNS_REQUIRE_PRIVILEGED:-}" = 1 ] || [ "${CI:-}" = true ]; then
    echo "install_pinns_link.sh: needs root" >&2
    exit 1
  fi
  echo "install_pinns_link.sh: skipped: needs root" >&2
  exit 77
fi
T=$(mktemp -d /tmp/podns-install-test.XXXXXX)
cleanup() {
  umount -l "$T/ns/netns/pod" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "install_pinns_link.sh: $*" >&2; exit 1; }

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
libexec=$(sed -n 's/^CMAKE_INSTALL_LIBEXECDIR:PATH=//p' "$build/CMakeCache.txt")
for p in "$prefix" /opt/podns; do
  d=$T/dest$(echo "$p" | tr / _)
  if [ "$p" = "$prefix" ]; then
    DESTDIR=$d "$cmake" --install "$build" >/dev/null
  else
    DESTDIR=$d "$cmake" --install "$build" --prefix "$p" >/dev/null
  fi
  link=$d$p/${libexec:-libexec}/podns/pinns
  [ -L "$link" ] || fail "no symlink $link"
  target=$(readlink "$link")
  case $target in /*) fail "$link -> $target is not relative" ;; esac
  [ "$(readlink -f "$link")" = "$(readlink -f "$d$p/bin/podns")" ] ||
    fail "$link -> $target is not the installed podns"

  # It is pinns: its help, exit 2 for a bad command line, and a real pin.
  "$link" --help | grep -q '^Usage: podns pinns' || fail "$link --help"
  rc=0
  "$link" -d "$T/ns" --net 2>/dev/null || rc=$?
  [ $rc = 2 ] || fail "$link without -f: exit $rc, want 2"
  "$link" -d "$T/ns" -f pod --net || fail "$link -d $T/ns -f pod --net failed"
  [ "$(stat -f -c %T "$T/ns/netns/pod")" = nsfs ] || fail "$T/ns/netns/pod is not a pinned namespace"
  umount "$T/ns/netns/pod"
  rm -rf "$T/ns"
done
echo "install_pinns_link.sh: the installed pinns link works (prefixes $prefix and /opt/podns)"
