// The pod's sysctls (sysctl.h): which keys and values are let through to a
// write below /proc/sys, the file each key names, the defaults and how the
// caller's settings override them. No root: nothing is written.
#include "podns/sysctl.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testenv.h"

namespace podns {
namespace {

using sysctl::Setting;

using test::refused;  // invalid input, saying what

TEST(Sysctl, ParseSplitsAtTheFirstEqualsSign) {
  auto s = sysctl::parse("net.ipv4.ping_group_range=0 65535");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->first, "net.ipv4.ping_group_range");
  EXPECT_EQ(s->second, "0 65535");
  // The value may itself hold '='.
  auto eq = sysctl::parse("net.core.x=a=b");
  ASSERT_TRUE(eq) << eq.error().message();
  EXPECT_EQ(eq->first, "net.core.x");
  EXPECT_EQ(eq->second, "a=b");
}

TEST(Sysctl, ParseRefusesTextThatIsNotKeyEqualsValue) {
  EXPECT_TRUE(refused(sysctl::parse("net.ipv4.ip_forward"), "is not KEY=VALUE"));
  EXPECT_TRUE(refused(sysctl::parse("=1"), "is not KEY=VALUE"));
  EXPECT_TRUE(refused(sysctl::parse(""), "is not KEY=VALUE"));
  EXPECT_TRUE(refused(sysctl::parse("net.ipv4.ip_forward="), "value is empty"));
}

TEST(Sysctl, ParseChecksTheSettingAsValidateDoes) {
  // parse takes what `podns create --sysctl` takes: network sysctls only.
  EXPECT_TRUE(refused(sysctl::parse("kernel.core_pattern=|/bin/sh"), "only network sysctls"));
  EXPECT_TRUE(refused(sysctl::parse("kernel.shmmax=1"), "only network sysctls"));
  EXPECT_TRUE(refused(sysctl::parse("net.ipv4..ip_forward=1"), "empty component"));
}

TEST(Sysctl, ValidateTakesOnlyNetworkKeys) {
  EXPECT_TRUE(sysctl::validate({"net.ipv4.ip_forward", "1"}));
  EXPECT_TRUE(sysctl::validate({"net.ipv6.conf.all.disable_ipv6", "1"}));
  EXPECT_TRUE(sysctl::validate({"net.ipv4.conf.eth-0_A.rp_filter", "2"}));
  for (const char* key :
       {"kernel.core_pattern", "kernel.shmmax", "fs.mqueue.queues_max", "vm.overcommit_memory",
        "net.", "net", "netx.a", "Net.ipv4.a", "", ".net.ipv4.a"}) {
    EXPECT_TRUE(refused(sysctl::validate({key, "1"}), "only network sysctls")) << key;
  }
}

TEST(Sysctl, AKeyThatCouldLeaveItsFileIsRefused) {
  // Each of these, turned into a path below /proc/sys, would name another
  // file than the key's own (or none): a '/', an empty component, "..".
  for (const char* key :
       {"net/../kernel/core_pattern", "net.ipv4/../../kernel/core_pattern", "net.ipv4..ip_forward",
        "net..", "net.ipv4.ip_forward.", "net./ipv4", "net.ipv4.ip forward", "net.ipv4.*",
        "net.ipv4.ip_forward\n", "net.a\\b", "net.a:b"}) {
    EXPECT_TRUE(refused(sysctl::validate({key, "1"}), "sysctl")) << key;
    EXPECT_TRUE(refused(sysctl::namespace_of({key, "1"}), "sysctl")) << key;
  }
  EXPECT_TRUE(refused(sysctl::validate({std::string("net.a\0b", 7), "1"}), "only letters"));
}

TEST(Sysctl, AKeyOfMoreThan200CharactersIsRefused) {
  std::string longest = "net." + std::string(196, 'a');
  EXPECT_TRUE(sysctl::validate({longest, "1"}));
  EXPECT_TRUE(refused(sysctl::validate({longest + "a", "1"}), "key is too long"));
}

TEST(Sysctl, AValueWithANewlineNulOrCarriageReturnIsRefused) {
  // A write of "1\nkernel..." could be taken as two by some handlers (CVE-2022-0811).
  for (const std::string& value : {std::string("1\n2"), std::string("1\n"), std::string("1\0", 2),
                                   std::string("1\r"), std::string("\n")}) {
    EXPECT_TRUE(refused(sysctl::validate({"net.core.somaxconn", value}), "newline or NUL"));
    EXPECT_TRUE(refused(sysctl::namespace_of({"kernel.shmmax", value}), "newline or NUL"));
  }
}

TEST(Sysctl, AnEmptyValueIsRefusedAndTheLongestIs4096Bytes) {
  EXPECT_TRUE(refused(sysctl::validate({"net.core.somaxconn", ""}), "value is empty"));
  EXPECT_TRUE(sysctl::validate({"net.core.somaxconn", std::string(4096, '1')}));
  EXPECT_TRUE(
      refused(sysctl::validate({"net.core.somaxconn", std::string(4097, '1')}), "too long"));
  // Blanks, '+', '|' and '=' are a value's business (the handler parses it).
  EXPECT_TRUE(sysctl::validate({"net.ipv4.ping_group_range", "0\t2147483647"}));
  EXPECT_TRUE(sysctl::validate({"net.core.x", "|/bin/sh +x=y"}));
}

TEST(Sysctl, NamespaceOfNamesTheNamespaceOfEachKeyAndChecksItsForm) {
  EXPECT_EQ(sysctl::namespace_of({"net.ipv4.ip_forward", "1"}), nsfs::Type::net);
  EXPECT_EQ(sysctl::namespace_of({"kernel.shm_rmid_forced", "1"}), nsfs::Type::ipc);
  EXPECT_EQ(sysctl::namespace_of({"kernel.sem", "250 32000 32 128"}), nsfs::Type::ipc);
  EXPECT_EQ(sysctl::namespace_of({"fs.mqueue.msg_max", "10"}), nsfs::Type::ipc);
  // The right prefix does not excuse a bad form.
  EXPECT_TRUE(refused(sysctl::namespace_of({"kernel.shm..x", "1"}), "empty component"));
  EXPECT_TRUE(refused(sysctl::namespace_of({"kernel.shmmax", ""}), "value is empty"));
  EXPECT_TRUE(refused(sysctl::namespace_of({"net.core.x", std::string(4097, '1')}), "too long"));
  // What no namespace of the pod has, with what may be set instead.
  for (const char* key : {"kernel.core_pattern", "kernel.semmni", "kernel.hostname", "kernel.shm",
                          "kernel.msg", "fs.mqueue.", "fs.file-max", "user.max_x"}) {
    EXPECT_TRUE(refused(sysctl::namespace_of({key, "1"}), "not a namespaced sysctl")) << key;
  }
}

TEST(Sysctl, ProcPathTurnsEachDotIntoASlashBelowProcSys) {
  EXPECT_EQ(sysctl::proc_path("net.ipv4.ping_group_range"), "/proc/sys/net/ipv4/ping_group_range");
  EXPECT_EQ(sysctl::proc_path("net.ipv4.conf.eth-0.rp_filter"),
            "/proc/sys/net/ipv4/conf/eth-0/rp_filter");
  EXPECT_EQ(sysctl::proc_path("kernel.sem"), "/proc/sys/kernel/sem");
  EXPECT_EQ(sysctl::proc_path("fs.mqueue.queues_max"), "/proc/sys/fs/mqueue/queues_max");
}

TEST(Sysctl, DefaultsLetThePodsMappedGidsPing) {
  auto d = sysctl::defaults({{0, 100000, 65536}});
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0], (Setting{"net.ipv4.ping_group_range", "0 65535"}));
  // What the defaults hold passes the check every setting passes.
  EXPECT_TRUE(sysctl::validate(d[0]));
  EXPECT_EQ(sysctl::defaults({{0, 100000, 1}})[0].second, "0 0");
}

TEST(Sysctl, DefaultsFollowTheRunOfGidsFromZeroAcrossLinesInAnyOrder) {
  // 0-999 and 1000-1999 are contiguous, given in either order; 3000 is past a gap.
  IdMap map{{1000, 300000, 1000}, {0, 200000, 1000}, {3000, 400000, 10}};
  auto d = sysctl::defaults(map);
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].second, "0 1999");
}

TEST(Sysctl, NoDefaultsWhenGidZeroIsNotMapped) {
  EXPECT_TRUE(sysctl::defaults({}).empty());
  EXPECT_TRUE(sysctl::defaults({{1, 100000, 65536}}).empty());
}

TEST(Sysctl, DefaultsStopAtTheLargestGidTheKernelTakes) {
  // ping_group_range holds signed 32-bit gids: whatever the map, the range
  // written ends below 2^31 - 1.
  auto d = sysctl::defaults({{0, 0, 4294967295U}});
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].second, "0 2147483646");
  EXPECT_EQ(sysctl::defaults({{0, 1, 2147483647U}})[0].second, "0 2147483646");
  EXPECT_EQ(sysctl::defaults({{0, 1, 2147483646U}})[0].second, "0 2147483645");
}

TEST(Sysctl, MergeKeepsTheDefaultsTheCallerDidNotGive) {
  std::vector<Setting> defaults{{"net.ipv4.ping_group_range", "0 65535"}};
  EXPECT_EQ(sysctl::merge(defaults, {}), defaults);
  std::vector<Setting> given{{"net.core.somaxconn", "1024"}};
  EXPECT_EQ(sysctl::merge(defaults, given),
            (std::vector<Setting>{{"net.ipv4.ping_group_range", "0 65535"},
                                  {"net.core.somaxconn", "1024"}}));
}

TEST(Sysctl, MergeLetsTheCallerOverrideADefaultAndTheLastOfOneKeyWins) {
  std::vector<Setting> defaults{{"net.ipv4.ping_group_range", "0 65535"},
                                {"net.ipv4.ip_unprivileged_port_start", "0"}};
  std::vector<Setting> given{{"net.ipv4.ping_group_range", "1 1"},
                             {"net.core.somaxconn", "1"},
                             {"net.core.somaxconn", "2"}};
  // Each key once, in the order of the writes to come: the defaults left,
  // then what was given, a key given twice at its last place and value.
  EXPECT_EQ(sysctl::merge(defaults, given),
            (std::vector<Setting>{{"net.ipv4.ip_unprivileged_port_start", "0"},
                                  {"net.ipv4.ping_group_range", "1 1"},
                                  {"net.core.somaxconn", "2"}}));
}

}  // namespace
}  // namespace podns
