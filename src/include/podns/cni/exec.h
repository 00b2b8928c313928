// Running one plugin process, bounded in time and output, and leaving
// nothing behind.
//
// The plugin is cloned with a pidfd and an exit signal of 0, so it is
// waited for only through that pidfd: a SIGCHLD handler or waitpid(-1)
// elsewhere in the process cannot reap it first and race the pidfd. Between
// the clone and the exec the child runs only async-signal-safe code on
// memory prepared before the clone: it takes PR_SET_PDEATHSIG(SIGKILL) (and
// checks that its parent did not die before that), becomes the leader of its
// own process group, resets the signal mask and dispositions it inherited,
// puts the pipes on 0, 1 and 2, and marks every other descriptor close-on-
// exec, so a descriptor some other part of the process leaked without
// O_CLOEXEC does not reach the plugin either.
//
// The configuration is written into the stdin pipe before the clone (the
// pipe is grown to hold it), so podns never writes to a pipe whose reader
// may be gone and never needs SIGPIPE handling. stdout and stderr are read
// apart with poll, with the pidfd in the same poll. When the timeout passes
// or either stream passes max_output, the plugin's whole process group
// (the IPAM plugin a main plugin runs belongs to it) is killed with SIGKILL
// and the plugin reaped. Every path out of run_plugin_process, error or
// not, has reaped the plugin.
//
// PR_SET_PDEATHSIG fires when the *thread* that cloned the plugin ends;
// run_plugin_process waits for the plugin in that thread, so this holds.
// A plugin's own children are killed with it on timeout, but if podns itself
// dies they get no death signal of their own.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "podns/error.h"

namespace podns::cni {

struct ExecLimits {
  std::chrono::milliseconds timeout{60000};
  // Per stream: stdout and stderr each.
  std::size_t max_output = 1 << 20;
};

struct ExecOutput {
  int exit_code = 0;  // when it exited
  int signal = 0;     // the signal that killed it; 0 when it exited
  std::string out;
  std::string err;
  bool succeeded() const { return signal == 0 && exit_code == 0; }
};

// Looks `type` up in `dirs`, in order, and returns the first regular,
// executable file. No $PATH, no other directory. The type and directories
// are validated first (validate.h).
Result<std::string> find_plugin(const std::vector<std::string>& dirs, std::string_view type);

// Runs `path` (argv = {path}) with exactly `env` ("K=V" each) and `input`
// on stdin. A plugin that exits, whatever its status, is an ExecOutput; an
// error means it could not be run (errno of the exec, e.g. EACCES), did not
// finish in time (ETIMEDOUT) or wrote too much (EMSGSIZE), and was killed.
Result<ExecOutput> run_plugin_process(const std::string& path, const std::vector<std::string>& env,
                                      std::string_view input, const ExecLimits& limits);

}  // namespace podns::cni
