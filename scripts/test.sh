#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: unit, privileged
# (real namespaces) and end-to-end (real runc, crun and CNI plugins); then
# the Release build, its Debian package and programs built on it
# (scripts/package-test.sh); the same tests again (but the soak tests and
# benchmarks) under AddressSanitizer and UndefinedBehaviorSanitizer
# (scripts/sanitize.sh), the fuzzers for a
# bounded time (scripts/fuzz.sh) and clang-tidy (scripts/tidy.sh). Any failure, sanitizer report or tidy
# finding fails the run. Privileged tests fail rather than skip here:
# PODNS_REQUIRE_PRIVILEGED=1. Arguments go to ctest (both runs).
# PODNS_FUZZ_SECONDS (default 20) is each fuzz target's time.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's start and the time so far, so that a slow run shows where.
phase() { printf '\n== test.sh: %s (at %dm%02ds)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)); }
phase install-deps
./scripts/install-deps.sh
phase build
./scripts/build.sh
export PODNS_REQUIRE_PRIVILEGED=1
phase ctest
(cd build && ctest --output-on-failure --timeout 600 "$@")
phase package-test
./scripts/package-test.sh
phase sanitize
./scripts/sanitize.sh "$@"
phase fuzz
./scripts/fuzz.sh "${PODNS_FUZZ_SECONDS:-20}"
phase tidy
./scripts/tidy.sh
phase done
