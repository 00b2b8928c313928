// pin::open_recorded, the one check that a pin still holds the recorded
// namespace: each of its outcomes on real bind mounts.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "podns/pin.h"
#include "testenv.h"

namespace podns {
namespace {

class PinCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    root_path_ = tmp_.path() + "/root";
    auto root = pin::open_root(root_path_);
    ASSERT_TRUE(root) << root.error().message();
    root_ = std::move(*root);
    auto dir = pin::make_pod_dir(root_, "p");
    ASSERT_TRUE(dir) << dir.error().message();
    dir_ = std::move(*dir);
    dir_path_ = root_path_ + "/p";
  }
  void TearDown() override {
    if (!root_) return;
    auto gone = pin::remove_pod_dir(root_, root_path_, "p", {});
    EXPECT_TRUE(gone) << gone.error().message();
    root_.reset();
    EXPECT_EQ(::umount2(root_path_.c_str(), MNT_DETACH), 0);
  }

  nsfs::NsId pin_own(nsfs::Type t) {
    auto id = pin::pin(dir_, dir_path_, t, std::string("/proc/self/ns/") + nsfs::name(t));
    EXPECT_TRUE(id) << id.error().message();
    return id ? *id : nsfs::NsId{};
  }

  test::TempDir tmp_;
  std::string root_path_, dir_path_;
  Fd root_, dir_;
};

TEST_F(PinCheck, TheRecordedNamespaceIsOpened) {
  auto net = pin_own(nsfs::Type::net);
  auto fd = pin::open_recorded(dir_path_ + "/net", nsfs::Type::net, net);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(nsfs::id(*fd), net);
  EXPECT_TRUE(nsfs::check_type(*fd, nsfs::Type::net, "pin"));
}

TEST_F(PinCheck, AMissingPinIsENOENT) {
  auto net = pin_own(nsfs::Type::net);
  auto fd = pin::open_recorded(dir_path_ + "/ipc", nsfs::Type::ipc, net);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().errno_value(), ENOENT) << fd.error().message();
}

TEST_F(PinCheck, AnotherNamespaceOfTheTypeIsESTALE) {
  auto net = pin_own(nsfs::Type::net);
  nsfs::NsId other{net.dev, net.ino + 1};
  auto fd = pin::open_recorded(dir_path_ + "/net", nsfs::Type::net, other);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().errno_value(), ESTALE) << fd.error().message();
  EXPECT_NE(fd.error().message().find("other than the one recorded"), std::string::npos)
      << fd.error().message();
}

TEST_F(PinCheck, ANamespaceOfAnotherTypeIsEINVAL) {
  auto uts = pin_own(nsfs::Type::uts);
  // The recorded identity is the one there: the type alone is wrong.
  auto fd = pin::open_recorded(dir_path_ + "/uts", nsfs::Type::net, uts);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().errno_value(), EINVAL) << fd.error().message();
  EXPECT_NE(fd.error().message().find("not a net namespace"), std::string::npos)
      << fd.error().message();
}

TEST_F(PinCheck, AFileNotOnNsfsIsEINVAL) {
  auto net = pin_own(nsfs::Type::net);
  // The pin's file with its mount gone, as after a lazy unmount.
  ASSERT_TRUE(pin::unpin(dir_, dir_path_, nsfs::Type::net));
  int raw = ::openat(dir_.get(), "net", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  ASSERT_GE(raw, 0);
  ::close(raw);
  auto fd = pin::open_recorded(dir_path_ + "/net", nsfs::Type::net, net);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().errno_value(), EINVAL) << fd.error().message();
  EXPECT_NE(fd.error().message().find("not a namespace file"), std::string::npos)
      << fd.error().message();
}

TEST_F(PinCheck, ASymlinkIsNeverFollowed) {
  auto net = pin_own(nsfs::Type::net);
  // A symlink to the very namespace recorded: refused all the same.
  ASSERT_EQ(::symlinkat((dir_path_ + "/net").c_str(), dir_.get(), "ipc"), 0);
  auto fd = pin::open_recorded(dir_path_ + "/ipc", nsfs::Type::net, net);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().errno_value(), ELOOP) << fd.error().message();
  ASSERT_EQ(::unlinkat(dir_.get(), "ipc", 0), 0);
}

}  // namespace
}  // namespace podns
