// Signals deferred while a command changes state: SIGINT, SIGTERM and
// SIGHUP are blocked from construction, so that a command that changes
// state (create, stop, rm, pinns) runs to its end, or undoes what it made,
// before one of them can stop it, and a second one cannot interrupt the
// undoing. One that arrived is not delivered while they stay blocked: the
// command sees it with arrived(). (SIGKILL cannot be blocked: `podns
// recover` finishes what it leaves.) Without CLI11, for `pinns` too.
#pragma once

#include <signal.h>

namespace podns::cli {

class DeferredSignals {
 public:
  DeferredSignals();
  DeferredSignals(const DeferredSignals&) = delete;
  DeferredSignals& operator=(const DeferredSignals&) = delete;
  // They stay blocked until restore() or the end of the process: an object
  // going out of scope does not unblock them (a command decides when).
  ~DeferredSignals() = default;

  // The first of those signals that arrived since, or 0.
  int arrived() const;
  // The signal mask as it was before: a pending one is delivered now and,
  // with its default action, ends the process.
  void restore() const;

 private:
  sigset_t set_;
  sigset_t old_;
};

}  // namespace podns::cli
