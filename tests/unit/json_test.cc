#include "podns/json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
  EXPECT_TRUE(j["reason"].is_null());
  EXPECT_TRUE(j["hostname"].is_null());
}

// Machines read the object by key: the same keys in every state and for
// every kind of pod, null when unset.
TEST(Json, EverySandboxHasTheSameKeys) {
  const std::vector<std::string> keys{
      "created_at", "gid_mappings", "host_network", "hostname",     "id",
      "ip_netns",   "ipcns",        "netns",        "netns_inode",  "network",
      "reason",     "root",         "state",        "sysctls",      "uid_mappings",
      "userns",     "userns_inode", "userns_owner_uid", "utsns"};
  std::vector<Sandbox> pods;
  Sandbox plain;  // creating, nothing made yet, no user namespace
  plain.id = "a";
  plain.root = "/run/podns";
  plain.has_userns = false;
  pods.push_back(plain);
  Sandbox full = plain;  // ready with everything
  full.state = SandboxState::ready;
  full.has_userns = true;
  full.netns = nsfs::NsId{4, 1};
  full.userns = nsfs::NsId{4, 2};
  full.ipcns = nsfs::NsId{4, 3};
  full.utsns = nsfs::NsId{4, 4};
  full.uid_map = full.gid_map = {{0, 100000, 65536}};
  full.userns_owner = 100000;
  full.hostname = "web";
  full.ip_netns = "/run/netns/a";
  full.sysctls = {{"net.ipv4.ping_group_range", "0 65535"}};
  full.network = R"({"name":"podns","ips":[]})";
  pods.push_back(full);
  Sandbox unknown = full;
  unknown.state = SandboxState::unknown;
  unknown.reason = "remove pod directory: busy";
  pods.push_back(unknown);
  Sandbox hostnet = plain;
  hostnet.state = SandboxState::stopped;
  hostnet.host_network = true;
  pods.push_back(hostnet);
  Sandbox notready = full;
  notready.state = SandboxState::notready;
  notready.network.clear();
  notready.reason = "its namespaces are gone";
  pods.push_back(notready);
  for (const auto& s : pods) {
    auto j = to_json(s);
    std::vector<std::string> got;
    for (const auto& [k, v] : j.items()) got.push_back(k);
    EXPECT_EQ(got, keys) << j.dump();
  }
  EXPECT_EQ(to_json(full)["hostname"], "web");
  EXPECT_EQ(to_json(unknown)["reason"], "remove pod directory: busy");
  EXPECT_TRUE(to_json(full)["reason"].is_null());
  EXPECT_TRUE(to_json(plain)["hostname"].is_null());
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
