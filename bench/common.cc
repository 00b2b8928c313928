// podns-bench's main: sets up the working directory, runs the benchmarks
// Google Benchmark's flags select, and takes everything down again.
//
//   podns-bench [--workdir=BASE] [--benchmark_...]
//
// The working directory is BASE/podns-bench.XXXXXX (BASE defaults to /tmp)
// with a tmpfs on it. Every pin and pin root a benchmark makes lies below it,
// so one lazy unmount at the end (or on SIGINT/SIGTERM) releases them all,
// and with them every namespace they hold.
#include "common.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace bench {
namespace {

std::array<char, 4096> g_workdir{};  // fixed storage: the signal handler reads it
std::atomic<bool> g_failed{false};

void take_down() {
  ::umount2(g_workdir.data(), MNT_DETACH);
  ::rmdir(g_workdir.data());
}

extern "C" void on_signal(int sig) {
  take_down();  // async-signal-safe: two syscalls
  ::_exit(128 + sig);
}

bool set_up(std::string_view base) {
  std::string tmpl = std::string(base) + "/podns-bench.XXXXXX";
  if (tmpl.size() >= g_workdir.size()) return false;
  std::memcpy(g_workdir.data(), tmpl.c_str(), tmpl.size() + 1);
  if (!::mkdtemp(g_workdir.data())) {
    std::perror("podns-bench: mkdtemp");
    return false;
  }
  if (::mount("tmpfs", g_workdir.data(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0 ||
      ::mount(nullptr, g_workdir.data(), nullptr, MS_PRIVATE, nullptr) < 0) {
    std::perror("podns-bench: mount tmpfs on the working directory");
    take_down();
    return false;
  }
  // Cannot fail: valid signals, a valid handler.
  (void)std::signal(SIGINT, on_signal);
  (void)std::signal(SIGTERM, on_signal);
  return true;
}

}  // namespace

std::string subdir(const std::string& name) {
  std::string path = std::string(g_workdir.data()) + "/" + name;
  ::mkdir(path.c_str(), 0700);  // EEXIST is fine; a real failure shows at first use
  return path;
}

void fail(benchmark::State& state, const std::string& why) {
  g_failed = true;
  (void)std::fprintf(stderr, "podns-bench: %s\n", why.c_str());
  state.SkipWithError(why.c_str());
}

// Defined in library.cc: closes the managers kept between runs (the
// sandboxes still alive go with the working directory's unmount).
void release_shared_state();

}  // namespace bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string_view base = "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--workdir=")) {
      (void)std::fprintf(stderr, "podns-bench: unknown argument %s\n", argv[i]);
      return 2;
    }
    base = arg.substr(std::strlen("--workdir="));
  }
  if (!bench::set_up(base)) return 1;
  std::size_t ran = benchmark::RunSpecifiedBenchmarks();
  bench::release_shared_state();
  bench::take_down();
  benchmark::Shutdown();
  if (ran == 0) {
    (void)std::fprintf(stderr, "podns-bench: no benchmark matches the filter\n");
    return 1;
  }
  return bench::g_failed ? 1 : 0;
}
