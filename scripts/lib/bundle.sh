#!/usr/bin/env bash
# Makes a minimal OCI bundle for trying containers: DIR/rootfs with
# busybox-static and its applets, and DIR/config.json from `runc spec` with
# "terminal": false, so a container runs without a TTY (give it a script on
# standard input, or set process.args).
#
#   scripts/lib/bundle.sh DIR
#
# Shared by scripts/demo.sh and the end-to-end tests (tests/e2e), which edit
# the config further. Everything is world-readable: the container's root is
# the pod's root, an unprivileged uid on the host (100000 for the map
# 0:100000:65536), so DIR and every directory above it must be searchable
# by others (mode 0711 or 0755) too.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
busybox=/bin/busybox  # Debian's busybox-static: no shared libraries to copy
for tool in "$busybox" runc chroot; do
  command -v "$tool" >/dev/null || { echo "bundle.sh: $tool not found" >&2; exit 1; }
done

rootfs=$dir/rootfs
mkdir -p "$rootfs"
mkdir -p "$rootfs"/{bin,dev,etc,mnt,proc,sys,tmp}
install -m 0755 "$busybox" "$rootfs/bin/busybox"
# Run inside the rootfs so the applet links point at /bin/busybox as the
# container sees it.
chroot "$rootfs" /bin/busybox --install -s /bin
echo 'root:x:0:0:root:/:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
chmod -R a+rX "$rootfs"
chmod 0755 "$dir" "$rootfs"

rm -f "$dir/config.json"
runc spec --bundle "$dir"
sed -i 's/"terminal": true,/"terminal": false,/' "$dir/config.json"
grep -q '"terminal": false,' "$dir/config.json" ||
  { echo "bundle.sh: could not turn the terminal off in $dir/config.json" >&2; exit 1; }
chmod 0644 "$dir/config.json"
