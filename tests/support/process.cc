#include "process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace podns::e2e {
namespace {

// test::run writes a child's standard input into a pipe: a child that exits
// before reading it (podns refusing its arguments) would kill this whole
// test binary with SIGPIPE, skipping every cleanup. Here such a write fails
// with EPIPE instead; Process gives its children the default back.
const bool kSigpipeIgnored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();

Fd memfd(const char* name) {
  return Fd(::memfd_create(name, MFD_CLOEXEC));
}

std::string read_whole(const Fd& fd) {
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) < 0) return {};
  std::string s(static_cast<std::size_t>(st.st_size), '\0');
  ssize_t n = ::pread(fd.get(), s.data(), s.size(), 0);
  s.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return s;
}

}  // namespace

std::string Outcome::describe() const {
  std::string d = timed_out ? "timed out" : "exit " + std::to_string(exit_code);
  if (!out.empty()) d += "; stdout: " + out;
  if (!err.empty()) d += "; stderr: " + err;
  return d;
}

Process Process::start(const std::vector<std::string>& argv, const std::string& input) {
  Process p;
  for (const auto& a : argv) p.command_ += (p.command_.empty() ? "" : " ") + a;
  Fd in = memfd("stdin");
  p.out_ = memfd("stdout");
  p.err_ = memfd("stderr");
  if (!in || !p.out_ || !p.err_) {
    p.start_error_ = std::string("memfd_create: ") + std::strerror(errno);
    return p;
  }
  if (!input.empty() &&
      (::write(in.get(), input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
       ::lseek(in.get(), 0, SEEK_SET) != 0)) {
    p.start_error_ = std::string("write stdin: ") + std::strerror(errno);
    return p;
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, p.out_.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, p.err_.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc = ::posix_spawnp(&p.pid_, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    p.pid_ = -1;
    p.start_error_ = "spawn " + argv[0] + ": " + std::strerror(rc);
    return p;
  }
  p.pidfd_ = Fd(static_cast<int>(::syscall(SYS_pidfd_open, p.pid_, 0)));
  if (!p.pidfd_) std::abort();  // only before Linux 5.3; the tests need a deadline
  return p;
}

void Process::signal_group(int sig) const {
  if (pid_ > 0) (void)::kill(-pid_, sig);
}

Process::Process(Process&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      pidfd_(std::move(o.pidfd_)),
      out_(std::move(o.out_)),
      err_(std::move(o.err_)),
      command_(std::move(o.command_)),
      start_error_(std::move(o.start_error_)) {}

Process::~Process() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

Outcome Process::wait(std::chrono::milliseconds timeout) {
  Outcome o;
  if (pid_ <= 0) {
    o.err = start_error_.empty() ? "not started" : start_error_;
    return o;
  }
  // The pidfd becomes readable when the process exits (Linux 5.3).
  struct pollfd pfd = {pidfd_.get(), POLLIN, 0};
  int n;
  do n = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  while (n < 0 && errno == EINTR);
  if (n == 0) {
    o.timed_out = true;
    ::kill(-pid_, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!o.timed_out) o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = read_whole(out_);
  o.err = read_whole(err_);
  if (o.timed_out)
    o.err += "\n(" + command_ + ": killed after " + std::to_string(timeout.count()) + " ms)";
  return o;
}

Outcome run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
            const std::string& input) {
  return Process::start(argv, input).wait(timeout);
}

}  // namespace podns::e2e
