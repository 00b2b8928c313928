// Soak: a thousand create+rm cycles on one root and state directory, through
// the CLI (each command opens the database afresh, as on a node) and through
// the library in one process. The state directory (database, WAL and its
// index) stays under 4 MiB; no mount, fd, file or row is left.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "podns/podns.h"
#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;
namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxState = std::uintmax_t{4} * 1024 * 1024;
constexpr int kCycles = 1000;

// The bytes of every file in the state directory.
std::uintmax_t state_size(const PodnsEnv& env) {
  std::uintmax_t total = 0;
  for (const auto& e : fs::directory_iterator(env.state_dir()))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

std::set<std::string> state_files(const PodnsEnv& env) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(env.state_dir())) names.insert(e.path().filename());
  return names;
}

void expect_nothing(const PodnsEnv& env) {
  EXPECT_EQ(test::mounts_under(env.root() + "/"), std::vector<std::string>{});
  EXPECT_TRUE(fs::is_empty(env.root()));
  EXPECT_EQ(json::parse(podns(env, {"ls", "--json"}).out), json::array());
  EXPECT_EQ(state_files(env),
            (std::set<std::string>{"locks", "podns.db", "podns.db-shm", "podns.db-wal"}));
}

class Soak : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }
};

TEST_F(Soak, AThousandCyclesThroughTheCliLeaveNothingAndAStateUnder4MiB) {
  PodnsEnv env;
  std::uintmax_t largest = 0;
  for (int i = 0; i < kCycles; ++i) {
    std::string id = "soak-" + std::to_string(i);
    // Automatic host ranges on odd cycles: the range table is written too.
    auto c = podns(env, {"create", id, "--userns", i % 2 == 0 ? "0:100000:65536" : "auto"});
    ASSERT_EQ(c.exit_code, 0) << id << ": " << c.err;
    auto r = podns(env, {"rm", id});
    ASSERT_EQ(r.exit_code, 0) << id << ": " << r.err;
    if (i % 50 == 0) largest = std::max(largest, state_size(env));
  }
  largest = std::max(largest, state_size(env));
  EXPECT_LT(largest, kMaxState) << "largest state directory seen";
  expect_nothing(env);
}

TEST_F(Soak, AThousandCyclesInOneProcessLeaveNoFdAndAStateUnder4MiB) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_TRUE(m->create({.id = "warm", .userns = UsernsChoice::automatic(65536), .network = "none"}));
  ASSERT_TRUE(m->remove("warm"));
  const int fds = test::count_fds();
  std::uintmax_t largest = 0;
  for (int i = 0; i < kCycles; ++i) {
    std::string id = "soak-" + std::to_string(i);
    auto s = m->create({.id = id, .userns = UsernsChoice::automatic(65536), .network = "none"});
    ASSERT_TRUE(s) << id << ": " << s.error().message();
    auto r = m->remove(id);
    ASSERT_TRUE(r) << id << ": " << r.error().message();
    if (i % 50 == 0) largest = std::max(largest, state_size(env));
  }
  EXPECT_EQ(test::count_fds(), fds);
  largest = std::max(largest, state_size(env));
  EXPECT_LT(largest, kMaxState) << "largest state directory seen";
  expect_nothing(env);
}

}  // namespace
}  // namespace podns
