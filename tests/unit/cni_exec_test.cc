// Running plugin processes: lookup, a clean environment, bounds on time and
// output, and no process left behind on any path. Runs the fake plugin;
// needs no root.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "podns/cni/exec.h"
#include "testenv.h"

namespace podns::cni {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kFakeDir = PODNS_FAKE_CNI_DIR;
const std::string kFake = kFakeDir + "/podns-fake";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<json> records(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

// True once `pid` is gone or a zombie (reparented to an init that has not
// reaped it yet): either way it runs no more.
bool dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

bool dies_within(pid_t pid, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (dead(pid)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return dead(pid);
}

// This process has no child left, reaped or not.
bool no_children() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 && errno == ECHILD;
}

std::vector<std::string> env_for(const std::string& cmd) {
  return {"CNI_COMMAND=" + cmd, "CNI_PATH=" + kFakeDir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
}

TEST(Exec, FindsPluginsOnlyInTheGivenDirectories) {
  auto p = find_plugin({"/nonexistent", kFakeDir}, "podns-fake");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(*p, kFake);

  // Never through $PATH.
  auto sh = find_plugin({kFakeDir}, "sh");
  ASSERT_FALSE(sh);
  EXPECT_EQ(sh.error().errno_value(), ENOENT);
  EXPECT_EQ(sh.error().message(), "not found in " + kFakeDir);

  EXPECT_FALSE(find_plugin({kFakeDir}, "../../../../../../bin/sh"));
  EXPECT_FALSE(find_plugin({kFakeDir}, "/bin/sh"));
  EXPECT_FALSE(find_plugin({"relative/dir"}, "podns-fake"));
  EXPECT_FALSE(find_plugin({}, "podns-fake"));

  test::TempDir dir;
  std::ofstream(dir.path() + "/noexec") << "#!/bin/sh\n";
  ::chmod((dir.path() + "/noexec").c_str(), 0644);
  ::mkdir((dir.path() + "/adir").c_str(), 0755);
  auto ne = find_plugin({dir.path()}, "noexec");
  ASSERT_FALSE(ne);
  EXPECT_EQ(ne.error().errno_value(), EACCES);
  EXPECT_NE(ne.error().message().find("is not an executable file"), std::string::npos);
  EXPECT_FALSE(find_plugin({dir.path()}, "adir"));
}

TEST(Exec, RunsWithExactlyTheGivenEnvironmentAndInput) {
  test::TempDir dir;
  std::string rec = dir.path() + "/rec";
  json conf{{"cniVersion", "1.0.0"}, {"name", "n"}, {"record", rec}};
  auto env = env_for("ADD");
  ::setenv("PODNS_TEST_LEAK", "1", 1);
  auto out = run_plugin_process(kFake, env, conf.dump(), {});
  ::unsetenv("PODNS_TEST_LEAK");
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_TRUE(out->succeeded());
  EXPECT_EQ(json::parse(out->out)["cniVersion"], "1.0.0");
  auto r = records(rec);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["env"], json(env));
  EXPECT_EQ(r[0]["stdin"], conf);
  EXPECT_TRUE(no_children());
}

TEST(Exec, PassesNoStrayDescriptorsAndNoBlockedSignals) {
  test::TempDir dir;
  std::string rec = dir.path() + "/rec";
  // Opened without O_CLOEXEC, as careless code elsewhere in a process might.
  int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 0);
  sigset_t block;
  sigset_t old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &block, &old);
  auto out = run_plugin_process(kFake, env_for("DEL"),
                                json{{"cniVersion", "1.0.0"}, {"record", rec}}.dump(), {});
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(leaked);
  ASSERT_TRUE(out) << out.error().message();
  auto r = records(rec);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["fds"], json::array({0, 1, 2}));
  EXPECT_EQ(r[0]["sigblk"], "0000000000000000");
}

TEST(Exec, HandsOverLargeConfigurations) {
  test::TempDir dir;
  std::string rec = dir.path() + "/rec";
  json conf{{"cniVersion", "1.0.0"}, {"record", rec}, {"blob", std::string(600000, 'b')}};
  auto out = run_plugin_process(kFake, env_for("ADD"), conf.dump(), {});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(records(rec).at(0)["stdin"]["blob"].get<std::string>().size(), 600000u);

  json huge{{"blob", std::string(2 << 20, 'b')}};
  auto refused = run_plugin_process(kFake, env_for("ADD"), huge.dump(), {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().errno_value(), E2BIG);
}

TEST(Exec, ReadsStdoutAndStderrApart) {
  json conf{{"cniVersion", "1.0.0"}, {"fault", "error-stderr"}};
  auto out = run_plugin_process(kFake, env_for("ADD"), conf.dump(), {});
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->exit_code, 1);
  EXPECT_EQ(out->out, "");
  EXPECT_EQ(json::parse(out->err)["code"], 11);
}

TEST(Exec, KillsAndReapsAPluginThatHangsWithItsChildren) {
  test::TempDir dir;
  std::string pids = dir.path() + "/pids";
  json conf{{"cniVersion", "1.0.0"}, {"fault", "hang"}, {"hangChild", true}, {"pidFile", pids}};
  auto start = std::chrono::steady_clock::now();
  auto out = run_plugin_process(kFake, env_for("ADD"), conf.dump(), {1000ms, 1 << 20});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().errno_value(), ETIMEDOUT);
  EXPECT_EQ(out.error().message(), "did not finish within 1000 ms; killed");
  EXPECT_GE(took, 1000ms);
  EXPECT_LT(took, 5s);
  std::istringstream in(slurp(pids));
  pid_t plugin = 0;
  pid_t child = 0;
  in >> plugin >> child;
  ASSERT_GT(plugin, 0);
  ASSERT_GT(child, 0);
  EXPECT_TRUE(dead(plugin));
  // The plugin's child was in its process group, and was killed with it.
  EXPECT_TRUE(dies_within(child, 2s));
  EXPECT_TRUE(no_children());
}

TEST(Exec, KillsAPluginThatFloods) {
  for (const char* fault : {"flood", "flood-stderr"}) {
    json conf{{"cniVersion", "1.0.0"}, {"fault", fault}};
    auto out = run_plugin_process(kFake, env_for("ADD"), conf.dump(), {10s, 64 << 10});
    ASSERT_FALSE(out) << fault;
    EXPECT_EQ(out.error().errno_value(), EMSGSIZE);
    std::string stream = std::string(fault) == "flood" ? "stdout" : "stderr";
    EXPECT_EQ(out.error().message(), "wrote more than 65536 bytes to " + stream + "; killed");
  }
  EXPECT_TRUE(no_children());
}

TEST(Exec, ReportsAFailedExec) {
  test::TempDir dir;
  std::string path = dir.path() + "/not-a-program";
  std::ofstream(path) << "no shebang, no ELF";
  ::chmod(path.c_str(), 0755);
  auto out = run_plugin_process(path, env_for("ADD"), "{}", {});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().errno_value(), ENOEXEC);
  EXPECT_EQ(out.error().message(), "execute " + path + ": Exec format error");
  EXPECT_TRUE(no_children());
}

TEST(Exec, ReportsExitAndSignal) {
  auto out = run_plugin_process(kFake, env_for("ADD"),
                                json{{"cniVersion", "1.0.0"}, {"fault", "exit"}}.dump(), {});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->exit_code, 3);
  EXPECT_EQ(out->signal, 0);
  EXPECT_EQ(out->err, "fake: something went wrong\n");
  out = run_plugin_process(kFake, env_for("ADD"),
                           json{{"cniVersion", "1.0.0"}, {"fault", "crash"}}.dump(), {});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->signal, SIGSEGV);
  EXPECT_FALSE(out->succeeded());
}

TEST(Exec, ThePluginDiesWithItsRuntime) {
  test::TempDir dir;
  std::string pids = dir.path() + "/pids";
  json conf{{"cniVersion", "1.0.0"}, {"fault", "hang"}, {"pidFile", pids}};
  pid_t runtime = ::fork();
  ASSERT_GE(runtime, 0);
  if (runtime == 0) {
    (void)run_plugin_process(kFake, env_for("ADD"), conf.dump(), {60s, 1 << 20});
    ::_exit(0);
  }
  pid_t plugin = 0;
  for (int i = 0; i < 500 && plugin == 0; ++i) {
    std::istringstream(slurp(pids)) >> plugin;
    if (plugin == 0) std::this_thread::sleep_for(10ms);
  }
  ::kill(runtime, SIGKILL);
  ::waitpid(runtime, nullptr, 0);
  ASSERT_GT(plugin, 0);
  EXPECT_TRUE(dies_within(plugin, 5s));
}

}  // namespace
}  // namespace podns::cni
