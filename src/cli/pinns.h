// CRI-O's pinns, run: what `podns pinns`, the podns binary started as
// `pinns`, and the pinns program (LIBEXECDIR/podns/pinns, CRI-O's
// pinns_path) all do. None needs CLI11.
#pragma once

namespace podns::cli {

// argv as pinns gets it (argv[0] is the program's name). Returns the exit
// code.
int run_pinns(int argc, char** argv);

// run_pinns, then ends the process at once (see pinns.cc).
[[noreturn]] void run_pinns_and_exit(int argc, char** argv);

}  // namespace podns::cli
