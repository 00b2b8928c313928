// The thin layer over the syscalls glibc 2.36 does not wrap, or wraps with
// less than we need: clone3, pidfd_send_signal, the NS_GET_* ioctls. Each
// returns Result and names the operation and argument on failure.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>

#include "podns/error.h"
#include "podns/fd.h"

namespace podns::sys {

// "/proc/self/fd/N": the magic link through which path-taking syscalls
// (mount, umount2) reach exactly the file an fd holds, without resolving
// a path again.
std::string fd_path(int fd);

// open(2)/openat(2) with O_CLOEXEC always added.
Result<Fd> open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);

// Writes all of `data`, retrying on EINTR and short writes.
Result<void> write_all(const Fd& fd, std::string_view data, const std::string& path_for_errors);

// A child made by clone3: its pid (for /proc/<pid> while it is unreaped) and
// its pidfd (for everything else).
struct Child {
  pid_t pid = -1;
  Fd pidfd;
};

// clone3 with CLONE_PIDFD added to flags. Returns {0, -} in the child.
// Like fork(2): the child must be async-signal-safe until it execs or exits.
Result<Child> clone3(unsigned long long flags, int exit_signal);

// A stack for a child that shares our memory (clone_vm): mapped, with a
// guard page below it; unmapped when destroyed, which must not happen
// while the child can still run (release() leaves it mapped for good).
class ChildStack {
 public:
  static Result<ChildStack> map(std::size_t size);
  ChildStack(ChildStack&& o) noexcept : base_(std::exchange(o.base_, nullptr)), size_(o.size_) {}
  ChildStack& operator=(ChildStack&&) = delete;
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  ~ChildStack();
  // The highest address: where a stack that grows down starts.
  void* top() const { return static_cast<char*>(base_) + size_; }
  void release() { base_ = nullptr; }

 private:
  ChildStack(void* base, std::size_t size) : base_(base), size_(size) {}
  void* base_;
  std::size_t size_;
};

// clone(2) with CLONE_VM and CLONE_PIDFD added to flags: the child runs
// fn(arg) on `stack`, in this process's memory, until it exits; no page
// table is copied for it, nor torn down when it dies, which makes it
// several times cheaper than a fork of a large process. Every signal is
// blocked in the calling thread around the clone, so the child starts with
// all blocked (none of our handlers runs on its stack). The child must
// allocate nothing, take no lock and change no credential (a uid change
// marks the shared memory, and so this process, not dumpable); it shares the
// calling thread's TLS, errno included, so the two must take turns.
Result<Child> clone_vm(int (*fn)(void*), void* arg, const ChildStack& stack, int flags,
                       int exit_signal);

// Sends sig through the pidfd; ESRCH (already gone) counts as success.
Result<void> pidfd_kill(const Fd& pidfd, int sig);
// Reaps the child (waitid P_PIDFD), retrying on EINTR. Returns the wait status code.
Result<int> pidfd_wait(const Fd& pidfd);

}  // namespace podns::sys
