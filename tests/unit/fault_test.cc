// Fault points (fault.h): PODNS_FAULT=STEP:error makes the point named STEP
// fail, STEP:crash makes the process SIGKILL itself there, and with nothing
// armed a point is a no-op. The variable is read at each point, so these
// tests set it around the calls.
#include "podns/fault.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace podns {
namespace {

class Fault : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv("PODNS_FAULT")) saved_ = v;
    ::unsetenv("PODNS_FAULT");
  }
  void TearDown() override {
    if (saved_) {
      ::setenv("PODNS_FAULT", saved_->c_str(), 1);
    } else {
      ::unsetenv("PODNS_FAULT");
    }
  }
  static void arm(const char* value) { ASSERT_EQ(::setenv("PODNS_FAULT", value, 1), 0); }

  std::optional<std::string> saved_;
};

// The point failed as an injected error names it.
::testing::AssertionResult injected(const Result<void>& r, std::string_view step) {
  if (r) return ::testing::AssertionFailure() << "did not fire";
  if (r.error().errno_value() != EIO)
    return ::testing::AssertionFailure() << "errno " << r.error().errno_value();
  if (r.error().message() != "injected fault at " + std::string(step))
    return ::testing::AssertionFailure() << "says \"" << r.error().message() << "\"";
  return ::testing::AssertionSuccess();
}

TEST_F(Fault, StepsAreUniqueAndGroupedByOperation) {
  auto steps = fault::steps();
  ASSERT_FALSE(steps.empty());
  std::set<std::string_view> seen;
  std::set<std::string_view> finished_ops;
  std::string_view op;
  for (auto step : steps) {
    EXPECT_TRUE(seen.insert(step).second) << "twice: " << step;
    auto dot = step.find('.');
    ASSERT_NE(dot, std::string_view::npos) << step;
    ASSERT_GT(dot, 0U) << step;
    ASSERT_LT(dot + 1, step.size()) << step;
    // Neither ',' nor ':' could be named in PODNS_FAULT.
    EXPECT_EQ(step.find_first_of(",:"), std::string_view::npos) << step;
    auto this_op = step.substr(0, dot);
    if (this_op != op) {
      // An operation's steps are listed together, in the order it reaches them.
      if (!op.empty()) finished_ops.insert(op);
      EXPECT_EQ(finished_ops.count(this_op), 0U) << this_op << " listed in two places";
      op = this_op;
    }
  }
  for (const auto* want :
       {"create.reserve", "create.ready", "stop.begin", "rm.forget", "recover.begin", "pinns.pins"})
    EXPECT_EQ(seen.count(want), 1U) << want;
  EXPECT_EQ(steps.front(), "create.reserve");
}

TEST_F(Fault, UnarmedEveryPointSucceedsAndLeavesErrnoAlone) {
  for (auto step : fault::steps()) {
    errno = ENOTTY;
    EXPECT_TRUE(fault::point(step)) << step;
    EXPECT_EQ(errno, ENOTTY) << step;
  }
  // An empty PODNS_FAULT arms nothing either.
  arm("");
  for (auto step : fault::steps()) EXPECT_TRUE(fault::point(step)) << step;
}

TEST_F(Fault, EachStepCanBeArmedAloneAndFiresOnlyThere) {
  for (auto step : fault::steps()) {
    arm((std::string(step) + ":error").c_str());
    for (auto other : fault::steps()) {
      if (other == step) {
        EXPECT_TRUE(injected(fault::point(other), other)) << other;
      } else {
        EXPECT_TRUE(fault::point(other)) << other << " fired with " << step << " armed";
      }
    }
  }
}

TEST_F(Fault, AnArmedErrorFiresEachTimeThePointIsReached) {
  // Not once: PODNS_FAULT holds for the process, so a retry fails again.
  arm("rm.unpin:error");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(injected(fault::point("rm.unpin"), "rm.unpin")) << i;
  // Disarmed, it no longer fires: the variable is read at every point.
  ::unsetenv("PODNS_FAULT");
  EXPECT_TRUE(fault::point("rm.unpin"));
  arm("rm.unpin:error");
  EXPECT_FALSE(fault::point("rm.unpin"));
}

TEST_F(Fault, SeveralStepsSeparatedByCommasAreEachArmed) {
  arm("create.pin-user:error,,stop.network:error,");
  EXPECT_TRUE(injected(fault::point("create.pin-user"), "create.pin-user"));
  EXPECT_TRUE(injected(fault::point("stop.network"), "stop.network"));
  EXPECT_TRUE(fault::point("create.pin-net"));
  EXPECT_TRUE(fault::point("stop.begin"));
}

TEST_F(Fault, OnlyTheWholeStepNameArmsAPoint) {
  // A prefix, a longer name, a name without its operation or without a mode
  // is another step (or none): it must not fire this one.
  for (const char* value : {"create.pin:error", "create.pin-user-x:error", "pin-user:error",
                            "create.pin-user", "xcreate.pin-user:error", ":error"}) {
    arm(value);
    EXPECT_TRUE(fault::point("create.pin-user")) << value;
  }
}

// Writes `path` when it is destroyed: cleanup code, which a crash must not run.
class WritesOnExit {
 public:
  explicit WritesOnExit(std::string path) : path_(std::move(path)) {}
  WritesOnExit(const WritesOnExit&) = delete;
  WritesOnExit& operator=(const WritesOnExit&) = delete;
  ~WritesOnExit() { std::ofstream(path_) << "cleanup ran\n"; }

 private:
  std::string path_;
};

TEST_F(Fault, AnArmedCrashKillsTheProcessWithSigkillBeforeAnyCleanup) {
  // gtest's default "fast" death test forks here, so what the test made
  // before (the directory) is not made a second time by the child.
  std::array<char, 23> tmpl{"/tmp/podns-unit.XXXXXX"};
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string marker = std::string(tmpl.data()) + "/cleanup";
  EXPECT_EXIT(
      {
        ::setenv("PODNS_FAULT", "create.other:error,create.pin-net:crash", 1);
        WritesOnExit cleanup(marker);
        (void)fault::point("create.pin-net");
      },
      ::testing::KilledBySignal(SIGKILL), "");
  EXPECT_FALSE(std::filesystem::exists(marker));
  std::error_code ec;
  std::filesystem::remove_all(tmpl.data(), ec);
}

TEST_F(Fault, ACrashArmedAtOneStepLeavesTheOthersAlone) {
  arm("rm.forget:crash");
  for (auto step : fault::steps()) {
    if (step != "rm.forget") {
      EXPECT_TRUE(fault::point(step)) << step;
    }
  }
}

}  // namespace
}  // namespace podns
