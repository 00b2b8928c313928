#include "podns/idmap.h"

#include <gtest/gtest.h>

namespace podns {
namespace {

std::string reject(std::string_view text) {
  auto r = parse_id_map(text);
  EXPECT_FALSE(r.has_value()) << "accepted: " << text;
  if (r) return {};
  EXPECT_TRUE(r.error().is_invalid_input());
  return r.error().message();
}

TEST(IdMap, ParsesOneLine) {
  auto m = parse_id_map("0:100000:65536");
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0], (IdMapping{0, 100000, 65536}));
}

TEST(IdMap, ParsesSeveralLinesCommaOrNewline) {
  auto m = parse_id_map("0:100000:1,1:200001:999,1000:300000:10");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[1], (IdMapping{1, 200001, 999}));
  auto n = parse_id_map("0:100000:1\n1:200001:999");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->size(), 2u);
}

TEST(IdMap, AcceptsTheLargestRanges) {
  // container/host start + size may reach 2^32-1 but not pass it.
  EXPECT_TRUE(parse_id_map("0:0:4294967295"));
  EXPECT_TRUE(parse_id_map("4294967294:1:1"));
}

TEST(IdMap, RejectsEmpty) {
  EXPECT_NE(reject("").find("empty"), std::string::npos);
  EXPECT_NE(reject(",").find("empty line"), std::string::npos);
  EXPECT_NE(reject("0:1:1,").find("empty line"), std::string::npos);
  EXPECT_FALSE(validate_id_map({}));
}

TEST(IdMap, RejectsSizeZero) { EXPECT_NE(reject("0:100000:0").find("size is 0"), std::string::npos); }

TEST(IdMap, RejectsNonNumbers) {
  for (const auto* bad : {"a:1:1", "0:1:x", "-1:1:1", "0:+1:1", " 0:1:1", "0:1:1 ", "0x10:1:1",
                          "1.5:1:1", "0::1", "0:1", "0:1:1:1", "0;1;1"}) {
    SCOPED_TRACE(bad);
    reject(bad);
  }
  EXPECT_NE(reject("0:abc:1").find("not a decimal number"), std::string::npos);
  EXPECT_NE(reject("0:1").find("CONTAINER:HOST:SIZE"), std::string::npos);
}

TEST(IdMap, RejectsValuesBeyond32Bits) {
  // The kernel would truncate 4294967296 to 0: host root.
  EXPECT_NE(reject("0:4294967296:1").find("above 4294967295"), std::string::npos);
  reject("4294967296:0:1");
  reject("0:0:4294967296");
  reject("0:0:99999999999999999999999");
}

TEST(IdMap, RejectsSumsBeyond32Bits) {
  EXPECT_NE(reject("0:4294967295:1").find("host range"), std::string::npos);
  EXPECT_NE(reject("4294967295:0:1").find("container range"), std::string::npos);
  reject("1:0:4294967295");
  reject("0:4000000000:294967296");
}

TEST(IdMap, RejectsOverlapOnEitherSide) {
  EXPECT_NE(reject("0:100000:10,5:200000:10").find("container side"), std::string::npos);
  EXPECT_NE(reject("0:100000:10,100:100005:10").find("host side"), std::string::npos);
  // Order of lines does not matter.
  EXPECT_NE(reject("100:100005:10,0:100000:10").find("host side"), std::string::npos);
  // Adjacent ranges do not overlap.
  EXPECT_TRUE(parse_id_map("0:100000:10,10:100010:10"));
}

TEST(IdMap, RejectsMoreThan340Lines) {
  std::string ok;
  std::string too_many;
  for (int i = 0; i < 341; ++i) {
    // Small IDs: 340 lines of them stay within the kernel's 4095 bytes.
    std::string line = std::to_string(i) + ":" + std::to_string(1000 + i) + ":1";
    if (i < 340) ok += (ok.empty() ? "" : ",") + line;
    too_many += (too_many.empty() ? "" : ",") + line;
  }
  auto m = parse_id_map(ok);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->size(), 340u);
  EXPECT_NE(reject(too_many).find("more than 340"), std::string::npos);
}

// n lines of large IDs, "C H S\n" with C and H of 10 digits: 24 bytes and
// the size's digits each.
IdMap large_lines(int n, std::uint32_t size) {
  IdMap m;
  for (int i = 0; i < n; ++i) {
    auto k = static_cast<std::uint32_t>(i);
    m.push_back({1000000000u + k * 100000u, 3000000000u + k * 100000u, size});
  }
  return m;
}

// The kernel refuses a map text of a page (4096 bytes) or more: 240 lines
// of large IDs were accepted and 250 refused ("write gid_map: Invalid
// argument") though both are under 340 lines.
TEST(IdMap, RejectsATextOfMoreThan4095Bytes) {
  // 170 lines of 24 bytes, and one of 15: 4095 bytes.
  IdMap most = large_lines(170, 1);
  most.push_back({0, 1500000000, 9});
  ASSERT_EQ(to_kernel_text(most).size(), 4095u);
  EXPECT_TRUE(validate_id_map(most));
  EXPECT_TRUE(parse_id_map(to_string(most)));
  // One byte more.
  IdMap over = most;
  over.back().size = 10;
  ASSERT_EQ(to_kernel_text(over).size(), 4096u);
  auto r = validate_id_map(over);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_invalid_input());
  EXPECT_EQ(r.error().message(),
            "ID map is 4096 bytes as written to the kernel (\"C H S\\n\" per line); the kernel "
            "takes at most 4095 (less than a page of 4096)");
  EXPECT_NE(reject(to_string(over)).find("4096 bytes"), std::string::npos);
  // The case that was found: lines of 17 bytes ("100000 1000000 1\n"),
  // 240 of them (4080 bytes) pass, 250 (4250 bytes) do not.
  auto lines = [](int n) {
    IdMap m;
    for (int i = 0; i < n; ++i) {
      auto k = static_cast<std::uint32_t>(i);
      m.push_back({100000 + k * 10, 1000000 + k * 10, 1});
    }
    return m;
  };
  EXPECT_EQ(to_kernel_text(lines(240)).size(), 4080u);
  EXPECT_TRUE(validate_id_map(lines(240)));
  EXPECT_FALSE(validate_id_map(lines(250)));
  EXPECT_FALSE(validate_id_map(large_lines(171, 1)));
}

// A pod's pair of maps: both map container ID 0 (the pod's root); host ID
// 0 only when allowed.
TEST(IdMap, PodMapsMapContainerRootAndNotHostRootUnlessAllowed) {
  const IdMap ok{{0, 100000, 65536}};
  EXPECT_TRUE(validate_pod_maps(ok, ok, false));
  EXPECT_TRUE(validate_pod_maps({{1, 300000, 10}, {0, 100000, 1}}, ok, false));
  auto no_root = validate_pod_maps({{1, 100000, 65535}}, ok, false);
  ASSERT_FALSE(no_root);
  EXPECT_TRUE(no_root.error().is_invalid_input());
  EXPECT_NE(no_root.error().message().find("the uid map does not map container uid 0"),
            std::string::npos);
  auto no_gid_root = validate_pod_maps(ok, {{1, 100000, 65535}}, true);
  ASSERT_FALSE(no_gid_root);
  EXPECT_NE(no_gid_root.error().message().find("the gid map does not map container gid 0"),
            std::string::npos);
  const IdMap host_root{{0, 0, 65536}};
  EXPECT_FALSE(validate_pod_maps(ok, host_root, false));
  EXPECT_TRUE(validate_pod_maps(host_root, host_root, true));
  EXPECT_FALSE(validate_pod_maps({}, ok, true));
}

TEST(IdMap, KernelTextRoundTrip) {
  IdMap m{{0, 100000, 1}, {1, 200000, 65535}};
  EXPECT_EQ(to_kernel_text(m), "0 100000 1\n1 200000 65535\n");
  auto back = parse_kernel_text("         0     100000          1\n         1     200000      65535\n");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  EXPECT_EQ(to_string(m), "0:100000:1,1:200000:65535");
  EXPECT_FALSE(parse_kernel_text("0 1\n"));
  // The initial namespace's map.
  auto init = parse_kernel_text("         0          0 4294967295\n");
  ASSERT_TRUE(init);
  EXPECT_EQ((*init)[0].size, 4294967295u);
}

TEST(IdMap, MapsHostId) {
  IdMap m{{0, 100000, 10}};
  EXPECT_TRUE(maps_host_id(m, 100000));
  EXPECT_TRUE(maps_host_id(m, 100009));
  EXPECT_FALSE(maps_host_id(m, 100010));
  EXPECT_FALSE(maps_host_id(m, 0));
}

}  // namespace
}  // namespace podns
