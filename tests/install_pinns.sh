#!/usr/bin/env bash
# `cmake --install` puts LIBEXECDIR/podns/pinns, the pinns program (what
# CRI-O's pinns_path names): installs into a temporary DESTDIR (with the
# configured prefix, and with another given to --prefix), checks that it is
# there and is pinns, and pins a network namespace with it.
#
#   tests/install_pinns.sh CMAKE BUILD_DIR
#
# Needs root for the pin: skipped (77) without it, unless
# PODNS_REQUIRE_PRIVILEGED=1 or CI=true.
set -euo pipefail
cmake=${1:?usage: install_pinns.sh CMAKE BUILD_DIR}
build=${2:?usage: install_pinns.sh CMAKE BUILD_DIR}
if [ "$(id -u)" != 0 ]; then
  if [ "${PODNS_REQUIRE_PRIVILEGED:-}" = 1 ] || [ "${CI:-}" = true ]; then
    echo "install_pinns.sh: needs root" >&2
    exit 1
  fi
  echo "install_pinns.sh: skipped: needs root" >&2
  exit 77
fi
T=$(mktemp -d /tmp/podns-install-test.XXXXXX)
cleanup() {
  umount -l "$T/ns/netns/pod" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "install_pinns.sh: $*" >&2; exit 1; }

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
  [ -f "$link" ] && [ ! -L "$link" ] && [ -x "$link" ] || fail "no program $link"

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
echo "install_pinns.sh: the installed pinns works (prefixes $prefix and /opt/podns)"
