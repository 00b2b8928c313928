// Privileged tests of the namespace core on real namespaces, through the
// library: who owns what, what a joiner sees, and that nothing leaks.
#include <dirent.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "podns/helper.h"
#include "podns/nsfs.h"
#include "podns/podns.h"
#include "testenv.h"

namespace podns {
namespace {

using test::PodnsEnv;

const IdMap kUidMap{{0, 100000, 65536}};
const IdMap kGidMap{{0, 200000, 65536}};

Sandbox create_pod(Manager& m, const std::string& id) {
  auto s = m.create({id, UsernsChoice::with_maps({kUidMap, kGidMap})});
  EXPECT_TRUE(s) << s.error().message();
  return s ? *s : Sandbox{};
}

// In a child: joins netns (and userns, if given, first), makes a private
// mount namespace and mounts a fresh sysfs; writes the names in class/net.
// Returns 0 on success, 10+errno-ish codes on failure steps.
int mount_sysfs_and_list(const std::string& userns, const std::string& netns, bool new_userns,
                         std::string& out) {
  int net = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  if (net < 0) return 10;
  if (!userns.empty()) {
    int user = ::open(userns.c_str(), O_RDONLY | O_CLOEXEC);
    if (user < 0 || ::setns(user, CLONE_NEWUSER) < 0) return 11;
  }
  if (::setns(net, CLONE_NEWNET) < 0) return 12;
  if (new_userns && ::unshare(CLONE_NEWUSER) < 0) return 13;
  if (::unshare(CLONE_NEWNS) < 0) return 14;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return 15;
  // On /mnt of the private mount namespace: nothing is created, so the
  // joiner's unmapped uid does not matter.
  if (::mount("sysfs", "/mnt", "sysfs", 0, nullptr) < 0) {
    out = std::strerror(errno);
    return 20;
  }
  DIR* d = ::opendir("/mnt/class/net");
  if (!d) return 21;
  std::vector<std::string> names;
  while (auto* e = ::readdir(d)) {
    if (e->d_name[0] != '.') names.emplace_back(e->d_name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) out += n + "\n";
  return 0;
}

class Namespaces : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }
};

TEST_F(Namespaces, NetnsIsOwnedByThePinnedUserns) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m) << m.error().message();
  Sandbox s = create_pod(*m, "own");
  auto net = nsfs::open(s.netns_path(), nsfs::Type::net);
  ASSERT_TRUE(net) << net.error().message();
  auto owner = nsfs::owning_userns(*net);
  ASSERT_TRUE(owner);
  auto user = nsfs::open(*s.userns_path(), nsfs::Type::user);
  ASSERT_TRUE(user) << user.error().message();
  EXPECT_EQ(*nsfs::id(*owner), *nsfs::id(*user));
  EXPECT_EQ(*nsfs::id(*user), *s.userns);
  EXPECT_EQ(*nsfs::id(*net), *s.netns);
  EXPECT_FALSE(*nsfs::is_initial_userns(*owner));
  // The user namespace's parent is ours.
  auto self = nsfs::open("/proc/self/ns/user", nsfs::Type::user);
  int parent = ::ioctl(user->get(), NS_GET_PARENT);
  ASSERT_GE(parent, 0);
  Fd parent_fd(parent);
  EXPECT_EQ(*nsfs::id(parent_fd), *nsfs::id(*self));
}

TEST_F(Namespaces, AJoinerSeesTheWrittenMaps) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  Sandbox s = create_pod(*m, "maps");
  auto user = nsfs::open(*s.userns_path(), nsfs::Type::user);
  ASSERT_TRUE(user);
  auto maps = nsfs::read_maps(*user);
  ASSERT_TRUE(maps) << maps.error().message();
  EXPECT_EQ(maps->uid, kUidMap);
  EXPECT_EQ(maps->gid, kGidMap);
  // setgroups stays "allow".
  std::string setgroups;
  int rc = test::in_child([&](std::string& out) {
    if (::setns(user->get(), CLONE_NEWUSER) < 0) return 1;
    std::array<char, 16> buf{};
    int fd = ::open("/proc/self/setgroups", O_RDONLY);
    if (fd < 0 || ::read(fd, buf.data(), buf.size() - 1) < 0) return 2;
    out = buf.data();
    return 0;
  }, &setgroups);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(setgroups, "allow\n");
}

TEST_F(Namespaces, NetSysctlsBelongToThePodsRoot) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  Sandbox s = create_pod(*m, "sysctl");
  std::string owner;
  int rc = test::in_child([&](std::string& out) {
    int net = ::open(s.netns_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (net < 0 || ::setns(net, CLONE_NEWNET) < 0) return 1;
    struct stat st;
    if (::stat("/proc/sys/net/ipv4/ip_forward", &st) < 0) return 2;
    out = std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
    return 0;
  }, &owner);
  ASSERT_EQ(rc, 0);
  // The pod's root is host uid 100000 and gid 200000, not the overflow ID 65534.
  EXPECT_EQ(owner, "100000:200000");
}

TEST_F(Namespaces, AJoinerMountsAFreshSysfsWithOnlyLo) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  Sandbox s = create_pod(*m, "sysfs");
  std::string names;
  int rc = test::in_child(
      [&](std::string& out) { return mount_sysfs_and_list(*s.userns_path(), s.netns_path(), false, out); },
      &names);
  ASSERT_EQ(rc, 0) << names;
  EXPECT_EQ(names, "lo\n");
}

// The negative control from the seeds: a netns made by the host plus a new
// user namespace cannot mount sysfs.
TEST_F(Namespaces, HostMadeNetnsWithNewUsernsCannotMountSysfs) {
  const std::string name = "podns-test-neg-" + std::to_string(::getpid());
  auto add = test::run({"ip", "netns", "add", name});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  struct Cleanup {
    std::string name;
    ~Cleanup() { test::run({"ip", "netns", "del", name}); }
  } cleanup{name};
  const std::string path = "/run/netns/" + name;

  std::string why;
  int rc = test::in_child([&](std::string& out) { return mount_sysfs_and_list("", path, true, out); },
                          &why);
  EXPECT_EQ(rc, 20) << "sysfs mount should fail with EPERM, got " << rc << " " << why;
  EXPECT_EQ(why, std::strerror(EPERM));

  // The same steps on a podns netns (joined via its own userns) succeed:
  // the difference is the owner.
  PodnsEnv env;
  auto res = test::podns(env, {"userns-of", path});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  auto j = nlohmann::json::parse(res.out);
  EXPECT_EQ(j["initial"], true);
  EXPECT_EQ(j["owner_uid"], 0);
}

TEST_F(Namespaces, RemoveLeavesNoMountAndNoDirectory) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  Sandbox s = create_pod(*m, "gone");
  EXPECT_EQ(test::mounts_under(env.root() + "/").size(), 2u);
  ASSERT_TRUE(m->remove("gone"));
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
  EXPECT_FALSE(std::filesystem::exists(env.root() + "/gone"));
  auto again = m->remove("gone");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().errno_value(), ENOENT);
}

TEST_F(Namespaces, NoUsernsPodIsOwnedByTheHost) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  auto s = m->create({"plain", UsernsChoice::none()});
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_FALSE(s->userns_path());
  EXPECT_FALSE(std::filesystem::exists(env.root() + "/plain/user"));
  auto net = nsfs::open(s->netns_path(), nsfs::Type::net);
  ASSERT_TRUE(net);
  auto owner = nsfs::owning_userns(*net);
  ASSERT_TRUE(owner);
  EXPECT_TRUE(*nsfs::is_initial_userns(*owner));
  // A fresh netns, not ours.
  auto self = nsfs::open("/proc/self/ns/net", nsfs::Type::net);
  EXPECT_NE(*nsfs::id(*net), *nsfs::id(*self));
  ASSERT_TRUE(m->remove("plain"));
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
}

TEST_F(Namespaces, TwoHundredCyclesLeakNoFd) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  // One warm-up cycle opens what stays open (the pin root, SQLite's WAL).
  create_pod(*m, "warm");
  ASSERT_TRUE(m->remove("warm"));
  int before = test::count_fds();
  for (int i = 0; i < 200; ++i) {
    std::string id = "cycle-" + std::to_string(i);
    auto s = m->create({id, UsernsChoice::with_maps({kUidMap, kGidMap})});
    ASSERT_TRUE(s) << s.error().message();
    ASSERT_TRUE(m->remove(id));
  }
  EXPECT_EQ(test::count_fds(), before);
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
  auto all = m->list();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

TEST_F(Namespaces, PinRootIsASharedTmpfs) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  create_pod(*m, "root");
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    if (line.find(" " + env.root() + " ") != std::string::npos) found = line;
  }
  ASSERT_FALSE(found.empty());
  EXPECT_NE(found.find("shared:"), std::string::npos) << found;
  EXPECT_NE(found.find(" - tmpfs "), std::string::npos) << found;
  struct stat st;
  ASSERT_EQ(::stat(env.root().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);
}

TEST_F(Namespaces, HelperDoesNotOutliveCreate) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  create_pod(*m, "nochild");
  // No child of ours is left, running or zombie.
  std::string children;
  std::ifstream in("/proc/self/task/" + std::to_string(::getpid()) + "/children");
  std::getline(in, children);
  EXPECT_TRUE(children.empty()) << children;
}

// The helper (helper.h): one that changes no credential runs in our memory
// (no page table copied, none torn down); one that changes its uid is
// forked, since a uid change in memory it shared with us would make this
// process not dumpable for good (no core dump; /proc/self owned by root).
// kcmp(KCMP_VM) says whether two processes share their memory.
TEST_F(Namespaces, OnlyAHelperThatKeepsItsCredentialsSharesOurMemory) {
  ASSERT_EQ(::prctl(PR_GET_DUMPABLE), 1);
  const nsfs::Maps maps{IdMap{IdMapping{0, 100000, 65536}}, IdMap{IdMapping{0, 100000, 65536}}};
  struct Case {
    const char* what;
    NamespaceRequest req;
    bool shares;
  };
  NamespaceRequest plain{.userns = maps};
  NamespaceRequest no_userns{};
  NamespaceRequest owner{.userns = maps, .owner = NamespaceRequest::Owner{100000, 100000}};
  NamespaceRequest ipc{.userns = maps, .ipc = true};
  ipc.ipc_sysctls = {{"/proc/sys/kernel/shmmni", "1024"}};
  const std::vector<Case> cases{{"user and net", plain, true},
                                {"net only", no_userns, true},
                                {"an owner", owner, false},
                                {"IPC sysctls in a new user namespace", ipc, false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto h = Helper::spawn(c.req);
    ASSERT_TRUE(h) << h.error().message();
    // ns_path is /proc/PID/ns/...: the helper's PID, while it is unreaped.
    std::string path = h->ns_path(nsfs::Type::net);
    pid_t pid = std::stoi(path.substr(6, path.find('/', 6) - 6));
    long same = ::syscall(SYS_kcmp, ::getpid(), pid, KCMP_VM, 0, 0);
    ASSERT_GE(same, 0) << "kcmp: " << std::strerror(errno);
    EXPECT_EQ(same == 0, c.shares);
    ASSERT_TRUE(h->finish());
    EXPECT_EQ(::prctl(PR_GET_DUMPABLE), 1) << "this process is no longer dumpable";
  }
}

}  // namespace
}  // namespace podns
