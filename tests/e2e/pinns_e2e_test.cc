// End to end: a pod's namespaces made by podns under the name `pinns`, with
// the command line and pin files CRI-O makes, joined by real runc and crun
// containers configured as CRI-O configures them (each namespace by the
// path of its pin, the pod's maps in the config). The container sees a
// fresh sysfs of the pod's netns, only `lo`, and the pins' namespaces; after
// the container is gone, CRI-O's removal leaves no mount.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "crio.h"
#include "runtime.h"
#include "testenv.h"

namespace podns::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Names = std::vector<std::string>;

const IdMap kUidMap{{0, 100000, 65536}};
const IdMap kGidMap{{0, 200000, 65536}};

std::string inode_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return "(stat " + path + " failed)";
  return std::to_string(st.st_ino);
}

json oci_map(const IdMap& map) {
  json out = json::array();
  for (const auto& m : map) {
    out.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  }
  return out;
}

class PinnsContainers : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    rt_ = std::make_unique<Runtime>(GetParam(), work_.path() + "/state");
    if (auto why = rt_->why_not(); !why.empty()) {
      if (test::must_run()) FAIL() << why;
      GTEST_SKIP() << why;
    }
    // The container runs as the pod's root, host uid 100000: it must reach the bundle.
    ASSERT_EQ(::chmod(work_.path().c_str(), 0755), 0);
    dir_ = work_.path() + "/crio/ns";
    std::string pinns = work_.path() + "/pinns";
    fs::create_symlink(test::podns_cli(), pinns);
    ASSERT_NO_FATAL_FAILURE(test::crio_prepare(dir_, "pod", pod_));
    auto args = test::crio_args(dir_, "pod", pod_);
    args.insert(args.begin(), pinns);
    auto r = test::run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    made_ = true;
  }

  void TearDown() override {
    if (!made_) return;
    EXPECT_EQ(rt_->list(), Names{});
    test::crio_remove(dir_, "pod", pod_);
    EXPECT_EQ(test::mounts_under(work_.path() + "/"), Names{});
  }

  std::string pin(const std::string& type) const { return test::pin_of(dir_, type, "pod"); }

  test::TempDir work_;
  test::CrioPod pod_{.maps = nsfs::Maps{kUidMap, kGidMap},
                     .sysctls = {{"net.ipv4.ping_group_range", "0 65535"}}};
  std::unique_ptr<Runtime> rt_;
  std::string dir_;
  bool made_ = false;
};

TEST_P(PinnsContainers, SeeAFreshSysfsWithOnlyLoAndThePinnedNamespaces) {
  std::string b = work_.path() + "/bundle";
  ASSERT_TRUE(make_bundle(b, {"sh", "-c",
                              "ls /sys/class/net; echo --; stat -L -c %i /proc/self/ns/user "
                              "/proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts; id -u; "
                              "cat /proc/sys/net/ipv4/ping_group_range"}));
  auto config = read_config(b);
  // As CRI-O's ConfigureGeneratorGivenNamespacePaths: each pinned type
  // joined by its path, the rest (pid, mount) new.
  const std::vector<std::pair<std::string, std::string>> joined{
      {"user", "user"}, {"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}};
  json namespaces = json::array();
  for (const auto& ns : config["linux"]["namespaces"]) {
    bool replaced = false;
    for (const auto& [oci, type] : joined) {
      replaced = replaced || ns["type"] == oci;
    }
    if (!replaced) namespaces.push_back(ns);
  }
  for (const auto& [oci, type] : joined) {
    namespaces.push_back({{"type", oci}, {"path", pin(type)}});
  }
  config["linux"]["namespaces"] = namespaces;
  config["linux"]["uidMappings"] = oci_map(kUidMap);
  config["linux"]["gidMappings"] = oci_map(kGidMap);
  write_config(b, config);

  ASSERT_NE(list_dir("/sys/class/net"), Names{"lo"})
      << "the host has only lo: the host's /sys and the pod's would look the same";
  {
    Container c(*rt_, b);
    auto r = c.run();
    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(lines(r.out), (Names{"lo", "--", inode_of(pin("user")), inode_of(pin("net")),
                                   inode_of(pin("ipc")), inode_of(pin("uts")), "0", "0\t65535"}));
  }
}

INSTANTIATE_TEST_SUITE_P(Runtimes, PinnsContainers, ::testing::ValuesIn(kRuntimes),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace podns::e2e
