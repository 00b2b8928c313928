// What the privileged and end-to-end tests share: the rule for skipping,
// a private pin root and state directory per test, running the CLI, and
// running a function in a forked child (to join namespaces without
// disturbing the test process).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "podns/podns.h"

namespace podns::test {

// True when the tests must run and not skip: PODNS_REQUIRE_PRIVILEGED=1 or CI=true.
bool must_run();

// Why privileged tests cannot run here (not root, no user namespaces, no
// mount rights); empty when they can.
std::string why_not_privileged();

// Skips the test (or fails it, when must_run()) unless privileged tests can run.
#define PODNS_REQUIRE_PRIVILEGED()                                                   \
  do {                                                                               \
    if (auto why_ = ::podns::test::why_not_privileged(); !why_.empty()) {            \
      if (::podns::test::must_run()) FAIL() << "privileged test cannot run: " << why_; \
      GTEST_SKIP() << "privileged test skipped: " << why_;                           \
    }                                                                                \
  } while (0)

// `r` failed as invalid input (what the CLI exits 2 for), with `says` in its
// message.
template <class T>
::testing::AssertionResult refused(const Result<T>& r, const std::string& says = {}) {
  if (r) return ::testing::AssertionFailure() << "accepted";
  if (!r.error().is_invalid_input())
    return ::testing::AssertionFailure() << "not invalid input: " << r.error().message();
  if (r.error().message().find(says) == std::string::npos)
    return ::testing::AssertionFailure() << "says \"" << r.error().message() << "\"";
  return ::testing::AssertionSuccess();
}

// A temporary directory, removed with everything below it (after unmounting
// anything mounted there) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A pin root, state directory, CNI configuration directory (empty: no
// network unless a test writes one) and CNI cache of the test's own. On
// destruction, removes every sandbox left and unmounts the root.
class PodnsEnv {
 public:
  PodnsEnv();
  // The same, but with the CNI cache at `cni_cache_dir`: another podns
  // instance sharing one cache with a first, as instances on one host do.
  explicit PodnsEnv(std::string cni_cache_dir);
  ~PodnsEnv();
  Config config() const;
  const std::string& root() const { return root_; }
  const std::string& state_dir() const { return state_; }
  const std::string& cni_conf_dir() const { return cni_conf_; }
  const std::string& cni_cache_dir() const { return cni_cache_; }
  // "--root R --state-dir S"
  std::string cli_globals() const;

 private:
  TempDir dir_;
  std::string root_, state_, cni_conf_, cni_cache_;
};

// The path of the built podns CLI.
std::string podns_cli();

struct Run {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs argv (no shell), capturing stdout and stderr.
Run run(const std::vector<std::string>& argv, const std::string& stdin_text = {});
// The CLI's argv: the env's globals, then `args`.
std::vector<std::string> podns_argv(const PodnsEnv& env, const std::vector<std::string>& args);
// Runs the CLI with the env's globals and then `args`.
Run podns(const PodnsEnv& env, const std::vector<std::string>& args,
          const std::string& stdin_text = {});

// Runs fn in a forked child and returns its exit code (fn's return value);
// 128+N if it died of signal N. Output written to `out` in the child comes back.
int in_child(const std::function<int(std::string& out)>& fn, std::string* out = nullptr);

// The fault-injection steps of operation `op` ("create", "stop", "rm", ...).
std::vector<std::string> fault_steps_of(const std::string& op);

// Lines of /proc/self/mountinfo whose mount point starts with `prefix`.
std::vector<std::string> mounts_under(const std::string& prefix);
// Number of open fds of this process.
int count_fds();

}  // namespace podns::test
