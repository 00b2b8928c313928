// A sick state database, through the CLI: a newer schema, a damaged file, a
// read-only state directory, a full filesystem, another process holding a
// write transaction. Each command fails with exit 1 and a message that says
// what is wrong; nothing is made; the file is never deleted, replaced or
// repaired; once the fault is gone, everything works.
#include <fcntl.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;
using test::Run;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Runs SQL on the database with Python's sqlite3 module (another program,
// as an operator's tool would be), then closes it: the last connection
// checkpoints the WAL into the file and removes it.
void sql(const PodnsEnv& env, const std::string& statements) {
  auto r = test::run({"python3", "-c",
                      "import sqlite3, sys\n"
                      "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                      "c.executescript(sys.argv[2])\n"
                      "c.execute('PRAGMA wal_checkpoint(TRUNCATE)')\n"
                      "c.close()\n",
                      env.state_dir() + "/podns.db", statements});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// podns with one more variable in its environment.
Run podns_with(const PodnsEnv& env, const std::string& var, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env", var, test::podns_cli(), "--root", env.root(), "--state-dir",
                                env.state_dir(), "--cni-conf-dir", env.cni_conf_dir(),
                                "--cni-cache-dir", env.cni_cache_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv);
}

class StateDb : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    env_ = std::make_unique<PodnsEnv>();
  }
  void TearDown() override { env_.reset(); }

  std::string db() const { return env_->state_dir() + "/podns.db"; }

  // Pod "a", recorded before the fault, with its pins.
  void create_a() {
    auto c = podns(*env_, {"create", "a", "--userns", "0:100000:65536"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    a_ = json::parse(c.out);
  }

  // Every command that uses the database exits 1 with a message holding
  // each of `words`; pod "b" is not made; "a" keeps its pins.
  void expect_every_command_fails(const std::vector<std::string>& words) {
    const std::vector<std::vector<std::string>> commands{
        {"create", "b", "--userns", "0:200000:65536"},
        {"create", "c", "--userns", "auto"},
        {"inspect", "a"},
        {"ls"},
        {"ls", "--json"},
        {"check", "a"},
        {"stop", "a"},
        {"rm", "a"},
        {"recover"},
        {"spec", "a", "--bundle", env_->root()}};
    for (const auto& cmd : commands) {
      auto r = podns(*env_, cmd);
      EXPECT_EQ(r.exit_code, 1) << cmd.front() << ": " << r.out << r.err;
      for (const auto& w : words) EXPECT_NE(r.err.find(w), std::string::npos) << cmd.front() << ": " << r.err;
      EXPECT_EQ(r.out, "") << cmd.front();
    }
    EXPECT_FALSE(std::filesystem::exists(env_->root() + "/b"));
    EXPECT_FALSE(std::filesystem::exists(env_->root() + "/c"));
    EXPECT_EQ(test::mounts_under(env_->root() + "/").size(), 2u) << "a's two pins, nothing else";
  }

  // "a" is as it was and a new pod can be made and removed.
  void expect_it_works() {
    auto i = podns(*env_, {"inspect", "a"});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    EXPECT_EQ(json::parse(i.out), a_);
    auto c = podns(*env_, {"create", "b", "--userns", "0:200000:65536"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    auto r = podns(*env_, {"rm", "b"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::unique_ptr<PodnsEnv> env_;
  json a_;
};

TEST_F(StateDb, ANewerSchemaIsRefusedAndLeftUnchanged) {
  ASSERT_NO_FATAL_FAILURE(create_a());
  ASSERT_NO_FATAL_FAILURE(sql(*env_, "PRAGMA user_version=3"));
  auto before = read_bytes(db());
  expect_every_command_fails({"newer podns (schema 3)", db()});
  EXPECT_EQ(read_bytes(db()), before) << "the file is left as it was";
  ASSERT_NO_FATAL_FAILURE(sql(*env_, "PRAGMA user_version=2"));
  expect_it_works();
}

struct Damage {
  const char* name;
  // Damages the file of `bytes` (a checkpointed database of several pages).
  std::string (*apply)(std::string bytes);
};

void PrintTo(const Damage& d, std::ostream* os) { *os << d.name; }

class DamagedStateDb : public StateDb, public ::testing::WithParamInterface<Damage> {};

TEST_P(DamagedStateDb, EveryCommandFailsNamingTheFileAndLeavesItAlone) {
  ASSERT_NO_FATAL_FAILURE(create_a());
  ASSERT_NO_FATAL_FAILURE(sql(*env_, "SELECT 1"));  // everything in the file, no WAL
  ASSERT_FALSE(std::filesystem::exists(db() + "-wal"));
  auto good = read_bytes(db());
  ASSERT_GE(good.size(), 4u * 4096) << "several pages";
  auto damaged = GetParam().apply(good);
  write_bytes(db(), damaged);

  expect_every_command_fails({db()});
  EXPECT_EQ(read_bytes(db()), damaged) << "never deleted, replaced or repaired";

  // The operator restores the file: everything works again.
  std::filesystem::remove(db() + "-wal");
  std::filesystem::remove(db() + "-shm");
  write_bytes(db(), good);
  expect_it_works();
}

INSTANTIATE_TEST_SUITE_P(
    , DamagedStateDb,
    ::testing::Values(
        Damage{"GarbageHeader",
               [](std::string b) {
                 for (std::size_t i = 0; i < 100; ++i) b[i] = static_cast<char>(0xa5 ^ i);
                 return b;
               }},
        Damage{"GarbagePages",  // every page but the first (the schema's)
               [](std::string b) {
                 for (std::size_t i = 4096; i < b.size(); ++i) b[i] = static_cast<char>(i * 7 + 3);
                 return b;
               }},
        Damage{"Truncated",  // cut inside its second page
               [](std::string b) {
                 b.resize(4096 + 1000);
                 return b;
               }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(StateDb, AnUnknownNetworkStateIsAnErrorNamingTheSandbox) {
  ASSERT_NO_FATAL_FAILURE(create_a());
  ASSERT_NO_FATAL_FAILURE(sql(*env_, "UPDATE sandboxes SET net_state = 'half' WHERE id = 'a'"));
  // Not read as "no network": that would let rm forget an attachment.
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"inspect", "a"}, {"ls"}, {"rm", "a"}, {"recover"}}) {
    auto r = podns(*env_, cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd.front() << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("sandbox a has an unknown network state \"half\""), std::string::npos)
        << cmd.front() << ": " << r.err;
  }
  EXPECT_EQ(test::mounts_under(env_->root() + "/").size(), 2u) << "a's two pins are kept";
  ASSERT_NO_FATAL_FAILURE(sql(*env_, "UPDATE sandboxes SET net_state = '' WHERE id = 'a'"));
  expect_it_works();
}

TEST_F(StateDb, AReadOnlyStateDirectoryIsAClearErrorAndNothingIsMounted) {
  ASSERT_NO_FATAL_FAILURE(create_a());
  const auto& dir = env_->state_dir();
  ASSERT_EQ(::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr), 0);
  ASSERT_EQ(::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0);
  auto before = read_bytes(db());
  expect_every_command_fails({db(), "Read-only file system"});
  EXPECT_EQ(read_bytes(db()), before);
  ASSERT_EQ(::umount2(dir.c_str(), MNT_DETACH), 0);
  expect_it_works();
}

TEST_F(StateDb, AFullFilesystemFailsCreateAndKeepsWhatIsRecorded) {
  // The state directory on a tmpfs of the test's own, 2 MiB.
  const auto& dir = env_->state_dir();
  std::filesystem::create_directories(dir);
  ASSERT_EQ(::mount("podns-test-full", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                    "size=2m,mode=0700"),
            0);
  ASSERT_NO_FATAL_FAILURE(create_a());
  // Fill it up.
  {
    std::ofstream fill(dir + "/fill", std::ios::binary);
    const std::string block(4096, 'x');
    while (fill.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"create", "b", "--userns", "0:200000:65536"}, {"create", "c", "--userns", "auto"}}) {
    auto r = podns(*env_, cmd);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("filesystem is full"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(env_->root() + "/b"));
  EXPECT_FALSE(std::filesystem::exists(env_->root() + "/c"));
  EXPECT_EQ(test::mounts_under(env_->root() + "/").size(), 2u) << "a's two pins, nothing else";
  // What was recorded is intact, and read while the disk is full.
  auto i = podns(*env_, {"inspect", "a"});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(json::parse(i.out), a_);
  auto l = podns(*env_, {"ls", "--json"});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_EQ(json::parse(l.out), json::array({a_}));

  std::filesystem::remove(dir + "/fill");
  expect_it_works();
  auto r = podns(*env_, {"rm", "a"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  env_.reset();  // unmounts the tmpfs with the rest
}

// Another program holds a write transaction (BEGIN IMMEDIATE) until it
// reads a line on its stdin: podns waits up to PODNS_DB_TIMEOUT seconds.
class Holder {
 public:
  explicit Holder(const std::string& db) : held_file_(db + ".held") {
    std::filesystem::remove(held_file_);
    std::array<int, 2> p{};
    if (::pipe2(p.data(), O_CLOEXEC) < 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    posix_spawn_file_actions_addopen(&fa, 1, held_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv{"python3", "-c",
                                  "import sqlite3, sys\n"
                                  "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                                  "c.execute('BEGIN IMMEDIATE')\n"
                                  "print('held', flush=True)\n"
                                  "sys.stdin.readline()\n"
                                  "c.execute('COMMIT')\n",
                                  db};
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int rc = ::posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(p[0]);
    if (rc != 0) {
      ::close(p[1]);
      pid_ = -1;
      return;
    }
    stdin_ = p[1];
    // Wait until it holds the transaction.
    for (int i = 0; i < 500 && read_bytes(held_file_) != "held\n"; ++i) ::usleep(10000);
    held_ = read_bytes(held_file_) == "held\n";
  }
  ~Holder() { release(); }
  Holder(const Holder&) = delete;
  Holder& operator=(const Holder&) = delete;
  bool held() const { return held_; }
  // Lets the transaction go; returns the holder's exit status.
  int release() {
    if (pid_ < 0) return -1;
    [[maybe_unused]] ssize_t n = ::write(stdin_, "\n", 1);  // EPIPE if it died: its status says
    ::close(std::exchange(stdin_, -1));
    int status = 0;
    ::waitpid(std::exchange(pid_, -1), &status, 0);
    return status;
  }

 private:
  std::string held_file_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool held_ = false;
};

TEST_F(StateDb, AHeldWriteTransactionIsWaitedForUpToTheBound) {
  ASSERT_NO_FATAL_FAILURE(create_a());
  using Clock = std::chrono::steady_clock;
  {
    // Held longer than the bound: create fails, saying the database is locked.
    Holder h(db());
    ASSERT_TRUE(h.held());
    auto t0 = Clock::now();
    auto r = podns_with(*env_, "PODNS_DB_TIMEOUT=0.3", {"create", "b", "--userns", "0:200000:65536"});
    auto waited = Clock::now() - t0;
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("database is locked"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("waited 300 ms"), std::string::npos) << r.err;
    EXPECT_GE(waited, std::chrono::milliseconds(300));
    EXPECT_FALSE(std::filesystem::exists(env_->root() + "/b"));
    EXPECT_EQ(test::mounts_under(env_->root() + "/").size(), 2u);
    EXPECT_EQ(h.release(), 0);
  }
  {
    // Let go 0.3 s after podns started (bound 10 s): create waits, then succeeds.
    Holder h(db());
    ASSERT_TRUE(h.held());
    auto t0 = Clock::now();
    std::thread releaser([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      h.release();
    });
    auto r = podns_with(*env_, "PODNS_DB_TIMEOUT=10", {"create", "b", "--userns", "0:200000:65536"});
    auto took = Clock::now() - t0;
    releaser.join();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GE(took, std::chrono::milliseconds(300)) << "it waited for the holder";
  }
  auto rm = podns(*env_, {"rm", "b"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  // A bound that is not a number of seconds is a command-line error.
  for (const char* bad : {"PODNS_DB_TIMEOUT=x", "PODNS_DB_TIMEOUT=-1", "PODNS_DB_TIMEOUT=1e9",
                          "PODNS_DB_TIMEOUT=nan", "PODNS_DB_TIMEOUT=inf", "PODNS_DB_TIMEOUT=1s"}) {
    auto r = podns_with(*env_, bad, {"ls"});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("PODNS_DB_TIMEOUT"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace podns
