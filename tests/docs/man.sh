#!/usr/bin/env bash
# The man pages render: man.sh MAN_DIR PODNS
# Each page renders with `man -l` (exit 0) and without a single warning at
# 80 columns (MANWIDTH=80 man --warnings -l); podns(8) and one page per
# subcommand that `podns --help` lists are there, and podns(8) names each.
set -euo pipefail
dir=$1 podns=$2
fail=0
bad() { echo "man: $*" >&2; fail=1; }

commands=$("$podns" --help | sed -n '/^Subcommands:/,$p' | awk '/^  [^ ]/ {print $1}')
[ -n "$commands" ] || bad "no subcommand in podns --help"
[ -f "$dir/podns.8.gz" ] || bad "no podns.8.gz"
for c in $commands; do
  [ -f "$dir/podns-$c.8.gz" ] || bad "no page for podns $c"
  escaped=${c//-/\\-}  # roff: every hyphen is \-
  zcat "$dir/podns.8.gz" | grep -qF "podns\\-$escaped" || bad "podns(8) does not name podns-$c"
done
n=0
for page in "$dir"/podns.8.gz "$dir"/podns-*.8.gz; do
  n=$((n + 1))
  if ! MANWIDTH=80 man -l "$page" >/dev/null 2>&1; then
    bad "man -l $page failed"
    continue
  fi
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
  [ -z "$warnings" ] || bad "$(basename "$page"): $warnings"
  # The page has its sections.
  text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS"; do
    grep -q "^$section" <<<"$text" || bad "$(basename "$page") has no $section section"
  done
done
# The options of a subcommand are in its page.
MANWIDTH=80 man -l "$dir/podns-create.8.gz" 2>/dev/null | grep -q -- '--userns-owned-by-pod' ||
  bad "podns-create(8) does not list --userns-owned-by-pod"
MANWIDTH=80 man -l "$dir/podns-create.8.gz" 2>/dev/null | grep -q -- '--state-dir' ||
  bad "podns-create(8) does not list the global --state-dir"
[ "$fail" = 0 ] && echo "man: $n pages render without warnings"
exit "$fail"
