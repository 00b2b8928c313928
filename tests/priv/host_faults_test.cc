// Faults the host throws, through the CLI: the kernel's namespace limits.
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

}  // namespace
}  // namespace podns
