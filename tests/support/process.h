// Running the runtimes from the end-to-end tests, and the command where a
// test must signal it while it runs: always with a deadline,
// and with stdout and stderr in anonymous files rather than pipes, because a
// detached container inherits them and would otherwise keep a reader
// waiting for an end of file that comes only when the container dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "podns/fd.h"

namespace podns::e2e {

using namespace std::chrono_literals;

struct Outcome {
  int exit_code = -1;  // 128+N when killed by signal N; -1 when it did not start
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && !timed_out; }
  // "exit 1; stderr: ..." for failure messages.
  std::string describe() const;
};

// A started process, in a process group of its own. If it is not waited
// for, the destructor kills the group and reaps it.
class Process {
 public:
  // argv[0] is searched in PATH. `input` is its standard input.
  static Process start(const std::vector<std::string>& argv, const std::string& input = {});

  Process(Process&& o) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  ~Process();

  // Sends `sig` to its process group, as a terminal's Ctrl-C does (the
  // process and its children but those in a group of their own).
  void signal_group(int sig) const;

  // Waits at most `timeout`; past it, kills the process group, reaps, and
  // says so in the outcome.
  Outcome wait(std::chrono::milliseconds timeout);

 private:
  Process() = default;
  pid_t pid_ = -1;
  Fd pidfd_, out_, err_;
  std::string command_;
  std::string start_error_;
};

// start(argv, input).wait(timeout).
Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
            const std::string& input = {});

}  // namespace podns::e2e
