#!/usr/bin/env bash
# The podns benchmark runner (issue 6): measures, side by side in one run,
#   1. libpodns create + remove against the floor (the bare syscalls),
#   2. `podns create` + `podns rm` against `ip netns` and util-linux `unshare`,
#   3. per-operation cost with 1,000 sandboxes alive against 10,
#   4. two parallel create/rm streams against one,
#   5. podns with a CNI bridge network against the same plugins run directly,
#   6. the peak RSS of `podns create` and the kernel memory of a live sandbox,
#   7. `podns pinns` against CRI-O's pinns, when PINNS=path gives one,
# and writes RESULTS.md (a table with ratios and targets) and scale.png.
#
#   [PINNS=/path/to/crio/pinns] bench/run.sh [--quick] [--out DIR]
#
# Builds nothing: expects a build directory (BUILD_DIR, default ../build
# from here) with podns, bench/podns-bench and bench/podns-cmdbench.
# --quick runs every measurement with far fewer iterations, to check that
# the runner works (figures are not judged); it exits non-zero if any
# measurement failed to run. Full runs write to bench/, quick ones to
# BUILD_DIR/bench-quick, unless --out says otherwise. Needs root.
#
# Everything is made below a private tmpfs that is unmounted at the end,
# also on error or interruption: no pins, netns, bridge, leases or temporary
# files are left, and net.ipv4.ip_forward is restored.
set -euo pipefail

usage() { echo "usage: bench/run.sh [--quick] [--out DIR]   (BUILD_DIR defaults to ../build from bench/)"; }
quick=0
out=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-$here/../build}
[ -d "$build" ] || { echo "run.sh: no build directory $build (set BUILD_DIR)" >&2; exit 1; }
build=$(cd "$build" && pwd)
podns=$build/podns
podns_pinns=$build/libexec/pinns
gbench=$build/bench/podns-bench
cmdbench=$build/bench/podns-cmdbench
out=${out:-$([ $quick = 1 ] && echo "$build/bench-quick" || echo "$here")}
cni_bin=/usr/lib/cni

die() { echo "run.sh: $*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*" >&2; }
if [ "$(id -u)" != 0 ]; then
  # As the privileged tests: fail where root is required, else skip (ctest: 77).
  [ "${PODNS_REQUIRE_PRIVILEGED:-}" = 1 ] || [ "${CI:-}" = true ] && die "needs root"
  echo "run.sh: skipped: needs root (namespaces, mounts, a bridge)" >&2
  exit 77
fi
for f in "$podns" "$gbench" "$cmdbench"; do
  [ -x "$f" ] || die "$f is missing: build first (cmake --build $build)"
done
for tool in jq gnuplot ip unshare umount mountpoint /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
ip=$(command -v ip) unshare=$(command -v unshare) umount=$(command -v umount)

if [ $quick = 1 ]; then
  gb_min=0.01 gb_reps=1 cmd_runs=10 cmd_warmup=2 cni_runs=3 cni_warmup=1 soak_cycles=200 soak_block=100
else
  gb_min=1 gb_reps=5 cmd_runs=500 cmd_warmup=20 cni_runs=40 cni_warmup=4 soak_cycles=10000 soak_block=1000
fi

# --- Setup and cleanup -------------------------------------------------------

T=$(mktemp -d /tmp/podns-bench-run.XXXXXX)
R=$T/results
ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
netns_dir_mounted=$(mountpoint -q /run/netns && echo 1 || echo 0)
child=

cleanup() {
  set +e
  if [ -n "$child" ]; then kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  "$ip" netns del podns-bench-peer 2>/dev/null
  "$ip" netns del podns-bench-cni 2>/dev/null
  # Every pin, netns file and nested tmpfs lies below $T: one lazy unmount
  # releases them, and with them every namespace they hold.
  mountpoint -q "$T" && umount -l "$T"
  rm -rf --one-file-system "$T"
  "$ip" link del podnsb0 2>/dev/null
  rm -f /var/lib/cni/results/podns-bench-*  # podns's CNI cache, without --cni-cache-dir
  echo "$ip_forward" >/proc/sys/net/ipv4/ip_forward
  # `ip netns add` bind-mounts /run/netns on itself the first time.
  if [ "$netns_dir_mounted" = 0 ] && mountpoint -q /run/netns && [ -z "$(ls -A /run/netns)" ]; then
    umount /run/netns
  fi
  local left=()
  grep -qF " $T" /proc/self/mountinfo && left+=("mounts below $T")
  [ -e "$T" ] && left+=("$T")
  "$ip" netns list | grep -q podns-bench && left+=("netns podns-bench-*")
  "$ip" link show podnsb0 >/dev/null 2>&1 && left+=("bridge podnsb0")
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$ip_forward" ] || left+=("net.ipv4.ip_forward")
  if [ ${#left[@]} -gt 0 ]; then
    echo "run.sh: left behind: ${left[*]}" >&2
    exit 1
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mount -t tmpfs -o mode=0700 tmpfs "$T"
mount --make-private "$T"  # nothing made below reaches other mount namespaces
mkdir "$R"

# Runs a command in the background and waits, so that a signal reaches the
# trap at once instead of after the command.
bg_run() {
  "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=
  return "$rc"
}

# True when `podns [SUB] --help` mentions the option.
podns_has() { "$podns" "${@:2}" --help 2>/dev/null | grep -qE -- "$1([^a-z-]|$)"; }

gbench_run() {  # NAME FILTER [FLAGS...]: podns-bench into $R/NAME.json
  local name=$1 filter=$2
  shift 2
  bg_run "$gbench" --workdir="$T" --benchmark_filter="$filter" --benchmark_min_time="$gb_min" \
    --benchmark_repetitions="$gb_reps" --benchmark_report_aggregates_only=true \
    --benchmark_out="$R/$name.json.part" --benchmark_out_format=json "$@" >&2 || return 1
  mv "$R/$name.json.part" "$R/$name.json"
}

cmdbench_run() {  # NAME RUNS WARMUP: the spec $T/NAME.spec into $R/NAME.json
  bg_run "$cmdbench" "$T/$1.spec" "$2" "$3" >"$R/$1.json.part" || return 1
  mv "$R/$1.json.part" "$R/$1.json"
}

# --- The measurements --------------------------------------------------------
# Each writes $R/NAME.json, or fails (and the report says FAILED).

# 3 and 6: first, while the kernel has no namespaces of earlier runs to free.
scale() { gbench_run scale '^BM_(KernelMemory|Alive)/'; }

# 1: interleaved, so that a busy machine slows both alike.
pair() { gbench_run pair '^BM_(Floor|Library|LibraryDefaults)/' --benchmark_enable_random_interleaving=true; }

# 4, and the floor's own scaling for comparison
parallel() { gbench_run parallel '^BM_(Floor)?Parallel/'; }

# 2 and 6 (peak RSS of podns create)
commands() {
  local cli="$podns --root $T/cli/root --state-dir $T/cli/state" net=
  podns_has --network create && net="--network none"
  mkdir -p "$T/peer" && touch "$T/peer/user" "$T/peer/net" || return 1
  # util-linux 2.38's --map-users needs newuidmap; --map-root-user writes the
  # maps itself (one line each), so the peer forks no helper.
  cat >"$T/commands.spec" <<EOF
case podns
run $cli create bench-cmd --userns 0:100000:65536 $net
run $cli rm bench-cmd
case ip-netns
run $ip netns add podns-bench-peer
run $ip netns del podns-bench-peer
case unshare
run $unshare --user=$T/peer/user --net=$T/peer/net --mount --map-root-user true
run $umount $T/peer/user $T/peer/net
EOF
  cmdbench_run commands "$cmd_runs" "$cmd_warmup" || return 1
  # 6a: peak RSS in KiB, the largest of 3. What /usr/bin/time sees includes
  # its own RSS at the exec (about 1 MiB): a floor, well below podns's.
  local i
  for i in 1 2 3; do
    /usr/bin/time -f %M -a -o "$T/rss" $cli create bench-rss --userns 0:100000:65536 $net >/dev/null &&
      $cli rm bench-rss || return 1
  done
  sort -n "$T/rss" | tail -1 >"$R/rss"
}

# 5: skipped (not failed) while podns has no --network.
cni() {
  if ! podns_has --network create; then
    echo "not available: podns create has no --network" | tee "$R/cni.skipped" >&2
    return 0
  fi
  local d=$T/cni global=() create_opts=(--network podns-bench) rm_opts=()
  # Each CNI option where podns takes it: before the subcommand, or after it.
  cni_opt() {
    if podns_has "$1"; then global+=("$1" "$2"); return; fi
    if podns_has "$1" create; then create_opts+=("$1" "$2"); fi
    if podns_has "$1" rm; then rm_opts+=("$1" "$2"); fi
  }
  cni_opt --cni-conf-dir "$d/conf"
  cni_opt --cni-bin-dir "$cni_bin"
  cni_opt --cni-cache-dir "$d/cache"
  mkdir -p "$d/conf" "$d/cache" && touch "$d/netns" || return 1
  "$unshare" --net="$d/netns" true || return 1  # the direct chain's pod
  cat >"$d/conf/podns-bench.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "podns-bench",
  "plugins": [{
    "type": "bridge", "bridge": "podnsb0", "isGateway": true, "ipMasq": false,
    "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.254.250.0/24"}]], "dataDir": "$d/leases"}
  }]
}
EOF
  # Each case runs loopback on lo and the bridge on eth0 (see cmdbench.cc).
  # The target is against the plugins alone, on a netns made beforehand;
  # with `ip netns` making that netns each time is shown for comparison.
  cat >"$T/cni.spec" <<EOF
case podns-cni
run $podns --root $T/cni/root --state-dir $T/cni/state ${global[*]} create bench-cni --userns 0:100000:65536 ${create_opts[*]}
run $podns --root $T/cni/root --state-dir $T/cni/state ${global[*]} rm bench-cni ${rm_opts[*]}
case plugins-direct
cni $cni_bin $d/conf/podns-bench.conflist $d/netns bench-cni-direct
case ip-netns-plugins
run $ip netns add podns-bench-cni
cni $cni_bin $d/conf/podns-bench.conflist /run/netns/podns-bench-cni bench-cni-ipnetns
run $ip netns del podns-bench-cni
EOF
  local rc=0
  cmdbench_run cni "$cni_runs" "$cni_warmup" || rc=1
  "$umount" "$d/netns"
  "$ip" link del podnsb0 2>/dev/null
  echo "$ip_forward" >/proc/sys/net/ipv4/ip_forward
  return "$rc"
}

# 7: one call for a user+net pod, as CRI-O makes it, by podns's pinns program
# (what `cmake --install` puts at LIBEXECDIR/podns/pinns) against CRI-O's own pinns (PINNS=path; a binary built from CRI-O's
# pinns/src, never part of this repository), taking turns. CRI-O's removal
# of the pins (umount -l, rm) follows each call, untimed. Skipped without PINNS.
pinns() {
  if [ -z "${PINNS:-}" ]; then
    echo "PINNS=path of CRI-O's pinns not given" | tee "$R/pinns.skipped" >&2
    return 0
  fi
  [ -x "$PINNS" ] || { echo "PINNS=$PINNS is not an executable" >&2; return 1; }
  local d=$T/pinns maps="--uid-mapping=0-100000-65536@ --gid-mapping=0-100000-65536@" c spec=
  [ -x "$podns_pinns" ] || { echo "no pinns program $podns_pinns" >&2; return 1; }
  mkdir -p "$d" || return 1
  for c in podns-pinns:$podns_pinns crio-pinns:$PINNS; do
    local label=${c%%:*} bin=${c#*:} ns=$d/ns-${c%%:*}
    spec+="case $label
run $bin -d $ns -f pod --net --user $maps
after $umount -l $ns/netns/pod $ns/userns/pod
after rm -f $ns/netns/pod $ns/userns/pod
"
  done
  printf '%s' "$spec" >"$T/pinns.spec"
  cmdbench_run pinns "$cmd_runs" "$cmd_warmup"
}

# 8: a soak, create + rm through the command on one root and state
# directory, $soak_cycles cycles: ms per cycle over the first and the last
# $soak_block, and the state directory's largest size (checked after every
# block) and its size at the end.
soak() {
  local cli="$podns --root $T/soak/root --state-dir $T/soak/state" net= i t0= t1 size
  podns_has --network create && net="--network none"
  : >"$R/soak.part"
  for ((i = 0; i < soak_cycles; i++)); do
    ((i % soak_block == 0)) && t0=$(date +%s%N)
    $cli create "soak-$i" --userns 0:100000:65536 $net >/dev/null && $cli rm "soak-$i" || return 1
    if (((i + 1) % soak_block == 0)); then
      t1=$(date +%s%N)
      size=$(du -sb "$T/soak/state" | cut -f1)
      awk -v n=$((i + 1)) -v ns=$((t1 - t0)) -v b="$soak_block" -v size="$size" \
        'BEGIN { printf "%d %.3f %d\n", n, ns / 1e6 / b, size }' >>"$R/soak.part"
    fi
  done
  [ -z "$($cli ls --json | jq -r '.[]')" ] || return 1
  mv "$R/soak.part" "$R/soak"
}

# Waits (up to 20 s) for the kernel to free what the last section made
# (namespaces are torn down by a kernel worker): until Slab stops shrinking.
settle() {
  local prev now i
  prev=$(awk '/^Slab:/ {print $2}' /proc/meminfo)
  for i in $(seq 40); do
    sleep 0.5
    now=$(awk '/^Slab:/ {print $2}' /proc/meminfo)
    [ $((prev - now)) -lt 1024 ] && return 0
    prev=$now
  done
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
failed=()
for section in scale pair parallel commands pinns cni soak; do
  say "$section"
  "$section" || { failed+=("$section"); echo "run.sh: $section FAILED" >&2; }
  settle
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- The report --------------------------------------------------------------

# FIELD of a Google Benchmark run: its median, or its only run.
gb() {  # FILE RUN_NAME FIELD
  [ -f "$R/$1.json" ] || return 0
  jq -r --arg n "$2" --arg f "$3" 'first(.benchmarks[]
    | select(.run_name == $n and (.aggregate_name // "median") == "median") | .[$f]) // empty' \
    "$R/$1.json" || true
}
# A field of a podns-cmdbench case.
cb() {  # FILE LABEL JQ_PATH
  [ -f "$R/$1.json" ] || return 0
  jq -r --arg l "$2" "first(.cases[] | select(.label == \$l) | $3) // empty" "$R/$1.json" || true
}
# printf FORMAT of an awk EXPRESSION; nothing when a figure is missing.
calc() { awk "BEGIN { printf \"$1\", $2 }" 2>/dev/null || true; }
# "a/b×" or "—" when either is missing.
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then calc '%.2f×' "$1 / $2"; else echo "—"; fi; }
# yes / **no** for VALUE OP LIMIT; — when it is missing or in quick mode.
met() {
  [ -n "$1" ] && [ $quick = 0 ] || { echo "—"; return; }
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "<=" ? v <= l : v >= l; print ok ? "yes" : "**no**" }'
}
us() { [ -n "$1" ] && calc '%.0f µs' "$1" || echo FAILED; }
per_s() { [ -n "$1" ] && calc '%.0f/s' "$1" || echo FAILED; }
# A podns-cmdbench case's median wall time, and its median CPU time.
wall_cpu() {  # FILE LABEL
  local wall cpu
  wall=$(cb "$1" "$2" .median_ms) cpu=$(cb "$1" "$2" .median_cpu_ms)
  [ -n "$wall" ] && calc '%.2f ms (CPU %.2f ms)' "$wall, $cpu" || echo FAILED
}

floor_us=$(gb pair BM_Floor/real_time real_time)
lib_us=$(gb pair BM_Library/real_time real_time)
libdef_us=$(gb pair BM_LibraryDefaults/real_time real_time)
r1=$(calc %.4f "$lib_us / $floor_us")
podns_ms=$(cb commands podns .median_ms)
ipnetns_ms=$(cb commands ip-netns .median_ms)
unshare_ms=$(cb commands unshare .median_ms)
r2a=$(calc %.4f "$podns_ms / $ipnetns_ms")
r2b=$(calc %.4f "$podns_ms / $unshare_ms")
c10=$(gb scale BM_Alive/10/manual_time create_us)
c1000=$(gb scale BM_Alive/1000/manual_time create_us)
rm10=$(gb scale BM_Alive/10/manual_time rm_us)
rm1000=$(gb scale BM_Alive/1000/manual_time rm_us)
r3c=$(calc %.4f "$c1000 / $c10")
r3r=$(calc %.4f "$rm1000 / $rm10")
ops1=$(gb parallel BM_Parallel/real_time/threads:1 items_per_second)
ops2=$(gb parallel BM_Parallel/real_time/threads:2 items_per_second)
r4=$(calc %.4f "$ops2 / $ops1")
floor_ops1=$(gb parallel BM_FloorParallel/real_time/threads:1 items_per_second)
floor_ops2=$(gb parallel BM_FloorParallel/real_time/threads:2 items_per_second)
rss_kib=$(cat "$R/rss" 2>/dev/null || true)
kmem_kib=$(gb scale BM_KernelMemory/1000/iterations:1/real_time kernel_kib)
slab_kib=$(gb scale BM_KernelMemory/1000/iterations:1/real_time slab_kib)
percpu_kib=$(gb scale BM_KernelMemory/1000/iterations:1/real_time percpu_kib)
avail_kib=$(gb scale BM_KernelMemory/1000/iterations:1/real_time memavailable_drop_kib)
if [ -f "$R/cni.skipped" ]; then
  cni_row="| 5 | podns create + rm with a CNI bridge network vs the same plugins run directly | skipped: $(cat "$R/cni.skipped") | | | ≤ 1.05× | — |"
else
  cni_podns=$(cb cni podns-cni .median_ms)
  cni_direct=$(cb cni plugins-direct .median_ms)
  r5=$(calc %.4f "$cni_podns / $cni_direct")
  cni_ipnetns=$(cb cni ip-netns-plugins .median_ms)
  cni_row="| 5 | podns create + rm with a CNI bridge network vs the same plugins run directly | $(wall_cpu cni podns-cni) | $(wall_cpu cni plugins-direct) | $(ratio "$cni_podns" "$cni_direct") | ≤ 1.05× | $(met "$r5" '<=' 1.05) |
| 5' | (for comparison) the same vs \`ip netns add\` + the plugins + \`ip netns del\` | $(wall_cpu cni podns-cni) | $(wall_cpu cni ip-netns-plugins) | $(ratio "$cni_podns" "$cni_ipnetns") | | |"
fi

if [ -f "$R/pinns.skipped" ]; then
  pinns_row="| 7 | \podns's \`pinns\` program (LIBEXECDIR/podns/pinns) vs CRI-O's \`pinns\`: one call for a user+net pod | skipped: $(cat "$R/pinns.skipped") | | | ≤ 1.0× | — |"
else
  pinns_podns=$(cb pinns podns-pinns .median_ms)
  pinns_crio=$(cb pinns crio-pinns .median_ms)
  r7=$(calc %.4f "$pinns_podns / $pinns_crio")
  pinns_row="| 7 | \podns's \`pinns\` program (LIBEXECDIR/podns/pinns) vs CRI-O's \`pinns\`: one call for a user+net pod | $(wall_cpu pinns podns-pinns) | $(wall_cpu pinns crio-pinns) | $(ratio "$pinns_podns" "$pinns_crio") | ≤ 1.0× | $(met "$r7" '<=' 1.0) |"
fi

if [ -f "$R/soak" ]; then
  soak_first=$(head -1 "$R/soak" | cut -d' ' -f2)
  soak_last=$(tail -1 "$R/soak" | cut -d' ' -f2)
  soak_max=$(cut -d' ' -f3 "$R/soak" | sort -n | tail -1)
  soak_end=$(tail -1 "$R/soak" | cut -d' ' -f3)
  soak_row="| 8 | \`podns create\` + \`podns rm\` after $soak_cycles cycles on one state directory vs at the start (ms per cycle, the last $soak_block vs the first) | $(calc '%.2f ms' "$soak_last") | $(calc '%.2f ms' "$soak_first") | $(ratio "$soak_last" "$soak_first") | reported | — |
| 8' | the state directory (database, WAL, its index) in that soak: largest, and at the end | $(calc '%.0f KiB' "$soak_max / 1024") | $(calc '%.0f KiB' "$soak_end / 1024") | | < 4 MiB | $(met "$soak_max" '<=' 4194304) |"
else
  soak_row="| 8 | \`podns create\` + \`podns rm\`, $soak_cycles cycles on one state directory | FAILED | | | reported | — |"
fi

# Per-op cost against live sandboxes: the plot's data.
: >"$T/scale.dat"
for n in 10 100 250 500 1000; do
  c=$(gb scale "BM_Alive/$n/manual_time" create_us)
  r=$(gb scale "BM_Alive/$n/manual_time" rm_us)
  [ -n "$c" ] && echo "$n $c $r" >>"$T/scale.dat"
done

mkdir -p "$out"
if [ -s "$T/scale.dat" ]; then
  gnuplot <<EOF || failed+=(plot)
set terminal pngcairo size 800,480
set output '$out/scale.png'
set title 'libpodns: cost per operation against sandboxes alive (median)'
set xlabel 'sandboxes alive'
set ylabel 'µs per operation'
set yrange [0:*]
set key top left
set grid
plot '$T/scale.dat' using 1:2 with linespoints title 'create', \
     '' using 1:3 with linespoints title 'rm', \
     '' using 1:(\$2+\$3) with linespoints title 'create + rm'
EOF
else
  failed+=(plot)
fi

src=$(cd "$here/.." && pwd)
commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
if GIT_OPTIONAL_LOCKS=0 git -C "$src" status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
  commit="$commit + uncommitted changes"
fi
{
  echo "# podns benchmark results"
  echo
  [ $quick = 1 ] && echo "**Quick mode**: far too few iterations for the figures to mean anything; targets not judged." && echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
  echo "- Load average (1, 5, 15 min): $load_start at the start, $load_end at the end"
  echo "- podns: $commit"
  echo "- Command: \`BUILD_DIR=$build bench/run.sh$([ $quick = 1 ] && echo ' --quick')\`"
  [ ${#failed[@]} -gt 0 ] && echo "- **Failed**: ${failed[*]}"
  echo
  echo "| # | Measurement | podns | Baseline | Ratio | Target | Met |"
  echo "|---|---|---|---|---|---|---|"
  echo "| 1 | create + rm of one pinned user+net pair: libpodns vs the floor (floor.cc) | $(us "$lib_us") | $(us "$floor_us") | $(ratio "$lib_us" "$floor_us") | ≤ 1.10× | $(met "$r1" '<=' 1.10) |"
  echo "| 1' | (for comparison) the same with podns's default sysctl (ping_group_range) written in the netns | $(us "$libdef_us") | $(us "$floor_us") | $(ratio "$libdef_us" "$floor_us") | | |"
  echo "| 2a | \`podns create\` + \`podns rm\` vs \`ip netns add\` + \`ip netns del\` | $(wall_cpu commands podns) | $(wall_cpu commands ip-netns) | $(ratio "$podns_ms" "$ipnetns_ms") | ≤ 1.0× | $(met "$r2a" '<=' 1.0) |"
  echo "| 2b | \`podns create\` + \`podns rm\` vs \`unshare --user= --net= --mount --map-root-user true\` + \`umount\` | $(wall_cpu commands podns) | $(wall_cpu commands unshare) | $(ratio "$podns_ms" "$unshare_ms") | ≤ 0.5× | $(met "$r2b" '<=' 0.5) |"
  echo "| 3a | create with 1,000 sandboxes alive vs 10 | $(us "$c1000") | $(us "$c10") | $(ratio "$c1000" "$c10") | ≤ 1.25× | $(met "$r3c" '<=' 1.25) |"
  echo "| 3b | rm with 1,000 sandboxes alive vs 10 | $(us "$rm1000") | $(us "$rm10") | $(ratio "$rm1000" "$rm10") | ≤ 1.25× | $(met "$r3r" '<=' 1.25) |"
  echo "| 4 | create + rm throughput: 2 parallel streams vs 1 | $(per_s "$ops2") | $(per_s "$ops1") | $(ratio "$ops2" "$ops1") | ≥ 1.6× | $(met "$r4" '>=' 1.6) |"
  echo "| 4' | (for comparison) the floor: 2 parallel streams vs 1 | $(per_s "$floor_ops2") | $(per_s "$floor_ops1") | $(ratio "$floor_ops2" "$floor_ops1") | | |"
  echo "$cni_row"
  echo "$pinns_row"
  echo "$soak_row"
  echo "| 6a | peak RSS of \`podns create\` | $([ -n "$rss_kib" ] && calc '%.1f MiB' "$rss_kib / 1024" || echo FAILED) | | | ≤ 8 MiB | $(met "$rss_kib" '<=' 8192) |"
  echo "| 6b | kernel memory per live sandbox (Slab + Percpu growth over 1,000) | $([ -n "$kmem_kib" ] && calc '%.0f KiB' "$kmem_kib" || echo FAILED) | | | reported | — |"
  echo
  echo "Per-operation cost (libpodns, median) against the number of sandboxes alive:"
  echo
  echo "| alive | create | rm |"
  echo "|---|---|---|"
  while read -r n c r; do echo "| $n | $(us "$c") | $(us "$r") |"; done <"$T/scale.dat"
  echo
  echo "![per-operation cost against sandboxes alive](scale.png)"
  echo
  echo "How each figure is made:"
  echo
  echo "1. \`podns-bench\` (Google Benchmark), medians of $gb_reps repetitions, floor and library interleaved. The floor"
  echo "   does only the syscalls, in libpodns's order (bench/floor.cc); libpodns uses a Manager with its pin root and"
  echo "   state database on a tmpfs, and writes no sysctl, like the floor (1' writes podns's default"
  echo "   ping_group_range, as \`podns create\` does). Wall time."
  echo "2. \`podns-cmdbench\`: whole processes (posix_spawn + wait4), the three cases taking turns, medians of"
  echo "   $cmd_runs rounds after $cmd_warmup warm-up rounds; ratios are of wall time. CPU: user + system time of the"
  echo "   processes and the children they reaped (not the kernel's own workers). podns's root and state are on a tmpfs;"
  echo "   \`--network none\` is passed only if \`podns create --help\` has it. The \`unshare\` peer maps with"
  echo "   \`--map-root-user\` (util-linux 2.38's \`--map-users\` needs newuidmap) and needs \`--mount\` to pin a user namespace."
  echo "3. \`podns-bench\`: one sandbox created and removed while N others are alive (same manager), time per operation."
  echo "4. \`podns-bench\`: 1 and 2 threads, each with its own Manager on one root and database; create + rm pairs per second."
  echo "   4' is the floor's pair in 1 and 2 threads: what the kernel and the machine allow."
  echo "5. \`podns-cmdbench\`, $cni_runs rounds: podns with \`--network\` against loopback ADD on lo, bridge (host-local)"
  echo "   ADD on eth0, bridge DEL, loopback DEL run directly with CNI_* variables and the configuration on stdin,"
  echo "   on a network namespace made once beforehand. Bridge podnsb0, 10.254.250.0/24, isGateway, no ipMasq."
  echo "6. RSS: \`/usr/bin/time -f %M podns create\`, the largest of 3 (time's own 1 MiB is the floor it can see)."
  echo "   Kernel memory: the growth of Slab + Percpu in /proc/meminfo from 0 to 1,000 live sandboxes, over 1,000"
  echo "   (Slab $(calc '%.0f' "${slab_kib:-0}") KiB, Percpu $(calc '%.0f' "${percpu_kib:-0}") KiB; MemAvailable dropped by"
  echo "   $(calc '%.0f' "${avail_kib:-0}") KiB per sandbox). Other work on the machine shows in it too."
  echo "7. \`podns-cmdbench\`, $cmd_runs rounds after $cmd_warmup warm-up rounds, the two taking turns: \`-d DIR -f pod --net --user"
  echo "   --uid-mapping=0-100000-65536@ --gid-mapping=0-100000-65536@\` by podns's pinns program (BUILD/libexec/pinns, installed as LIBEXECDIR/podns/pinns), and"
  echo "   the same with CRI-O's pinns (\`PINNS=\`, built from CRI-O's pinns/src by the person running the benchmark); each"
  echo "   call is followed, untimed, by CRI-O's removal (\`umount -l\` of both pins, \`rm\`). DIR is on the runner's tmpfs."
  echo "8. A shell loop of \`podns create ID --userns 0:100000:65536 --network none\` and \`podns rm ID\`, $soak_cycles"
  echo "   cycles, root and state on the runner's tmpfs; wall time per block of $soak_block cycles (the loop's own"
  echo "   fork and exec included), the state directory's size (\`du -sb\`) after each block."
} >"$out/RESULTS.md"

cat "$out/RESULTS.md"
echo >&2
echo "run.sh: wrote $out/RESULTS.md and $out/scale.png" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
