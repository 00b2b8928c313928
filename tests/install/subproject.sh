#!/usr/bin/env bash
# podns as someone else's dependency: subproject.sh SOURCE_DIR
#   - added with add_subdirectory() to another project, podns configures
#     without GoogleTest and Google Benchmark (find_package of either is made
#     to fail) and defines no test or benchmark target, and no CPack setup;
#   - built on its own with -DBUILD_TESTING=OFF, the same.
# Configures only (nothing is built).
set -euo pipefail
src=$1
tmp=$(mktemp -d /tmp/podns-subproject.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "subproject: $*" >&2; fail=1; }
no_test_libs=(-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON)

mkdir -p "$tmp/outer"
cat >"$tmp/outer/CMakeLists.txt" <<EOT
cmake_minimum_required(VERSION 3.25)
project(outer LANGUAGES C CXX)
include(CTest)  # the outer project's own tests: BUILD_TESTING is ON
add_subdirectory("$src" podns)
add_executable(outer-app main.cc)
target_link_libraries(outer-app PRIVATE podns_shared)
EOT
echo 'int main() {}' >"$tmp/outer/main.cc"
if ! cmake -S "$tmp/outer" -B "$tmp/outer/build" "${no_test_libs[@]}" >"$tmp/log" 2>&1; then
  bad "podns as a subproject does not configure without GoogleTest and benchmark:"
  cat "$tmp/log" >&2
else
  targets=$(cmake --build "$tmp/outer/build" --target help)
  for t in podns_unit_tests podns_priv_tests podns-bench podns_capi_c_test; do
    grep -qw "$t" <<<"$targets" && bad "as a subproject, podns defines $t"
  done
  grep -qw podns_shared <<<"$targets" || bad "as a subproject, podns defines no podns_shared"
  [ ! -e "$tmp/outer/build/CPackConfig.cmake" ] || bad "as a subproject, podns set up CPack"
fi

if ! cmake -S "$src" -B "$tmp/alone" -DBUILD_TESTING=OFF "${no_test_libs[@]}" >"$tmp/log" 2>&1; then
  bad "podns with -DBUILD_TESTING=OFF does not configure without GoogleTest and benchmark:"
  cat "$tmp/log" >&2
else
  targets=$(cmake --build "$tmp/alone" --target help)
  grep -qw podns_unit_tests <<<"$targets" && bad "with BUILD_TESTING=OFF, podns defines tests"
  [ -e "$tmp/alone/CPackConfig.cmake" ] || bad "built alone, podns has no CPack configuration"
fi
[ "$fail" = 0 ] && echo "subproject: no tests, no GoogleTest or benchmark looked for"
exit "$fail"
