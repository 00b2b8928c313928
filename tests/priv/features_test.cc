// Pod options beyond the user and network namespaces: IPC and UTS
// namespaces, host-network pods, network sysctls and their defaults.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "podns/nsfs.h"
#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;

class Features : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }
};

// Reads `file` in a child that joined the namespaces at `joins` ({path, CLONE_NEW*}).
std::string read_in(const std::vector<std::pair<std::string, int>>& joins, const std::string& file) {
  std::string out;
  int rc = test::in_child([&](std::string& o) {
    for (const auto& [path, type] : joins) {
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, type) < 0) return 1;
    }
    std::ifstream in(file);
    std::getline(in, o, '\0');
    return in.bad() ? 2 : 0;
  }, &out);
  EXPECT_EQ(rc, 0) << file;
  return out;
}

TEST_F(Features, IpcAndUtsNamespacesAreOwnedByThePodsUserns) {
  PodnsEnv env;
  auto c = podns(env, {"create", "p", "--userns", "0:100000:65536", "--ipc", "--uts", "--hostname",
                       "pod-p"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  auto user = nsfs::open(j["userns"], nsfs::Type::user);
  ASSERT_TRUE(user);
  for (auto [key, type] : {std::pair{"ipcns", nsfs::Type::ipc}, std::pair{"utsns", nsfs::Type::uts}}) {
    ASSERT_TRUE(j[key].is_string()) << key;
    auto ns = nsfs::open(j[key], type);
    ASSERT_TRUE(ns) << ns.error().message();
    auto owner = nsfs::owning_userns(*ns);
    ASSERT_TRUE(owner);
    EXPECT_EQ(*nsfs::id(*owner), *nsfs::id(*user)) << key;
  }
  std::string host_name = read_in({{j["utsns"], CLONE_NEWUTS}}, "/proc/sys/kernel/hostname");
  EXPECT_EQ(host_name, "pod-p\n");
  EXPECT_EQ(podns(env, {"rm", "p"}).exit_code, 0);
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
}

// Accounting to the pod: the user namespace is the pod's lowest container
// ID's host uid's, whatever the order of the lines; everything else is as
// in any pod.
TEST_F(Features, UsernsOwnedByThePodIsOwnedByItsFirstHostUid) {
  PodnsEnv env;
  auto c = podns(env, {"create", "o", "--uidmap", "1:300000:10,0:100000:1", "--gidmap",
                       "0:200000:11", "--userns-owned-by-pod"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  EXPECT_EQ(j["userns_owner_uid"], 100000);
  auto of = podns(env, {"userns-of", j["netns"]});
  ASSERT_EQ(of.exit_code, 0) << of.err;
  auto owner = json::parse(of.out);
  EXPECT_EQ(owner["owner_uid"], 100000);
  EXPECT_EQ(owner["userns_inode"], j["userns_inode"]) << "the netns is the pod userns's";
  EXPECT_EQ(owner["uid_mappings"], j["uid_mappings"]);
  EXPECT_EQ(read_in({{j["netns"], CLONE_NEWNET}}, "/proc/sys/net/ipv4/ping_group_range"),
            "200000\t200010\n") << "the pod's gids 0-10, seen from the host";
  auto i = podns(env, {"inspect", "o"});
  EXPECT_EQ(json::parse(i.out)["userns_owner_uid"], 100000) << "recorded";
  EXPECT_EQ(podns(env, {"rm", "o"}).exit_code, 0);

  // An automatic range: the owner is its base.
  auto a = podns(env, {"create", "a", "--userns", "auto:1000", "--userns-owned-by-pod"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto aj = json::parse(a.out);
  EXPECT_EQ(aj["userns_owner_uid"], aj["uid_mappings"][0]["host_id"]);
  auto aof = podns(env, {"userns-of", aj["netns"]});
  EXPECT_EQ(json::parse(aof.out)["owner_uid"], aj["uid_mappings"][0]["host_id"]);
  EXPECT_EQ(podns(env, {"rm", "a"}).exit_code, 0);

  // Root's by default.
  auto r = podns(env, {"create", "r", "--userns", "0:100000:65536"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["userns_owner_uid"], 0);
  EXPECT_EQ(podns(env, {"rm", "r"}).exit_code, 0);

  auto none = podns(env, {"create", "n", "--no-userns", "--userns-owned-by-pod"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("without a user namespace"), std::string::npos) << none.err;
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
  EXPECT_EQ(podns(env, {"ls", "--json"}).out, "[]\n");
}

TEST_F(Features, HostNetworkPodHasNoNetnsButItsOwnUserns) {
  PodnsEnv env;
  auto c = podns(env, {"create", "h", "--userns", "0:100000:65536", "--host-network"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  EXPECT_TRUE(j["netns"].is_null());
  EXPECT_TRUE(j["netns_inode"].is_null());
  EXPECT_EQ(j["host_network"], true);
  EXPECT_FALSE(std::filesystem::exists(env.root() + "/h/net"));
  auto user = nsfs::open(j["userns"], nsfs::Type::user);
  ASSERT_TRUE(user) << user.error().message();
  auto maps = nsfs::read_maps(*user);
  ASSERT_TRUE(maps);
  EXPECT_EQ(maps->uid, (IdMap{{0, 100000, 65536}}));
  EXPECT_EQ(test::mounts_under(env.root() + "/").size(), 1u);
  // Sysctls need a netns.
  auto s = podns(env, {"create", "h2", "--userns", "0:200000:10", "--host-network", "--sysctl",
                       "net.ipv4.ip_forward=1"});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_EQ(podns(env, {"rm", "h"}).exit_code, 0);
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
}

TEST_F(Features, PingGroupRangeDefaultsToThePodsGids) {
  PodnsEnv env;
  auto c = podns(env, {"create", "g", "--uidmap", "0:100000:65536", "--gidmap", "0:300000:1000,1000:400000:24"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  EXPECT_EQ(j["sysctls"]["net.ipv4.ping_group_range"], "0 1023");
  // Seen from the host, the range is the pod's host gids.
  std::string range = read_in({{j["netns"], CLONE_NEWNET}}, "/proc/sys/net/ipv4/ping_group_range");
  EXPECT_EQ(range, "300000\t400023\n");
  // Overridden, or turned off.
  auto o = podns(env, {"create", "o", "--userns", "0:500000:100", "--sysctl",
                       "net.ipv4.ping_group_range=0 9"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(read_in({{json::parse(o.out)["netns"], CLONE_NEWNET}}, "/proc/sys/net/ipv4/ping_group_range"),
            "500000\t500009\n");
  auto n = podns(env, {"create", "n", "--userns", "0:600000:100", "--no-default-sysctls"});
  ASSERT_EQ(n.exit_code, 0) << n.err;
  EXPECT_EQ(json::parse(n.out)["sysctls"], json::object());
  EXPECT_EQ(read_in({{json::parse(n.out)["netns"], CLONE_NEWNET}}, "/proc/sys/net/ipv4/ping_group_range"),
            "1\t0\n");
}

TEST_F(Features, SysctlsAreWrittenInsideThePodOnly) {
  PodnsEnv env;
  std::string host_before;
  std::getline(std::ifstream("/proc/sys/net/ipv4/tcp_syncookies") >> std::ws, host_before);
  auto c = podns(env, {"create", "s", "--userns", "0:100000:65536", "--sysctl",
                       "net.ipv4.tcp_syncookies=0", "--sysctl", "net.ipv4.ip_unprivileged_port_start=80"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  EXPECT_EQ(read_in({{j["netns"], CLONE_NEWNET}}, "/proc/sys/net/ipv4/tcp_syncookies"), "0\n");
  EXPECT_EQ(read_in({{j["netns"], CLONE_NEWNET}}, "/proc/sys/net/ipv4/ip_unprivileged_port_start"),
            "80\n");
  std::string host_after;
  std::getline(std::ifstream("/proc/sys/net/ipv4/tcp_syncookies") >> std::ws, host_after);
  EXPECT_EQ(host_after, host_before);
}

TEST_F(Features, SysctlInjectionIsRefusedAndChangesNothing) {
  PodnsEnv env;
  std::string core_before;
  std::getline(std::ifstream("/proc/sys/kernel/core_pattern"), core_before);
  for (std::string bad : {"kernel.core_pattern=|/tmp/x", "net.ipv4.ip_forward=1+kernel.core_pattern=x",
                          "net/../kernel/core_pattern=x", "net.ipv4..ip_forward=1", "net.=1",
                          "net.ipv4.ip_forward=1\nkernel.core_pattern=x", "net.ipv4/ip_forward=1",
                          "=1", "net.ipv4.ip_forward"}) {
    auto r = podns(env, {"create", "x", "--userns", "0:100000:65536", "--sysctl", bad});
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.err.find("sysctl"), std::string::npos) << bad << ": " << r.err;
  }
  // Not namespaced: absent in the pod's netns, so writing it fails there.
  auto r = podns(env, {"create", "x", "--userns", "0:100000:65536", "--sysctl", "net.core.rmem_max=1"});
  EXPECT_EQ(r.exit_code, 1);
  std::string core_after;
  std::getline(std::ifstream("/proc/sys/kernel/core_pattern"), core_after);
  EXPECT_EQ(core_after, core_before);
  EXPECT_EQ(json::parse(podns(env, {"ls", "--json"}).out), json::array());
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
}

TEST_F(Features, HostnameNeedsUts) {
  PodnsEnv env;
  auto r = podns(env, {"create", "x", "--userns", "0:100000:65536", "--hostname", "a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--uts"), std::string::npos);
  auto bad = podns(env, {"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", "a/b"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST_F(Features, VerifyComparesTheOwnerByDeviceAndInode) {
  PodnsEnv env;
  auto a = json::parse(podns(env, {"create", "a", "--userns", "0:100000:65536"}).out);
  auto b = json::parse(podns(env, {"create", "b", "--userns", "0:200000:65536"}).out);
  const std::string anet = a["netns"];
  const std::string auser = a["userns"];
  const std::string buser = b["userns"];
  EXPECT_EQ(podns(env, {"verify", anet, auser}).exit_code, 0);
  auto wrong = podns(env, {"verify", anet, buser});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("is owned by user namespace " + std::to_string(a["userns_inode"].get<ino_t>())),
            std::string::npos) << wrong.err;
  EXPECT_EQ(podns(env, {"verify", "/proc/self/ns/net", auser}).exit_code, 1);
  EXPECT_EQ(podns(env, {"verify", auser, anet}).exit_code, 1);  // swapped: not a netns
  EXPECT_EQ(podns(env, {"verify", "/proc/self/ns/net", "/proc/self/ns/user"}).exit_code, 0);
}

TEST_F(Features, ExecRunsAsThePodsRootInItsNamespaces) {
  PodnsEnv env;
  auto c = podns(env, {"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", "pod-x"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  const std::string script =
      "id -u; hostname; ls /sys/class/net; stat -L -c %i /proc/self/ns/net "
      "/proc/self/ns/user; cat /proc/self/uid_map";
  auto r = podns(env, {"exec", "x", "--", "sh", "-c", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream out(r.out);
  std::string uid;
  std::string host;
  std::string net_names;
  std::string net_ino;
  std::string user_ino;
  out >> uid >> host >> net_names >> net_ino >> user_ino;
  EXPECT_EQ(uid, "0");
  EXPECT_EQ(host, "pod-x");
  EXPECT_EQ(net_names, "lo");  // a fresh sysfs of the pod's netns
  EXPECT_EQ(net_ino, std::to_string(j["netns_inode"].get<ino_t>()));
  EXPECT_EQ(user_ino, std::to_string(j["userns_inode"].get<ino_t>()));
  EXPECT_NE(r.out.find("100000"), std::string::npos);
  // The command's exit code comes back; a missing command is 127.
  EXPECT_EQ(podns(env, {"exec", "x", "--", "sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(podns(env, {"exec", "x", "--", "/nonexistent"}).exit_code, 127);
  EXPECT_EQ(podns(env, {"exec", "nope", "--", "true"}).exit_code, 1);
}

// The command runs with a standard PATH, not the caller's (whose
// directories the pod's root may not search: "Permission denied", 126, for
// a command that is not there); --keep-path keeps the caller's. 127 when
// the command is not found, 126 when it is there but cannot be run.
TEST_F(Features, ExecRunsWithAStandardPathAndTellsNotFoundFromNotRunnable) {
  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "x", "--userns", "0:100000:65536"}).exit_code, 0);
  test::TempDir closed;  // 0700, root's: the pod's root cannot search it
  test::TempDir open_dir;
  ASSERT_EQ(::chmod(open_dir.path().c_str(), 0755), 0);
  const std::string not_runnable = open_dir.path() + "/script";
  std::ofstream(not_runnable) << "#!/bin/sh\necho hi\n";  // 0644: no x bit
  const std::string caller_path = closed.path() + ":/usr/bin:/bin";
  auto exec = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"env",          "PATH=" + caller_path, test::podns_cli(),
                                  "--root",       env.root(),            "--state-dir",
                                  env.state_dir(), "exec"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv);
  };
  auto path = exec({"x", "--", "sh", "-c", "echo \"$PATH\""});
  ASSERT_EQ(path.exit_code, 0) << path.err;
  EXPECT_EQ(path.out, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
  auto kept = exec({"--keep-path", "x", "--", "sh", "-c", "echo \"$PATH\""});
  EXPECT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(kept.out, caller_path + "\n");

  for (bool keep : {false, true}) {
    SCOPED_TRACE(keep ? "--keep-path" : "standard PATH");
    std::vector<std::string> args{"x", "--", "no-such-command"};
    if (keep) args.insert(args.begin(), "--keep-path");
    auto missing = exec(args);
    EXPECT_EQ(missing.exit_code, 127) << missing.err;
    EXPECT_EQ(missing.err, "podns: exec in sandbox x: no-such-command: not found\n");
  }
  auto absent = exec({"x", "--", "/no/such/file"});
  EXPECT_EQ(absent.exit_code, 127) << absent.err;
  auto hidden = exec({"x", "--", closed.path() + "/cmd"});
  EXPECT_EQ(hidden.exit_code, 127) << hidden.err;
  auto cannot = exec({"x", "--", not_runnable});
  EXPECT_EQ(cannot.exit_code, 126) << cannot.err;
  EXPECT_EQ(cannot.err, "podns: exec in sandbox x: " + not_runnable + ": Permission denied\n");
}

TEST_F(Features, IpNetnsSeesThePod) {
  PodnsEnv env;
  const std::string id = "podns-test-ipn-" + std::to_string(::getpid());
  auto c = podns(env, {"create", id, "--userns", "0:100000:65536", "--ip-netns"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(json::parse(c.out)["ip_netns"], "/run/netns/" + id);
  auto list = test::run({"ip", "netns", "list"});
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  auto in = test::run({"ip", "netns", "exec", id, "stat", "-L", "-c", "%i", "/proc/self/ns/net"});
  EXPECT_EQ(in.out, std::to_string(json::parse(c.out)["netns_inode"].get<ino_t>()) + "\n");
  ASSERT_EQ(podns(env, {"rm", id}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + id));
  EXPECT_TRUE(test::mounts_under("/run/netns/" + id).empty());
}

TEST_F(Features, AutomaticRangesAreDisjointEvenWhenConcurrent) {
  PodnsEnv env;
  std::vector<test::Run> runs(8);
  std::vector<std::thread> threads;
  threads.reserve(runs.size());
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      runs[i] = podns(env, {"--auto-pool-first", "1000000", "--auto-pool-last", "1999999", "create",
                            "auto" + std::to_string(i), "--userns", "auto:1000"});
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::uint64_t> bases;
  for (const auto& r : runs) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = json::parse(r.out);
    auto base = j["uid_mappings"][0]["host_id"].get<std::uint64_t>();
    EXPECT_EQ(j["gid_mappings"], j["uid_mappings"]);
    EXPECT_EQ(j["uid_mappings"][0]["size"], 1000);
    EXPECT_GE(base, 1000000u);
    EXPECT_LE(base + 999, 1999999u);
    EXPECT_EQ(base % 1000, 0u);  // packed from the pool's start, no overlap
    bases.insert(base);
  }
  EXPECT_EQ(bases.size(), 8u);
  // The pool runs out with a clear error; a freed range is used again.
  auto full = podns(env, {"--auto-pool-first", "1000000", "--auto-pool-last", "1007999", "create",
                          "more", "--userns", "auto:1000"});
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_NE(full.err.find("no free range"), std::string::npos) << full.err;
  ASSERT_EQ(podns(env, {"rm", "auto3"}).exit_code, 0);
  auto again = podns(env, {"--auto-pool-first", "1000000", "--auto-pool-last", "1007999", "create",
                           "more", "--userns", "auto:1000"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // The user namespace really has the allocated map.
  auto j = json::parse(again.out);
  auto user = nsfs::open(j["userns"], nsfs::Type::user);
  ASSERT_TRUE(user);
  EXPECT_EQ(nsfs::read_maps(*user)->uid, (IdMap{{0, j["uid_mappings"][0]["host_id"].get<std::uint32_t>(), 1000}}));
}

}  // namespace
}  // namespace podns
