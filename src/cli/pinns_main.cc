// The pinns program, LIBEXECDIR/podns/pinns: what CRI-O's pinns_path names.
// podns's own pinns (pinns.cc) and nothing else: no CLI11, no other
// subcommand, so that the call CRI-O makes for every pod starts as a small
// program does (bench row 7).
#include <cstdio>
#include <exception>

#include "exit.h"
#include "pinns.h"

int main(int argc, char** argv) {
  // As podns's main(): what still throws (std::bad_alloc, a bug) is a
  // failure rather than an abort.
  try {
    podns::cli::run_pinns_and_exit(argc, argv);
  } catch (const std::exception& e) {
    (void)std::fprintf(stderr, "podns pinns: %s\n", e.what());
  } catch (...) {
    (void)std::fprintf(stderr, "podns pinns: unknown exception\n");
  }
  return podns::cli::kFailed;
}
