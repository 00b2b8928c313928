// The table of namespace types (ns_types.h) against the kernel, and the
// public nsfs.h functions that read it.
#include "podns/ns_types.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>

#include "podns/fd.h"
#include "podns/pin.h"

namespace podns::nsfs {
namespace {

// Our own namespace files need no privilege: every type's clone flag is what
// the kernel says of /proc/self/ns/<name>.
TEST(NsTypes, CloneFlagIsWhatTheKernelSays) {
  for (const auto& row : kTypes) {
    std::string path = std::string("/proc/self/ns/") + row.name;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd) << path << ": " << std::strerror(errno);
    EXPECT_EQ(::ioctl(fd.get(), NS_GET_NSTYPE), row.clone_flag) << path;
    EXPECT_EQ(clone_flag(row.type), row.clone_flag) << row.name;
    EXPECT_TRUE(open(path, row.type)) << path;
    // And no other type's: a namespace is checked to be of the type wanted.
    for (const auto& other : kTypes) {
      if (other.type != row.type) {
        EXPECT_FALSE(check_type(fd, other.type, path)) << path << " as " << other.name;
      }
    }
  }
}

TEST(NsTypes, NamesRoundTrip) {
  std::set<std::string> names;
  for (const auto& row : kTypes) {
    EXPECT_STREQ(name(row.type), row.name);
    EXPECT_EQ(type_named(name(row.type)), row.type) << row.name;
    EXPECT_EQ(&info(row.type), &row);
    names.insert(row.name);
  }
  EXPECT_EQ(names.size(), kTypes.size());
  EXPECT_FALSE(type_named("network"));
  EXPECT_FALSE(type_named(""));
  EXPECT_STREQ(name(static_cast<Type>(99)), "?");
  EXPECT_EQ(clone_flag(static_cast<Type>(99)), 0);
}

TEST(NsTypes, TheUserNamespaceComesFirst) {
  // Made, pinned and joined first: it owns the others.
  EXPECT_EQ(kTypes.front().type, Type::user);
}

TEST(NsTypes, PinnsLayout) {
  std::set<char> options;
  for (const auto& row : kTypes) {
    EXPECT_EQ(std::string(row.pinns_dir), std::string(row.name) + "ns");
    if (row.pinns_option != '\0') {
      EXPECT_TRUE(options.insert(row.pinns_option).second) << row.name;
    }
  }
  // user, net, ipc, uts, cgroup, mnt: CRI-O's pinns's set.
  EXPECT_EQ(options, (std::set<char>{'U', 'n', 'i', 'u', 'c', 'm'}));
}

TEST(PodPins, RecordedAndPresent) {
  Sandbox s;
  s.id = "p";
  s.root = "/run/podns";
  s.has_userns = true;
  s.userns = NsId{1, 2};
  s.netns = NsId{1, 3};
  s.ipcns = NsId{1, 4};
  EXPECT_TRUE(pin::has_pin(s, Type::user));
  EXPECT_TRUE(pin::has_pin(s, Type::net));
  EXPECT_TRUE(pin::has_pin(s, Type::ipc));
  EXPECT_FALSE(pin::has_pin(s, Type::uts));
  EXPECT_FALSE(pin::has_pin(s, Type::mnt));
  EXPECT_EQ(pin::recorded(s, Type::mnt), nullptr);
  *pin::recorded(s, Type::uts) = NsId{1, 5};
  EXPECT_EQ(s.utsns, (NsId{1, 5}));
  EXPECT_TRUE(pin::has_pin(s, Type::uts));

  s.has_userns = false;
  s.host_network = true;
  EXPECT_FALSE(pin::has_pin(s, Type::user));
  EXPECT_FALSE(pin::has_pin(s, Type::net));

  // Every pod pin type is expected in the directory, with what is recorded.
  auto expect = pin::expected(s);
  ASSERT_EQ(expect.size(), 4U);
  for (const auto& e : expect) {
    EXPECT_TRUE(info(e.type).pod_pin);
    EXPECT_EQ(e.id, *pin::recorded(s, e.type));
  }
}

}  // namespace
}  // namespace podns::nsfs
