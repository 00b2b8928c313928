// Rollback (rollback.h): undo steps registered as the steps they undo
// succeed, run newest first when the scope is left without dismiss(), each
// at most once, every one tried even after one fails, the failures returned.
#include "podns/rollback.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

namespace podns {
namespace {

// An undo that notes its name in `log` and succeeds.
auto noting(std::vector<std::string>& log, std::string name) {
  return [&log, name = std::move(name)]() -> Result<void> {
    log.push_back(name);
    return {};
  };
}

TEST(Rollback, LeavingTheScopeRunsTheUndosNewestFirst) {
  std::vector<std::string> log;
  {
    Rollback rb;
    rb.add("remove directory", noting(log, "directory"));
    rb.add("unpin user", noting(log, "user"));
    rb.add("unpin net", noting(log, "net"));
  }
  EXPECT_EQ(log, (std::vector<std::string>{"net", "user", "directory"}));
}

TEST(Rollback, RunRunsEachUndoOnceAndForgetsIt) {
  std::vector<std::string> log;
  {
    Rollback rb;
    rb.add("a", noting(log, "a"));
    rb.add("b", noting(log, "b"));
    EXPECT_TRUE(rb.run().empty());
    EXPECT_EQ(log, (std::vector<std::string>{"b", "a"}));
    // Neither a second run nor the destructor runs them again.
    EXPECT_TRUE(rb.run().empty());
    // What is added after a run is a new list of its own.
    rb.add("c", noting(log, "c"));
  }
  EXPECT_EQ(log, (std::vector<std::string>{"b", "a", "c"}));
}

TEST(Rollback, DismissKeepsEveryUndoFromRunning) {
  std::vector<std::string> log;
  {
    Rollback rb;
    rb.add("a", noting(log, "a"));
    rb.add("b", noting(log, "b"));
    rb.dismiss();
    EXPECT_TRUE(rb.run().empty());
  }
  EXPECT_TRUE(log.empty());
}

TEST(Rollback, StepsAddedAfterDismissStillRunOnFailure) {
  // One Rollback can guard a second phase once the first is kept.
  std::vector<std::string> log;
  {
    Rollback rb;
    rb.add("first phase", noting(log, "first"));
    rb.dismiss();
    rb.add("second phase", noting(log, "second"));
  }
  EXPECT_EQ(log, (std::vector<std::string>{"second"}));
}

TEST(Rollback, EveryUndoIsTriedAfterOneFailsAndEachFailureIsReturned) {
  std::vector<std::string> log;
  Rollback rb;
  rb.add("remove directory /run/podns/p", noting(log, "directory"));
  rb.add("unpin user", [&]() -> Result<void> {
    log.emplace_back("user");
    return errno_error(EBUSY, "umount", "/run/podns/p/user");
  });
  rb.add("unpin net", noting(log, "net"));
  rb.add("detach network", [&]() -> Result<void> {
    log.emplace_back("network");
    return plain_error(EIO, "CNI DEL failed");
  });
  auto failures = rb.run();
  EXPECT_EQ(log, (std::vector<std::string>{"network", "net", "user", "directory"}));
  // In the order they ran, each with its errno, path and the step it undid.
  ASSERT_EQ(failures.size(), 2U);
  EXPECT_EQ(failures[0].errno_value(), EIO);
  EXPECT_EQ(failures[0].message().rfind("undo detach network: CNI DEL failed", 0), 0U)
      << failures[0].message();
  EXPECT_EQ(failures[1].errno_value(), EBUSY);
  EXPECT_EQ(failures[1].path(), "/run/podns/p/user");
  EXPECT_EQ(failures[1].message().rfind("undo unpin user: umount /run/podns/p/user", 0), 0U)
      << failures[1].message();
  // Failed or not, each ran once.
  EXPECT_TRUE(rb.run().empty());
  EXPECT_EQ(log.size(), 4U);
}

TEST(Rollback, AnUndoThatFailsInTheDestructorDoesNotStopTheOthers) {
  std::vector<std::string> log;
  {
    Rollback rb;
    rb.add("a", noting(log, "a"));
    rb.add("b", [&]() -> Result<void> {
      log.emplace_back("b");
      return errno_error(EIO, "b");
    });
  }
  EXPECT_EQ(log, (std::vector<std::string>{"b", "a"}));
}

TEST(Rollback, CannotBeCopiedOrMovedSoNoUndoCanRunTwice) {
  // A copy, or a moved-from object keeping its list, would run the undos
  // from two destructors: the type allows neither.
  static_assert(!std::is_copy_constructible_v<Rollback>);
  static_assert(!std::is_copy_assignable_v<Rollback>);
  static_assert(!std::is_move_constructible_v<Rollback>);
  static_assert(!std::is_move_assignable_v<Rollback>);
  SUCCEED();
}

TEST(Rollback, AnEmptyRollbackDoesNothing) {
  Rollback rb;
  EXPECT_TRUE(rb.run().empty());
  rb.dismiss();
  EXPECT_TRUE(rb.run().empty());
}

}  // namespace
}  // namespace podns
