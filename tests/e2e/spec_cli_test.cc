// `podns spec` as a user runs it: stdin to stdout, a bundle rewritten in
// place, and errors that leave the bundle as it was.
#include <sys/mount.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runtime.h"
#include "testenv.h"

namespace podns::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::podns;

const char* kConfig =
    R"({"ociVersion": "1.0.2", "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}]}})";

class SpecCli : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    auto c = podns(env_, {"create", "pod", "--userns", "0:100000:65536"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    pod_ = json::parse(c.out);
    bundle_ = dir_.path() + "/bundle";
    fs::create_directory(bundle_);
  }

  void write_config(const std::string& text, fs::perms mode = fs::perms(0644)) {
    std::ofstream(config()) << text;
    fs::permissions(config(), mode);
  }
  std::string config() const { return bundle_ + "/config.json"; }
  std::string read_config_text() const {
    std::ifstream in(config());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  test::TempDir dir_;
  test::PodnsEnv env_;
  json pod_;
  std::string bundle_;
};

json expected_namespaces(const json& pod) {
  return json::array({{{"type", "pid"}},
                      {{"type", "user"}, {"path", pod["userns"]}},
                      {{"type", "network"}, {"path", pod["netns"]}}});
}

TEST_F(SpecCli, StdinToStdout) {
  auto r = podns(env_, {"spec", "pod"}, kConfig);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto j = json::parse(r.out);
  EXPECT_EQ(j["ociVersion"], "1.0.2");
  EXPECT_EQ(j["linux"]["namespaces"], expected_namespaces(pod_));
  EXPECT_EQ(j["linux"]["uidMappings"],
            json::parse(R"([{"containerID": 0, "hostID": 100000, "size": 65536}])"));
  EXPECT_EQ(j["linux"]["gidMappings"], j["linux"]["uidMappings"]);
}

TEST_F(SpecCli, BundleIsRewrittenInPlaceKeepingItsMode) {
  write_config(kConfig, fs::perms(0600));
  auto before = fs::status(config());
  struct stat old_st;
  ASSERT_EQ(::stat(config().c_str(), &old_st), 0);
  auto r = podns(env_, {"spec", "pod", "--bundle", bundle_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto j = json::parse(read_config_text());
  EXPECT_EQ(j["linux"]["namespaces"], expected_namespaces(pod_));
  EXPECT_EQ(fs::status(config()).permissions(), before.permissions());
  struct stat st;
  ASSERT_EQ(::stat(config().c_str(), &st), 0);
  EXPECT_NE(st.st_ino, old_st.st_ino) << "replaced by a rename";
  EXPECT_EQ(list_dir(bundle_), std::vector<std::string>{"config.json"});
  // Again: the same result.
  auto first = read_config_text();
  ASSERT_EQ(podns(env_, {"spec", "pod", "--bundle", bundle_}).exit_code, 0);
  EXPECT_EQ(read_config_text(), first);
}

TEST_F(SpecCli, BadConfigIsAUsageErrorAndChangesNothing) {
  for (std::string bad : {"not json", "{}", R"({"linux": {"namespaces": 1}})", ""}) {
    write_config(bad);
    auto r = podns(env_, {"spec", "pod", "--bundle", bundle_});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_EQ(r.err.rfind("podns: spec: " + config() + ": config", 0), 0u) << r.err;
    EXPECT_EQ(read_config_text(), bad);
    EXPECT_EQ(list_dir(bundle_), std::vector<std::string>{"config.json"});

    auto piped = podns(env_, {"spec", "pod"}, bad);
    EXPECT_EQ(piped.exit_code, 2) << bad << ": " << piped.err;
    EXPECT_EQ(piped.out, "");
  }
}

TEST_F(SpecCli, UnknownSandboxOrMissingConfigFails) {
  write_config(kConfig);
  auto unknown = podns(env_, {"spec", "nope", "--bundle", bundle_});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "podns: no sandbox nope\n");
  EXPECT_EQ(read_config_text(), kConfig);

  auto missing = podns(env_, {"spec", "pod", "--bundle", dir_.path() + "/nowhere"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find(dir_.path() + "/nowhere"), std::string::npos) << missing.err;

  fs::rename(config(), bundle_ + "/real.json");
  fs::create_symlink("real.json", config());
  auto link = podns(env_, {"spec", "pod", "--bundle", bundle_});
  EXPECT_EQ(link.exit_code, 1);
  EXPECT_NE(link.err.find("symbolic link"), std::string::npos) << link.err;
  EXPECT_TRUE(fs::is_symlink(config()));

  auto no_id = podns(env_, {"spec"});
  EXPECT_EQ(no_id.exit_code, 2);
  // No input: podns stops before reading it, and writing it could raise SIGPIPE here.
  auto bad_id = podns(env_, {"spec", "../x"});
  EXPECT_EQ(bad_id.exit_code, 2) << bad_id.err;
}

// A full file system fails the write of the new file: the old one stays,
// and the new one is removed.
TEST_F(SpecCli, FullFileSystemLeavesTheOriginal) {
  ASSERT_EQ(::mount("tmpfs", bundle_.c_str(), "tmpfs", 0, "size=64k"), 0) << std::strerror(errno);
  std::string big =
      R"({"linux": {}, "annotations": {"filler": ")" + std::string(40000, 'x') + "\"}}";
  write_config(big);
  auto r = podns(env_, {"spec", "pod", "--bundle", bundle_});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(read_config_text(), big);
  EXPECT_EQ(list_dir(bundle_), std::vector<std::string>{"config.json"});
  ASSERT_EQ(::umount2(bundle_.c_str(), MNT_DETACH), 0);
}

TEST_F(SpecCli, PodWithoutUserns) {
  auto c = podns(env_, {"create", "plain", "--no-userns"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto plain = json::parse(c.out);
  auto r = podns(env_, {"spec", "plain"},
                 R"({"linux": {"uidMappings": [], "namespaces": [{"type": "pid"}]}})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["linux"], json::parse(R"({"namespaces": [{"type": "pid"}, {"type": "network", "path": )" +
                                    plain["netns"].dump() + "}]}"));
}

// A bundle that asks for a user namespace, joined to a pod without one: its
// container would run as the host's real root. Refused (exit 1, saying why),
// the bundle left byte for byte as it was; on stdin, nothing is written.
TEST_F(SpecCli, PodWithoutUsernsRefusesABundleThatAsksForOne) {
  auto c = podns(env_, {"create", "plain", "--no-userns"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const std::string text :
       {R"({"linux": {"namespaces": [{"type": "pid"}, {"type": "user"}]}})",
        R"({"linux": {"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 1}],
            "namespaces": [{"type": "pid"}]}})"}) {
    SCOPED_TRACE(text);
    write_config(text);
    auto r = podns(env_, {"spec", "plain", "--bundle", bundle_});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("sandbox plain has no user namespace, but the config asks for one"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("the container would run as the host's root"), std::string::npos) << r.err;
    EXPECT_EQ(read_config_text(), text);
    auto piped = podns(env_, {"spec", "plain"}, text);
    EXPECT_EQ(piped.exit_code, 1) << piped.err;
    EXPECT_EQ(piped.out, "");
  }
}

TEST_F(SpecCli, AStoppedSandboxCannotBeJoined) {
  write_config(kConfig);
  auto stop = podns(env_, {"stop", "pod"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  auto r = podns(env_, {"spec", "pod", "--bundle", bundle_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("sandbox pod is stopped, not ready"), std::string::npos) << r.err;
  EXPECT_EQ(read_config_text(), kConfig);
}

TEST_F(SpecCli, Help) {
  auto r = podns(env_, {"spec", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--bundle"), std::string::npos) << r.out;
  auto top = podns(env_, {"--help"});
  EXPECT_NE(top.out.find("spec"), std::string::npos) << top.out;
}

}  // namespace
}  // namespace podns::e2e
