// The floor: one pinned user+net namespace pair made and taken down with
// nothing but the syscalls, in the order libpodns makes them:
//
//   clone3 into a new user namespace; write gid_map and uid_map; the child
//   unshares a network namespace; bind-mount /proc/PID/ns/user and
//   /proc/PID/ns/net onto two new files on a tmpfs; kill and reap the child;
//   unmount both; unlink both.
//
// No state, no locks, no checks beyond each syscall's return value. What
// Manager::create + remove cost above this is what libpodns adds.
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>

#include "common.h"

namespace {

// Waits for the go, unshares the network namespace, says so, and holds
// both namespaces until it is killed. Only raw syscalls: it is a fork.
[[noreturn]] void child(int sock) {
  char c;
  if (::read(sock, &c, 1) != 1 || ::unshare(CLONE_NEWNET) < 0) ::_exit(1);
  if (::write(sock, "k", 1) != 1) ::_exit(1);
  (void)::read(sock, &c, 1);
  ::_exit(0);
}

bool write_map(pid_t pid, const char* file, const char* text) {
  std::array<char, 64> path{};  // a pid and "gid_map" fit: never truncated
  (void)std::snprintf(path.data(), path.size(), "/proc/%d/%s", pid, file);
  int fd = ::open(path.data(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  auto len = static_cast<ssize_t>(std::strlen(text));
  bool ok = ::write(fd, text, static_cast<size_t>(len)) == len;
  ::close(fd);
  return ok;
}

struct Pins {
  std::string user, net;
};

// Writes the maps, lets the child unshare, pins both namespaces. Returns
// the step that failed, or nullptr.
const char* make_and_pin(pid_t pid, int sock, const Pins& pins) {
  std::array<char, 64> map{};  // three numbers fit: never truncated
  (void)std::snprintf(map.data(), map.size(), "0 %u %u\n", bench::kHostId, bench::kMapSize);
  if (!write_map(pid, "gid_map", map.data())) return "write gid_map";
  if (!write_map(pid, "uid_map", map.data())) return "write uid_map";
  char c = 'g';
  if (::write(sock, &c, 1) != 1 || ::read(sock, &c, 1) != 1) return "child unshare net";
  for (const auto& [name, target] : {std::pair{"user", &pins.user}, std::pair{"net", &pins.net}}) {
    int fd = ::open(target->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) return "create pin file";
    ::close(fd);
    std::array<char, 64> source{};  // a pid and "user" fit: never truncated
    (void)std::snprintf(source.data(), source.size(), "/proc/%d/ns/%s", pid, name);
    if (::mount(source.data(), target->c_str(), nullptr, MS_BIND, nullptr) < 0) return "bind mount";
  }
  return nullptr;
}

// One pair, made and taken down. Returns the step that failed (and its
// errno in *err), or nullptr.
const char* floor_pair(const Pins& pins, int* err) {
  std::array<int, 2> sv{};
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv.data()) < 0) {
    *err = errno;
    return "socketpair";
  }
  struct clone_args args;
  std::memset(&args, 0, sizeof args);
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  auto pid = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
  if (pid == 0) child(sv[1]);
  ::close(sv[1]);
  const char* failed = pid < 0 ? "clone3" : make_and_pin(pid, sv[0], pins);
  *err = errno;
  if (pid > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  ::close(sv[0]);
  auto step = [&](bool ok, const char* name) {
    if (!ok && !failed) {
      failed = name;
      *err = errno;
    }
  };
  for (const std::string* pin : {&pins.net, &pins.user}) {
    step(::umount2(pin->c_str(), MNT_DETACH) == 0, "umount");
    step(::unlink(pin->c_str()) == 0, "unlink");
  }
  return failed;
}

// The floor's pins live on a tmpfs with shared propagation, as libpodns's
// pin root is; mounted once, it goes with the working directory.
const std::string* floor_dir(benchmark::State& state) {
  static std::once_flag once;
  static std::string dir;
  static int err = 0;
  std::call_once(once, [] {
    dir = bench::subdir("floor");
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0711") < 0 ||
        ::mount(nullptr, dir.c_str(), nullptr, MS_SHARED, nullptr) < 0)
      err = errno;
  });
  if (err != 0) {
    bench::fail(state,
                "floor: mount tmpfs on " + dir + ": " + std::generic_category().message(err));
    return nullptr;
  }
  return &dir;
}

void BM_Floor(benchmark::State& state) {
  const std::string* dir = floor_dir(state);
  if (!dir) return;
  // Each thread its own pair of pin files.
  std::string suffix = std::to_string(state.thread_index());
  Pins pins{*dir + "/user" + suffix, *dir + "/net" + suffix};
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
    int err = 0;
    if (const char* step = floor_pair(pins, &err)) {
      bench::fail(state,
                  std::string("floor: ") + step + ": " + std::generic_category().message(err));
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Floor)->UseRealTime()->Unit(benchmark::kMicrosecond);
// For comparison with BM_Parallel: how the bare syscalls scale to 2 streams.
BENCHMARK(BM_Floor)
    ->Name("BM_FloorParallel")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
