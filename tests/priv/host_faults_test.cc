// Faults the host throws, through the CLI: the kernel's namespace limits,
// a reboot.
// Each fault makes create fail with exit 1 and a message naming it, and
// leaves nothing behind; once the fault is gone, everything works.
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;
using test::Run;

class HostFaults : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }

  // Nothing of pod `id` exists: no row, no directory, no mount under the root.
  static void expect_nothing_left(const PodnsEnv& env, const std::string& id) {
    auto l = podns(env, {"ls", "--json"});
    ASSERT_EQ(l.exit_code, 0) << l.err;
    EXPECT_EQ(json::parse(l.out), json::array()) << "no sandbox recorded";
    EXPECT_FALSE(std::filesystem::exists(env.root() + "/" + id)) << "no pod directory";
    EXPECT_EQ(test::mounts_under(env.root() + "/"), std::vector<std::string>{}) << "no mount";
  }

  // After the fault: a create and an rm work.
  static void expect_it_works(const PodnsEnv& env, const std::vector<std::string>& create) {
    auto c = podns(env, create);
    ASSERT_EQ(c.exit_code, 0) << c.err;
    auto r = podns(env, {"rm", create.at(1)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

// The CLI under tests/support/nslimit.cc: the kernel's answer at
// user.max_*_namespaces (ENOSPC) for the calls it would refuse.
Run at_limit(const PodnsEnv& env, const std::string& mode, const std::vector<std::string>& args) {
  std::vector<std::string> argv{PODNS_NSLIMIT_PATH, mode,           test::podns_cli(), "--root",
                                env.root(),         "--state-dir",  env.state_dir(),   "--cni-conf-dir",
                                env.cni_conf_dir(), "--cni-cache-dir", env.cni_cache_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv);
}

struct LimitCase {
  const char* name;
  const char* mode;
  std::vector<std::string> create;  // podns create ID ...
  const char* limit;                // the sysctl the message names
};

void PrintTo(const LimitCase& c, std::ostream* os) { *os << c.name; }

class KernelLimits : public HostFaults, public ::testing::WithParamInterface<LimitCase> {};

TEST_P(KernelLimits, CreateFailsNamingTheLimitAndLeavesNothing) {
  PodnsEnv env;
  const auto& p = GetParam();
  auto c = at_limit(env, p.mode, p.create);
  EXPECT_EQ(c.exit_code, 1) << c.out << c.err;
  EXPECT_NE(c.err.find(p.limit), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("No space left on device"), std::string::npos) << c.err;
  EXPECT_EQ(c.out, "");
  expect_nothing_left(env, p.create.at(1));
  expect_it_works(env, p.create);
  expect_nothing_left(env, p.create.at(1));
}

INSTANTIATE_TEST_SUITE_P(
    , KernelLimits,
    ::testing::Values(
        LimitCase{"NetnsInAUserns", "net", {"create", "p", "--userns", "0:100000:65536"},
                  "user.max_net_namespaces"},
        LimitCase{"NetnsWithIpcAndUts", "net",
                  {"create", "p", "--userns", "0:100000:65536", "--ipc", "--uts"},
                  "user.max_net_namespaces, user.max_ipc_namespaces, user.max_uts_namespaces"},
        LimitCase{"NetnsWithoutUserns", "net", {"create", "p", "--no-userns"},
                  "user.max_net_namespaces"},
        LimitCase{"Userns", "user", {"create", "p", "--userns", "0:100000:65536"},
                  "user.max_user_namespaces"},
        LimitCase{"UsernsOwnedByThePod", "user-unshare",
                  {"create", "p", "--userns", "0:100000:65536", "--userns-owned-by-pod"},
                  "user.max_user_namespaces"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// Boot: the installed unit runs `podns recover` (ExecStart) in systemd's
// clean environment after a reboot, which here is simulated: the pin root
// is unmounted (with it the pins and the namespaces), the state is kept.
// Half-done work is rolled back, the vanished pods are marked notready,
// and the node works on.
TEST_F(HostFaults, RecoverAsTheBootUnitRunsItAfterAReboot) {
  // The unit's command line, as configured for installation.
  std::vector<std::string> exec;
  {
    std::ifstream unit(PODNS_RECOVER_UNIT);
    std::string line;
    while (std::getline(unit, line)) {
      if (!line.starts_with("ExecStart=")) continue;
      std::istringstream words(line.substr(10));
      for (std::string w; words >> w;) exec.push_back(w);
    }
  }
  ASSERT_EQ(exec, (std::vector<std::string>{PODNS_INSTALLED_CLI, "recover"}));

  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "a", "--userns", "0:100000:65536"}).exit_code, 0);
  ASSERT_EQ(podns(env, {"create", "b", "--userns", "0:200000:65536"}).exit_code, 0);
  ASSERT_EQ(podns(env, {"stop", "b"}).exit_code, 0);
  // Crashes half-way through a create and an rm.
  auto crash = [&](const std::string& fault, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"env", "PODNS_FAULT=" + fault, test::podns_cli(), "--root",
                                  env.root(), "--state-dir", env.state_dir(), "--cni-conf-dir",
                                  env.cni_conf_dir(), "--cni-cache-dir", env.cni_cache_dir()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv).exit_code;
  };
  ASSERT_EQ(crash("create.pin-net:crash", {"create", "c", "--userns", "0:300000:65536"}), 128 + 9);
  ASSERT_EQ(podns(env, {"create", "d", "--userns", "0:400000:65536"}).exit_code, 0);
  ASSERT_EQ(crash("rm.network:crash", {"rm", "d"}), 128 + 9);

  ASSERT_EQ(::umount2(env.root().c_str(), MNT_DETACH), 0) << "the reboot";

  std::vector<std::string> argv{"env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
                                test::podns_cli()};
  argv.insert(argv.end(), exec.begin() + 1, exec.end());
  for (const auto& g : {"--root", env.root().c_str(), "--state-dir", env.state_dir().c_str(),
                        "--cni-conf-dir", env.cni_conf_dir().c_str(), "--cni-cache-dir",
                        env.cni_cache_dir().c_str(), "--json"})
    argv.emplace_back(g);
  auto rec = test::run(argv);
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  auto l = podns(env, {"ls", "--json"});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  std::map<std::string, std::string> states;
  for (const auto& s : json::parse(l.out)) states[s["id"]] = s["state"];
  EXPECT_EQ(states, (std::map<std::string, std::string>{{"a", "notready"}, {"b", "notready"}}))
      << "c rolled back, d's removal finished: " << rec.out;
  // Nothing is left to do: a second run changes nothing.
  auto again = test::run(argv);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out), json::array()) << again.out;

  // The node works on: a new pod (the root is made again), and the old ones are removed.
  ASSERT_EQ(podns(env, {"create", "e", "--userns", "0:300000:65536"}).exit_code, 0);
  for (const char* id : {"a", "b", "e"}) EXPECT_EQ(podns(env, {"rm", id}).exit_code, 0) << id;
  EXPECT_EQ(test::mounts_under(env.root() + "/"), std::vector<std::string>{});
  EXPECT_TRUE(std::filesystem::is_empty(env.root()));
}

}  // namespace
}  // namespace podns
