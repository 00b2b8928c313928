// `podns pinns` as CRI-O drives it: the command lines its
// internal/config/nsmgr builds for three pods, the pin files it makes and
// chowns first, its removal (umount MNT_DETACH, then a recursive remove);
// both forms (`podns pinns` and the binary under the name `pinns`); and
// where it must be better than CRI-O's pinns: all or nothing on every
// failure and on SIGTERM, no helper left even after a SIGKILL at any
// instant, nothing stacked on a pin, only namespaced sysctls.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "podns/concat.h"
#include "podns/idmap.h"
#include "podns/nsfs.h"
#include "crio.h"
#include "testenv.h"

namespace podns {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;
using Pod = test::CrioPod;
using test::crio_args;
using test::crio_namespaces;
using test::crio_prepare;
using test::crio_remove;
using test::pin_of;

const IdMap kUidMap{{0, 100000, 65536}};
const IdMap kGidMap{{0, 200000, 65536}};

// A regular file's owner, mode, size and inode, to show it is unchanged.
struct FileState {
  uid_t uid;
  gid_t gid;
  mode_t mode;
  off_t size;
  ino_t ino;
  bool operator==(const FileState&) const = default;
};
std::optional<FileState> file_state(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return FileState{st.st_uid, st.st_gid, st.st_mode, st.st_size, st.st_ino};
}

// Every path below `root`, sorted: what a failure must leave as it was.
Strings tree(const std::string& root) {
  Strings out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

nsfs::NsId id_of(const std::string& path, nsfs::Type t) {
  auto fd = nsfs::open(path, t);
  EXPECT_TRUE(fd) << path << ": " << fd.error().message();
  if (!fd) return {};
  return *nsfs::id(*fd);
}

nsfs::NsId owner_of(const std::string& path, nsfs::Type t) {
  auto fd = nsfs::open(path, t);
  EXPECT_TRUE(fd) << path << ": " << fd.error().message();
  if (!fd) return {};
  auto owner = nsfs::owning_userns(*fd);
  EXPECT_TRUE(owner) << path;
  if (!owner) return {};
  return *nsfs::id(*owner);
}

// Reads `file` in a child that joined the namespaces at `joins` ({path, CLONE_NEW*}).
std::string read_in(const std::vector<std::pair<std::string, int>>& joins, const std::string& file) {
  std::string out;
  int rc = test::in_child(
      [&](std::string& o) {
        for (const auto& [path, type] : joins) {
          int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
          if (fd < 0 || ::setns(fd, type) < 0) return 1;
        }
        std::ifstream in(file);
        std::getline(in, o, '\0');
        return in.bad() ? 2 : 0;
      },
      &out);
  EXPECT_EQ(rc, 0) << file;
  return out;
}

// How podns's pinns is started: as `podns pinns`, as the podns binary under
// the name `pinns`, or as the pinns program (what `cmake --install` puts
// at LIBEXECDIR/podns/pinns).
enum class Form { subcommand, named, program };

class Pinns : public ::testing::TestWithParam<Form> {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    dir_ = tmp_.path() + "/crio/ns";  // made by the first call
    bin_ = tmp_.path() + "/libexec/pinns";
    fs::create_directories(fs::path(bin_).parent_path());
    fs::create_symlink(test::podns_cli(), bin_);
  }

  void TearDown() override {
    // Nothing mounted below the test's directory but what a test left on
    // purpose and said so.
    EXPECT_EQ(test::mounts_under(tmp_.path() + "/"), Strings{});
  }

  Strings command(const Strings& args, Form form) const {
    Strings argv = form == Form::named     ? Strings{bin_}
                   : form == Form::program ? Strings{PODNS_PINNS_PATH}
                                           : Strings{test::podns_cli(), "pinns"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  test::Run pinns(const Strings& args) const { return test::run(command(args, GetParam())); }
  test::Run pinns_with_env(const std::string& env, const Strings& args) const {
    Strings argv{"env", env};
    auto c = command(args, GetParam());
    argv.insert(argv.end(), c.begin(), c.end());
    return test::run(argv);
  }

  // A pod's pins, checked: exit 0, nothing printed.
  void make(const Pod& pod, const std::string& name = "pod") {
    crio_prepare(dir_, name, pod);
    auto r = pinns(crio_args(dir_, name, pod));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
  }

  std::string pin(const std::string& type, const std::string& name = "pod") const {
    return pin_of(dir_, type, name);
  }

  test::TempDir tmp_;
  std::string dir_, bin_;
};

TEST_P(Pinns, CrioPodWithAUserNamespace) {
  Pod pod{.maps = nsfs::Maps{kUidMap, kGidMap},
          .sysctls = {{"net.ipv4.ping_group_range", "0 65535"}, {"kernel.shmmax", "1048576"}}};
  ASSERT_NO_FATAL_FAILURE(make(pod));
  auto before = file_state(pin("net"));  // what CRI-O made is under the mount

  // The network, IPC and UTS namespaces are owned by the pinned userns.
  auto user = id_of(pin("user"), nsfs::Type::user);
  EXPECT_EQ(owner_of(pin("net"), nsfs::Type::net), user);
  EXPECT_EQ(owner_of(pin("ipc"), nsfs::Type::ipc), user);
  EXPECT_EQ(owner_of(pin("uts"), nsfs::Type::uts), user);
  EXPECT_NE(id_of(pin("net"), nsfs::Type::net), id_of("/proc/self/ns/net", nsfs::Type::net));
  // Its maps, setgroups left allowed, and the sysctls as seen from inside:
  // the gid range is the pod's own gids.
  auto userns = nsfs::open(pin("user"), nsfs::Type::user);
  ASSERT_TRUE(userns);
  auto maps = nsfs::read_maps(*userns);
  ASSERT_TRUE(maps) << maps.error().message();
  EXPECT_EQ(maps->uid, kUidMap);
  EXPECT_EQ(maps->gid, kGidMap);
  EXPECT_EQ(read_in({{pin("user"), CLONE_NEWUSER}}, "/proc/self/setgroups"), "allow\n");
  EXPECT_EQ(read_in({{pin("user"), CLONE_NEWUSER}, {pin("net"), CLONE_NEWNET}},
                    "/proc/sys/net/ipv4/ping_group_range"),
            "0\t65535\n");
  EXPECT_EQ(read_in({{pin("net"), CLONE_NEWNET}}, "/proc/sys/net/ipv4/ping_group_range"),
            "200000\t265535\n");
  EXPECT_EQ(read_in({{pin("user"), CLONE_NEWUSER}, {pin("ipc"), CLONE_NEWIPC}},
                    "/proc/sys/kernel/shmmax"),
            "1048576\n");
  EXPECT_NE(read_in({}, "/proc/sys/kernel/shmmax"), "1048576\n");

  // CRI-O's removal leaves no mount, and the files it made and chowned
  // kept their owner, mode and inode under the pins.
  ASSERT_EQ(::umount2(pin("net").c_str(), MNT_DETACH), 0);
  auto after = file_state(pin("net"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->uid, 100000u);
  EXPECT_EQ(after->gid, 200000u);
  EXPECT_EQ(after->size, 0);
  EXPECT_EQ(after->mode & 07777, 0644u);
  EXPECT_NE(before, after) << "the pin showed the namespace, not the file";
  crio_remove(dir_, "pod", pod);
  EXPECT_EQ(test::mounts_under(tmp_.path() + "/"), Strings{});
  EXPECT_TRUE(fs::is_empty(dir_ + "/netns"));
}

TEST_P(Pinns, CrioPodWithoutAUserNamespace) {
  Pod pod;
  // CRI-O makes no pin file here: podns makes them, and DIR (with its
  // parent) and the per-type directories, 0755 whatever the umask.
  mode_t umask = ::umask(077);
  make(pod);
  ::umask(umask);
  ASSERT_FALSE(HasFatalFailure());
  for (const auto& d : {tmp_.path() + "/crio", dir_, dir_ + "/netns", dir_ + "/ipcns", dir_ + "/utsns"}) {
    EXPECT_EQ(fs::status(d).permissions(), fs::perms(0755)) << d;
  }
  auto host_user = id_of("/proc/self/ns/user", nsfs::Type::user);
  EXPECT_FALSE(fs::exists(pin("user")));
  for (auto [type, t] : {std::pair{"net", nsfs::Type::net}, std::pair{"ipc", nsfs::Type::ipc},
                         std::pair{"uts", nsfs::Type::uts}}) {
    EXPECT_EQ(owner_of(pin(type), t), host_user) << type;
    EXPECT_NE(id_of(pin(type), t), id_of(std::string("/proc/self/ns/") + type, t)) << type;
  }
  crio_remove(dir_, "pod", pod);
}

TEST_P(Pinns, CrioHostNetworkPodWithAUserNamespace) {
  Pod pod{.host_network = true, .maps = nsfs::Maps{kUidMap, kGidMap}};
  ASSERT_NO_FATAL_FAILURE(make(pod));
  auto user = id_of(pin("user"), nsfs::Type::user);
  EXPECT_EQ(id_of(pin("net"), nsfs::Type::net), id_of("/proc/self/ns/net", nsfs::Type::net));
  EXPECT_EQ(owner_of(pin("ipc"), nsfs::Type::ipc), user);
  EXPECT_EQ(owner_of(pin("uts"), nsfs::Type::uts), user);
  auto userns = nsfs::open(pin("user"), nsfs::Type::user);
  ASSERT_TRUE(userns);
  EXPECT_EQ(nsfs::read_maps(*userns)->uid, kUidMap);
  crio_remove(dir_, "pod", pod);
}

TEST_P(Pinns, HostNamespacesArePinnedAsTheyAre) {
  // Nothing new at all: the caller's own namespaces, no helper.
  auto r = pinns({"-d", dir_, "-f", "h", "--user=host", "--net=host", "--ipc=host", "--cgroup=host"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (auto [type, t] : {std::pair{"user", nsfs::Type::user}, std::pair{"net", nsfs::Type::net},
                         std::pair{"ipc", nsfs::Type::ipc}, std::pair{"cgroup", nsfs::Type::cgroup}}) {
    EXPECT_EQ(id_of(pin(type, "h"), t), id_of(std::string("/proc/self/ns/") + type, t)) << type;
    ASSERT_EQ(::umount2(pin(type, "h").c_str(), MNT_DETACH), 0) << type;
  }
  // The caller's user namespace, and a new netns in it.
  r = pinns({"-d", dir_, "-f", "n", "--user=host", "--net"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(owner_of(pin("net", "n"), nsfs::Type::net), id_of(pin("user", "n"), nsfs::Type::user));
  EXPECT_NE(id_of(pin("net", "n"), nsfs::Type::net), id_of("/proc/self/ns/net", nsfs::Type::net));
  for (const std::string type : {"user", "net"}) {
    ASSERT_EQ(::umount2(pin(type, "n").c_str(), MNT_DETACH), 0) << type;
  }
}

TEST_P(Pinns, DirMayLieBehindASymlinkAsVarRunDoes) {
  // CRI-O's default namespaces_dir is /var/run/crio/ns, and /var/run is a
  // symlink to /run: DIR is followed (what is below it never is).
  fs::create_directories(tmp_.path() + "/run");
  fs::create_symlink(tmp_.path() + "/run", tmp_.path() + "/var-run");
  auto r = pinns({"-d", tmp_.path() + "/var-run/crio/ns", "-f", "pod", "--net"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string real = tmp_.path() + "/run/crio/ns/netns/pod";
  EXPECT_EQ(test::mounts_under(tmp_.path() + "/"), Strings{real});
  EXPECT_EQ(::umount2(real.c_str(), MNT_DETACH), 0);
  // A symlink below DIR is not followed.
  fs::create_directories(tmp_.path() + "/elsewhere");
  fs::create_directories(dir_);
  fs::create_symlink(tmp_.path() + "/elsewhere", dir_ + "/netns");
  r = pinns({"-d", dir_, "-f", "pod", "--net"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir_ + "/netns exists and is not a directory"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(tmp_.path() + "/elsewhere"));
}

TEST_P(Pinns, CgroupAndMountNamespacesOnAnUnbindableDirectory) {
  Strings args{"-d", dir_, "-f", "a", "--user", "--cgroup", "--mnt", "--net",
               "--uid-mapping=0-100000-65536@", "--gid-mapping=0-100000-65536@"};
  auto r = pinns(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto user = id_of(pin("user", "a"), nsfs::Type::user);
  EXPECT_EQ(owner_of(pin("cgroup", "a"), nsfs::Type::cgroup), user);
  EXPECT_EQ(owner_of(pin("mnt", "a"), nsfs::Type::mnt), user);
  // DIR/mntns is a mount of its own, unbindable; a second pod reuses it,
  // and both pods' pins are there.
  args[3] = "b";
  r = pinns(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::mounts_under(dir_ + "/mntns"),
            (Strings{dir_ + "/mntns", dir_ + "/mntns/a", dir_ + "/mntns/b"}));
  std::ifstream mi("/proc/self/mountinfo");
  std::string line;
  bool unbindable = false;
  while (std::getline(mi, line)) {
    if (line.find(" " + dir_ + "/mntns ") != std::string::npos)
      unbindable = line.find(" unbindable ") != std::string::npos;
  }
  EXPECT_TRUE(unbindable);
  EXPECT_NE(id_of(pin("mnt", "a"), nsfs::Type::mnt), id_of(pin("mnt", "b"), nsfs::Type::mnt));
  for (const std::string n : {"a", "b"}) {
    for (const std::string type : {"user", "cgroup", "mnt", "net"}) {
      ASSERT_EQ(::umount2(pin(type, n).c_str(), MNT_DETACH), 0) << type;
      fs::remove(pin(type, n));
    }
  }
  // What stays, as with pinns, is DIR/mntns's own mount.
  EXPECT_EQ(test::mounts_under(dir_ + "/"), Strings{dir_ + "/mntns"});
  EXPECT_EQ(::umount2((dir_ + "/mntns").c_str(), MNT_DETACH), 0);
}

// --- Failures: all or nothing ------------------------------------------------

// A failed call left the tree below the test's directory as it was, with
// nothing mounted, and said what failed in one line.
void expect_failed_cleanly(const test::Run& r, const Strings& before, const std::string& tmp,
                           const std::string& says) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  EXPECT_EQ(r.err.rfind("podns pinns: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(test::mounts_under(tmp + "/"), Strings{});
  EXPECT_EQ(tree(tmp), before);
}

TEST_P(Pinns, ASysctlTheKernelRefusesUndoesEverything) {
  Pod pod{.maps = nsfs::Maps{kUidMap, kGidMap}};
  // The pod has gids 0 to 65535 only: the kernel refuses 70000.
  auto args = crio_args(dir_, "pod", pod);
  args.insert(args.begin(), {"-s", "net.ipv4.ping_group_range=0 70000"});
  Strings before = tree(tmp_.path());
  auto r = pinns(args);
  expect_failed_cleanly(r, before, tmp_.path(),
                        "write sysctl /proc/sys/net/ipv4/ping_group_range: Invalid argument");
  EXPECT_FALSE(fs::exists(dir_));

  // The same with the pin files CRI-O made first: they stay as they were.
  // An IPC key of the right family that the kernel does not have, this time.
  ASSERT_NO_FATAL_FAILURE(crio_prepare(dir_, "pod", pod));
  before = tree(tmp_.path());
  auto state = file_state(pin("ipc"));
  args = crio_args(dir_, "pod", pod);
  args.insert(args.begin(), {"-s", "kernel.msgnone=1"});
  r = pinns(args);
  expect_failed_cleanly(r, before, tmp_.path(), "/proc/sys/kernel/msgnone: No such file");
  EXPECT_EQ(file_state(pin("ipc")), state);
}

TEST_P(Pinns, AMapTheKernelRefusesUndoesEverything) {
  // Root without CAP_SETGID may make a user namespace but not give it a
  // gid map of other gids than its own: the kernel refuses the write.
  Pod pod{.maps = nsfs::Maps{kUidMap, kGidMap}};
  Strings before = tree(tmp_.path());
  Strings argv{"setpriv", "--bounding-set=-setgid", "--inh-caps=-setgid"};
  auto c = command(crio_args(dir_, "pod", pod), GetParam());
  argv.insert(argv.end(), c.begin(), c.end());
  auto r = test::run(argv);
  expect_failed_cleanly(r, before, tmp_.path(), "gid_map: Operation not permitted");
}

TEST_P(Pinns, APinThatCannotBeMountedUndoesEverything) {
  // DIR/mntns made a shared mount by someone else: the kernel refuses to
  // bind a mount namespace there (it would propagate into itself).
  std::string mntns = dir_ + "/mntns";
  fs::create_directories(mntns);
  ASSERT_EQ(::mount(mntns.c_str(), mntns.c_str(), nullptr, MS_BIND, nullptr), 0);
  ASSERT_EQ(::mount(nullptr, mntns.c_str(), nullptr, MS_SHARED, nullptr), 0);
  Strings before = tree(tmp_.path());
  auto r = pinns({"-d", dir_, "-f", "pod", "--user", "--net", "--mnt",
                  "--uid-mapping=0-100000-65536@", "--gid-mapping=0-100000-65536@"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("pin mnt namespace"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(mntns + "/pod: Invalid argument"), std::string::npos) << r.err;
  EXPECT_EQ(test::mounts_under(tmp_.path() + "/"), Strings{mntns});  // the test's own
  EXPECT_EQ(tree(tmp_.path()), before);
  ASSERT_EQ(::umount2(mntns.c_str(), MNT_DETACH), 0);
}

TEST_P(Pinns, APinPathWithANamespaceMountedIsRefusedAndNothingIsStacked) {
  ASSERT_NO_FATAL_FAILURE(make(Pod{}, "pod"));
  auto net = id_of(pin("net"), nsfs::Type::net);
  Strings before = tree(tmp_.path());
  auto mounts = test::mounts_under(tmp_.path() + "/");
  // Again, and with a user namespace too: refused before anything is made;
  // the user namespace's directory and pin file it made are gone again.
  auto r = pinns({"-d", dir_, "-f", "pod", "--net", "--user", "--uid-mapping=0-100000-1@",
                  "--gid-mapping=0-100000-1@"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(pin("net") + " already holds a mounted namespace; nothing was stacked"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(tree(tmp_.path()), before);
  EXPECT_EQ(test::mounts_under(tmp_.path() + "/"), mounts);
  EXPECT_EQ(id_of(pin("net"), nsfs::Type::net), net);
  crio_remove(dir_, "pod", Pod{});
}

TEST_P(Pinns, PinPathsThatAreNotEmptyFilesAreRefused) {
  fs::create_directories(dir_ + "/netns");
  std::ofstream(pin("net")) << "not empty";
  Strings before = tree(tmp_.path());
  auto state = file_state(pin("net"));
  auto r = pinns({"-d", dir_, "-f", "pod", "--ipc", "--net"});
  expect_failed_cleanly(r, before, tmp_.path(), pin("net") + " exists and is not an empty regular file");
  EXPECT_EQ(file_state(pin("net")), state);
  fs::remove(pin("net"));
  fs::create_symlink("/etc/passwd", pin("net"));
  before = tree(tmp_.path());
  r = pinns({"-d", dir_, "-f", "pod", "--net"});
  expect_failed_cleanly(r, before, tmp_.path(), "not an empty regular file");
  fs::remove_all(dir_ + "/netns");
  std::ofstream(dir_ + "/netns") << "";
  before = tree(tmp_.path());
  r = pinns({"-d", dir_, "-f", "pod", "--net"});
  expect_failed_cleanly(r, before, tmp_.path(), dir_ + "/netns exists and is not a directory");
}

TEST_P(Pinns, BadInputIsExit2AndMakesNothing) {
  for (const Strings& args : {
           Strings{"-d", dir_, "-f", "pod", "--net", "-s", "kernel.core_pattern=|/bin/sh"},
           Strings{"-d", dir_, "-f", "pod", "--net", "-s", "net/../kernel/core_pattern=x"},
           Strings{"-d", dir_, "-f", "pod", "--net=host", "-s", "net.ipv4.ip_forward=1"},
           Strings{"-d", dir_, "-f", "pod", "--user", "--uid-mapping=0-0-65536@",
                   "--gid-mapping=0-100000-65536@"},
           Strings{"-d", dir_, "-f", "pod", "--user", "--uid-mapping=0-4294967296-1@",
                   "--gid-mapping=0-100000-65536@"},
           Strings{"-d", dir_, "-f", "pod", "--net", "host"},
           Strings{"-d", dir_, "-f", "../pod", "--net"},
           Strings{"-d", dir_, "--net"},
       }) {
    auto r = pinns(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(dir_)) << args.back();
  }
  auto h = pinns({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("Usage: podns pinns"), std::string::npos);
}

TEST_P(Pinns, AnInjectedErrorAtEveryStepUndoesEverything) {
  Pod pod{.maps = nsfs::Maps{kUidMap, kGidMap}, .sysctls = {{"net.ipv4.ping_group_range", "0 1"}}};
  for (const auto& step : test::fault_steps_of("pinns")) {
    SCOPED_TRACE(step);
    Strings before = tree(tmp_.path());
    auto r = pinns_with_env("PODNS_FAULT=" + step + ":error", crio_args(dir_, "pod", pod));
    expect_failed_cleanly(r, before, tmp_.path(), "injected fault at " + step);
    // With CRI-O's pin files made first: those stay as they were.
    ASSERT_NO_FATAL_FAILURE(crio_prepare(dir_, "pod", pod));
    before = tree(tmp_.path());
    auto state = file_state(pin("user"));
    r = pinns_with_env("PODNS_FAULT=" + step + ":error", crio_args(dir_, "pod", pod));
    expect_failed_cleanly(r, before, tmp_.path(), "injected fault at " + step);
    EXPECT_EQ(file_state(pin("user")), state);
    fs::remove_all(tmp_.path() + "/crio");
  }
}

// --- Signals -----------------------------------------------------------------

// While alive, this process adopts the orphans of what it starts: a helper
// that outlived podns would be reparented here, and show up in wait().
class Subreaper {
 public:
  Subreaper() { EXPECT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
  ~Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
  Subreaper(const Subreaper&) = delete;
  Subreaper& operator=(const Subreaper&) = delete;

  // Reaps whatever child is left; returns how many were still alive after
  // `grace` (a helper with its death signal is dead by then).
  static int alive_after(std::chrono::milliseconds grace, int* reaped) {
    auto deadline = std::chrono::steady_clock::now() + grace;
    for (;;) {
      int status = 0;
      pid_t pid = ::waitpid(-1, &status, WNOHANG | __WALL);
      if (pid > 0) {
        ++*reaped;
        continue;
      }
      if (pid < 0 && errno == ECHILD) return 0;
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    int alive = 0;
    for (const auto& e : fs::directory_iterator("/proc/self/task")) {
      std::ifstream children(e.path() / "children");
      for (std::string pid; children >> pid;) {
        ++alive;
        ::kill(std::stoi(pid), SIGKILL);
      }
    }
    while (::waitpid(-1, nullptr, __WALL) > 0) {
    }
    return alive;
  }
};

// Starts argv with stdout and stderr to /dev/null and `env` added.
pid_t start(const Strings& argv, const std::string& env = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    if (!env.empty()) ::putenv(const_cast<char*>(env.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

TEST_P(Pinns, ACrashAtEveryStepLeavesNoHelper) {
  // An IPC sysctl: the helper changes its uid (which clears a death signal).
  Pod pod{.maps = nsfs::Maps{kUidMap, kGidMap}, .sysctls = {{"kernel.msgmax", "16384"}}};
  for (const auto& step : test::fault_steps_of("pinns")) {
    SCOPED_TRACE(step);
    Subreaper reaper;
    pid_t pid = start(command(crio_args(dir_, "pod", pod), GetParam()), "PODNS_FAULT=" + step + ":crash");
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    int reaped = 0;
    EXPECT_EQ(Subreaper::alive_after(std::chrono::seconds(2), &reaped), 0);
    crio_remove(dir_, "pod", pod);
  }
}

TEST_P(Pinns, SigkillAtRandomInstantsLeavesNoHelper) {
  Pod pod{.maps = nsfs::Maps{kUidMap, kGidMap},
          .sysctls = {{"net.ipv4.ping_group_range", "0 1"}, {"kernel.msgmax", "16384"}}};
  auto t0 = std::chrono::steady_clock::now();
  make(pod, "timing");
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - t0).count();
  crio_remove(dir_, "timing", pod);
  std::mt19937 rng(4242);  // NOLINT(cert-msc51-cpp): the same instants in every run
  std::uniform_int_distribution<long> delay_us(0, took);
  int killed = 0;
  int helpers_reaped = 0;
  for (int i = 0; i < 20; ++i) {
    Subreaper reaper;
    std::string name = concat("k", std::to_string(i));
    pid_t pid = start(command(crio_args(dir_, name, pod), GetParam()));
    ::usleep(static_cast<useconds_t>(delay_us(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) ++killed;
    EXPECT_EQ(Subreaper::alive_after(std::chrono::seconds(2), &helpers_reaped), 0) << i;
    crio_remove(dir_, name, pod);
  }
  RecordProperty("killed", killed);
  std::printf("SIGKILL: %d of 20 killed mid-way, %d orphaned helpers reaped dead\n", killed,
              helpers_reaped);
}

TEST_P(Pinns, SigtermUndoesEverything) {
  Pod pod{.maps = nsfs::Maps{kUidMap, kGidMap}};
  // A SIGTERM that is already pending when podns starts (blocked, as its
  // mask is inherited): it finds it once the pins are made, and undoes them.
  Strings before = tree(tmp_.path());
  std::string out;
  auto argv = command(crio_args(dir_, "pod", pod), GetParam());
  int rc = test::in_child([&](std::string&) {
    sigset_t term;
    (void)sigemptyset(&term);
    (void)sigaddset(&term, SIGTERM);
    (void)sigprocmask(SIG_BLOCK, &term, nullptr);
    (void)::raise(SIGTERM);
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    return 127;
  });
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(test::mounts_under(tmp_.path() + "/"), Strings{});
  EXPECT_EQ(tree(tmp_.path()), before);

  // At random instants: either it finished (every pin there) or it died of
  // the SIGTERM with nothing left. Never a part.
  std::mt19937 rng(777);  // NOLINT(cert-msc51-cpp): the same instants in every run
  std::uniform_int_distribution<long> delay_us(0, 4000);
  int finished = 0;
  for (int i = 0; i < 20; ++i) {
    Subreaper reaper;
    std::string name = concat("t", std::to_string(i));
    pid_t pid = start(command(crio_args(dir_, name, pod), GetParam()));
    ::usleep(static_cast<useconds_t>(delay_us(rng)));
    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    int reaped = 0;
    EXPECT_EQ(Subreaper::alive_after(std::chrono::seconds(2), &reaped), 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ++finished;
      for (const auto& [type, host] : crio_namespaces(pod)) {
        EXPECT_EQ(test::mounts_under(pin(type, name)), Strings{pin(type, name)});
      }
      crio_remove(dir_, name, pod);
    } else {
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
      for (const auto& [type, host] : crio_namespaces(pod)) {
        EXPECT_FALSE(fs::exists(pin(type, name)));
      }
    }
    EXPECT_EQ(test::mounts_under(tmp_.path() + "/"), Strings{});
  }
  std::printf("SIGTERM: %d of 20 finished first, the others undid everything\n", finished);
}

TEST_P(Pinns, TwoCallsOnOnePathAtOnceMakeOnePin) {
  for (int i = 0; i < 10; ++i) {
    std::string name = concat("c", std::to_string(i));
    Strings argv = command({"-d", dir_, "-f", name, "--net"}, GetParam());
    pid_t a = start(argv);
    pid_t b = start(argv);
    int sa = 0;
    int sb = 0;
    ::waitpid(a, &sa, 0);
    ::waitpid(b, &sb, 0);
    EXPECT_EQ((WEXITSTATUS(sa) == 0) + (WEXITSTATUS(sb) == 0), 1) << sa << " " << sb;
    EXPECT_EQ(test::mounts_under(pin("net", name)), Strings{pin("net", name)});
    crio_remove(dir_, name, Pod{});
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, Pinns,
                         ::testing::Values(Form::subcommand, Form::named, Form::program),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case Form::named: return "PinnsName";
                             case Form::program: return "PinnsProgram";
                             case Form::subcommand: break;
                           }
                           return "PodnsPinns";
                         });

// The CLI11 route: global options before the subcommand are taken and
// ignored, the rest is pinns's.
TEST(PinnsCli, AfterGlobalOptions) {
  PODNS_REQUIRE_PRIVILEGED();
  test::TempDir tmp;
  auto r = test::run({test::podns_cli(), "--root", tmp.path() + "/root", "pinns", "-d",
                      tmp.path() + "/ns", "-f", "p", "--net"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::mounts_under(tmp.path() + "/"), Strings{tmp.path() + "/ns/netns/p"});
  EXPECT_EQ(::umount2((tmp.path() + "/ns/netns/p").c_str(), MNT_DETACH), 0);
  auto help = test::run({test::podns_cli(), "--help"});
  EXPECT_NE(help.out.find("pinns"), std::string::npos);
}

}  // namespace
}  // namespace podns
