#!/usr/bin/env bash
# The bash completion completes: completion.sh COMPLETION_SCRIPT
# Sources the script in a plain bash (no bash-completion package needed),
# sets COMP_WORDS and COMP_CWORD as bash does, calls the function that
# `complete` names for podns, and checks COMPREPLY.
set -euo pipefail
script=$1
fail=0
# shellcheck source=/dev/null
source "$script"
func=$(complete -p podns | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$func" ] || { echo "completion: no completion function for podns" >&2; exit 1; }

expect() {  # expect "WANTED REPLY" WORD...   (the last word is the one completed)
  local want=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  "$func" podns "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]:-}"
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
  if [ "$got" != "$want" ]; then
    echo "completion: '${COMP_WORDS[*]}' gave '$got', wanted '$want'" >&2
    fail=1
  fi
}
expect create podns cre
expect "recover rm" podns r
expect "--root" podns --ro
expect inspect podns --root /tmp ins          # the value of a global option is skipped
expect "--userns --userns-owned-by-pod" podns create web-1 --userns
expect "--root" podns create web-1 --ro       # global options after the subcommand
expect "--json" podns ls --js
expect "" podns create web-1 --hostname h    # an option's value: nothing to offer
[ "$fail" = 0 ] && echo "completion: ok"
exit "$fail"
