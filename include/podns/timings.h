// Where the time of an operation went, stage by stage: `podns create
// --timings` prints it, so that a slow node can be diagnosed (a slow
// database, a slow mount, a slow CNI plugin).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace podns {

struct StageTime {
  std::string stage;
  std::chrono::nanoseconds took;
};

// Splits the time since construction into named stages: each mark() ends
// the current stage. Two clock reads per stage, nothing else.
class StageTimer {
 public:
  explicit StageTimer(std::vector<StageTime>& out)
      : out_(out), last_(std::chrono::steady_clock::now()) {}

  void mark(std::string stage) {
    auto now = std::chrono::steady_clock::now();
    out_.push_back({std::move(stage), now - last_});
    last_ = now;
  }

 private:
  std::vector<StageTime>& out_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace podns
