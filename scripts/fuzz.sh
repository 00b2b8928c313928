#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*.cc) with clang 16 into build-fuzz and
# runs each for SECONDS (default 30), seeded from a copy of fuzz/corpus/TARGET
# (the committed corpus is never written to) and with fuzz/dict/TARGET.dict
# when there is one. Prints one line per target; exits 1 when a target fails
# to build, crashes, leaks, times out or runs out of memory, naming the target
# and the input that did it (kept in build-fuzz/artifacts/TARGET/).
#   Reproduce: build-fuzz/fuzz/fuzz_TARGET build-fuzz/artifacts/TARGET/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]   (per target; default 30)" >&2
  exit 2
fi
./scripts/install-deps.sh

build=build-fuzz
targets=()
for f in fuzz/*.cc; do
  t=$(basename "$f" .cc)
  targets+=("$t")
done

CC=clang-16 CXX=clang++-16 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPODNS_FUZZ=ON -DPODNS_WERROR=ON -DPODNS_BUILD_TESTS=OFF -DPODNS_BUILD_BENCH=OFF \
  -DPODNS_STATIC_CLI=OFF >/dev/null
if ! cmake --build "$build" --target podns -j"$(nproc)"; then
  echo "fuzz: the library does not build with clang 16 and the sanitizers" >&2
  exit 1
fi
# All at once; when that fails, one by one to name the ones that do not build.
declare -A unbuilt=()
if ! cmake --build "$build" --target fuzz -j"$(nproc)"; then
  for t in "${targets[@]}"; do
    cmake --build "$build" --target "fuzz_$t" >/dev/null 2>&1 || unbuilt[$t]=1
  done
fi

# Symbolized stacks in the reports.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-16/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mkdir -p "$build/logs"
failed=()
summary=()
for t in "${targets[@]}"; do
  if [ -n "${unbuilt[$t]:-}" ]; then
    summary+=("$(printf '%-12s %12s %8s  %s' "$t" - - "FAILED: does not build")")
    failed+=("$t: does not build (cmake --build $build --target fuzz_$t)")
    continue
  fi
  work=$build/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/logs/$t.log
  rm -rf "$work" "$artifacts"
  mkdir -p "$work" "$artifacts"
  if [ -d "fuzz/corpus/$t" ]; then cp -R "fuzz/corpus/$t/." "$work/"; fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  if [ -f "fuzz/dict/$t.dict" ]; then args+=(-dict="fuzz/dict/$t.dict"); fi
  echo "fuzz: $t for ${seconds}s (log: $log)"
  rc=0
  "$build/fuzz/fuzz_$t" "${args[@]}" "$work" >"$log" 2>&1 || rc=$?

  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  corpus=$(find "$work" -type f | wc -l)
  # crash-, leak-, timeout- or oom-HASH; slow-unit- files are not failures.
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | grep -v '/slow-unit-' |
             tail -n 1 || true)
  if [ "$rc" = 0 ] && [ -z "$artifact" ]; then
    result=ok
  elif [ -n "$artifact" ]; then
    kind=$(basename "$artifact")
    kind=${kind%%-*}
    result="FAILED: $kind, input $artifact"
    failed+=("$t: $kind: $artifact (log: $log)")
  else
    result="FAILED: exit status $rc"
    failed+=("$t: exit status $rc (log: $log)")
  fi
  summary+=("$(printf '%-12s %12s %8s  %s' "$t" "${execs:-?}" "$corpus" "$result")")
  if [ "$result" != ok ]; then tail -n 40 "$log" >&2; fi
done

echo
printf '%-12s %12s %8s  %s\n' target executions corpus result
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo >&2
  printf 'fuzz: %s\n' "${failed[@]}" >&2
  exit 1
fi
