// What the benchmarks of podns-bench share: a private working directory
// (a tmpfs of its own, private propagation, so no mount made below it
// reaches another mount namespace), and failing a benchmark so that the
// binary exits non-zero.
#pragma once

#include <benchmark/benchmark.h>

#include <string>

namespace bench {

// The uid/gid map every sandbox gets: the pod's 0..65535 on host 100000..165535.
inline constexpr unsigned kHostId = 100000;
inline constexpr unsigned kMapSize = 65536;

// WORKDIR/NAME, created if need be.
std::string subdir(const std::string& name);

// Marks the benchmark failed (SkipWithError) and the whole run as failed.
void fail(benchmark::State& state, const std::string& why);

}  // namespace bench
