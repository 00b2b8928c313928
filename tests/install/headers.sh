#!/usr/bin/env bash
# The installed headers are the public API and stand alone:
#   headers.sh BUILD_DIR CXX CC
# installs the headers alone (cmake --install --component podns_headers)
# into a temporary prefix, then checks that
#   - exactly include/podns/ of the source tree and the generated version.h
#     are installed, and none of the private headers of src/include/;
#   - each compiles alone as C++23, with only that include directory, and
#     includes nothing of nlohmann/json, SQLite or CLI11 (stand-ins that
#     #error are put first on the include path), nor any podns header from
#     outside the installed tree;
#   - the C ones (c.h, export.h, version.h) compile alone as C99 too.
set -euo pipefail
build=$1 cxx=$2 cc=$3
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/podns-headers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "headers: $*" >&2; fail=1; }

cmake --install "$build" --prefix "$tmp/prefix" --component podns_headers >/dev/null
inc=$tmp/prefix/include

# What is installed: exactly the public headers.
want=$( (cd "$src/include" && find podns -name '*.h'; echo podns/version.h) | sort)
got=$( (cd "$inc" && find . -type f | sed 's|^\./||') | sort)
if [ "$want" != "$got" ]; then
  bad "installed headers differ from include/podns/ + version.h:"
  diff <(echo "$want") <(echo "$got") >&2 || true
fi
while IFS= read -r private; do
  [ -e "$inc/$private" ] && bad "private header installed: $private"
done < <(cd "$src/src/include" && find podns -name '*.h')

# Stand-ins for what must not be reached from a public header.
mkdir -p "$tmp/poison/nlohmann" "$tmp/poison/CLI"
for h in nlohmann/json.hpp nlohmann/json_fwd.hpp sqlite3.h CLI/CLI.hpp; do
  echo "#error \"an installed podns header includes <$h>\"" >"$tmp/poison/$h"
done

n=0
while IFS= read -r h; do
  n=$((n + 1))
  echo "#include <$h>" >"$tmp/one.cc"
  if ! deps=$("$cxx" -std=c++23 -I"$tmp/poison" -I"$inc" -MM -x c++ "$tmp/one.cc" 2>"$tmp/err") ||
     ! "$cxx" -std=c++23 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I"$tmp/poison" -I"$inc" \
       -x c++ "$tmp/one.cc" 2>>"$tmp/err"; then
    bad "$h does not compile alone as C++23:"
    cat "$tmp/err" >&2
    continue
  fi
  # -MM lists the non-system headers it read: only installed podns ones.
  for d in $deps; do
    case $d in
      *.o | *: | \\ | "$tmp/one.cc") ;;
      "$inc"/podns/*) ;;
      *) bad "$h reaches $d" ;;
    esac
  done
done < <(cd "$inc" && find podns -name '*.h' | sort)
for h in podns/c.h podns/export.h podns/version.h; do
  printf '#include <%s>\ntypedef int not_empty;\n' "$h" >"$tmp/one.c"
  "$cc" -std=c99 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I"$tmp/poison" -I"$inc" \
    -x c "$tmp/one.c" 2>"$tmp/err" || { bad "$h does not compile alone as C99:"; cat "$tmp/err" >&2; }
done
[ "$n" -gt 0 ] || bad "no header installed"
[ "$fail" = 0 ] && echo "headers: $n installed headers, each alone: ok"
exit "$fail"
