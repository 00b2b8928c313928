#include "podns/cni/exec.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <cstring>

#include "podns/cni/validate.h"
#include "podns/fd.h"
#include "podns/sys.h"

namespace podns::cni {
namespace {

using Clock = std::chrono::steady_clock;

// Input beyond this is refused: the pipe would have to grow past what an
// unprivileged process may ask for.
constexpr std::size_t kMaxInput = 1 << 20;

struct Pipe {
  Fd read;
  Fd write;
};

// A pipe whose ends are both above 2, so that putting them on 0, 1 and 2 in
// the child never overwrites one with another (podns may run with stdio closed).
Result<Pipe> make_pipe() {
  std::array<int, 2> p{};
  if (::pipe2(p.data(), O_CLOEXEC) < 0) return sys_error("pipe2");
  std::array<Fd, 2> ends{Fd(p[0]), Fd(p[1])};
  for (auto& end : ends) {
    if (end.get() > 2) continue;
    int moved = ::fcntl(end.get(), F_DUPFD_CLOEXEC, 3);
    if (moved < 0) return sys_error("fcntl F_DUPFD_CLOEXEC");
    end.reset(moved);
  }
  return Pipe{std::move(ends[0]), std::move(ends[1])};
}

Result<void> set_nonblocking(const Fd& fd) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0)
    return sys_error("fcntl O_NONBLOCK");
  return {};
}

// A stdin pipe already holding `input`, its write end closed.
Result<Fd> filled_stdin(std::string_view input) {
  if (input.size() > kMaxInput) {
    return plain_error(E2BIG, "plugin configuration is " + std::to_string(input.size()) +
                                  " bytes; at most " + std::to_string(kMaxInput) + " are allowed");
  }
  PODNS_TRY(p, make_pipe());
  int capacity = ::fcntl(p.write.get(), F_GETPIPE_SZ);
  if (capacity < 0) return sys_error("fcntl F_GETPIPE_SZ");
  if (static_cast<std::size_t>(capacity) < input.size() &&
      ::fcntl(p.write.get(), F_SETPIPE_SZ, static_cast<int>(input.size())) < 0)
    return sys_error("grow stdin pipe to " + std::to_string(input.size()) + " bytes");
  // Non-blocking: should the pipe still be too small, this fails instead of
  // waiting for a reader that does not exist yet.
  PODNS_CHECK(set_nonblocking(p.write));
  while (!input.empty()) {
    ssize_t n = ::write(p.write.get(), input.data(), input.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write plugin configuration to stdin pipe");
    }
    input.remove_prefix(static_cast<std::size_t>(n));
  }
  return std::move(p.read);
}

// Everything the child needs, prepared before the clone: the child touches
// nothing else.
struct ChildPlan {
  const char* path;
  char* const* argv;
  char* const* envp;
  int in, out, err;  // to become 0, 1, 2
  int report;        // gets errno if the exec fails
  pid_t parent;
};

// The child's life until exec. Async-signal-safe: raw syscalls only.
[[noreturn]] void child_main(const ChildPlan& p) {
  int err = 0;
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
    err = errno;
  } else if (::getppid() != p.parent) {
    ::_exit(127);  // the parent is already gone; nobody wants this plugin
  }
  if (err == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    ::sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);  // fails harmlessly for some
    if (::dup2(p.in, 0) < 0 || ::dup2(p.out, 1) < 0 || ::dup2(p.err, 2) < 0) {
      err = errno;
    } else {
      // Descriptors someone opened without O_CLOEXEC stay out of the plugin.
      ::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
      ::execve(p.path, p.argv, p.envp);
      err = errno;
    }
  }
  ssize_t n;
  do n = ::write(p.report, &err, sizeof err);
  while (n < 0 && errno == EINTR);
  ::_exit(127);
}

// Owns the cloned plugin: kills (its whole process group) and reaps it
// unless it was reaped already.
class Plugin {
 public:
  Plugin(pid_t pid, Fd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
  ~Plugin() {
    if (pidfd_) {
      kill();
      (void)reap();
    }
  }

  const Fd& pidfd() const { return pidfd_; }

  void kill() {
    // The group first: once the leader is reaped its ID may be reused.
    // While it is unreaped, no other process or group can have that ID.
    ::kill(-pid_, SIGKILL);
    (void)sys::pidfd_kill(pidfd_, SIGKILL);
  }

  // Waits for the plugin to end; fills exit_code or signal.
  Result<void> reap(ExecOutput* out = nullptr) {
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    // __WALL: a child with exit signal 0 counts as a "clone" child.
    while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info,
                    WEXITED | __WALL) < 0) {
      if (errno != EINTR) return sys_error("waitid");
    }
    pidfd_.reset();
    if (out) {
      if (info.si_code == CLD_EXITED) {
        out->exit_code = info.si_status;
      } else {
        out->signal = info.si_status;
      }
    }
    return {};
  }

 private:
  pid_t pid_;
  Fd pidfd_;
};

enum class Drain { open, eof, overflow };

// Reads what `fd` (non-blocking) has now into `buf`.
Result<Drain> drain(const Fd& fd, std::string& buf, std::size_t max) {
  std::array<char, 65536> chunk;
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return Drain::open;
      return sys_error("read plugin output");
    }
    if (n == 0) return Drain::eof;
    buf.append(chunk.data(), static_cast<std::size_t>(n));
    if (buf.size() > max) return Drain::overflow;
  }
}

// Reads what the plugin's `stream` has now into `into`; `open` turns false
// at its end. Kills the plugin when it wrote more than `max` bytes.
Result<void> take(Plugin& plugin, const Fd& fd, bool& open, std::string& into, std::size_t max,
                  const char* stream) {
  PODNS_TRY(d, drain(fd, into, max));
  if (d == Drain::overflow) {
    plugin.kill();
    (void)plugin.reap();
    return plain_error(EMSGSIZE, std::string("wrote more than ") + std::to_string(max) +
                                     " bytes to " + stream + "; killed");
  }
  open = d == Drain::open;
  return {};
}

// What the child reported on its report pipe: the errno of a failed exec,
// or 0 at EOF (the exec happened: the pipe is close-on-exec).
int read_exec_errno(const Fd& report) {
  int e = 0;
  ssize_t got = 0;
  do got = ::read(report.get(), &e, sizeof e);
  while (got < 0 && errno == EINTR);
  return got == sizeof e ? e : 0;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<std::string> find_plugin(const std::vector<std::string>& dirs, std::string_view type) {
  PODNS_CHECK(validate_plugin_type(type));
  if (dirs.empty()) return invalid_argument("no plugin directory is configured");
  std::string not_executable;
  std::string searched;
  for (const auto& dir : dirs) {
    PODNS_CHECK(validate_bin_dir(dir));
    searched += (searched.empty() ? "" : ":") + dir;
    std::string path = dir + "/" + std::string(type);
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;
      return sys_error("stat", path);
    }
    if (S_ISREG(st.st_mode) && ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0)
      return path;
    if (not_executable.empty()) not_executable = path;
  }
  if (!not_executable.empty()) {
    return plain_error(
        EACCES, "not found in " + searched + " (" + not_executable + " is not an executable file)");
  }
  return plain_error(ENOENT, "not found in " + searched);
}

Result<ExecOutput> run_plugin_process(const std::string& path, const std::vector<std::string>& env,
                                      std::string_view input, const ExecLimits& limits) {
  std::vector<std::string> args{path};
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env);

  PODNS_TRY(in, filled_stdin(input));
  PODNS_TRY(out, make_pipe());
  PODNS_TRY(err, make_pipe());
  PODNS_TRY(report, make_pipe());
  PODNS_CHECK(set_nonblocking(out.read));
  PODNS_CHECK(set_nonblocking(err.read));

  ChildPlan plan{.path = path.c_str(),
                 .argv = argv.data(),
                 .envp = envp.data(),
                 .in = in.get(),
                 .out = out.write.get(),
                 .err = err.write.get(),
                 .report = report.write.get(),
                 .parent = ::getpid()};
  auto deadline = Clock::now() + limits.timeout;
  PODNS_TRY(child, sys::clone3(0, 0));
  if (child.pid == 0) child_main(plan);
  Plugin plugin(child.pid, std::move(child.pidfd));
  // The child does this too; whichever is first, the group exists before
  // the parent might kill it. (EACCES once the child has exec'd: harmless.)
  ::setpgid(child.pid, child.pid);
  in.reset();
  out.write.reset();
  err.write.reset();
  report.write.reset();

  ExecOutput result;
  bool out_open = true;
  bool err_open = true;
  bool report_open = true;
  bool exited = false;
  int exec_errno = 0;
  while (!exited) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      plugin.kill();
      (void)plugin.reap();
      return plain_error(ETIMEDOUT, "did not finish within " +
                                        std::to_string(limits.timeout.count()) + " ms; killed");
    }
    std::array<pollfd, 4> fds{};
    nfds_t n = 0;
    fds[n++] = {plugin.pidfd().get(), POLLIN, 0};
    auto add = [&](bool open, const Fd& fd) {
      if (!open) return -1;
      fds[n] = {fd.get(), POLLIN, 0};
      return static_cast<int>(n++);
    };
    int out_i = add(out_open, out.read);
    int err_i = add(err_open, err.read);
    int report_i = add(report_open, report.read);
    int ready = ::poll(fds.data(), n, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return sys_error("poll plugin");
    }
    if (out_i >= 0 && fds[out_i].revents != 0)
      PODNS_CHECK(take(plugin, out.read, out_open, result.out, limits.max_output, "stdout"));
    if (err_i >= 0 && fds[err_i].revents != 0)
      PODNS_CHECK(take(plugin, err.read, err_open, result.err, limits.max_output, "stderr"));
    if (report_i >= 0 && fds[report_i].revents != 0) {
      exec_errno = read_exec_errno(report.read);
      report_open = false;
    }
    exited = fds[0].revents != 0;
  }

  // Whatever the plugin wrote before it exited is in the pipes now; output
  // from descendants still running is not its result and is not waited for.
  if (out_open)
    PODNS_CHECK(take(plugin, out.read, out_open, result.out, limits.max_output, "stdout"));
  if (err_open)
    PODNS_CHECK(take(plugin, err.read, err_open, result.err, limits.max_output, "stderr"));
  if (report_open) exec_errno = read_exec_errno(report.read);
  PODNS_CHECK(plugin.reap(&result));
  if (exec_errno != 0) return errno_error(exec_errno, "execute", path);
  return result;
}

}  // namespace podns::cni
