#!/usr/bin/env bash
# The Debian package, and programs built on what it installs, end to end.
# Run by scripts/test.sh after CTest; as root (it installs the package).
#
#  1. A Release build of the library and the command, without the tests, with
#     -Werror and the prefix /usr, into BUILD_DIR (default build-release): CI's
#     Release build, and the one the package is made from.
#  2. `cpack -G DEB` makes podns_VERSION_ARCH.deb. It must hold exactly what
#     `cmake --install` installs (every file and link), the control fields
#     must say what they should (Depends from shlibdeps, Recommends).
#  3. dpkg -i; `podns --version` and a create and rm with the installed
#     command, in a pin root and state directory of its own under /tmp.
#  4. Consumers outside the tree (examples/, copied), built against the
#     installed tree: with find_package (podns::podns and podns::podns_static)
#     and with pkg-config (C++ and C); each creates and removes a pod.
#  5. The installed man pages render without warnings; the installed
#     completion completes.
#  6. dpkg -r, then dpkg -P: every file and link of the package is gone, every
#     directory it brought is gone, ldconfig no longer knows libpodns.
#
# Refuses to run when a podns package is installed already (it would
# replace and then remove it). Leaves nothing behind, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
if [ "$(id -u)" != 0 ]; then
  echo "package-test: run as root (it installs the package)" >&2
  exit 1
fi
if dpkg-query -W -f='${Status}' podns 2>/dev/null | grep -q 'ok installed'; then
  echo "package-test: a podns package is installed already; remove it first (dpkg -P podns)" >&2
  exit 1
fi
./scripts/install-deps.sh
build=${BUILD_DIR:-build-release}

step() { printf '\n== package-test: %s\n' "$*"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

tmp=$(mktemp -d /tmp/podns-package.XXXXXX)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then dpkg -P podns >/dev/null 2>&1 || true; fi
  # The pin roots are tmpfs mounts (made on first use).
  findmnt -rn -o TARGET | grep "^$tmp/" | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$tmp"
}
trap cleanup EXIT

step "Release build (library and command, no tests, -Werror, prefix /usr) in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DPODNS_WERROR=ON \
  -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" -j"$(nproc)"

step "cpack -G DEB"
rm -f "$build"/podns_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
version=$(sed -n 's/^#define PODNS_VERSION "\(.*\)"$/\1/p' "$build/include/podns/version.h")
arch=$(dpkg --print-architecture)
deb=$build/podns_${version}_${arch}.deb
[ -f "$deb" ] || fail "no $deb (have: $(ls "$build"/*.deb 2>/dev/null))"
echo "$deb"
dpkg-deb -I "$deb" | sed -n '/Package:/,$p'

# Everything `cmake --install` installs, files and links, is in the package.
DESTDIR=$tmp/destdir cmake --install "$build" >/dev/null
(cd "$tmp/destdir" && find . -mindepth 1 ! -type d | sed 's|^\.||' | sort) >"$tmp/installed"
dpkg-deb --fsys-tarfile "$deb" | tar -tvf - | awk '$1 !~ /^d/ {print $6}' | sed 's|^\.||' |
  sort >"$tmp/packaged"
if ! diff -u "$tmp/installed" "$tmp/packaged"; then
  fail "the package does not hold exactly what cmake --install installs (diff above)"
fi
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
lib=/usr/lib/$multiarch
soname=$(readelf -d "$build/libpodns.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
for f in /usr/bin/podns "$lib/libpodns.so.$version" "$lib/$soname" "$lib/libpodns.so" \
         "$lib/libpodns.a" /usr/include/podns/podns.h /usr/include/podns/c.h \
         /usr/include/podns/version.h "$lib/cmake/podns/podnsConfig.cmake" \
         "$lib/cmake/podns/podnsConfigVersion.cmake" "$lib/cmake/podns/podnsTargets.cmake" \
         "$lib/pkgconfig/podns.pc" /usr/lib/systemd/system/podns-recover.service \
         /usr/share/podns/cni/10-podns.conflist /usr/share/man/man8/podns.8.gz \
         /usr/share/man/man8/podns-create.8.gz /usr/share/bash-completion/completions/podns \
         /usr/libexec/podns/pinns; do
  grep -qxF "$f" "$tmp/packaged" || fail "the package has no $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for d in libc6 libsqlite3-0 libstdc++6; do
  grep -q "$d" <<<"$depends" || fail "Depends ($depends) has no $d (shlibdeps)"
done
[ "$(dpkg-deb -f "$deb" Recommends)" = "runc | crun, containernetworking-plugins" ] ||
  fail "Recommends is '$(dpkg-deb -f "$deb" Recommends)'"

# What of the package's directories exists before it is installed.
dpkg-deb --fsys-tarfile "$deb" | tar -tvf - | awk '$1 ~ /^d/ {print $6}' | sed 's|^\.||; s|/$||' |
  grep -v '^$' | sort >"$tmp/dirs"
while read -r d; do [ -e "$d" ] || echo "$d"; done <"$tmp/dirs" >"$tmp/new-dirs"

step "dpkg -i"
installed=1
dpkg -i "$deb"
[ "$(command -v podns)" = /usr/bin/podns ] || fail "podns is $(command -v podns), not /usr/bin/podns"
[ "$(podns --version)" = "podns $version" ] || fail "podns --version says '$(podns --version)'"
ldconfig -p | grep -q "$soname" || fail "ldconfig does not know $soname"

step "the installed pinns program (CRI-O's pinns_path)"
/usr/libexec/podns/pinns --help | grep -q '^Usage: podns pinns' || fail "/usr/libexec/podns/pinns --help"
mkdir "$tmp/crio"
/usr/libexec/podns/pinns -d "$tmp/crio/ns" -f pod --net || fail "/usr/libexec/podns/pinns -d ... --net"
[ "$(stat -f -c %T "$tmp/crio/ns/netns/pod")" = nsfs ] || fail "the pinns program pinned no netns"
umount "$tmp/crio/ns/netns/pod"

step "create and rm with the installed command"
g=(--root "$tmp/root" --state-dir "$tmp/state")
podns "${g[@]}" create pkg-1 --userns auto --network none >"$tmp/pkg-1.json"
[ "$(jq -r .state "$tmp/pkg-1.json")" = ready ] || fail "create: $(cat "$tmp/pkg-1.json")"
[ "$(stat -L -c %i "$tmp/root/pkg-1/net")" = "$(jq -r .netns_inode "$tmp/pkg-1.json")" ] ||
  fail "the netns pin is not the namespace inspect reports"
# Global options after the subcommand, too.
podns rm pkg-1 "${g[@]}"
[ "$(podns ls --json "${g[@]}")" = "[]" ] || fail "pkg-1 is still listed after rm"
[ ! -e "$tmp/root/pkg-1" ] || fail "rm left $tmp/root/pkg-1"

step "consumers outside the tree, built against the installed package"
cp -R examples "$tmp/consumer"
cmake -S "$tmp/consumer/cxx" -B "$tmp/consumer/cxx/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/consumer/cxx/build" -j"$(nproc)" >/dev/null
pc_cflags=$(pkg-config --cflags podns)
pc_libs=$(pkg-config --libs podns | xargs)  # without its trailing blank
[ "$pc_libs" = "-lpodns" ] || fail "pkg-config --libs podns is '$pc_libs', not -lpodns"
pkg-config --static --libs podns | grep -q -- -lsqlite3 ||
  fail "pkg-config --static --libs podns has no -lsqlite3 ($(pkg-config --static --libs podns))"
# shellcheck disable=SC2086 # pkg-config's flags are words
c++ -std=c++23 -o "$tmp/consumer/pc-example" "$tmp/consumer/cxx/main.cc" $pc_cflags $pc_libs
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer/c-example" "$tmp/consumer/c/main.c" $pc_cflags $pc_libs
for exe in cxx/build/podns-example cxx/build/podns-example-static pc-example c-example; do
  p=$tmp/consumer/$exe
  case $exe in
    *static) ! ldd "$p" | grep -q libpodns || fail "$exe links libpodns.so" ;;
    *)
      linked=$(ldd "$p" | awk -v so="$soname" '$1 == so {print $3}')
      # /lib is /usr/lib (usrmerge): compare where the two lead.
      [ -n "$linked" ] && [ "$(realpath "$linked")" = "$(realpath "$lib/$soname")" ] ||
        fail "$exe does not link the installed $lib/$soname (ldd: $linked)"
      ;;
  esac
  n=$(basename "$exe")
  "$p" "$tmp/root-$n" "$tmp/state-$n" >"$tmp/$n.out" || fail "$exe failed: $(cat "$tmp/$n.out")"
  grep -q example "$tmp/$n.out" || fail "$exe printed: $(cat "$tmp/$n.out")"
  [ "$(podns ls --json --root "$tmp/root-$n" --state-dir "$tmp/state-$n")" = "[]" ] ||
    fail "$exe left a sandbox"
  echo "$exe: created and removed a pod ($(head -c 100 "$tmp/$n.out"))"
done

step "installed man pages and completion"
tests/docs/man.sh /usr/share/man/man8 /usr/bin/podns
man -w podns-create >/dev/null || fail "man does not find podns-create"
tests/docs/completion.sh /usr/share/bash-completion/completions/podns

step "dpkg -r, dpkg -P"
dpkg -r podns
while read -r f; do
  if [ -e "$f" ] || [ -L "$f" ]; then fail "dpkg -r left $f"; fi
done <"$tmp/packaged"
dpkg -P podns
installed=0
if dpkg-query -W -f='${Status}' podns 2>/dev/null | grep -q installed; then
  fail "dpkg still lists podns: $(dpkg-query -W -f='${Status}' podns)"
fi
while read -r d; do
  [ ! -e "$d" ] || fail "the package's directory $d is left"
done <"$tmp/new-dirs"
! ldconfig -p | grep -q libpodns || fail "ldconfig still knows libpodns"
echo "package-test: ok ($deb: installed, used, built on, removed; nothing left)"
