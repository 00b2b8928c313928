#include "deferred_signals.h"

#include <pthread.h>

#include <array>

namespace podns::cli {
namespace {

constexpr std::array kDeferred{SIGINT, SIGTERM, SIGHUP};

}  // namespace

DeferredSignals::DeferredSignals() : set_(), old_() {
  (void)::sigemptyset(&set_);
  for (int sig : kDeferred) (void)::sigaddset(&set_, sig);
  // Cannot fail with a valid set and how.
  (void)::pthread_sigmask(SIG_BLOCK, &set_, &old_);
}

int DeferredSignals::arrived() const {
  sigset_t pending;
  if (::sigpending(&pending) < 0) return 0;
  for (int sig : kDeferred) {
    if (::sigismember(&set_, sig) == 1 && ::sigismember(&pending, sig) == 1) return sig;
  }
  return 0;
}

void DeferredSignals::restore() const { (void)::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

}  // namespace podns::cli
