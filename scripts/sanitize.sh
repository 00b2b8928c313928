#!/usr/bin/env bash
# Builds podns with AddressSanitizer and UndefinedBehaviorSanitizer
# (-DPODNS_SANITIZE=ON: library, CLI, tests and fake CNI plugin) into
# build-asan and runs the tests there, as scripts/test.sh does: unit,
# privileged and end-to-end. Extra arguments go to ctest (e.g. -R priv.).
#
# -O1 -g1, not RelWithDebInfo's -O2 -g: ASan's advice for speed, with line
# tables for symbolized reports; it halves the compile time of a test file
# (tests/priv/lifecycle_test.cc: 31 s to 16 s with g++ 12). Not here: the
# benchmarks (they time, and a sanitized time means nothing) and the soak
# tests (they count what grows over a thousand cycles, which the plain
# build checks; every other test's process ends with LeakSanitizer's check).
#
# Any finding fails the run. The first error, leak or undefined behaviour
# aborts the process that has it. The tests run `podns` as a child that
# inherits this environment (podns runs CNI plugins, the sanitized fake one
# among them, with a clean environment: ASan's defaults, which also stop at
# the first error and detect leaks). ASan's and LeakSanitizer's reports go
# to build-asan/sanitizer/, so that one in a child whose failure a test
# expects still fails the run: it fails if any report is there at the end,
# even if every test passed, and prints them all. UBSan's go to the stderr
# of the process (g++ links UBSan's runtime beside ASan's, and that one
# ignores log_path), which the test shows when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build=build-asan
BUILD_DIR=$build ./scripts/build.sh -DPODNS_SANITIZE=ON -DPODNS_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"

reports=$PWD/$build/sanitizer
rm -rf "$reports"
mkdir -p "$reports"
# halt_on_error and abort_on_error: the first finding kills the process
# with SIGABRT (a test sees that even when it only checks for a non-zero
# exit); detect_leaks: LeakSanitizer at exit; the rest catch more than the
# defaults do (static initialisation order, use of a returned stack frame).
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:log_path=$reports/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
if [ -x /usr/lib/llvm-16/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer
fi
export PODNS_REQUIRE_PRIVILEGED=1

rc=0
(cd "$build" && ctest --output-on-failure --timeout 600 -E '[.]Soak(Network)?[.]' "$@") || rc=$?

shopt -s nullglob
found=("$reports"/*)
if [ ${#found[@]} -gt 0 ]; then
  for f in "${found[@]}"; do
    printf '\n== %s\n' "$f" >&2
    cat "$f" >&2
  done
  echo "sanitize: ${#found[@]} sanitizer report(s) in $reports" >&2
  exit 1
fi
if [ "$rc" != 0 ]; then
  echo "sanitize: tests failed (ctest exit status $rc)" >&2
  exit "$rc"
fi
echo "sanitize: every test passed, no sanitizer report"
