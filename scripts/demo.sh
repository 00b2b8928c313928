#!/usr/bin/env bash
# The main job, end to end. Run as root on a fresh Debian 12 clone:
#
#   sudo ./scripts/demo.sh
#
# Installs what is needed, builds, makes a pod with its own user namespace,
# and runs a real runc container in it, joined by `podns spec`. The
# container prints what proves it is where podns put it, next to what the
# host knows of the pod:
#   - its /proc/self/uid_map and gid_map: the pod's maps;
#   - its /sys/class/net: the interfaces of the pod's network namespace, so
#     its /sys is a fresh sysfs of that netns, which only a root owning the
#     netns may mount;
#   - the inodes of its /proc/self/ns/net and ns/user: the pins';
#   - its eth0 address: the one CNI gave the pod (the shipped `podns`
#     bridge network), and that the bridge's side reaches it.
# Then it removes the container and the pod. Exits 0 only if every line
# matched. Everything lives under a temporary directory (its own pin root,
# state directory and runc state), removed on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh  # into BUILD_DIR, default build
readonly podns_bin=${BUILD_DIR:-build}/podns

readonly maps=0:100000:65536  # the pod's uids and gids: its root is host uid 100000
readonly pod=demo
readonly ctr=podns-demo-$$
work=$(mktemp -d /tmp/podns-demo.XXXXXX)
# The container's root (host uid 100000) must reach the bundle below.
chmod 0755 "$work"

podns() { "$podns_bin" --root "$work/pins" --state-dir "$work/state" "$@"; }
runc() { command runc --root "$work/runc" "$@"; }

# shellcheck disable=SC2317  # run by the trap
cleanup() {
  runc delete -f "$ctr" >/dev/null 2>&1 || true
  podns rm "$pod" >/dev/null 2>&1 || true
  # Put the host back as it was: the bridge the plugin made, ip_forward.
  [ "$had_bridge" = yes ] || ip link del podns0 2>/dev/null || true
  echo "$ip_forward" >/proc/sys/net/ipv4/ip_forward
  umount "$work/pins" 2>/dev/null || true
  rm -rf "$work"
}
had_bridge=no
ip link show podns0 >/dev/null 2>&1 && had_bridge=yes
ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

# A top-level scalar of the JSON `podns inspect` prints (one key per line).
field() { sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p"; }

# Its input as one line of words separated by single blanks.
words() { tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }

# "C:H:S,..." as the container will show it: "C H S C H S ...".
kernel_map() { tr ',:' '  ' <<<"$1" | words; }

step "Create pod $pod with its own user namespace ($maps) and the podns network"
# The network installed by install-deps.sh: bridge podns0, 10.217.0.0/24.
podns create "$pod" --userns "$maps" --network podns >/dev/null
inspect=$(podns inspect "$pod")
echo "$inspect"
netns=$(field netns <<<"$inspect")
pod_ip=$(jq -r '.network.ips[0].address' <<<"$inspect")
gateway=$(jq -r '.network.ips[0].gateway' <<<"$inspect")

step "Make a busybox bundle (runc spec) and join it to the pod (podns spec)"
scripts/lib/bundle.sh "$work/bundle"
podns spec "$pod" --bundle "$work/bundle"
grep -E '"(type|path|containerID|hostID|size)"' "$work/bundle/config.json"

step "Run a container in the pod with runc"
# The bundle runs `sh`, which reads this script on its standard input.
# Each answer is one line, KEY=words.
inside=$(runc run --bundle "$work/bundle" "$ctr" <<'EOF'
echo uid_map=$(cat /proc/self/uid_map)
echo gid_map=$(cat /proc/self/gid_map)
echo sys_class_net=$(ls /sys/class/net)
echo netns_inode=$(stat -L -c %i /proc/self/ns/net)
echo userns_inode=$(stat -L -c %i /proc/self/ns/user)
echo eth0=$(ip addr show eth0 | awk '/inet / { print $2 }')
EOF
)
get() { sed -n "s/^$1=//p" <<<"$inside" | words; }

step "What the container sees, and what the host knows of the pod"
ok=true
check() {  # check WHAT INSIDE EXPECTED
  local verdict=ok
  [ "$2" = "$3" ] || { verdict=WRONG; ok=false; }
  printf '%-16s %-28s %-28s %s\n' "$1" "$2" "$3" "$verdict"
}
printf '%-16s %-28s %-28s\n' "" "inside the container" "the pod, seen from the host"
check uid_map "$(get uid_map)" "$(kernel_map "$maps")"
check gid_map "$(get gid_map)" "$(kernel_map "$maps")"
# The interfaces of the pod's netns, as iproute2 lists them from the host.
pod_links=$(nsenter --net="$netns" ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
  LC_ALL=C sort | words)
check /sys/class/net "$(get sys_class_net)" "$pod_links"
check "netns inode" "$(get netns_inode)" "$(field netns_inode <<<"$inspect")"
check "userns inode" "$(get userns_inode)" "$(field userns_inode <<<"$inspect")"
check "eth0 address" "$(get eth0)" "$pod_ip"
# From the bridge's side (the gateway's address), the pod answers.
reached=unreachable
busybox ping -c 1 -W 2 "${pod_ip%/*}" >/dev/null 2>&1 && reached=reached
check "ping from $gateway" "$reached" "reached"
# shellcheck disable=SC2012  # interface names have no blanks
printf '(the host: /sys/class/net %s, netns %s, userns %s)\n' "$(ls /sys/class/net | words)" \
  "$(stat -L -c %i /proc/self/ns/net)" "$(stat -L -c %i /proc/self/ns/user)"

step "Remove the container and the pod"
runc delete -f "$ctr" 2>/dev/null || true  # `run` already removed it when it exited
podns rm "$pod"
podns ls

if $ok; then
  step "All proved right: the container ran as root of the pod's user namespace, in its netns."
  exit 0
fi
step "Something did not match: see WRONG above." >&2
exit 1
