// `podns pinns`: CRI-O's pinns command line, its ID-map form and the
// sysctls it may set, parsed and checked without root. The command lines
// are built as CRI-O's internal/config/nsmgr builds them:
//   -d DIR -f UUID [-s KEY=VALUE]... --ipc[=host] --net[=host] --uts [--user]
//   [--uid-mapping=C-H-S@... --gid-mapping=C-H-S@...]
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pinns_args.h"
#include "podns/idmap.h"
#include "podns/pinned_namespaces.h"
#include "podns/sysctl.h"

#include "testenv.h"

namespace podns {
namespace {

using cli::PinnsArgs;
using nsfs::Type;

const std::string kDir = "/var/run/crio/ns";
const std::string kName = "5c2d1f8e-6a3b-4c1d-9e7f-0a1b2c3d4e5f";

Result<PinnsArgs> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "pinns");
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return cli::parse_pinns_args(static_cast<int>(args.size()), argv.data());
}

// Parses and checks the request as `podns pinns` does before making anything.
Result<pinned::Request> request(std::vector<std::string> args) {
  PODNS_TRY(a, parse(std::move(args)));
  PODNS_CHECK(pinned::validate(a.request));
  return a.request;
}

using test::refused;  // invalid input, saying what

bool has(const pinned::Request& r, Type t, bool host) {
  for (const auto& n : r.namespaces) {
    if (n.type == t) return n.host == host;
  }
  return false;
}

std::vector<std::string> crio(std::vector<std::string> rest) {
  std::vector<std::string> out{"-d", kDir, "-f", kName};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

TEST(PinnsArgs, CrioPodWithUserNamespaceAndSysctls) {
  auto r = request(crio({"-s", "net.ipv4.ping_group_range=0 65535", "-s", "kernel.shmmax=1048576",
                         "--ipc", "--net", "--uts", "--user",
                         "--uid-mapping=0-100000-65536@", "--gid-mapping=0-200000-1000@1000-300000-64536@"}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->dir, kDir);
  EXPECT_EQ(r->name, kName);
  EXPECT_EQ(r->namespaces.size(), 4u);
  for (Type t : {Type::user, Type::net, Type::ipc, Type::uts}) EXPECT_TRUE(has(*r, t, false));
  ASSERT_TRUE(r->maps);
  EXPECT_EQ(r->maps->uid, (IdMap{{0, 100000, 65536}}));
  EXPECT_EQ(r->maps->gid, (IdMap{{0, 200000, 1000}, {1000, 300000, 64536}}));
  ASSERT_EQ(r->sysctls.size(), 2u);
  EXPECT_EQ(r->sysctls[0], (sysctl::Setting{"net.ipv4.ping_group_range", "0 65535"}));
  EXPECT_EQ(r->sysctls[1], (sysctl::Setting{"kernel.shmmax", "1048576"}));
}

TEST(PinnsArgs, CrioPodWithoutUserNamespace) {
  auto r = request(crio({"--ipc", "--net", "--uts"}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->namespaces.size(), 3u);
  EXPECT_FALSE(r->maps);
}

TEST(PinnsArgs, CrioHostNetworkPod) {
  auto r = request(crio({"--ipc", "--net=host", "--uts", "--user", "--uid-mapping=0-100000-65536@",
                         "--gid-mapping=0-100000-65536@"}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(has(*r, Type::net, true));
  EXPECT_TRUE(has(*r, Type::ipc, false));
  EXPECT_TRUE(has(*r, Type::user, false));
}

TEST(PinnsArgs, ShortAndLongFormsOfEveryNamespace) {
  auto r = request(crio({"-Un", "-i", "-u", "-c", "-m", "--uid-mapping=0-100000-1",
                         "--gid-mapping=0-100000-1"}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->namespaces.size(), 6u);
  auto l = request({"--dir", kDir, "--filename", kName, "--cgroup=host", "--ipc=host", "--uts=host",
                    "--user=host", "--sysctl=net.core.somaxconn=1024", "--net", "--mnt"});
  ASSERT_TRUE(l) << l.error().message();
  for (Type t : {Type::cgroup, Type::ipc, Type::uts, Type::user}) EXPECT_TRUE(has(*l, t, true));
  EXPECT_TRUE(has(*l, Type::mnt, false));
  EXPECT_EQ(l->sysctls, (std::vector<sysctl::Setting>{{"net.core.somaxconn", "1024"}}));
  // getopt_long takes unambiguous abbreviations, as pinns does; options
  // may come in any order; the same flag twice is one namespace.
  auto a = request({"--ne", "--fi", kName, "--net", "--di=" + kDir});
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->namespaces.size(), 1u);
  EXPECT_EQ(a->dir, kDir);
}

TEST(PinnsArgs, Help) {
  for (const char* h : {"-h", "--help"}) {
    auto a = parse({h});
    ASSERT_TRUE(a) << a.error().message();
    EXPECT_TRUE(a->help);
  }
  EXPECT_NE(std::string(cli::pinns_usage()).find("--uid-mapping"), std::string::npos);
}

TEST(PinnsArgs, MalformedCommandLinesAreRefused) {
  EXPECT_TRUE(refused(request({"-f", kName, "--net"}), "-d/--dir DIR is required"));
  EXPECT_TRUE(refused(request({"-d", kDir, "--net"}), "-f/--filename NAME is required"));
  EXPECT_TRUE(refused(request(crio({"--net", "host"})), "unexpected argument \"host\""));
  EXPECT_TRUE(refused(request(crio({"--net=hots"})), "the only value it takes is \"host\""));
  EXPECT_TRUE(refused(request(crio({"-n=host"})), "unknown or ambiguous option"));
  EXPECT_TRUE(refused(request(crio({"--net", "--net=host"})), "both with and without =host"));
  EXPECT_TRUE(refused(request(crio({"-p"})), "unknown or ambiguous option -p"));
  EXPECT_TRUE(refused(request(crio({"--pid"})), "unknown or ambiguous option --pid"));
  EXPECT_TRUE(refused(request(crio({"--u"})), "unknown or ambiguous option --u"));
  EXPECT_TRUE(refused(request({"--net", "-d"}), "-d/--dir needs a value"));
  EXPECT_TRUE(refused(request(crio({"--net", "-s"})), "-s/--sysctl needs a value"));
  EXPECT_TRUE(refused(request(crio({"--net", "--sysctl", "net.core.somaxconn=1"})),
                      "--sysctl needs KEY=VALUE"));
  EXPECT_TRUE(refused(request(crio({"--net", "-s", "net.core.somaxconn"})), "is not KEY=VALUE"));
  EXPECT_TRUE(refused(request(crio({"--net", "-s", "=1"})), "is not KEY=VALUE"));
  EXPECT_TRUE(refused(request(crio({"--net", "-s", "net.core.somaxconn="})), "is not KEY=VALUE"));
  EXPECT_TRUE(refused(request(crio({"--user", "--uid-mapping", "0-100000-1@", "--gid-mapping=0-100000-1@"})),
                      "--uid-mapping needs its value after '='"));
  EXPECT_TRUE(refused(request(crio({"--user", "--uid-mapping=0-100000-1@"})), "go together"));
  EXPECT_TRUE(refused(request({"-d", kDir, "-d", "/elsewhere", "-f", kName, "--net"}), "given twice"));
}

TEST(PinnsArgs, RequestsThatCannotBeMadeAreRefused) {
  EXPECT_TRUE(refused(request(crio({})), "no namespace to pin"));
  EXPECT_TRUE(refused(request(crio({"--user"})), "needs --uid-mapping and --gid-mapping"));
  EXPECT_TRUE(refused(request(crio({"--net", "--uid-mapping=0-100000-1", "--gid-mapping=0-100000-1"})),
                      "without a new user namespace"));
  EXPECT_TRUE(refused(request(crio({"--user=host", "--uid-mapping=0-100000-1",
                                    "--gid-mapping=0-100000-1"})),
                      "without a new user namespace"));
  EXPECT_TRUE(refused(request(crio({"--mnt=host"})), "inside itself"));
  for (const char* name : {"", ".", "..", "a/b", "../x", "a\nb"}) {
    EXPECT_TRUE(refused(request({"-d", kDir, "-f", name, "--net"}), "pin file name")) << name;
  }
  EXPECT_TRUE(refused(request({"-d", "", "-f", kName, "--net"}), "is empty"));
}

TEST(PinnsArgs, MapsAreCheckedAsCreateChecksThem) {
  auto maps = [](const std::string& uid, const std::string& gid) {
    return request(crio({"--user", "--uid-mapping=" + uid, "--gid-mapping=" + gid}));
  };
  const std::string ok = "0-100000-65536@";
  EXPECT_TRUE(maps(ok, ok));
  EXPECT_TRUE(maps("0-100000-65536", "0-100000-1@1-200000-1@"));
  // The kernel would truncate 4294967296 to 0: the pod's root as the host's.
  EXPECT_TRUE(refused(maps("0-4294967296-1@", ok), "above 4294967295"));
  EXPECT_TRUE(refused(maps(ok, "0-4294967295-1@"), "host range ends beyond"));
  EXPECT_TRUE(refused(maps(ok, "0-100000-10@5-200000-10@"), "overlap on the container side"));
  EXPECT_TRUE(refused(maps("0-100000-10@10-100005-10@", ok), "overlap on the host side"));
  EXPECT_TRUE(refused(maps("0-0-1@", ok), "host uid or gid 0"));
  EXPECT_TRUE(refused(maps(ok, "0-100000-10@10-0-1@"), "host uid or gid 0"));
  EXPECT_TRUE(refused(maps(ok, "0-100000-0@"), "size is 0"));
  std::string many;
  for (int i = 0; i < 341; ++i) many += std::to_string(i) + "-" + std::to_string(100000 + i) + "-1@";
  EXPECT_TRUE(refused(maps(many, ok), "more than 340 lines"));
  for (const char* bad : {"", "@", "0-100000-1@@", "@0-100000-1", "0:100000:1", "0-100000@",
                          "0-100000-1-2@", "0--1-1@", "0-+1-1@", "0-1 -1@"}) {
    EXPECT_TRUE(refused(maps(bad, ok), "--uid-mapping")) << bad;
  }
}

TEST(PinnsArgs, OnlyNamespacedSysctlsInNewNamespaces) {
  auto with = [](std::vector<std::string> flags, const std::string& sysctl) {
    flags.insert(flags.end(), {"-s", sysctl});
    return request(crio(flags));
  };
  EXPECT_TRUE(with({"--net"}, "net.ipv4.ping_group_range=0 65535"));
  EXPECT_TRUE(with({"--ipc"}, "kernel.shmmax=1048576"));
  EXPECT_TRUE(with({"--ipc"}, "kernel.msgmnb=65536"));
  EXPECT_TRUE(with({"--ipc"}, "kernel.sem=250 32000 32 128"));
  EXPECT_TRUE(with({"--ipc"}, "fs.mqueue.msg_max=100"));
  EXPECT_TRUE(refused(with({"--net=host", "--ipc"}, "net.ipv4.ip_forward=1"),
                      "needs a new network namespace"));
  EXPECT_TRUE(refused(with({"--net", "--ipc=host"}, "kernel.shmmax=1"), "needs a new IPC namespace"));
  EXPECT_TRUE(refused(with({"--net"}, "kernel.msgmax=1"), "needs a new IPC namespace"));
  for (const char* bad :
       {"kernel.core_pattern=|/bin/sh", "kernel.shm=1", "kernel.semx=1", "fs.mqueue.=1",
        "vm.overcommit_memory=1", "net/../kernel/core_pattern=x", "net.ipv4..ip_forward=1",
        "net.ipv4.ip_forward.=1", "kernel.shm/../../core_pattern=x", "kernel.shmmax=1\n2",
        "net.ipv4.ip_forward=1\r"}) {
    EXPECT_TRUE(refused(with({"--net", "--ipc"}, bad), "sysctl")) << bad;
  }
}

TEST(Sysctl, NamespaceOfEachKey) {
  auto of = [](const std::string& key) { return sysctl::namespace_of({key, "1"}); };
  EXPECT_EQ(of("net.core.somaxconn"), Type::net);
  for (const char* k : {"kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.shm_rmid_forced",
                        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                        "fs.mqueue.queues_max", "fs.mqueue.msgsize_max"})
    EXPECT_EQ(of(k), Type::ipc) << k;
  for (const char* k : {"kernel.core_pattern", "kernel.hostname", "kernel.sem_x", "net.", "net",
                        "kernel.shm", "kernel.msg", "fs.mqueue.", "fs.mqueue", "", ".net.a"})
    EXPECT_FALSE(of(k)) << k;
  // podns create still takes network sysctls only.
  EXPECT_FALSE(sysctl::validate({"kernel.shmmax", "1"}));
  EXPECT_TRUE(sysctl::validate({"net.core.somaxconn", "1"}));
  EXPECT_EQ(sysctl::proc_path("kernel.shmmax"), "/proc/sys/kernel/shmmax");
  EXPECT_EQ(sysctl::proc_path("fs.mqueue.msg_max"), "/proc/sys/fs/mqueue/msg_max");
}

TEST(Pinned, PinPaths) {
  EXPECT_EQ(pinned::pin_path(kDir, Type::user, "x"), kDir + "/userns/x");
  EXPECT_EQ(pinned::pin_path(kDir, Type::cgroup, "x"), kDir + "/cgroupns/x");
  EXPECT_EQ(pinned::pin_path(kDir, Type::mnt, "x"), kDir + "/mntns/x");
}

}  // namespace
}  // namespace podns
