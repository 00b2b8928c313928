// The lifecycle never leaks: an injected error at any step leaves nothing; an
// injected crash at any step leaves only what `recover` removes; a reboot,
// random SIGKILLs and concurrent commands leave nothing either.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "podns/concat.h"
#include "podns/fault.h"
#include "podns/nsfs.h"
#include "podns/store.h"
#include "cni_env.h"
#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;

// Runs the CLI with PODNS_FAULT set (and all the env's globals).
using test::podns_fault;

// "Nothing is left" of sandbox `id`, or a consistent ready (or stopped)
// sandbox: its pins are the recorded namespaces.
void expect_clean_or_ready(const PodnsEnv& env, const std::string& id) {
  auto i = podns(env, {"inspect", id});
  if (i.exit_code == 0) {
    auto j = json::parse(i.out);
    ASSERT_TRUE(j["state"] == "ready" || j["state"] == "stopped") << i.out;
    auto net = nsfs::open(j["netns"].get<std::string>(), nsfs::Type::net);
    ASSERT_TRUE(net) << net.error().message();
    EXPECT_EQ(nsfs::id(*net)->ino, j["netns_inode"].get<ino_t>());
    auto user = nsfs::open(j["userns"].get<std::string>(), nsfs::Type::user);
    ASSERT_TRUE(user) << user.error().message();
    EXPECT_EQ(nsfs::id(*user)->ino, j["userns_inode"].get<ino_t>());
    return;
  }
  EXPECT_EQ(i.exit_code, 1) << i.err;
  EXPECT_TRUE(test::mounts_under(env.root() + "/" + id + "/").empty());
  EXPECT_FALSE(std::filesystem::exists(env.root() + "/" + id));
}

void expect_nothing(const PodnsEnv& env) {
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
  EXPECT_EQ(json::parse(podns(env, {"ls", "--json"}).out), json::array());
  if (std::filesystem::exists(env.root())) {
    EXPECT_TRUE(std::filesystem::is_empty(env.root()));
  }
}

class Lifecycle : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }
};

TEST_F(Lifecycle, FaultStepsAreListed) {
  PodnsEnv env;
  auto r = podns(env, {"fault-steps"});
  ASSERT_EQ(r.exit_code, 0);
  for (auto s : fault::steps()) EXPECT_NE(r.out.find(std::string(s) + "\n"), std::string::npos);
  EXPECT_GE(test::fault_steps_of("create").size(), 6u);
  EXPECT_GE(test::fault_steps_of("rm").size(), 3u);
}

TEST_F(Lifecycle, CreateErrorAtEveryStepLeavesNothing) {
  PodnsEnv env;
  for (const auto& step : test::fault_steps_of("create")) {
    SCOPED_TRACE(step);
    auto r = podns_fault(env, step + ":error", {"create", "p", "--userns", "0:100000:65536"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("injected fault at " + step), std::string::npos) << r.err;
    expect_nothing(env);
  }
}

TEST_F(Lifecycle, CreateCrashAtEveryStepIsRecovered) {
  PodnsEnv env;
  for (const auto& step : test::fault_steps_of("create")) {
    SCOPED_TRACE(step);
    auto r = podns_fault(env, step + ":crash", {"create", "p", "--userns", "0:100000:65536"});
    EXPECT_EQ(r.exit_code, 128 + SIGKILL);
    auto rec = podns(env, {"recover"});
    EXPECT_EQ(rec.exit_code, 0) << rec.err;
    expect_clean_or_ready(env, "p");
    // A second recover finds nothing to do.
    auto again = podns(env, {"recover", "--json"});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_EQ(json::parse(again.out), json::array());
    podns(env, {"rm", "p"});
    expect_nothing(env);
  }
}

TEST_F(Lifecycle, RmAndStopErrorsAndCrashesAreFinishedByRmOrRecover) {
  PodnsEnv env;
  for (const std::string op : {"stop", "rm"}) {
    for (const auto& step : test::fault_steps_of(op)) {
      for (const std::string mode : {"error", "crash"}) {
        SCOPED_TRACE(step + ":" + mode);
        ASSERT_EQ(podns(env, {"create", "p", "--userns", "0:100000:65536"}).exit_code, 0);
        auto r = podns_fault(env, step + ":" + mode, {op, "p"});
        EXPECT_EQ(r.exit_code, mode == "error" ? 1 : 128 + SIGKILL) << r.err;
        if (mode == "crash") {
          EXPECT_EQ(podns(env, {"recover"}).exit_code, 0);
        }
        // Whatever state it is in, rm finishes it; a second rm says it is gone.
        auto rm = podns(env, {"rm", "p"});
        if (rm.exit_code != 0) {
          EXPECT_EQ(rm.err, "podns: no sandbox p\n");
        }
        expect_nothing(env);
      }
    }
  }
}

TEST_F(Lifecycle, RandomKillsThenRecoverLeaveNoLeak) {
  PodnsEnv env;
  // Kill at moments spread over one whole create: time one first.
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(podns(env, {"create", "timing", "--userns", "0:100000:65536"}).exit_code, 0);
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(podns(env, {"rm", "timing"}).exit_code, 0);
  std::mt19937 rng(12345);  // NOLINT(cert-msc51-cpp): the same kill points in every run
  std::uniform_int_distribution<long> delay_us(0, took);
  int killed = 0;
  int finished = 0;
  for (int i = 0; i < 60; ++i) {
    std::string id = concat("k", std::to_string(i));
    pid_t pid = ::fork();
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      std::string cli = test::podns_cli();
      // Each its own host range: the ones that finish keep theirs.
      std::string maps = "0:" + std::to_string(1000000 + i * 65536) + ":65536";
      ::execl(cli.c_str(), cli.c_str(), "--root", env.root().c_str(), "--state-dir",
              env.state_dir().c_str(), "--cni-conf-dir", env.cni_conf_dir().c_str(), "create",
              id.c_str(), "--userns", maps.c_str(), nullptr);
      ::_exit(127);
    }
    ::usleep(static_cast<useconds_t>(delay_us(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    (WIFSIGNALED(status) ? killed : finished)++;
  }
  RecordProperty("killed", killed);
  RecordProperty("finished", finished);
  std::printf("random kills: %d killed mid-create, %d finished before the kill\n", killed, finished);
  auto rec = podns(env, {"recover"});
  EXPECT_EQ(rec.exit_code, 0) << rec.err;
  // Every sandbox listed is fully usable: ready with its pins.
  auto all = json::parse(podns(env, {"ls", "--json"}).out);
  std::set<std::string> listed;
  for (const auto& s : all) {
    listed.insert(s["id"]);
    expect_clean_or_ready(env, s["id"]);
  }
  // Nothing of the others is left.
  for (int i = 0; i < 60; ++i) {
    std::string id = concat("k", std::to_string(i));
    if (!listed.contains(id)) expect_clean_or_ready(env, id);
  }
  EXPECT_EQ(test::mounts_under(env.root() + "/").size(), 2 * listed.size());
  for (const auto& id : listed) EXPECT_EQ(podns(env, {"rm", id}).exit_code, 0);
  expect_nothing(env);
}

TEST_F(Lifecycle, RebootIsSimulatedByUnmountingThePinRoot) {
  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "a", "--userns", "0:100000:65536"}).exit_code, 0);
  ASSERT_EQ(podns(env, {"create", "b", "--no-userns"}).exit_code, 0);
  ASSERT_EQ(::umount2(env.root().c_str(), MNT_DETACH), 0);
  auto rec = podns(env, {"recover", "--json"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_EQ(json::parse(rec.out).size(), 2u) << rec.out;
  for (std::string id : {"a", "b"}) {
    auto j = json::parse(podns(env, {"inspect", id}).out);
    EXPECT_EQ(j["state"], "notready");
    EXPECT_TRUE(j["reason"].is_string()) << j.dump();
  }
  EXPECT_EQ(podns(env, {"rm", "a"}).exit_code, 0);
  EXPECT_EQ(podns(env, {"rm", "b"}).exit_code, 0);
  expect_nothing(env);
}

TEST_F(Lifecycle, OrphanPinDirectoriesAreRemoved) {
  PodnsEnv env;
  ASSERT_EQ(podns(env, {"create", "o", "--userns", "0:100000:65536"}).exit_code, 0);
  // Forget the row behind podns's back: the pins are orphans now.
  auto store = Store::open(env.state_dir());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->erase("o"));
  auto rec = podns(env, {"recover"});
  EXPECT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_NE(rec.out.find("o: removed a pin directory no sandbox owns"), std::string::npos) << rec.out;
  expect_nothing(env);
}

TEST_F(Lifecycle, ConcurrentCreateAndRmOfDistinctIds) {
  PodnsEnv env;
  auto stream = [&](int which, std::vector<std::string>* failures) {
    const std::string maps = "0:" + std::to_string(which * 100000) + ":65536";
    for (int i = 0; i < 50; ++i) {
      std::string id = concat("s", std::to_string(which), "-", std::to_string(i));
      auto c = podns(env, {"create", id, "--userns", maps});
      if (c.exit_code != 0) failures->push_back("create " + id + ": " + c.err);
      auto r = podns(env, {"rm", id});
      if (r.exit_code != 0) failures->push_back("rm " + id + ": " + r.err);
    }
  };
  std::vector<std::string> f1;
  std::vector<std::string> f2;
  std::thread t1(stream, 1, &f1);
  std::thread t2(stream, 2, &f2);
  t1.join();
  t2.join();
  EXPECT_TRUE(f1.empty()) << f1.front();
  EXPECT_TRUE(f2.empty()) << f2.front();
  expect_nothing(env);
}

// The first commands on a new state directory race to set its schema up:
// only one may, and none may read while the journal mode changes (SQLite
// fails that change at once instead of waiting; CI once saw "PRAGMA
// journal_mode=WAL: database is locked" here).
TEST_F(Lifecycle, ConcurrentFirstCommandsOnANewStateDirectoryAllSucceed) {
  for (int round = 0; round < 40; ++round) {
    PodnsEnv env;
    std::vector<test::Run> runs(6);
    std::vector<std::thread> threads;
    threads.reserve(runs.size());
    for (auto& run : runs) threads.emplace_back([&] { run = podns(env, {"ls"}); });
    for (auto& t : threads) t.join();
    for (const auto& run : runs) ASSERT_EQ(run.exit_code, 0) << "round " << round << ": " << run.err;
  }
}

TEST_F(Lifecycle, ConcurrentOperationsOnOneIdAreSerialised) {
  PodnsEnv env;
  for (int round = 0; round < 10; ++round) {
    std::vector<test::Run> results(4);
    std::vector<std::thread> threads;
    threads.emplace_back([&] { results[0] = podns(env, {"create", "one", "--userns", "0:100000:65536"}); });
    threads.emplace_back([&] { results[1] = podns(env, {"create", "one", "--userns", "0:100000:65536"}); });
    threads.emplace_back([&] { results[2] = podns(env, {"rm", "one"}); });
    threads.emplace_back([&] { results[3] = podns(env, {"stop", "one"}); });
    for (auto& t : threads) t.join();
    int created = 0;
    for (int i = 0; i < 2; ++i) {
      if (results[i].exit_code == 0) {
        ++created;
      } else {
        EXPECT_NE(results[i].err.find("already exists"), std::string::npos) << results[i].err << results[i].exit_code;
      }
    }
    EXPECT_GE(created, 1);
    for (int i = 2; i < 4; ++i) {
      if (results[i].exit_code != 0) {
        EXPECT_NE(results[i].err.find("no sandbox one"), std::string::npos) << results[i].err;
      }
    }
    expect_clean_or_ready(env, "one");
    podns(env, {"rm", "one"});
    expect_nothing(env);
  }
}

TEST_F(Lifecycle, FiveHundredCyclesReturnToTheStart) {
  PodnsEnv env;
  auto m = Manager::open(env.config());
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->create({"warm", UsernsChoice::with_maps({{{0, 100000, 65536}}, {{0, 100000, 65536}}})}));
  ASSERT_TRUE(m->remove("warm"));
  int fds = test::count_fds();
  auto mounts = test::mounts_under(env.root()).size();
  for (int i = 0; i < 500; ++i) {
    std::string id = concat("c", std::to_string(i));
    auto s = m->create({id, UsernsChoice::with_maps({{{0, 100000, 65536}}, {{0, 100000, 65536}}})});
    ASSERT_TRUE(s) << s.error().message();
    ASSERT_TRUE(m->remove(id));
  }
  EXPECT_EQ(test::count_fds(), fds);
  EXPECT_EQ(test::mounts_under(env.root()).size(), mounts);
  EXPECT_TRUE(m->list()->empty());
}

// The processes running the podns binary, other than this test's own.
std::vector<pid_t> podns_processes() {
  std::vector<pid_t> found;
  auto cli = std::filesystem::canonical(test::podns_cli());
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code ec;
    auto exe = std::filesystem::read_symlink(e.path() / "exe", ec);
    if (!ec && exe == cli) found.push_back(std::stoi(name));
  }
  return found;
}

// The helper never outlives podns, also when it changed its credentials to
// own the pod's user namespace (which clears the parent-death signal, the
// way CRI-O's pinns leaks its child): podns killed while the helper holds
// the namespaces, or failing after the maps are written.
TEST_F(Lifecycle, HelperDiesWithPodnsEvenWhenItOwnsTheUserns) {
  PodnsEnv env;
  ASSERT_EQ(podns_processes(), std::vector<pid_t>{});
  for (const std::string owned : {"", "--userns-owned-by-pod"}) {
    for (const std::string mode : {"crash", "error"}) {
      SCOPED_TRACE(owned + " " + mode);
      std::vector<std::string> args{"create", "p", "--userns", "0:100000:65536"};
      if (!owned.empty()) args.push_back(owned);
      auto r = podns_fault(env, "create.namespaces:" + mode, args);
      EXPECT_EQ(r.exit_code, mode == "crash" ? 128 + SIGKILL : 1) << r.err;
      // The death signal is sent as podns exits; give the kernel a moment.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!podns_processes().empty() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      EXPECT_EQ(podns_processes(), std::vector<pid_t>{}) << "a helper outlived podns";
      EXPECT_EQ(podns(env, {"recover"}).exit_code, 0);
      expect_nothing(env);
    }
  }
}

}  // namespace
}  // namespace podns
