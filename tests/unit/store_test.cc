// The state database (store.h): what is checked before a database is
// opened or a range allocated, which needs no root. The database itself is
// tested in tests/priv/store_test.cc: Store::open takes only a state
// directory all of whose components are root's.
#include "podns/host_ranges.h"
#include "podns/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "testenv.h"

namespace podns {
namespace {

namespace fs = std::filesystem;
using Pool = IdPool;

using test::refused;  // invalid input, saying what

TEST(HostRanges, CheckPoolTakesFirstUpToLastUpTo4294967294) {
  EXPECT_TRUE(host_ranges::check_pool(Pool{}));  // the default, 131072-4294967294
  EXPECT_TRUE(host_ranges::check_pool(Pool{0, 0}));
  EXPECT_TRUE(host_ranges::check_pool(Pool{100000, 100000}));
  EXPECT_TRUE(host_ranges::check_pool(Pool{0, 4294967294U}));
  EXPECT_TRUE(host_ranges::check_pool(Pool{4294967294U, 4294967294U}));
}

TEST(HostRanges, CheckPoolRefusesAnEmptyPoolAndTheIdThatIsNoId) {
  EXPECT_TRUE(
      refused(host_ranges::check_pool(Pool{100001, 100000}), "its first ID is above its last"));
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{4294967294U, 0}), "is empty"));
  // 4294967295 is (uid_t)-1: "no ID" to the kernel.
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{0, 4294967295U}), "above 4294967294"));
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{4294967295U, 4294967295U}), "above 4294967294"));
}

TEST(HostRanges, CheckPoolWithASizeTakesFromOneIdToTheWholePool) {
  EXPECT_TRUE(host_ranges::check_pool(Pool{100000, 100000}, 1));
  EXPECT_TRUE(host_ranges::check_pool(Pool{100000, 165535}, 65536));
  EXPECT_TRUE(host_ranges::check_pool(Pool{0, 4294967294U}, 4294967295U));
  EXPECT_TRUE(host_ranges::check_pool(Pool{}, 65536));
}

TEST(HostRanges, CheckPoolWithASizeRefusesNoIdsAndMoreThanThePoolHolds) {
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{100000, 165535}, 0), "range of 0 IDs"));
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{100000, 165535}, 65537),
                      "range of 65537 IDs does not fit the pool 100000-165535"));
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{0, 4294967293U}, 4294967295U), "does not fit"));
  // The pool itself is checked first.
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{2, 1}, 1), "is empty"));
  EXPECT_TRUE(refused(host_ranges::check_pool(Pool{0, 4294967295U}, 1), "above 4294967294"));
}

class StoreOpen : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv("PODNS_DB_TIMEOUT")) saved_ = v;
    std::array<char, 23> tmpl{"/tmp/podns-unit.XXXXXX"};
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl.data();
  }
  void TearDown() override {
    if (saved_) {
      ::setenv("PODNS_DB_TIMEOUT", saved_->c_str(), 1);
    } else {
      ::unsetenv("PODNS_DB_TIMEOUT");
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string dir_;
  std::optional<std::string> saved_;
};

TEST_F(StoreOpen, ABadPodnsDbTimeoutIsInvalidInputAndMakesNothing) {
  for (const char* bad : {"x", "-1", "3601", "nan", "inf", "1s", "1e9"}) {
    ASSERT_EQ(::setenv("PODNS_DB_TIMEOUT", bad, 1), 0);
    auto s = Store::open(dir_ + "/state");
    ASSERT_FALSE(s) << bad;
    EXPECT_TRUE(s.error().is_invalid_input()) << bad << ": " << s.error().message();
    EXPECT_NE(s.error().message().find("not a number of seconds from 0 to 3600"), std::string::npos)
        << s.error().message();
    EXPECT_FALSE(fs::exists(dir_ + "/state")) << bad;
  }
}

TEST_F(StoreOpen, AStateDirectoryBelowAnotherUsersDirectoryIsRefusedAndNotMade) {
  // Whoever runs the test: root hands the directory to nobody.
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(dir_.c_str(), 65534, 65534), 0);
  }
  ::unsetenv("PODNS_DB_TIMEOUT");
  auto s = Store::open(dir_ + "/state");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().errno_value(), EPERM) << s.error().message();
  EXPECT_NE(s.error().message().find("state directory"), std::string::npos) << s.error().message();
  EXPECT_FALSE(fs::exists(dir_ + "/state"));
}

TEST_F(StoreOpen, ARelativeStateDirectoryIsInvalidInput) {
  ::unsetenv("PODNS_DB_TIMEOUT");
  auto s = Store::open("var/lib/podns");
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is_invalid_input()) << s.error().message();
  EXPECT_FALSE(fs::exists("var"));
}

}  // namespace
}  // namespace podns
