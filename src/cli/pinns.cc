// CRI-O's pinns command line (pinns_args.h), made by libpodns
// (pinned_namespaces.h): the whole of the pinns program (pinns_main.cc), and
// what podns's main() runs, before building the CLI11 app, when argv[0] is
// "pinns" or argv[1] is "pinns".
//
// SIGTERM, SIGINT and SIGHUP are blocked while the pins are made; one that
// arrived meanwhile undoes everything, and then ends the process as it
// would have. Once the pins are kept, exit status 0 is the truth, so any
// signal still pending then is left blocked and dies with the process.
#include "pinns.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "deferred_signals.h"
#include "exit.h"
#include "pinns_args.h"
#include "podns/pinned_namespaces.h"

namespace podns::cli {
namespace {

constexpr const char* kPrefix = "podns pinns: ";

int report(const Error& e) {
  (void)std::fprintf(stderr, "%s%s\n", kPrefix, e.message().c_str());
  return e.is_invalid_input() ? kUsage : kFailed;
}

}  // namespace

int run_pinns(int argc, char** argv) {
  auto args = parse_pinns_args(argc, argv);
  if (!args) {
    (void)std::fprintf(stderr, "%s%s (see podns pinns --help)\n", kPrefix,
                       args.error().message().c_str());
    return kUsage;
  }
  if (args->help) {
    (void)std::fputs(pinns_usage(), stdout);
    return kOk;
  }
  const DeferredSignals signals;
  int rc = kOk;
  if (auto pins = pinned::make(args->request); !pins) {
    rc = report(pins.error());
  } else if (int sig = signals.arrived(); sig != 0) {
    auto failures = pins->undo();
    std::string why = std::string("interrupted by SIG") + sigabbrev_np(sig);
    why += failures.empty() ? "; everything it made is undone" : "; then " + failures.front().message();
    (void)std::fprintf(stderr, "%s%s\n", kPrefix, why.c_str());
    rc = kFailed;
  } else {
    pins->keep();
    return kOk;  // signals stay blocked: see above
  }
  // A pending signal is delivered here and ends the process, as it would have.
  signals.restore();
  return rc;
}

namespace {

// Ends a pinns call at once, once stdio is flushed. Its own objects are all
// gone by then; what exit() would still do in podns is run the destructors
// of every other subcommand's static objects and tear down iostreams: a
// measurable part of a call CRI-O makes for every pod. Sanitizer builds
// exit normally, so that LeakSanitizer still checks the pinns path.
[[noreturn]] void exit_now(int rc) {
  (void)std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  std::exit(rc);
#else
  std::_Exit(rc);
#endif
}

}  // namespace

void run_pinns_and_exit(int argc, char** argv) { exit_now(run_pinns(argc, argv)); }

}  // namespace podns::cli
