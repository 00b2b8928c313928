// Secure paths (secure_path.h): the syntax check, and the checks of real
// components that need no root: the entries are made directly in /tmp
// (root's, sticky), so that the path up to them passes whoever runs the
// test. What needs a directory of root's below /tmp is in
// tests/priv/secure_path_test.cc.
#include "podns/secure_path.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "testenv.h"

namespace podns {
namespace {

namespace fs = std::filesystem;

using test::refused;  // invalid input, saying what

// Refused with `err`, the message naming the path and the component at fault.
::testing::AssertionResult refused(const Result<void>& r, int err, const std::string& component,
                                   const std::string& why) {
  if (r) return ::testing::AssertionFailure() << "accepted";
  const auto& e = r.error();
  if (e.errno_value() != err)
    return ::testing::AssertionFailure() << "errno " << e.errno_value() << ": " << e.message();
  if (e.message().find(" " + component + " " + why) == std::string::npos)
    return ::testing::AssertionFailure() << "says \"" << e.message() << "\"";
  return ::testing::AssertionSuccess();
}

TEST(SecurePath, SyntaxTakesAnAbsolutePathWithoutDotComponents) {
  for (const char* ok : {"/", "/run/podns", "/run/podns/", "//run//podns", "/a/..b/c.", "/a/b..",
                         "/a/.hidden", "/a/...", "/a b/c"}) {
    EXPECT_TRUE(check_path_syntax(ok, "pin root")) << ok;
  }
}

TEST(SecurePath, SyntaxRefusesARelativeOrEmptyPath) {
  for (const char* bad : {"", "run/podns", "./run", "../run", "~/podns", " /run"})
    EXPECT_TRUE(refused(check_path_syntax(bad, "pin root"), "is not an absolute path")) << bad;
  EXPECT_TRUE(refused(check_path_syntax("run", "state directory"),
                      "state directory \"run\" is not an absolute path"));
}

TEST(SecurePath, SyntaxRefusesDotAndDotDotComponents) {
  for (const char* bad : {"/run/../etc", "/run/..", "/..", "/run/./podns", "/run/.", "/.",
                          "/run//../etc", "/a/b/../../../etc/shadow"})
    EXPECT_TRUE(refused(check_path_syntax(bad, "pin root"), "has . or .. components")) << bad;
}

TEST(SecurePath, SyntaxRefusesControlCharacters) {
  for (const std::string& bad :
       {std::string("/run/pod\nns"), std::string("/run/\tpodns"), std::string("/run/\x7f"),
        std::string("/run\0/x", 7), std::string("/run/\x1b[31m")}) {
    EXPECT_TRUE(refused(check_path_syntax(bad, "pin root"), "pin root holds a control character"));
    EXPECT_TRUE(refused(check_secure_path(bad, "pin root"), "control character"));
  }
}

TEST(SecurePath, TheFullCheckDoesTheSyntaxCheckFirst) {
  // Refused as input before any component is looked at.
  EXPECT_TRUE(refused(check_secure_path("tmp/x", "state directory"), "not an absolute path"));
  EXPECT_TRUE(refused(check_secure_path("/tmp/../tmp", "state directory"), ".. components"));
}

// An entry directly in /tmp, removed when the test ends.
class SecurePathInTmp : public ::testing::Test {
 protected:
  void SetUp() override {
    std::array<char, 23> tmpl{"/tmp/podns-unit.XXXXXX"};
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl.data();
    // What the tests below rely on: /tmp itself passes.
    ASSERT_TRUE(check_secure_path("/tmp", "state directory"));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    for (const auto& p : extra_) fs::remove(p, ec);
  }
  // A name directly in /tmp, beside dir_, removed at the end.
  std::string beside(const std::string& suffix) {
    extra_.push_back(dir_ + suffix);
    return extra_.back();
  }

  std::string dir_;
  std::vector<std::string> extra_;
};

TEST_F(SecurePathInTmp, WhatDoesNotExistYetPasses) {
  // The rest is made by podns itself, as root, with safe modes.
  std::string missing = beside("-missing");
  EXPECT_TRUE(check_secure_path(missing, "state directory"));
  EXPECT_TRUE(check_secure_path(missing + "/a/b/c", "state directory"));
  EXPECT_FALSE(fs::exists(missing)) << "the check made something";
}

TEST_F(SecurePathInTmp, ASymlinkIsRefusedEvenToASafeDirectory) {
  std::string link = beside("-link");
  ASSERT_EQ(::symlink("/tmp", link.c_str()), 0);
  EXPECT_TRUE(refused(check_secure_path(link, "pin root"), ELOOP, link, "is a symlink"));
  EXPECT_TRUE(refused(check_secure_path(link + "/state", "state directory"), ELOOP, link,
                      "is a symlink; give the real path"));
  // Dangling, too: a symlink to where nothing is yet could be made to point anywhere.
  std::string dangling = beside("-dangling");
  ASSERT_EQ(::symlink((dir_ + "-nothing").c_str(), dangling.c_str()), 0);
  EXPECT_TRUE(
      refused(check_secure_path(dangling + "/x", "pin root"), ELOOP, dangling, "is a symlink"));
}

TEST_F(SecurePathInTmp, AComponentThatIsNotADirectoryIsRefused) {
  std::string file = beside("-file");
  std::ofstream(file) << "x";
  EXPECT_TRUE(
      refused(check_secure_path(file, "state directory"), ENOTDIR, file, "is not a directory"));
  EXPECT_TRUE(refused(check_secure_path(file + "/state", "state directory"), ENOTDIR, file,
                      "is not a directory"));
  std::string fifo = beside("-fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(
      refused(check_secure_path(fifo + "/x", "pin root"), ENOTDIR, fifo, "is not a directory"));
}

TEST_F(SecurePathInTmp, ADirectoryNotOwnedByRootIsRefused) {
  // Whoever runs the test: root hands the directory to nobody.
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(dir_.c_str(), 65534, 65534), 0);
  }
  ASSERT_EQ(::chmod(dir_.c_str(), 0700), 0);
  uid_t owner = ::geteuid() == 0 ? 65534 : ::geteuid();
  EXPECT_TRUE(refused(check_secure_path(dir_, "state directory"), EPERM, dir_,
                      "is owned by uid " + std::to_string(owner) + ", not root"));
  // Also when the rest of the path does not exist yet.
  auto r = check_secure_path(dir_ + "/state/db", "state directory");
  EXPECT_TRUE(refused(r, EPERM, dir_, "is owned by uid"));
  // The message names what was checked, the whole path and the component.
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind("state directory " + dir_ + "/state/db: " + dir_, 0), 0U)
      << r.error().message();
}

}  // namespace
}  // namespace podns
