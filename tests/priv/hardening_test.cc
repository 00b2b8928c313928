// Hostile input to the namespace core: each attempt gets a clear error and
// leaves the host as it was.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;

class Hardening : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }
};

void expect_empty(const PodnsEnv& env) {
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
  EXPECT_EQ(json::parse(podns(env, {"ls", "--json"}).out), json::array());
}

TEST_F(Hardening, MappingHostRootIsRefusedUnlessAllowed) {
  PodnsEnv env;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"create", "r", "--userns", "0:0:65536"},
           {"create", "r", "--userns", "0:100000:10,10:0:1"},
           {"create", "r", "--uidmap", "0:100000:65536", "--gidmap", "0:0:1"}}) {
    auto r = podns(env, args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--allow-host-root"), std::string::npos) << r.err;
    expect_empty(env);
  }
  auto ok = podns(env, {"create", "r", "--userns", "0:0:65536", "--allow-host-root"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// An automatic range obeys the same rule, checked when it is chosen: from a
// pool that starts at 0, the first range holds host uid and gid 0.
TEST_F(Hardening, AnAutomaticRangeHoldingHostRootIsRefusedUnlessAllowed) {
  PodnsEnv env;
  for (std::string userns : {"auto", "auto:1"}) {
    auto r = podns(env, {"--auto-pool-first", "0", "create", "r", "--userns", userns});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("automatic range 0:0:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--allow-host-root"), std::string::npos) << r.err;
    expect_empty(env);
    EXPECT_FALSE(std::filesystem::exists(env.root() + "/r"));
  }
  auto ok = podns(env, {"--auto-pool-first", "0", "create", "r", "--userns", "auto:10",
                        "--allow-host-root"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out)["uid_mappings"],
            json::parse(R"([{"container_id":0,"host_id":0,"size":10}])"));
  // Above that range the pool no longer holds host root: no flag needed.
  auto above = podns(env, {"--auto-pool-first", "0", "create", "s", "--userns", "auto:10"});
  ASSERT_EQ(above.exit_code, 0) << above.err;
  EXPECT_EQ(json::parse(above.out)["gid_mappings"][0]["host_id"], 10);
}

TEST_F(Hardening, OverlappingHostRangesAreRefusedUnlessAllowed) {
  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "a", "--userns", "0:100000:65536"}).exit_code, 0);
  for (std::string maps : {"0:100000:1", "0:165535:10", "0:50000:50001", "0:90000:200000"}) {
    auto r = podns(env, {"create", "b", "--userns", maps});
    EXPECT_EQ(r.exit_code, 1) << maps;
    EXPECT_NE(r.err.find("overlaps sandbox a"), std::string::npos) << maps << ": " << r.err;
  }
  // Only the gid side overlapping is refused too.
  auto gid = podns(env, {"create", "b", "--uidmap", "0:300000:10", "--gidmap", "0:100005:1"});
  EXPECT_EQ(gid.exit_code, 1);
  EXPECT_NE(gid.err.find("gid range"), std::string::npos) << gid.err;
  // Adjacent is fine.
  EXPECT_EQ(podns(env, {"create", "c", "--userns", "0:165536:65536"}).exit_code, 0);
  EXPECT_EQ(podns(env, {"create", "d", "--userns", "0:100000:65536", "--allow-overlap"}).exit_code, 0);
  // A range freed by rm can be used again.
  EXPECT_EQ(podns(env, {"rm", "a"}).exit_code, 0);
  EXPECT_EQ(podns(env, {"rm", "d"}).exit_code, 0);
  EXPECT_EQ(podns(env, {"create", "e", "--userns", "0:100000:65536"}).exit_code, 0);
}

TEST_F(Hardening, SymlinkedOrOpenRootAndStateDirsAreRefused) {
  test::TempDir dir;
  const std::string real = dir.path() + "/real";
  ASSERT_EQ(::mkdir(real.c_str(), 0700), 0);
  ASSERT_EQ(::symlink(real.c_str(), (dir.path() + "/link").c_str()), 0);
  const std::string open_dir = dir.path() + "/open";
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
  const std::string cli = test::podns_cli();
  struct Case {
    std::string root, state, says;
  };
  for (const auto& c : std::vector<Case>{
           {dir.path() + "/link/root", real + "/state", "is a symlink"},
           {real + "/root", dir.path() + "/link/state", "is a symlink"},
           {open_dir + "/root", real + "/state", "writable by group or others"},
           {real + "/root", open_dir + "/state", "writable by group or others"},
           {real + "/../x/root", real + "/state", ".. components"},
       }) {
    auto r = test::run({cli, "--root", c.root, "--state-dir", c.state, "create", "p", "--no-userns", "--network", "none"});
    EXPECT_EQ(r.exit_code == 1 || r.exit_code == 2, true) << c.root << " " << c.state;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  EXPECT_TRUE(test::mounts_under(dir.path() + "/").empty());
  EXPECT_FALSE(std::filesystem::exists(open_dir + "/root"));
}

TEST_F(Hardening, ForeignMountAtAPinIsLeftAloneAndReported) {
  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "f", "--userns", "0:100000:65536"}).exit_code, 0);
  const std::string pin = env.root() + "/f/net";
  // Someone stacks another namespace over our pin.
  ASSERT_EQ(::mount("/proc/self/ns/net", pin.c_str(), nullptr, MS_BIND, nullptr), 0);
  auto r = podns(env, {"rm", "f"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("other than the recorded one"), std::string::npos) << r.err;
  // Left alone: still mounted; the sandbox is kept, marked unknown.
  EXPECT_EQ(test::mounts_under(pin).size(), 2u);
  auto j = json::parse(podns(env, {"inspect", "f"}).out);
  EXPECT_EQ(j["state"], "unknown");
  // Once the foreign mount is gone, rm finishes.
  ASSERT_EQ(::umount2(pin.c_str(), 0), 0);
  EXPECT_EQ(podns(env, {"rm", "f"}).exit_code, 0);
  expect_empty(env);
}

// A symlink at ROOT/ID, placed before create or swapped in for the pod's
// directory before rm, is never followed: nothing is mounted or unmounted
// where it points, and the error says so.
TEST_F(Hardening, SymlinkAtThePodDirectoryIsNeverFollowed) {
  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "a", "--userns", "0:100000:65536"}).exit_code, 0);
  test::TempDir elsewhere;
  const std::string link = env.root() + "/s";

  // Before: create finds the name taken and mounts nothing through it.
  ASSERT_EQ(::symlink(elsewhere.path().c_str(), link.c_str()), 0);
  auto c = podns(env, {"create", "s", "--userns", "0:300000:65536"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find(link), std::string::npos) << c.err;
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere.path()));
  EXPECT_TRUE(test::mounts_under(elsewhere.path() + "/").empty());
  EXPECT_TRUE(std::filesystem::is_symlink(link)) << "not ours: left as it was";
  ASSERT_EQ(::unlink(link.c_str()), 0);

  // During: the pod's directory is moved away and a symlink put in its
  // place, pointing at a directory with a namespace mounted as "net".
  const std::string dir = env.root() + "/a";
  ASSERT_EQ(::rename(dir.c_str(), (dir + ".moved").c_str()), 0);
  ASSERT_EQ(::symlink(elsewhere.path().c_str(), dir.c_str()), 0);
  const std::string decoy = elsewhere.path() + "/net";
  ASSERT_TRUE(std::ofstream(decoy));
  ASSERT_EQ(::mount("/proc/self/ns/net", decoy.c_str(), nullptr, MS_BIND, nullptr), 0);
  auto rm = podns(env, {"rm", "a"});
  EXPECT_EQ(rm.exit_code, 1);
  EXPECT_NE(rm.err.find(dir), std::string::npos) << rm.err;
  EXPECT_EQ(test::mounts_under(decoy).size(), 1u) << "the decoy was unmounted";
  EXPECT_EQ(json::parse(podns(env, {"inspect", "a"}).out)["state"], "unknown");
  ASSERT_EQ(::umount2(decoy.c_str(), MNT_DETACH), 0);

  // Put back, rm finishes.
  ASSERT_EQ(::unlink(dir.c_str()), 0);
  ASSERT_EQ(::rename((dir + ".moved").c_str(), dir.c_str()), 0);
  EXPECT_EQ(podns(env, {"rm", "a"}).exit_code, 0);
  expect_empty(env);
}

TEST_F(Hardening, FilesAreNotReadableByOthers) {
  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "m", "--userns", "0:100000:65536"}).exit_code, 0);
  struct stat st;
  ASSERT_EQ(::stat((env.state_dir() + "/podns.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(env.state_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(env.root().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0711u, 0u);
}

}  // namespace
}  // namespace podns
