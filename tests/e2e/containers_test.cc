// End to end: real runc and crun containers join a pod made by `podns
// create`, configured by `podns spec`, and show from the inside that they
// are in the pod's user and network namespaces, with a /sys of the pod's.
//
// The pod's maps are 0:100000:65536 for uids and 0:200000:65536 for gids,
// different so that a swap shows. Each test has its own pod, runtime state
// directory and bundles, and checks on the way out that nothing is left.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "podns/idmap.h"
#include "podns/json.h"
#include "runtime.h"
#include "testenv.h"

namespace podns::e2e {
namespace {

using nlohmann::json;
using Names = std::vector<std::string>;

constexpr uid_t kPodRootUid = 100000;
constexpr gid_t kPodRootGid = 200000;
const IdMap kUidMap{{0, kPodRootUid, 65536}};
const IdMap kGidMap{{0, kPodRootGid, 65536}};

// The interfaces of the network namespace at `path`, as iproute2 sees them
// from the host: the truth a container's /sys/class/net must match.
Names interfaces_of(const std::string& path) {
  auto r = run({"nsenter", "--net=" + path, "ip", "-o", "link", "show"}, 30s);
  EXPECT_TRUE(r.ok()) << r.describe();
  Names names;
  for (const auto& line : lines(r.out)) {
    // "1: lo: <LOOPBACK,UP> ..." or "5: veth0@if4: ..."
    auto start = line.find(": ");
    auto end = line.find_first_of(":@", start + 2);
    if (start != std::string::npos && end != std::string::npos)
      names.push_back(line.substr(start + 2, end - start - 2));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Names sorted(Names v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string inode_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return "(stat " + path + " failed)";
  return std::to_string(st.st_ino);
}

class Containers : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    rt_ = std::make_unique<Runtime>(GetParam(), work_.path() + "/state");
    if (auto why = rt_->why_not(); !why.empty()) {
      if (test::must_run()) FAIL() << why;
      GTEST_SKIP() << why;
    }
    RecordProperty("runtime_version", rt_->version());
    // The containers run as the pod's root, host uid 100000: it must reach
    // the bundles.
    ASSERT_EQ(::chmod(work_.path().c_str(), 0755), 0);
    auto c = test::podns(
        env_, {"create", "pod", "--uidmap", to_string(kUidMap), "--gidmap", to_string(kGidMap)});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    pod_ = json::parse(c.out);
    ASSERT_TRUE(pod_["userns"].is_string()) << c.out;
  }

  // Nothing is left: no container in our state directory, no cgroup of
  // ours, no host netns of ours; and the pod can be removed, unpinning
  // both namespaces, now that no container holds them.
  void TearDown() override {
    if (!rt_ || pod_.is_null()) return;
    EXPECT_EQ(rt_->list(), Names{});
    for (const auto& id : ids_) EXPECT_EQ(cgroups_of(id), Names{}) << id;
    auto ours = "podns-e2e-" + std::to_string(::getpid()) + "-";
    for (const auto& n : list_dir("/run/netns")) EXPECT_NE(n.rfind(ours, 0), 0u) << n;
    others_.emplace_back("pod");
    for (const auto& id : others_) {
      auto rm = test::podns(env_, {"rm", id});
      EXPECT_EQ(rm.exit_code, 0) << id << ": " << rm.err;
    }
    EXPECT_EQ(test::mounts_under(env_.root() + "/"), Names{});
  }

  std::string pin(const char* which) const { return pod_[which].get<std::string>(); }

  // A bundle whose container runs `sh -c script`, joined to the pod (or to
  // `sandbox`) by the real `podns spec`.
  void pod_bundle(const std::string& script, std::string* dir,
                  const std::vector<Bind>& binds = {}, const std::string& sandbox = "pod") {
    *dir = work_.path() + "/bundle" + std::to_string(bundles_++);
    ASSERT_TRUE(make_bundle(*dir, {"sh", "-c", script}, binds));
    auto s = test::podns(env_, {"spec", sandbox, "--bundle", *dir});
    ASSERT_EQ(s.exit_code, 0) << s.err;
  }

  // Another pod, `podns create ID args...`, removed by TearDown.
  json other_pod(const std::string& id, std::vector<std::string> args) {
    args.insert(args.begin(), {"create", id});
    auto c = test::podns(env_, args);
    EXPECT_EQ(c.exit_code, 0) << c.err;
    if (c.exit_code != 0) return {};
    others_.push_back(id);
    return json::parse(c.out);
  }

  // Runs `script` in a container of sandbox `id`; its output, or "" after
  // recording a failure.
  std::string run_in(const std::string& id, const std::string& script,
                     const std::vector<Bind>& binds = {}) {
    std::string b;
    pod_bundle(script, &b, binds, id);
    if (HasFatalFailure()) return "";
    auto c = container(b);
    auto r = c->run();
    EXPECT_TRUE(r.ok()) << r.describe();
    return r.out;
  }

  // A host directory the pod's root may write in.
  std::string host_dir() {
    auto dir = work_.path() + "/host" + std::to_string(bundles_++);
    EXPECT_EQ(::mkdir(dir.c_str(), 0755), 0);
    EXPECT_EQ(::chown(dir.c_str(), kPodRootUid, kPodRootGid), 0);
    return dir;
  }

  std::unique_ptr<Container> container(const std::string& bundle) {
    auto c = std::make_unique<Container>(*rt_, bundle);
    ids_.push_back(c->id());
    return c;
  }

  test::TempDir work_;
  test::PodnsEnv env_;
  std::unique_ptr<Runtime> rt_;
  json pod_;
  int bundles_ = 0;
  Names ids_;
  Names others_;
};

TEST_P(Containers, SeeThePodsIdMaps) {
  std::string b;
  ASSERT_NO_FATAL_FAILURE(
      pod_bundle("cat /proc/self/uid_map; echo --; cat /proc/self/gid_map", &b));
  auto c = container(b);
  auto r = c->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  auto sep = r.out.find("--\n");
  ASSERT_NE(sep, std::string::npos) << r.out;
  auto uid = parse_kernel_text(r.out.substr(0, sep));
  auto gid = parse_kernel_text(r.out.substr(sep + 3));
  ASSERT_TRUE(uid && gid) << r.out;
  EXPECT_EQ(*uid, kUidMap);
  EXPECT_EQ(*gid, kGidMap);
  EXPECT_EQ(to_json(*uid), pod_["uid_mappings"]);
  EXPECT_EQ(to_json(*gid), pod_["gid_mappings"]);

  // The config says the same as the namespace. runc 1.1 and crun 1.8 take
  // the namespace's maps as they are when joining it; later runtimes check
  // the config's against them and refuse a mismatch.
  auto config = read_config(b);
  auto oci = [](const IdMap& map) {
    json out = json::array();
    for (const auto& m : map)
      out.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
    return out;
  };
  EXPECT_EQ(config["linux"]["uidMappings"], oci(*uid));
  EXPECT_EQ(config["linux"]["gidMappings"], oci(*gid));
}

// The check that tells a container in the pod's netns with the right to
// mount sysfs there from one that got the host's /sys: crun falls back to
// bind-mounting the host's /sys when it cannot mount sysfs.
TEST_P(Containers, SysIsAFreshSysfsOfThePodsNetns) {
  auto pod_ifaces = interfaces_of(pin("netns"));
  EXPECT_EQ(pod_ifaces, Names{"lo"}) << "a pod without a network has only lo";
  ASSERT_NE(list_dir("/sys/class/net"), pod_ifaces)
      << "the host has only lo: the host's /sys and the pod's would look the same";

  std::string b;
  ASSERT_NO_FATAL_FAILURE(pod_bundle("ls /sys/class/net", &b));
  auto c = container(b);
  auto r = c->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(sorted(lines(r.out)), pod_ifaces);
}

TEST_P(Containers, TheirNamespacesAreThePins) {
  // The pins are still what `create` reported.
  ASSERT_EQ(inode_of(pin("netns")), pod_["netns_inode"].dump());
  ASSERT_EQ(inode_of(pin("userns")), pod_["userns_inode"].dump());

  std::string b;
  ASSERT_NO_FATAL_FAILURE(pod_bundle("stat -L -c %i /proc/self/ns/net /proc/self/ns/user", &b));
  auto c = container(b);
  auto r = c->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(lines(r.out), (Names{pod_["netns_inode"].dump(), pod_["userns_inode"].dump()}));
}

TEST_P(Containers, RootInsideIsThePodsRootOutside) {
  auto shared = host_dir();
  std::string b;
  ASSERT_NO_FATAL_FAILURE(
      pod_bundle("id -u; id -g; echo made inside > /mnt/file", &b, {{shared, "/mnt"}}));
  auto c = container(b);
  auto r = c->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(lines(r.out), (Names{"0", "0"}));
  struct stat st;
  ASSERT_EQ(::stat((shared + "/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kPodRootUid);
  EXPECT_EQ(st.st_gid, kPodRootGid);
}

TEST_P(Containers, OfOnePodShareLoopback) {
  // A pod without a network has its lo down; attaching one runs the CNI
  // loopback plugin, which brings it up. Here the test does that itself.
  auto up = run({"nsenter", "--net=" + pin("netns"), "ip", "link", "set", "lo", "up"}, 30s);
  ASSERT_TRUE(up.ok()) << up.describe();
  auto shared = host_dir();
  std::string server_bundle;
  std::string client_bundle;
  // Each side says which netns it is in: the server in the file, the client
  // through the one connection the server takes. The server hands the
  // connection to `cat` rather than copying it to its own stdout: nc would
  // find its stdin (empty) at its end at once and shut its sending side,
  // and the client, seeing that, could leave before it sent anything.
  ASSERT_NO_FATAL_FAILURE(
      pod_bundle("stat -L -c 'server %i' /proc/self/ns/net > /mnt/received;"
                 "exec nc -l -p 7777 -e sh -c 'cat >> /mnt/received'",
                 &server_bundle, {{shared, "/mnt"}}));
  // Retries for up to 10 s while the server comes up.
  ASSERT_NO_FATAL_FAILURE(pod_bundle(
      "i=0; while [ $i -lt 100 ]; do"
      "  stat -L -c 'client %i' /proc/self/ns/net | nc 127.0.0.1 7777 2>/dev/null && exit 0;"
      "  i=$((i+1)); sleep 0.1;"
      "done; echo 'nothing listens on 127.0.0.1:7777'; exit 1",
      &client_bundle));

  auto server = container(server_bundle);
  auto started = server->run_detached();
  ASSERT_TRUE(started.ok()) << started.describe();
  auto client = container(client_bundle);
  auto r = client->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  ASSERT_TRUE(server->wait_stopped(10s)) << "the server's status is " << server->status();
  std::ifstream in(shared + "/received");
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto netns = pod_["netns_inode"].dump();
  EXPECT_EQ(got, "server " + netns + "\nclient " + netns + "\n");
}

TEST_P(Containers, AnyNumberJoinOneAfterAnotherAndAtOnce) {
  std::string b;
  ASSERT_NO_FATAL_FAILURE(pod_bundle("stat -L -c %i /proc/self/ns/net /proc/self/ns/user", &b));
  const Names expected{pod_["netns_inode"].dump(), pod_["userns_inode"].dump()};

  for (int i = 0; i < 3; ++i) {
    auto c = container(b);
    auto r = c->run();
    ASSERT_TRUE(r.ok()) << "container " << i << ": " << r.describe();
    EXPECT_EQ(lines(r.out), expected) << "container " << i;
  }

  // Declared before the processes, so deleted after they are reaped.
  std::vector<std::unique_ptr<Container>> at_once;
  at_once.reserve(4);
  for (int i = 0; i < 4; ++i) at_once.push_back(container(b));
  std::vector<Process> running;
  running.reserve(at_once.size());
  for (const auto& c : at_once) running.push_back(c->start());
  for (std::size_t i = 0; i < running.size(); ++i) {
    auto r = running[i].wait(60s);
    EXPECT_TRUE(r.ok()) << "container " << i << " of those at once: " << r.describe();
    EXPECT_EQ(lines(r.out), expected) << "container " << i << " of those at once";
  }
}

TEST_P(Containers, PodWithoutUsernsJoinsOnlyItsNetns) {
  auto c = test::podns(env_, {"create", "plain", "--no-userns"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto plain = json::parse(c.out);
  std::string b = work_.path() + "/plain";
  ASSERT_TRUE(make_bundle(b, {"sh", "-c",
                              "stat -L -c %i /proc/self/ns/net /proc/self/ns/user; "
                              "cat /proc/self/uid_map"}));
  auto s = test::podns(env_, {"spec", "plain", "--bundle", b});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto config = read_config(b);
  EXPECT_FALSE(config["linux"].contains("uidMappings"));

  auto ctr = container(b);
  auto r = ctr->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 3u) << r.out;
  EXPECT_EQ(out[0], plain["netns_inode"].dump());
  EXPECT_EQ(out[1], inode_of("/proc/self/ns/user")) << "the host's user namespace";
  std::istringstream map(out[2]);
  Names fields{std::istream_iterator<std::string>(map), std::istream_iterator<std::string>()};
  EXPECT_EQ(fields, (Names{"0", "0", "4294967295"})) << "the host's identity map";
  ctr.reset();
  auto rm = test::podns(env_, {"rm", "plain"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
}

// The negative control: the same bundle, with the pod's mappings, but in a
// network namespace made on the host (owned by the host's user namespace)
// and a new user namespace. The container's root then has no right to
// mount sysfs for that netns: runc fails, crun quietly bind-mounts the
// host's /sys, whose class/net lists the host's interfaces.
TEST_P(Containers, HostNetnsWithANewUsernsIsTheNegativeControl) {
  HostNetns netns;
  ASSERT_TRUE(netns.ok()) << netns.made().describe();
  std::string b;
  ASSERT_NO_FATAL_FAILURE(pod_bundle("cat /proc/self/uid_map; ls /sys/class/net", &b));
  auto config = read_config(b);
  ASSERT_EQ(config["linux"]["uidMappings"][0]["hostID"], kPodRootUid);
  for (auto& ns : config["linux"]["namespaces"]) {
    if (ns["type"] == "user") ns.erase("path");
    if (ns["type"] == "network") ns["path"] = netns.path();
  }
  write_config(b, config);
  auto netns_ifaces = interfaces_of(netns.path());
  ASSERT_EQ(netns_ifaces, Names{"lo"});

  auto host_before = list_dir("/sys/class/net");
  ASSERT_NE(host_before, netns_ifaces);
  auto c = container(b);
  auto r = c->run();
  auto host_after = list_dir("/sys/class/net");

  if (GetParam() == "runc") {
    EXPECT_FALSE(r.ok()) << "runc mounted sysfs for a netns its user namespace does not own: "
                         << r.describe();
    EXPECT_NE(r.err.find("sysfs"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("operation not permitted"), std::string::npos) << r.err;
    return;
  }
  ASSERT_EQ(GetParam(), "crun");
  ASSERT_TRUE(r.ok()) << r.describe();
  auto out = lines(r.out);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(parse_kernel_text(out[0]), kUidMap) << "the mappings were applied";
  Names seen = sorted(Names(out.begin() + 1, out.end()));
  EXPECT_NE(seen, netns_ifaces) << "crun mounted a fresh sysfs after all";
  // The host's /sys: everything the host had throughout, nothing it never
  // had (other tests may add or remove host interfaces meanwhile).
  std::set<std::string> always;
  std::set<std::string> ever;
  for (const auto& n : host_before) {
    if (std::ranges::find(host_after, n) != host_after.end()) always.insert(n);
    ever.insert(n);
  }
  ever.insert(host_after.begin(), host_after.end());
  for (const auto& n : always) EXPECT_TRUE(std::count(seen.begin(), seen.end(), n)) << n;
  for (const auto& n : seen) EXPECT_TRUE(ever.count(n)) << n;
}

// Several mapping lines per pod (containerd takes one): the container sees
// them all, its config carries them all, and an ID of the second line
// lands on the second line's host range.
TEST_P(Containers, SeeSeveralMappingLines) {
  const IdMap uid{{0, 400000, 1000}, {1000, 500000, 1000}, {2000, 600000, 63536}};
  const IdMap gid{{0, 410000, 1000}, {1000, 510000, 64536}};
  auto pod = other_pod("multi", {"--uidmap", to_string(uid), "--gidmap", to_string(gid)});
  ASSERT_FALSE(pod.is_null());
  EXPECT_EQ(pod["uid_mappings"], to_json(uid));
  auto owner = test::podns(env_, {"userns-of", pod["netns"]});
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  EXPECT_EQ(json::parse(owner.out)["uid_mappings"], to_json(uid));

  // A host file of 500500:510500 is 1500:1500 inside: on the second lines.
  auto shared = work_.path() + "/multi-shared";
  ASSERT_EQ(::mkdir(shared.c_str(), 0755), 0);
  ASSERT_TRUE(std::ofstream(shared + "/f") << "x");
  ASSERT_EQ(::chown((shared + "/f").c_str(), 500500, 510500), 0);
  auto out = run_in("multi",
                    "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; "
                    "stat -c '%u %g' /mnt/f",
                    {{shared, "/mnt"}});
  auto parts = lines(out);
  auto sep = out.find("--\n");
  ASSERT_NE(sep, std::string::npos) << out;
  auto sep2 = out.find("--\n", sep + 3);
  ASSERT_NE(sep2, std::string::npos) << out;
  EXPECT_EQ(parse_kernel_text(out.substr(0, sep)), uid);
  EXPECT_EQ(parse_kernel_text(out.substr(sep + 3, sep2 - sep - 3)), gid);
  EXPECT_EQ(parts.back(), "1500 1500");
}

TEST_P(Containers, JoinThePodsIpcAndUtsNamespaces) {
  auto pod = other_pod("ipcuts", {"--userns", "0:400000:65536", "--ipc", "--uts", "--hostname",
                                  "pod-ipcuts"});
  ASSERT_FALSE(pod.is_null());
  auto out = lines(run_in("ipcuts", "hostname; stat -L -c %i /proc/self/ns/ipc /proc/self/ns/uts"));
  EXPECT_EQ(out, (Names{"pod-ipcuts", inode_of(pod["ipcns"]), inode_of(pod["utsns"])}));
  EXPECT_NE(inode_of(pod["utsns"]), inode_of("/proc/self/ns/uts"));
}

// No netns of its own: the container is in the host's, and its /sys is the
// host's, bound read-only (the pod's user namespace may not mount sysfs
// for a netns it does not own).
TEST_P(Containers, OfAHostNetworkPodShareTheHostsNetworkReadOnly) {
  auto pod = other_pod("hostnet", {"--userns", "0:400000:65536", "--host-network"});
  ASSERT_FALSE(pod.is_null());
  ASSERT_TRUE(pod["netns"].is_null());
  auto host_ifaces = list_dir("/sys/class/net");
  auto out = lines(run_in("hostnet",
                          "stat -L -c %i /proc/self/ns/net /proc/self/ns/user; "
                          "grep -E '^[^ ]+ /sys ' /proc/mounts | tail -1 | cut -d' ' -f4 | "
                          "cut -d, -f1; ls /sys/class/net"));
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out[0], inode_of("/proc/self/ns/net")) << "the host's netns";
  EXPECT_EQ(out[1], inode_of(pod["userns"])) << "the pod's user namespace";
  EXPECT_EQ(out[2], "ro") << "the options of /sys";
  EXPECT_EQ(sorted(Names(out.begin() + 3, out.end())), host_ifaces);
}

// Read-only all the way down: every mount of the host's /sys that reaches
// the container, as its own /proc/self/mountinfo lists it, has `ro` among
// its per-mount options (with `ro` instead of `rro`, the cgroup hierarchies
// and the other mounts under /sys stay `rw` in runc). A copy of a host
// mount has the host mount's device, root and mount point; the runtime's
// own mounts from the config (its cgroup mount, masked paths) do not, and
// are the runtime's, as in any container (its cgroup v1 tmpfs on
// /sys/fs/cgroup is rw in runc 1.1 and crun 1.8 alike, whatever the pod).
TEST_P(Containers, OfAHostNetworkPodSeeEveryMountUnderSysReadOnly) {
  auto pod = other_pod("hostsys", {"--userns", "0:400000:65536", "--host-network"});
  ASSERT_FALSE(pod.is_null());
  // "DEV ROOT POINT OPTIONS" of each mount at or under /sys.
  const std::string awk =
      "awk '$5 == \"/sys\" || index($5, \"/sys/\") == 1 { print $3, $4, $5, $6 }' "
      "/proc/self/mountinfo";
  auto out = lines(run_in("hostsys", awk));
  std::set<std::string> host;  // "DEV ROOT POINT"
  for (const auto& m : lines(test::run({"sh", "-c", awk}).out)) host.insert(m.substr(0, m.rfind(' ')));
  std::set<std::string> copied;
  for (const auto& m : out) {
    auto key = m.substr(0, m.rfind(' '));
    if (!host.contains(key)) continue;  // the runtime's own
    copied.insert(key);
    auto opts = m.substr(m.rfind(' ') + 1);
    EXPECT_TRUE(opts == "ro" || opts.starts_with("ro,")) << m;
  }
  if (GetParam() == "runc") {
    EXPECT_EQ(copied, host) << "runc binds every host mount under /sys";
  } else {
    // crun 1.8 binds /sys without the mounts under it: none of them
    // reaches the container, read-only or not.
    EXPECT_EQ(copied.size(), 1u);
  }
}

// Whether we have `cap` in our effective set.
bool have_capability(int cap) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CapEff:", 0) == 0) return ((std::stoull(line.substr(7), nullptr, 16) >> cap) & 1U) != 0;
  }
  return false;
}

// Accounting to the pod: the user namespace is owned by host uid 400000,
// and the container works in it as in any other pod.
TEST_P(Containers, RunInAUsernsOwnedByThePod) {
  auto pod = other_pod("owned", {"--userns", "0:400000:65536", "--userns-owned-by-pod"});
  ASSERT_FALSE(pod.is_null());
  EXPECT_EQ(pod["userns_owner_uid"], 400000);
  std::string b;
  ASSERT_NO_FATAL_FAILURE(
      pod_bundle("id -u; stat -L -c %i /proc/self/ns/user; ls /sys/class/net", &b, {}, "owned"));
  // runc sets rlimits from the host with prlimit(2) on the container's
  // process; for a process in a user namespace root does not own, that
  // takes CAP_SYS_RESOURCE, which root lacks on some machines (this one).
  constexpr int kCapSysResource = 24;
  if (GetParam() == "runc" && !have_capability(kCapSysResource)) {
    auto config = read_config(b);
    config["process"].erase("rlimits");
    write_config(b, config);
  }
  auto c = container(b);
  auto r = c->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(lines(r.out), (Names{"0", inode_of(pod["userns"]), "lo"}));
}

// What root in the pod cannot do: join the host's network namespace (even
// with its nsfs file in hand), see the host's interfaces, or read podns's
// state database (even with its directory bound in). The container gets the
// capabilities that would allow all of it within one user namespace, so a
// refusal comes from the pod's user namespace, not from a missing
// capability: joining its own netns, the control, works.
TEST_P(Containers, RootInsideCannotReachTheHost) {
  ASSERT_NE(list_dir("/sys/class/net"), Names{"lo"}) << "the host must have more than lo";
  std::string b;
  auto host_net = "/proc/" + std::to_string(::getpid()) + "/ns/net";
  ASSERT_NO_FATAL_FAILURE(pod_bundle(
      "if nsenter --net=/proc/self/ns/net true; then echo own; fi; "
      "if nsenter --net=/hostnet true 2>/dev/null; then echo joined; else echo refused; fi; "
      "ls /sys/class/net; echo --; ip -o link show | cut -d: -f2; echo --; "
      "if cat /state/podns.db >/dev/null 2>&1; then echo read; else echo unreadable; fi; "
      "if ls /state >/dev/null 2>&1; then echo listed; else echo unlisted; fi",
      &b, {{host_net, "/hostnet"}, {env_.state_dir(), "/state"}}));
  // The mount points, made here: the pod's root may not write the rootfs.
  ASSERT_TRUE(std::ofstream(b + "/rootfs/hostnet"));
  ASSERT_EQ(::mkdir((b + "/rootfs/state").c_str(), 0755), 0);
  auto config = read_config(b);
  for (const char* set : {"bounding", "effective", "permitted"}) {
    for (const char* cap : {"CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"})
      config["process"]["capabilities"][set].push_back(cap);
  }
  write_config(b, config);
  auto c = container(b);
  auto r = c->run();
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(lines(r.out), (Names{"own", "refused", "lo", "--", " lo", "--", "unreadable", "unlisted"}));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, Containers, ::testing::ValuesIn(kRuntimes),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace podns::e2e
