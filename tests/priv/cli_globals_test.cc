// The command line's version, and its global options (--root, --state-dir,
// --cni-*) given after the subcommand as well as before it.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "podns/version.h"
#include "testenv.h"

namespace podns {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::PodnsEnv;
using test::run;

TEST(CliVersion, IsTheProjectVersion) {
  auto v = run({test::podns_cli(), "--version"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out, "podns " PODNS_VERSION "\n");
  EXPECT_EQ(v.err, "");
}

class CliGlobals : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }
};

TEST_F(CliGlobals, AcceptedAfterTheSubcommand) {
  PodnsEnv env;
  const std::string cli = test::podns_cli();
  // Every global option after the subcommand and its arguments.
  auto c = run({cli, "create", "after-1", "--userns", "0:100000:65536", "--network", "none",
                "--root", env.root(), "--state-dir", env.state_dir(), "--cni-conf-dir",
                env.cni_conf_dir(), "--cni-cache-dir", env.cni_cache_dir(), "--cni-timeout", "30"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto created = json::parse(c.out);
  EXPECT_EQ(created["root"], env.root());
  EXPECT_EQ(created["netns"], env.root() + "/after-1/net");
  EXPECT_TRUE(fs::exists(env.root() + "/after-1/net"));
  EXPECT_FALSE(fs::exists("/run/podns/after-1"));  // not the default root
  // Some before, some after.
  auto i = run({cli, "--root", env.root(), "inspect", "after-1", "--state-dir", env.state_dir()});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(json::parse(i.out), created);
  auto l = run({cli, "ls", "--json", "--state-dir", env.state_dir()});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_EQ(json::parse(l.out).size(), 1U);
  auto r = run({cli, "rm", "after-1", "--state-dir", env.state_dir(), "--root", env.root()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(env.root() + "/after-1"));
  EXPECT_EQ(json::parse(run({cli, "ls", "--json", "--state-dir", env.state_dir()}).out),
            json::array());
}

TEST_F(CliGlobals, UnknownOrRepeatedOptionsAfterTheSubcommandAreUsageErrors) {
  PodnsEnv env;
  const std::string cli = test::podns_cli();
  auto bogus = run({cli, "create", "u-1", "--userns", "0:100000:65536", "--bogus", "--root",
                    env.root(), "--state-dir", env.state_dir()});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find("--bogus"), std::string::npos) << bogus.err;
  auto twice = run({cli, "--state-dir", env.state_dir(), "create", "u-1", "--userns",
                    "0:100000:65536", "--state-dir", env.state_dir()});
  EXPECT_EQ(twice.exit_code, 2) << twice.err;
  // A second positional is not taken for a subcommand.
  auto extra = run({cli, "rm", "u-1", "ls", "--state-dir", env.state_dir()});
  EXPECT_EQ(extra.exit_code, 2) << extra.err;
  // Nothing was made.
  EXPECT_FALSE(fs::exists(env.root() + "/u-1"));
  EXPECT_EQ(json::parse(run({cli, "ls", "--json", "--state-dir", env.state_dir()}).out),
            json::array());
}

}  // namespace
}  // namespace podns
