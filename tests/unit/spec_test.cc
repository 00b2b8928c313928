#include "podns/spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace podns {
namespace {

using Json = nlohmann::ordered_json;

Sandbox pod(bool userns = true) {
  Sandbox s;
  s.id = "web-1";
  s.state = SandboxState::ready;
  s.root = "/run/podns";
  s.has_userns = userns;
  if (userns) {
    s.uid_map = {{0, 100000, 65536}};
    s.gid_map = {{0, 200000, 65536}};
  }
  return s;
}

// A config as `runc spec` makes it, trimmed, with a user namespace and a
// network namespace of its own to be replaced.
const char* kConfig = R"({
  "ociVersion": "1.0.2-dev",
  "process": {"terminal": false, "args": ["sh"]},
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "runc",
  "linux": {
    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
    "namespaces": [
      {"type": "pid"},
      {"type": "network", "path": "/run/netns/other"},
      {"type": "ipc"},
      {"type": "user"},
      {"type": "uts"},
      {"type": "mount"},
      {"type": "network"}
    ],
    "maskedPaths": ["/proc/kcore"]
  }
})";

Json join(const std::string& config, const Sandbox& s) {
  auto out = spec::join_sandbox(config, s);
  EXPECT_TRUE(out) << out.error().message();
  if (!out) return {};
  EXPECT_EQ(out->back(), '\n');
  return Json::parse(*out);
}

TEST(Spec, ReplacesUserAndNetworkEntriesAndKeepsTheOthersInOrder) {
  auto j = join(kConfig, pod());
  auto expected = Json::parse(R"([
    {"type": "pid"},
    {"type": "ipc"},
    {"type": "uts"},
    {"type": "mount"},
    {"type": "user", "path": "/run/podns/web-1/user"},
    {"type": "network", "path": "/run/podns/web-1/net"}
  ])");
  EXPECT_EQ(j["linux"]["namespaces"], expected);
}

TEST(Spec, SetsThePodsMapsInTheOciForm) {
  auto j = join(kConfig, pod());
  EXPECT_EQ(j["linux"]["uidMappings"],
            Json::parse(R"([{"containerID": 0, "hostID": 100000, "size": 65536}])"));
  EXPECT_EQ(j["linux"]["gidMappings"],
            Json::parse(R"([{"containerID": 0, "hostID": 200000, "size": 65536}])"));
}

TEST(Spec, SeveralMappingLinesKeepTheirOrder) {
  Sandbox s = pod();
  s.uid_map = {{0, 100000, 1000}, {1000, 300000, 10}, {2000, 400000, 5}};
  s.gid_map = {{0, 200000, 1}, {1, 500000, 9}};
  auto j = join(kConfig, s);
  EXPECT_EQ(j["linux"]["uidMappings"], Json::parse(R"([
    {"containerID": 0, "hostID": 100000, "size": 1000},
    {"containerID": 1000, "hostID": 300000, "size": 10},
    {"containerID": 2000, "hostID": 400000, "size": 5}])"));
  EXPECT_EQ(j["linux"]["gidMappings"], Json::parse(R"([
    {"containerID": 0, "hostID": 200000, "size": 1},
    {"containerID": 1, "hostID": 500000, "size": 9}])"));
}

TEST(Spec, HighestIdsAreWrittenAsUnsignedNumbers) {
  Sandbox s = pod();
  s.uid_map = {{4294967294u, 4294967294u, 1}};
  auto j = join(kConfig, s);
  EXPECT_EQ(j["linux"]["uidMappings"][0]["hostID"].get<std::uint64_t>(), 4294967294u);
}

TEST(Spec, PodWithoutUsernsGetsOnlyTheNetwork) {
  const auto* text = R"({"linux": {
    "uidMappings": [],
    "gidMappings": null,
    "namespaces": [{"type": "mount"}, {"type": "network"}]}})";
  auto j = join(text, pod(false));
  EXPECT_EQ(j["linux"]["namespaces"], Json::parse(R"([
    {"type": "mount"},
    {"type": "network", "path": "/run/podns/web-1/net"}])"));
  EXPECT_FALSE(j["linux"].contains("uidMappings"));
  EXPECT_FALSE(j["linux"].contains("gidMappings"));
}

// A config that asks for a user namespace, joined to a pod without one,
// would run its container as the host's real root: refused, not dropped.
TEST(Spec, PodWithoutUsernsRefusesAConfigThatAsksForOne) {
  struct Case {
    const char* config;
    const char* why;
  };
  for (const auto& c : std::vector<Case>{
           {R"({"linux": {"namespaces": [{"type": "mount"}, {"type": "user"}]}})",
            R"(a "user" entry in linux.namespaces)"},
           {R"({"linux": {"namespaces": [{"type": "user", "path": "/proc/1/ns/user"}]}})",
            R"(a "user" entry in linux.namespaces)"},
           {R"({"linux": {"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}})",
            "linux.uidMappings"},
           {R"({"linux": {"namespaces": [], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}})",
            "linux.gidMappings"},
       }) {
    SCOPED_TRACE(c.config);
    auto r = spec::join_sandbox(c.config, pod(false));
    ASSERT_FALSE(r) << *r;
    EXPECT_FALSE(r.error().is_invalid_input()) << "an operation refused, exit 1";
    EXPECT_EQ(r.error().errno_value(), EPERM);
    EXPECT_EQ(r.error().message(),
              std::string("sandbox web-1 has no user namespace, but the config asks for one (") +
                  c.why +
                  "): the container would run as the host's root; create the pod with a user "
                  "namespace, or remove the request from the config");
  }
  // The same configs join a pod with a user namespace.
  EXPECT_TRUE(spec::join_sandbox(R"({"linux": {"namespaces": [{"type": "user"}]}})", pod()));
}

TEST(Spec, EverythingElseIsKeptInItsOrder) {
  auto j = join(kConfig, pod());
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "process", "root", "hostname", "linux"}));
  EXPECT_EQ(j["process"], Json::parse(R"({"terminal": false, "args": ["sh"]})"));
  EXPECT_EQ(j["root"], Json::parse(R"({"path": "rootfs", "readonly": true})"));
  EXPECT_EQ(j["linux"]["maskedPaths"], Json::parse(R"(["/proc/kcore"])"));
  std::vector<std::string> linux_keys;
  for (const auto& [k, v] : j["linux"].items()) linux_keys.push_back(k);
  EXPECT_EQ(linux_keys,
            (std::vector<std::string>{"uidMappings", "namespaces", "maskedPaths", "gidMappings"}));
}

// The hostname before "linux", as `runc spec` writes it: erasing it must
// not disturb the rewrite of "linux" (it once did, through a reference into
// the ordered object that the erase moved).
TEST(Spec, PodWithIpcAndUtsJoinsThemAndDropsTheHostname) {
  Sandbox s = pod();
  s.ipcns = nsfs::NsId{1, 2};
  s.utsns = nsfs::NsId{1, 3};
  auto j = join(kConfig, s);
  EXPECT_FALSE(j.contains("hostname"));
  EXPECT_EQ(j["linux"]["namespaces"], Json::parse(R"([
    {"type": "pid"},
    {"type": "mount"},
    {"type": "user", "path": "/run/podns/web-1/user"},
    {"type": "network", "path": "/run/podns/web-1/net"},
    {"type": "ipc", "path": "/run/podns/web-1/ipc"},
    {"type": "uts", "path": "/run/podns/web-1/uts"}])"));
  EXPECT_EQ(j["linux"]["uidMappings"][0]["hostID"], 100000);
  EXPECT_EQ(j["linux"]["maskedPaths"], Json::parse(R"(["/proc/kcore"])"));
}

TEST(Spec, NoNamespacesArrayGetsOne) {
  auto j = join(R"({"linux": {}})", pod());
  EXPECT_EQ(j["linux"]["namespaces"], Json::parse(R"([
    {"type": "user", "path": "/run/podns/web-1/user"},
    {"type": "network", "path": "/run/podns/web-1/net"}])"));
}

TEST(Spec, RewritingTwiceChangesNothingMore) {
  auto once = spec::join_sandbox(kConfig, pod());
  ASSERT_TRUE(once);
  auto twice = spec::join_sandbox(*once, pod());
  ASSERT_TRUE(twice);
  EXPECT_EQ(*once, *twice);
}

void expect_invalid(const std::string& config, const std::string& says) {
  auto out = spec::join_sandbox(config, pod());
  ASSERT_FALSE(out) << config;
  EXPECT_TRUE(out.error().is_invalid_input()) << out.error().message();
  EXPECT_NE(out.error().message().find(says), std::string::npos) << out.error().message();
}

TEST(Spec, InvalidConfigsAreInvalidInput) {
  expect_invalid("", "not valid JSON");
  expect_invalid("{\"linux\": {}", "not valid JSON");
  expect_invalid("{\"linux\": {}} trailing", "not valid JSON");
  expect_invalid("[]", "not a JSON object");
  expect_invalid("\"linux\"", "not a JSON object");
  expect_invalid("{}", "no \"linux\" object");
  expect_invalid(R"({"linux": []})", "no \"linux\" object");
  expect_invalid(R"({"linux": {"namespaces": {}}})", "not an array");
  expect_invalid(R"({"linux": {"namespaces": [{"type": "pid"}, "net"]}})", "namespaces[1]");
  expect_invalid(R"({"linux": {"namespaces": [{"path": "/x"}]}})", "string \"type\"");
  expect_invalid(R"({"linux": {"namespaces": [{"type": 7}]}})", "string \"type\"");
  expect_invalid(std::string(1000, '[') + std::string(1000, ']'), "nested deeper");
}

TEST(Spec, ParseErrorsSayWhere) {
  auto out = spec::join_sandbox("{\n  \"linux\": {,}\n}", pod());
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message().find("line 2"), std::string::npos) << out.error().message();
  EXPECT_EQ(out.error().message().find("json.exception"), std::string::npos);
}

// Found by fuzz/spec.cc: the JSON parser reports a number beyond a double as
// out_of_range, not parse_error, and that exception escaped join_sandbox
// (`podns spec` aborted).
TEST(Spec, ANumberBeyondADoubleIsInvalidInput) {
  expect_invalid(R"({"linux": {}, "x": 2e308})", "number overflow parsing '2e308'");
  expect_invalid(R"({"linux": {"namespaces": [], "n": -1e400}})", "number overflow");
}

// Found by fuzz/spec.cc: a mount whose destination is not a string made the
// host-network rewrite throw (`podns spec` aborted). Such a mount is kept.
TEST(Spec, HostNetworkPodKeepsMountsWhoseDestinationIsNotAString) {
  Sandbox s = pod();
  s.host_network = true;
  auto j = join(R"({"linux": {}, "mounts": [
    {"destination": 7},
    {"destination": ["/sys"]},
    {"type": "tmpfs"},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs"}]})",
                s);
  EXPECT_EQ(j["mounts"][0], Json::parse(R"({"destination": 7})"));
  EXPECT_EQ(j["mounts"][1], Json::parse(R"({"destination": ["/sys"]})"));
  EXPECT_EQ(j["mounts"][2], Json::parse(R"({"type": "tmpfs"})"));
  EXPECT_EQ(j["mounts"][3]["type"], "bind");
}

// The host's /sys is bound recursively read-only (`rro`), not `ro`, which
// leaves every mount under /sys writable.
TEST(Spec, HostNetworkPodGetsTheHostsSysRecursivelyReadOnly) {
  Sandbox s = pod();
  s.host_network = true;
  auto j = join(R"({"linux": {}, "mounts": [
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro"]}]})",
                s);
  EXPECT_EQ(j["mounts"][0], Json::parse(R"({"destination": "/sys", "type": "bind",
    "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "rro"]})"));
}

TEST(Spec, OnlyAReadySandboxCanBeJoined) {
  for (auto st : {SandboxState::creating, SandboxState::stopped, SandboxState::notready,
                  SandboxState::removing, SandboxState::unknown}) {
    Sandbox s = pod();
    s.state = st;
    auto out = spec::join_sandbox(kConfig, s);
    ASSERT_FALSE(out) << to_string(st);
    EXPECT_FALSE(out.error().is_invalid_input());
    EXPECT_NE(out.error().message().find(std::string("is ") + to_string(st)), std::string::npos)
        << out.error().message();
  }
}

TEST(Spec, ABrokenSandboxMapIsRefused) {
  Sandbox s = pod();
  s.uid_map.clear();
  auto out = spec::join_sandbox(kConfig, s);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message().find("uid map"), std::string::npos) << out.error().message();
}

}  // namespace
}  // namespace podns
