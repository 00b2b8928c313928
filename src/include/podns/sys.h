// The thin layer over the syscalls glibc 2.36 does not wrap, or wraps with
// less than we need: clone3, pidfd_send_signal, the NS_GET_* ioctls. Each
// returns Result and names the operation and argument on failure.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

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

// Sends sig through the pidfd; ESRCH (already gone) counts as success.
Result<void> pidfd_kill(const Fd& pidfd, int sig);
// Reaps the child (waitid P_PIDFD), retrying on EINTR. Returns the wait status code.
Result<int> pidfd_wait(const Fd& pidfd);

}  // namespace podns::sys
