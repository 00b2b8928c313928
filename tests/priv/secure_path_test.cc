// Secure paths (secure_path.h) below a directory of root's: what only root
// can set up (a root-owned chain, its modes, an entry handed to another
// user). The checks that need no root are in tests/unit/secure_path_test.cc.
#include "podns/secure_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <string>

#include "testenv.h"

namespace podns {
namespace {

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

class SecurePath : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    dir_ = std::make_unique<test::TempDir>();
    // /tmp/podns-test.XXXXXX: root's, 0700.
    ASSERT_TRUE(check_secure_path(base(), "pin root"));
  }
  const std::string& base() const { return dir_->path(); }
  // BASE/name, a directory of root's with `mode`.
  std::string mkdir(const std::string& name, mode_t mode = 0755) const {
    std::string p = base() + "/" + name;
    EXPECT_EQ(::mkdir(p.c_str(), 0700), 0) << p;
    EXPECT_EQ(::chmod(p.c_str(), mode), 0) << p;
    return p;
  }

  std::unique_ptr<test::TempDir> dir_;
};

TEST_F(SecurePath, AChainOfRootsDirectoriesPasses) {
  std::string a = mkdir("a");
  std::string b = mkdir("a/b", 0700);
  EXPECT_TRUE(check_secure_path(b, "pin root"));
  EXPECT_TRUE(check_secure_path(b + "/", "pin root"));
  EXPECT_TRUE(check_secure_path(b + "/not/yet/made", "pin root"));
  // Doubled slashes name the same directories.
  EXPECT_TRUE(check_secure_path(base() + "//a///b", "pin root"));
  // Group and others may read and search, as long as they cannot write.
  ASSERT_EQ(::chmod(a.c_str(), 0555), 0);
  EXPECT_TRUE(check_secure_path(b, "pin root"));
}

TEST_F(SecurePath, ADirectoryGroupOrOthersCanWriteIsRefused) {
  // Whoever may write there may rename b away and put their own in its place.
  std::string a = mkdir("a");
  std::string b = mkdir("a/b");
  for (mode_t mode : {0775, 0757, 0777, 0720, 0702, 02775}) {
    ASSERT_EQ(::chmod(a.c_str(), mode), 0);
    EXPECT_TRUE(
        refused(check_secure_path(b, "pin root"), EPERM, a, "is writable by group or others"))
        << std::oct << mode;
  }
  // The last component too: its entries could be swapped under podns.
  ASSERT_EQ(::chmod(a.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(b.c_str(), 0770), 0);
  EXPECT_TRUE(refused(check_secure_path(b, "pin root"), EPERM, b, "is writable by group"));
}

TEST_F(SecurePath, AStickyDirectoryOthersCanWriteToPasses) {
  // Like /tmp: only an entry's owner may rename or remove it.
  std::string a = mkdir("a", 01777);
  std::string b = mkdir("a/b");
  EXPECT_TRUE(check_secure_path(b, "state directory"));
  ASSERT_EQ(::chmod(a.c_str(), 01770), 0);
  EXPECT_TRUE(check_secure_path(b, "state directory"));
}

TEST_F(SecurePath, ADirectoryOfAnotherUserIsRefusedWhateverItsMode) {
  std::string a = mkdir("a", 0755);
  std::string b = mkdir("a/b");
  ASSERT_EQ(::chown(a.c_str(), 65534, 0), 0);
  EXPECT_TRUE(
      refused(check_secure_path(b, "pin root"), EPERM, a, "is owned by uid 65534, not root"));
  // The sticky bit does not help: the owner may do anything there.
  ASSERT_EQ(::chmod(a.c_str(), 01755), 0);
  EXPECT_TRUE(refused(check_secure_path(b, "pin root"), EPERM, a, "is owned by uid 65534"));
  // Owned by root, but a group of another's: fine while the group cannot write.
  ASSERT_EQ(::chown(a.c_str(), 0, 65534), 0);
  ASSERT_EQ(::chmod(a.c_str(), 0750), 0);
  EXPECT_TRUE(check_secure_path(b, "pin root"));
}

TEST_F(SecurePath, ASymlinkDeepInTheChainIsRefused) {
  std::string real = mkdir("real");
  std::string a = mkdir("a");
  std::string link = a + "/link";
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  EXPECT_TRUE(refused(check_secure_path(link + "/state", "state directory"), ELOOP, link,
                      "is a symlink; give the real path"));
  EXPECT_TRUE(refused(check_secure_path(link, "state directory"), ELOOP, link, "is a symlink"));
  // The real path passes.
  EXPECT_TRUE(check_secure_path(real + "/state", "state directory"));
}

TEST_F(SecurePath, AFileOfRootsInThePathIsRefused) {
  std::string a = mkdir("a");
  std::string file = a + "/file";
  std::ofstream(file) << "x";
  EXPECT_TRUE(
      refused(check_secure_path(file + "/x", "pin root"), ENOTDIR, file, "is not a directory"));
}

TEST_F(SecurePath, TheFirstUnsafeComponentIsTheOneNamed) {
  // Checked from / down: the outermost fault is reported.
  std::string a = mkdir("a", 0777);
  std::string b = mkdir("a/b");
  ASSERT_EQ(::chown(b.c_str(), 65534, 0), 0);
  EXPECT_TRUE(refused(check_secure_path(b, "pin root"), EPERM, a, "is writable"));
}

}  // namespace
}  // namespace podns
