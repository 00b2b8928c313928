#!/bin/sh
# systemd-analyze verify accepts podns-recover.service as configured for
# installation. Nothing is installed under the prefix here, so the copy
# verified runs the built podns instead of PREFIX/bin/podns; every other
# line is the unit's own.
#   unit.sh CONFIGURED_UNIT BUILT_PODNS INSTALLED_PODNS
set -eu
unit=$1 built=$2 installed=$3
grep -qx "ExecStart=$installed recover" "$unit" || {
  echo "ExecStart is not '$installed recover':" >&2
  grep '^ExecStart' "$unit" >&2
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|^ExecStart=$installed |ExecStart=$built |" "$unit" >"$tmp/podns-recover.service"
if ! out=$(systemd-analyze verify --man=no "$tmp/podns-recover.service" 2>&1) || [ -n "$out" ]; then
  echo "systemd-analyze verify:" >&2
  echo "$out" >&2
  exit 1
fi
echo "systemd-analyze verify: podns-recover.service is accepted"
