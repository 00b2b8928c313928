#include "podns/json.h"

#include <gtest/gtest.h>

namespace podns {
namespace {

TEST(Json, InspectShape) {
  Sandbox s;
  s.id = "p1";
  s.state = SandboxState::ready;
  s.root = "/run/podns";
  s.netns = nsfs::NsId{4, 4026532000};
  s.userns = nsfs::NsId{4, 4026531999};
  s.uid_map = {{0, 100000, 65536}};
  s.gid_map = {{0, 200000, 65536}};
  s.created_at = "2026-11-23T04:34:34.000000000Z";
  auto j = to_json(s);
  EXPECT_EQ(j["id"], "p1");
  EXPECT_EQ(j["state"], "ready");
  EXPECT_EQ(j["netns"], "/run/podns/p1/net");
  EXPECT_EQ(j["userns"], "/run/podns/p1/user");
  EXPECT_EQ(j["netns_inode"], 4026532000u);
  EXPECT_EQ(j["userns_inode"], 4026531999u);
  ASSERT_EQ(j["uid_mappings"].size(), 1u);
  EXPECT_EQ(j["uid_mappings"][0]["container_id"], 0);
  EXPECT_EQ(j["uid_mappings"][0]["host_id"], 100000);
  EXPECT_EQ(j["uid_mappings"][0]["size"], 65536);
  EXPECT_EQ(j["gid_mappings"][0]["host_id"], 200000);
  EXPECT_EQ(j["created_at"], s.created_at);
  EXPECT_TRUE(j["network"].is_null());
  EXPECT_FALSE(j.contains("reason"));
}

TEST(Json, NoUserns) {
  Sandbox s;
  s.id = "p2";
  s.root = "/r";
  s.has_userns = false;
  s.netns = nsfs::NsId{4, 7};
  auto j = to_json(s);
  EXPECT_TRUE(j["userns"].is_null());
  EXPECT_TRUE(j["userns_inode"].is_null());
  EXPECT_TRUE(j["uid_mappings"].is_array());
  EXPECT_TRUE(j["uid_mappings"].empty());
}

TEST(Json, IdMapRoundTrip) {
  IdMap m{{0, 100000, 1}, {1, 300000, 10}};
  auto back = id_map_from_json(to_json(m));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, m);
}

TEST(Json, IdMapFromJsonRejects) {
  using nlohmann::json;
  EXPECT_FALSE(id_map_from_json(json::object()));
  EXPECT_FALSE(id_map_from_json(json::array()));
  EXPECT_FALSE(id_map_from_json(json::parse(R"([{"container_id":0,"host_id":1}])")));
  EXPECT_FALSE(id_map_from_json(json::parse(R"([{"container_id":0,"host_id":-1,"size":1}])")));
  EXPECT_FALSE(
      id_map_from_json(json::parse(R"([{"container_id":0,"host_id":4294967296,"size":1}])")));
  EXPECT_FALSE(id_map_from_json(json::parse(R"([{"container_id":"0","host_id":1,"size":1}])")));
}

}  // namespace
}  // namespace podns
