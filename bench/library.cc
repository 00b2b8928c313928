// libpodns benchmarks: Manager::create + remove of one sandbox (against the
// floor in floor.cc), the same with many sandboxes alive, the kernel memory
// a live sandbox holds, and two streams in parallel against one.
//
// Each benchmark keeps its pin root and state database in a directory of
// its own below the working directory (a tmpfs).
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common.h"
#include "podns/podns.h"

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

podns::Config config_for(const std::string& name) {
  std::string dir = subdir(name);
  podns::Config config;
  config.root = dir + "/root";
  config.state_dir = dir + "/state";
  return config;
}

// Sandboxes alive at once get host ranges of their own (podns refuses
// overlapping ones): slot N maps the pod's 0..65535 to the host's
// kHostId + N * 65536 onwards.
podns::CreateOptions create_options(std::string id, unsigned slot = 0, bool sysctls = true) {
  podns::IdMap map{{0, kHostId + slot * kMapSize, kMapSize}};
  podns::CreateOptions opts;
  opts.id = std::move(id);
  opts.userns = podns::UsernsChoice::with_maps({map, map});
  // Namespaces only: the host's default CNI network (if one is configured)
  // is not what this measures, and 1,000 pods would exhaust its subnet.
  opts.network = "none";
  // The default net.ipv4.ping_group_range, written inside the new netns.
  opts.default_sysctls = sysctls;
  return opts;
}

// One Manager per name, opened on first use and kept for the whole run
// (Google Benchmark calls a benchmark function several times).
std::map<std::string, podns::Manager>& managers() {
  static std::map<std::string, podns::Manager> all;
  return all;
}

podns::Manager* manager(benchmark::State& state, const std::string& name) {
  auto& all = managers();
  if (auto it = all.find(name); it != all.end()) return &it->second;
  auto m = podns::Manager::open(config_for(name));
  if (!m) {
    fail(state, "open manager: " + m.error().message());
    return nullptr;
  }
  return &all.emplace(name, std::move(*m)).first->second;
}

// Creates and removes one sandbox; false (and the benchmark failed) on error.
bool create_remove(benchmark::State& state, podns::Manager& m, const std::string& id,
                   unsigned slot = 0, bool sysctls = true) {
  if (auto s = m.create(create_options(id, slot, sysctls)); !s) {
    fail(state, s.error().message());
    return false;
  }
  if (auto r = m.remove(id); !r) {
    fail(state, r.error().message());
    return false;
  }
  return true;
}

// The sandboxes kept alive for the scale benchmarks: alive-0 (slot 1),
// alive-1 (slot 2), ... in the "scale" manager, grown or shrunk to the size
// asked for.
std::vector<std::string>& alive() {
  static std::vector<std::string> ids;
  return ids;
}

bool keep_alive(benchmark::State& state, std::size_t n) {
  podns::Manager* m = manager(state, "scale");
  if (!m) return false;
  auto& ids = alive();
  while (ids.size() < n) {
    std::string id = "alive-" + std::to_string(ids.size());
    if (auto s = m->create(create_options(id, static_cast<unsigned>(ids.size()) + 1)); !s) {
      fail(state, s.error().message());
      return false;
    }
    ids.push_back(std::move(id));
  }
  while (ids.size() > n) {
    if (auto r = m->remove(ids.back()); !r) {
      fail(state, r.error().message());
      return false;
    }
    ids.pop_back();
  }
  return true;
}

// /proc/meminfo, in KiB.
std::map<std::string, long> meminfo() {
  std::map<std::string, long> out;
  std::ifstream in("/proc/meminfo");
  std::string key;
  long value;
  std::string unit;
  while (in >> key >> value) {
    key.pop_back();  // the ':'
    out[key] = value;
    if (in.peek() == ' ') in >> unit;
  }
  return out;
}

// 1. Library: create + remove one sandbox, nothing else alive; the same
// work as the floor (no sysctl written in the new netns).
void BM_Library(benchmark::State& state) {
  podns::Manager* m = manager(state, "library");
  if (!m) return;
  long i = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
    if (!create_remove(state, *m, "pod-" + std::to_string(i++), 0, false)) break;
  }
}
BENCHMARK(BM_Library)->UseRealTime()->Unit(benchmark::kMicrosecond);

// 1'. The same with podns's default: ping_group_range written in the netns.
void BM_LibraryDefaults(benchmark::State& state) {
  podns::Manager* m = manager(state, "library-defaults");
  if (!m) return;
  long i = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
    if (!create_remove(state, *m, "pod-" + std::to_string(i++))) break;
  }
}
BENCHMARK(BM_LibraryDefaults)->UseRealTime()->Unit(benchmark::kMicrosecond);

// 6. Kernel memory per live sandbox: the growth of Slab + Percpu (and the
// drop of MemAvailable) from none alive to state.range(0) alive. Runs before
// the scale benchmarks, which reuse the sandboxes it leaves.
void BM_KernelMemory(benchmark::State& state) {
  auto n = static_cast<std::size_t>(state.range(0));
  if (!keep_alive(state, 0)) return;
  // Namespaces freed by earlier runs are torn down by a kernel worker; let
  // it finish before the first reading.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto before = meminfo();
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
    if (!keep_alive(state, n)) return;
  }
  auto after = meminfo();
  auto per_sandbox = [&](std::initializer_list<const char*> keys) {
    double sum = 0;
    for (const char* k : keys) sum += static_cast<double>(after[k] - before[k]);
    return sum / static_cast<double>(n);
  };
  state.counters["kernel_kib"] = per_sandbox({"Slab", "Percpu"});
  state.counters["slab_kib"] = per_sandbox({"Slab"});
  state.counters["percpu_kib"] = per_sandbox({"Percpu"});
  state.counters["memavailable_drop_kib"] = -per_sandbox({"MemAvailable"});
}
BENCHMARK(BM_KernelMemory)->Arg(1000)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

// 3. Scale: create and remove one more sandbox with state.range(0) alive.
// The time is that of the pair; the counters split it.
void BM_Alive(benchmark::State& state) {
  if (!keep_alive(state, static_cast<std::size_t>(state.range(0)))) return;
  podns::Manager* m = manager(state, "scale");
  double create_s = 0;
  double remove_s = 0;
  long i = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
    std::string id = "extra-" + std::to_string(i++);
    auto t0 = Clock::now();
    auto s = m->create(create_options(id));
    auto t1 = Clock::now();
    auto r = s ? m->remove(id) : podns::Result<void>{};
    auto t2 = Clock::now();
    if (!s || !r) {
      fail(state, !s ? s.error().message() : r.error().message());
      break;
    }
    create_s += std::chrono::duration<double>(t1 - t0).count();
    remove_s += std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(std::chrono::duration<double>(t2 - t0).count());
  }
  using C = benchmark::Counter;
  state.counters["create_us"] = C(create_s * 1e6, C::kAvgIterations);
  state.counters["rm_us"] = C(remove_s * 1e6, C::kAvgIterations);
}
BENCHMARK(BM_Alive)->Arg(10)->Arg(100)->Arg(250)->Arg(500)->Arg(1000)->UseManualTime()->Unit(
    benchmark::kMicrosecond);

// 4. Parallelism: each thread a stream of create + remove with a Manager of
// its own, all on one pin root and one state database.
void BM_Parallel(benchmark::State& state) {
  auto m = podns::Manager::open(config_for("parallel"));
  if (!m) {
    fail(state, "open manager: " + m.error().message());
    return;
  }
  std::string prefix = "stream" + std::to_string(state.thread_index()) + "-";
  long i = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
    if (!create_remove(state, *m, prefix + std::to_string(i++),
                       static_cast<unsigned>(state.thread_index())))
      break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Parallel)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

void release_shared_state() {
  managers().clear();
  alive().clear();
}

}  // namespace bench
