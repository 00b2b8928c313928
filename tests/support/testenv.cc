#include "testenv.h"

#include "podns/fault.h"

#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ranges>
#include <sstream>

namespace podns::test {

bool must_run() {
  auto set = [](const char* name, const char* want) {
    const char* v = std::getenv(name);
    return v != nullptr && std::strcmp(v, want) == 0;
  };
  return set("PODNS_REQUIRE_PRIVILEGED", "1") || set("CI", "true");
}

std::string why_not_privileged() {
  if (::geteuid() != 0) return "not running as root";
  std::ifstream max("/proc/sys/user/max_user_namespaces");
  long n = 0;
  if (max >> n; n == 0) return "user namespaces are disabled (user.max_user_namespaces is 0)";
  std::string out;
  int rc = in_child([](std::string&) { return ::unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 ? 0 : 1; });
  if (rc != 0) return "cannot unshare a user and network namespace here";
  return {};
}

TempDir::TempDir() {
  std::array<char, 23> tmpl{"/tmp/podns-test.XXXXXX"};
  char* p = ::mkdtemp(tmpl.data());
  if (!p) std::abort();
  path_ = p;
}

TempDir::~TempDir() {
  // Unmount anything left below us, deepest first.
  auto mounts = mounts_under(path_ + "/");
  for (const auto& m : std::views::reverse(mounts)) ::umount2(m.c_str(), MNT_DETACH);
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

PodnsEnv::PodnsEnv() : PodnsEnv(std::string()) {}

PodnsEnv::PodnsEnv(std::string cni_cache_dir)
    : root_(dir_.path() + "/root"),
      state_(dir_.path() + "/state"),
      cni_conf_(dir_.path() + "/cni-conf"),
      cni_cache_(cni_cache_dir.empty() ? dir_.path() + "/cni-cache" : std::move(cni_cache_dir)) {
  ::mkdir(cni_conf_.c_str(), 0700);
}

Config PodnsEnv::config() const {
  Config c;
  c.root = root_;
  c.state_dir = state_;
  c.cni_conf_dir = cni_conf_;
  c.cni.cache_dir = cni_cache_;
  return c;
}

PodnsEnv::~PodnsEnv() {
  if (auto m = Manager::open(config())) {
    if (auto all = m->list()) {
      for (const auto& s : *all) (void)m->remove(s.id);
    }
  }
  ::umount2(root_.c_str(), MNT_DETACH);
}

std::string PodnsEnv::cli_globals() const {
  return "--root " + root_ + " --state-dir " + state_ + " --cni-conf-dir " + cni_conf_ +
         " --cni-cache-dir " + cni_cache_;
}

std::string podns_cli() {
  if (const char* p = std::getenv("PODNS_CLI")) return p;
  return PODNS_CLI_PATH;
}

namespace {
std::string drain(int fd) {
  std::string s;
  std::array<char, 4096> buf;
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0)
    s.append(buf.data(), static_cast<std::size_t>(n));
  return s;
}
}  // namespace

Run run(const std::vector<std::string>& argv, const std::string& stdin_text) {
  // A child that exits without reading its stdin must not kill the test
  // with SIGPIPE: the write fails with EPIPE instead.
  (void)::signal(SIGPIPE, SIG_IGN);  // cannot fail
  std::array<int, 2> in{};
  std::array<int, 2> out{};
  std::array<int, 2> err{};
  if (::pipe2(in.data(), O_CLOEXEC) < 0 || ::pipe2(out.data(), O_CLOEXEC) < 0 ||
      ::pipe2(err.data(), O_CLOEXEC) < 0)
    std::abort();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  Run r;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    r.err = "spawn " + argv[0] + ": " + std::strerror(rc);
    return r;
  }
  // Small inputs only: write all, then read both outputs (stderr after stdout;
  // the tests' outputs are small enough not to fill a pipe).
  if (!stdin_text.empty()) {
    // EPIPE if the child does not read it: its exit code tells the test.
    [[maybe_unused]] ssize_t written = ::write(in[1], stdin_text.data(), stdin_text.size());
  }
  ::close(in[1]);
  r.out = drain(out[0]);
  r.err = drain(err[0]);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::vector<std::string> podns_argv(const PodnsEnv& env, const std::vector<std::string>& args) {
  std::vector<std::string> argv{podns_cli(),       "--root",        env.root(),
                                "--state-dir",     env.state_dir(), "--cni-conf-dir",
                                env.cni_conf_dir(), "--cni-cache-dir", env.cni_cache_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Run podns(const PodnsEnv& env, const std::vector<std::string>& args, const std::string& stdin_text) {
  return run(podns_argv(env, args), stdin_text);
}

int in_child(const std::function<int(std::string& out)>& fn, std::string* out) {
  std::array<int, 2> p{};
  if (::pipe2(p.data(), O_CLOEXEC) < 0) std::abort();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string text;
    int rc = fn(text);
    // The exit code says what matters; the text is an addition.
    [[maybe_unused]] ssize_t written = ::write(p[1], text.data(), text.size());
    ::_exit(rc);
  }
  ::close(p[1]);
  std::string text = drain(p[0]);
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> fault_steps_of(const std::string& op) {
  std::vector<std::string> out;
  for (auto s : fault::steps()) {
    if (s.starts_with(op + ".")) out.emplace_back(s);
  }
  return out;
}

std::vector<std::string> mounts_under(const std::string& prefix) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string skip;
    std::string mountpoint;
    f >> skip >> skip >> skip >> skip >> mountpoint;  // after ID, parent ID, major:minor, root
    if (mountpoint.compare(0, prefix.size(), prefix) == 0) out.push_back(mountpoint);
  }
  return out;
}

int count_fds() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

}  // namespace podns::test
