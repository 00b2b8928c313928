#!/usr/bin/env bash
# clang-tidy 16 with the committed .clang-tidy (and tests/.clang-tidy) over
# every .cc in src/, tests/, bench/ and fuzz/, and the headers of this
# repository they include. Exits 1 on any finding; prints each one.
#
#   scripts/tidy.sh [REGEX...]   only the files whose path matches (default: all)
#
# Configures, without building, build-tidy for the compilation database
# (nothing is generated at build time that the sources include). The fuzz
# targets exist only in a clang build with PODNS_FUZZ=ON, so fuzz/ gets its
# own configuration in build-tidy/fuzz, merged into the one database.
#
# The code is built with g++ 12 and libstdc++ 12. clang 16 needs two things
# to read it: -std=c++2b (it does not know -std=c++23, which the database
# has from g++), and __cpp_concepts announced as 202002, without which
# libstdc++ 12 hides std::expected from clang. That one is undefined first
# (-U, then -D): redefined over clang's own, it is a macro-redefined warning,
# which WarningsAsErrors makes an error in every file, -Wno-macro-redefined
# notwithstanding. The fuzz configuration's own -D for it is taken out.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build=build-tidy

cmake -S . -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DPODNS_BUILD_TESTS=ON \
  -DPODNS_BUILD_BENCH=ON -DPODNS_UNITY_CLI=OFF >/dev/null
db=$build/compile_commands.json
if [ -f fuzz/CMakeLists.txt ]; then
  CC=clang-16 CXX=clang++-16 cmake -S . -B "$build/fuzz" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DPODNS_FUZZ=ON >/dev/null
  mkdir -p "$build/all"
  jq -s --arg fuzz "$PWD/fuzz/" '.[0] + [.[1][] | select(.file | startswith($fuzz))
      | .command |= gsub(" -D__cpp_concepts=202002L| -Wno-macro-redefined"; "")]' \
    "$db" "$build/fuzz/compile_commands.json" >"$build/all/compile_commands.json"
  db=$build/all/compile_commands.json
fi

# Every .cc must be in the database: one no target builds would be skipped.
missing=()
while IFS= read -r f; do
  jq -e --arg f "$PWD/$f" 'any(.[]; .file == $f)' "$db" >/dev/null || missing+=("$f")
done < <(find src tests bench fuzz -name '*.cc' 2>/dev/null | sort)
if [ ${#missing[@]} -gt 0 ]; then
  printf 'tidy: not in any target, so not checked: %s\n' "${missing[@]}" >&2
  exit 1
fi

# ASCII only (misc-confusable-identifiers is off, .clang-tidy says why):
# write any other character in a literal as an escape, "\u00e4".
if grep -rnP '[^\x00-\x7F]' src include tests bench fuzz --include='*.cc' --include='*.h' \
     --include='*.c' >&2; then
  echo "tidy: bytes outside ASCII in the sources (above); use an escape (\\u00e4)" >&2
  exit 1
fi

files=("$@")
[ ${#files[@]} -gt 0 ] || files=("^$PWD/(src|tests|bench|fuzz)/.*\.cc\$")
run-clang-tidy-16 -quiet -j"$(nproc)" -p "$(dirname "$db")" \
  -extra-arg=-std=c++2b -extra-arg=-U__cpp_concepts -extra-arg=-D__cpp_concepts=202002L \
  "${files[@]}" || { echo "tidy: findings above (or clang-tidy failed)" >&2; exit 1; }
echo "tidy: no finding"
