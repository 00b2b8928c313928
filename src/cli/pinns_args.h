// The command line of CRI-O's pinns, as `podns pinns` takes it (and the
// podns binary when it is started under the name `pinns`):
//
//   -d, --dir DIR            the directory of the pins (required)
//   -f, --filename NAME      each pin's file name (required)
//   -U, --user[=host]        a user namespace (=host: pin the caller's own)
//   -n, --net[=host]   -i, --ipc[=host]   -u, --uts[=host]
//   -c, --cgroup[=host]      -m, --mnt
//   --uid-mapping=C-H-S@...  --gid-mapping=C-H-S@...   (with --user)
//   -s, --sysctl KEY=VALUE   repeatable; --sysctl=KEY=VALUE in the long form
//
// Parsed with getopt_long and pinns's own option table, so that every form
// CRI-O's internal/config/nsmgr writes means what it means to pinns: an
// optional argument only after '=' (`--net=host`), a short option never
// with one, options in any order. Stricter than pinns where pinns silently
// does something else: a value other than "host", an argument that is not
// an option (`--net host`), an option given twice with different values,
// and `--uid-mapping` without '=' are errors, not ignored.
#pragma once

#include "podns/error.h"
#include "podns/pinned_namespaces.h"

namespace podns::cli {

struct PinnsArgs {
  bool help = false;
  pinned::Request request;
};

// Parses argv[1] to argv[argc-1] (argv[0] is the program's name). Invalid
// input when the command line is malformed; the request itself is checked
// by pinned::validate.
Result<PinnsArgs> parse_pinns_args(int argc, char** argv);

// What `--help` prints.
const char* pinns_usage();

}  // namespace podns::cli
