// A state database written by an earlier podns is opened and used by this
// one (issue 16). tests/fixtures/podns-schema2.db was made by
// tests/fixtures/make-schema2-db.sh with the podns of schema version 2; it
// holds one sandbox of each kind (a network on the fake plugin, automatic
// IDs with IPC, UTS, a hostname and a sysctl, no user namespace, the host's
// network, stopped, several ranges), and podns-schema2.ls.json is what that
// podns printed for it. Their pins went with the machine that made them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cni_env.h"
#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;
namespace fs = std::filesystem;

const std::string kFixtures = PODNS_FIXTURES_DIR;

// Every record reads as the earlier podns printed it (keys added since are
// the only difference); recover then marks each sandbox notready, its
// namespaces gone (and detaches the one network through its plugin); rm
// removes each; the database is then used as any.
TEST(Upgrade, ASchema2DatabaseReadsAsItWasWrittenIsRecoveredAndUsed) {
  PODNS_REQUIRE_PRIVILEGED();
  PodnsEnv env;
  fs::create_directories(env.state_dir());
  fs::copy_file(kFixtures + "/podns-schema2.db", env.state_dir() + "/podns.db");
  // The network the fixture's sandboxes were attached to: the fake plugin.
  {
    std::ofstream conf(env.cni_conf_dir() + "/10-fixture.conflist");
    conf << R"({"cniVersion": "1.0.0", "name": "fixture",
                "plugins": [{"type": "podns-fake", "tag": "eth0"}]})";
  }
  const std::vector<std::string> bins{"--cni-bin-dir",
                                      std::string(PODNS_FAKE_CNI_DIR) + ":" + test::kCniPlugins};

  const json written = json::parse(test::slurp(kFixtures + "/podns-schema2.ls.json"));
  ASSERT_EQ(written.size(), 6u);
  // What that podns printed, this one prints: every key with its value.
  auto same = [](const json& now, const json& then) {
    for (const auto& [key, value] : then.items()) {
      EXPECT_EQ(now.value(key, json()), value) << then["id"] << ": " << key;
    }
  };
  auto ls = podns(env, {"ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto listed = json::parse(ls.out);
  ASSERT_EQ(listed.size(), written.size()) << ls.out;
  for (std::size_t k = 0; k < written.size(); ++k) same(listed[k], written[k]);
  for (const auto& s : written) {
    auto i = podns(env, {"inspect", s["id"].get<std::string>()});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    same(json::parse(i.out), s);
  }

  std::vector<std::string> recover = bins;
  recover.insert(recover.end(), {"recover", "--json"});
  auto r = podns(env, recover);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto actions = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(actions.is_array()) << r.out;
  for (const auto& s : written) {
    std::string id = s["id"];
    bool named = false;
    for (const auto& a : actions) named = named || (a.value("sandbox", "") == id && a.value("ok", false));
    EXPECT_TRUE(named) << "recover said nothing of " << id << ": " << r.out;
    auto i = podns(env, {"inspect", id});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    auto now = json::parse(i.out);
    EXPECT_EQ(now["state"], "notready") << id;
    EXPECT_EQ(now["network"], json()) << id << ": the network is detached";
    std::vector<std::string> rm = bins;
    rm.insert(rm.end(), {"rm", id});
    auto gone = podns(env, rm);
    EXPECT_EQ(gone.exit_code, 0) << id << ": " << gone.err;
  }
  ls = podns(env, {"ls", "--json"});
  EXPECT_EQ(json::parse(ls.out), json::array()) << ls.out;

  std::vector<std::string> create = bins;
  create.insert(create.end(), {"create", "after", "--userns", "auto", "--network", "fixture"});
  auto c = podns(env, create);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::vector<std::string> rm = bins;
  rm.insert(rm.end(), {"rm", "after"});
  auto gone = podns(env, rm);
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
}

}  // namespace
}  // namespace podns
