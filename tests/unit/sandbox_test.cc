#include "podns/sandbox.h"

#include <gtest/gtest.h>

namespace podns {
namespace {

TEST(SandboxId, AcceptsValid) {
  for (std::string id : {"a", "Z", "0", "web-1", "pod_a.b-c", "A.b_c-1"}) {
    EXPECT_TRUE(validate_id(id)) << id;
  }
  EXPECT_TRUE(validate_id(std::string(128, 'x')));
}

TEST(SandboxId, RejectsInvalid) {
  for (const auto* id : {"", "-a", ".a", "_a", "a/b", "..", ".", "a b", "a\nb", "a:b", "\u00e4"}) {
    auto r = validate_id(id);
    EXPECT_FALSE(r) << id;
    if (!r) {
      EXPECT_TRUE(r.error().is_invalid_input());
    }
  }
  auto r = validate_id(std::string(129, 'x'));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("at most 128"), std::string::npos);
}

TEST(SandboxId, MessageShowsNoControlCharacters) {
  auto r = validate_id("a\x1b[31mb");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().find('\x1b'), std::string::npos);
}

TEST(SandboxState, RoundTrip) {
  for (auto s : {SandboxState::creating, SandboxState::ready, SandboxState::stopped,
                 SandboxState::notready, SandboxState::removing, SandboxState::unknown}) {
    EXPECT_EQ(parse_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_state("bogus"));
}

TEST(NetState, KeepsTheDatabasesText) {
  // The texts of every schema so far: a database written before the enum
  // reads the same.
  EXPECT_STREQ(to_string(NetState::none), "");
  EXPECT_STREQ(to_string(NetState::attaching), "attaching");
  EXPECT_STREQ(to_string(NetState::attached), "attached");
  EXPECT_STREQ(to_string(NetState::detaching), "detaching");
  for (auto s : {NetState::none, NetState::attaching, NetState::attached, NetState::detaching}) {
    EXPECT_EQ(parse_net_state(to_string(s)), s);
  }
}

TEST(NetState, AnyOtherTextIsNoState) {
  for (const auto* text : {"none", "bogus", "Attached", "attached ", " "}) {
    EXPECT_FALSE(parse_net_state(text)) << text;
  }
}

TEST(Sandbox, Paths) {
  Sandbox s;
  s.id = "p1";
  s.root = "/run/podns";
  EXPECT_EQ(s.netns_path(), "/run/podns/p1/net");
  EXPECT_EQ(s.userns_path(), "/run/podns/p1/user");
  s.has_userns = false;
  EXPECT_FALSE(s.userns_path());
}

TEST(Time, Rfc3339) {
  auto t = now_rfc3339();
  ASSERT_EQ(t.size(), 30u) << t;
  EXPECT_EQ(t[4], '-');
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t.back(), 'Z');
}

}  // namespace
}  // namespace podns
