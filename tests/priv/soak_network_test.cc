// Soak with a network: 200 create+rm cycles through the CLI on a real
// bridge network of the test's own. No lease, cache file, mount or row is
// left, and the state directory stays under 4 MiB.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cni_env.h"
#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;
using test::TestNetwork;
namespace fs = std::filesystem;

class SoakNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    PODNS_REQUIRE_REAL_PLUGINS();
    net_.emplace(7);
    net_->write(env_.cni_conf_dir());
  }

  std::optional<TestNetwork> net_;  // destroyed after env_
  PodnsEnv env_;
};

TEST_F(SoakNetwork, TwoHundredCyclesOnABridgeLeaveNoLeaseNorCacheFile) {
  std::uintmax_t largest = 0;
  auto state_size = [&] {
    std::uintmax_t total = 0;
    for (const auto& e : fs::directory_iterator(env_.state_dir()))
      if (e.is_regular_file()) total += e.file_size();
    return total;
  };
  for (int i = 0; i < 200; ++i) {
    std::string id = "soak-" + std::to_string(i);
    auto c = podns(env_, {"create", id, "--userns", "auto"});
    ASSERT_EQ(c.exit_code, 0) << id << ": " << c.err;
    ASSERT_TRUE(fs::exists(net_->cache_file(env_.cni_cache_dir(), id))) << id;
    auto r = podns(env_, {"rm", id});
    ASSERT_EQ(r.exit_code, 0) << id << ": " << r.err;
    if (i % 20 == 0) largest = std::max(largest, state_size());
  }
  largest = std::max(largest, state_size());
  EXPECT_LT(largest, std::uintmax_t{4} * 1024 * 1024);
  EXPECT_EQ(net_->leases(), std::vector<std::string>{});
  std::error_code ec;
  EXPECT_TRUE(!fs::exists(env_.cni_cache_dir() + "/results") ||
              fs::is_empty(env_.cni_cache_dir() + "/results", ec));
  EXPECT_EQ(test::mounts_under(env_.root() + "/"), std::vector<std::string>{});
  EXPECT_TRUE(fs::is_empty(env_.root()));
  EXPECT_EQ(json::parse(podns(env_, {"ls", "--json"}).out), json::array());
}

}  // namespace
}  // namespace podns
