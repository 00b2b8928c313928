#!/usr/bin/env bash
# The shared library exports the public API and nothing of the internals:
#   exports.sh LIBPODNS_SO SONAME
# checks the SONAME, that the C API and the Manager are exported, and that
# no symbol of the store, the CNI runtime, pins, the helper, syscalls,
# rollback or Manager::Impl is (hidden visibility, PODNS_PUBLIC on the API).
set -euo pipefail
so=$1 soname=$2
fail=0
bad() { echo "exports: $*" >&2; fail=1; }

got=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$got" = "$soname" ] || bad "SONAME is '$got', not '$soname'"

syms=$(nm -D --defined-only "$so" | awk '{print $3}' | c++filt)
for want in podns_open podns_create podns_inspect podns_list podns_stop podns_remove \
            podns_recover podns_spec podns_close podns_free \
            'podns::Manager::open(' 'podns::Manager::create(' 'podns::Manager::remove(' \
            'podns::Error::message' 'podns::parse_id_map(' 'podns::spec::join_sandbox' \
            'podns::nsfs::owning_userns('; do
  grep -qF -- "$want" <<<"$syms" || bad "not exported: $want"
done
for unwanted in 'podns::Store' 'podns::cni::' 'podns::pin::' 'podns::sys::' 'podns::fault::' \
                'podns::Manager::Impl' 'podns::sysctl::' 'podns::atomic_file::' 'podns::to_json' \
                'podns::spawn_helper' 'podns::Rollback'; do
  if leaked=$(grep -F -- "$unwanted" <<<"$syms"); then
    bad "exported, but internal: $(head -n 3 <<<"$leaked" | tr '\n' ' ')"
  fi
done
n=$(grep -c '^podns' <<<"$syms" || true)
[ "$fail" = 0 ] && echo "exports: SONAME $got, $n podns symbols, no internal one"
exit "$fail"
