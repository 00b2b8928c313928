#include "podns/sys.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

namespace podns::sys {

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<Fd> open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
  int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return sys_error("open", path);
  return Fd(fd);
}

Result<void> write_all(const Fd& fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<Child> clone3(unsigned long long flags, int exit_signal) {
  int pidfd = -1;
  struct clone_args args;
  std::memset(&args, 0, sizeof args);
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
  args.exit_signal = static_cast<std::uint64_t>(exit_signal);
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return sys_error("clone3");
  if (pid == 0) return Child{0, Fd()};
  return Child{static_cast<pid_t>(pid), Fd(pidfd)};
}

Result<ChildStack> ChildStack::map(std::size_t size) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* base = ::mmap(nullptr, size + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) return sys_error("mmap child stack");
  if (::mprotect(base, page, PROT_NONE) < 0) {
    int err = errno;
    ::munmap(base, size + page);
    return errno_error(err, "mprotect child stack guard");
  }
  return ChildStack(base, size + page);
}

ChildStack::~ChildStack() {
  if (base_) ::munmap(base_, size_);
}

Result<Child> clone_vm(int (*fn)(void*), void* arg, const ChildStack& stack, int flags,
                       int exit_signal) {
  int pidfd = -1;
  sigset_t all;
  sigset_t old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  int pid = ::clone(fn, stack.top(), flags | CLONE_VM | CLONE_PIDFD | exit_signal, arg, &pidfd);
  int err = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return errno_error(err, "clone");
  return Child{pid, Fd(pidfd)};
}

Result<void> pidfd_kill(const Fd& pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) < 0 && errno != ESRCH)
    return sys_error("pidfd_send_signal");
  return {};
}

Result<int> pidfd_wait(const Fd& pidfd) {
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.get()), &info,
                  WEXITED) < 0) {
    if (errno != EINTR) return sys_error("waitid");
  }
  return info.si_status;
}

}  // namespace podns::sys
