// Undo steps registered as the steps they undo succeed.
//
//   Rollback rb;
//   make_dir();  rb.add("remove directory", [&] { return remove_dir(); });
//   pin();       rb.add("unpin", [&] { return unpin(); });
//   ...
//   rb.dismiss();  // success: keep everything
//
// If the scope is left without dismiss(), the undos run in reverse order.
// Every undo is tried even after one fails; run() returns the failures so
// the caller can keep the object in an explicit "unknown" state instead of
// hiding them.
#pragma once

#include <functional>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

#include "podns/error.h"

namespace podns {

class Rollback {
 public:
  Rollback() = default;
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  ~Rollback() { (void)run(); }

  void add(std::string step, std::function<Result<void>()> undo) {
    steps_.push_back({std::move(step), std::move(undo)});
  }
  void dismiss() { steps_.clear(); }

  // Runs the pending undos, newest first, and forgets them.
  std::vector<Error> run() {
    std::vector<Error> failures;
    auto steps = std::exchange(steps_, {});
    for (auto& step : std::views::reverse(steps)) {
      if (auto r = step.undo(); !r)
        failures.push_back(std::move(r.error()).context("undo " + step.name));
    }
    return failures;
  }

 private:
  struct Step {
    std::string name;
    std::function<Result<void>()> undo;
  };
  std::vector<Step> steps_;
};

}  // namespace podns
