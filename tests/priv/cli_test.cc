// The podns command line, run as a user would: output, exit codes, and that
// a failed command changes nothing.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { PODNS_REQUIRE_PRIVILEGED(); }
};

TEST_F(Cli, CreateInspectLsRm) {
  PodnsEnv env;
  auto c = podns(env, {"create", "web-1", "--userns", "0:100000:65536"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto created = json::parse(c.out);
  EXPECT_EQ(created["id"], "web-1");
  EXPECT_EQ(created["state"], "ready");
  EXPECT_EQ(created["netns"], env.root() + "/web-1/net");
  EXPECT_EQ(created["userns"], env.root() + "/web-1/user");
  EXPECT_TRUE(created["netns_inode"].is_number_unsigned());
  EXPECT_TRUE(created["userns_inode"].is_number_unsigned());
  EXPECT_EQ(created["uid_mappings"], json::parse(R"([{"container_id":0,"host_id":100000,"size":65536}])"));
  EXPECT_EQ(created["gid_mappings"], created["uid_mappings"]);
  EXPECT_TRUE(created["created_at"].is_string());

  auto i = podns(env, {"inspect", "web-1"});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(json::parse(i.out), created);

  auto l = podns(env, {"ls", "--json"});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  auto all = json::parse(l.out);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], created);

  auto table = podns(env, {"ls"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("web-1"), std::string::npos);
  EXPECT_NE(table.out.find("ready"), std::string::npos);

  // userns-of on the pin names the pod's user namespace and maps.
  auto u = podns(env, {"userns-of", created["netns"].get<std::string>()});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  auto owner = json::parse(u.out);
  EXPECT_EQ(owner["userns_inode"], created["userns_inode"]);
  EXPECT_EQ(owner["initial"], false);
  EXPECT_EQ(owner["owner_uid"], 0);
  EXPECT_EQ(owner["uid_mappings"], created["uid_mappings"]);

  auto r = podns(env, {"rm", "web-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(env.root() + "/web-1"));
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
  EXPECT_EQ(json::parse(podns(env, {"ls", "--json"}).out), json::array());
}

// ls's table: each column starts where its header does on every row, with
// an ID of 40 characters and a map of three lines (the columns were once
// 24 and 22 characters wide, whatever the content).
TEST_F(Cli, LsColumnsAreSizedToTheirContent) {
  PodnsEnv env;
  const std::string long_id(40, 'a');
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"create", long_id, "--uidmap", "0:200000:1000,1000:300000:1000,2000:400000:63536",
            "--gidmap", "0:200000:65536", "--network", "none"},
           {"create", "b", "--no-userns", "--network", "none"}}) {
    auto c = podns(env, args);
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  auto table = podns(env, {"ls"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::vector<std::string> lines;
  for (std::size_t at = 0, nl; (nl = table.out.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(table.out.substr(at, nl - at));
  ASSERT_EQ(lines.size(), 3U) << table.out;
  const std::array<std::string, 4> headers{"ID", "STATE", "UID MAP", "NETNS"};
  std::array<std::size_t, 4> column{};
  for (std::size_t i = 0; i < headers.size(); ++i) {
    column.at(i) = lines[0].find(headers.at(i));
    ASSERT_NE(column.at(i), std::string::npos) << lines[0];
  }
  for (std::size_t r = 1; r < lines.size(); ++r) {
    const auto& line = lines[r];
    for (std::size_t i = 1; i < column.size(); ++i) {
      // Every cell starts at its column, after a space that ends the one before.
      ASSERT_GT(line.size(), column.at(i)) << table.out;
      EXPECT_EQ(line[column.at(i) - 1], ' ') << table.out;
      EXPECT_NE(line[column.at(i)], ' ') << table.out;
    }
  }
  EXPECT_EQ(lines[1].substr(0, long_id.size() + 1), long_id + " ") << table.out;
  EXPECT_NE(lines[1].find(" 0:200000:1000,1000:300000:1000,2000:400000:63536 "), std::string::npos)
      << table.out;
  for (const auto& id : {long_id, std::string("b")}) {
    auto r = podns(env, {"rm", id});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
}

// --timings: every stage in the order it ran, with a total that is their sum.
TEST_F(Cli, CreateTimingsNameEveryStage) {
  PodnsEnv env;
  auto c = podns(env, {"create", "t", "--userns", "0:100000:65536", "--timings"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto timings = json::parse(c.out)["timings"];
  ASSERT_TRUE(timings.is_array()) << c.out;
  std::vector<std::string> stages;
  double sum = 0;
  for (const auto& t : timings) {
    stages.push_back(t["stage"]);
    EXPECT_GE(t["us"].get<double>(), 0.0) << t;
    if (t["stage"] != "total") sum += t["us"].get<double>();
  }
  EXPECT_EQ(stages, (std::vector<std::string>{"checks", "lock", "reserve", "directory", "namespaces",
                                              "pins", "helper exit", "record", "total"}));
  EXPECT_NEAR(timings.back()["us"].get<double>(), sum, 1.0);
  EXPECT_GT(sum, 0.0);
  // Not asked for: not shown.
  auto i = podns(env, {"inspect", "t"});
  EXPECT_FALSE(json::parse(i.out).contains("timings"));
  EXPECT_EQ(podns(env, {"rm", "t"}).exit_code, 0);
}

TEST_F(Cli, SeparateUidAndGidMaps) {
  PodnsEnv env;
  auto c = podns(env, {"create", "p", "--uidmap", "0:100000:1000,1000:300000:10", "--gidmap",
                       "0:200000:65536"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  EXPECT_EQ(j["uid_mappings"].size(), 2u);
  EXPECT_EQ(j["gid_mappings"][0]["host_id"], 200000);
  auto u = json::parse(podns(env, {"userns-of", j["netns"].get<std::string>()}).out);
  EXPECT_EQ(u["uid_mappings"], j["uid_mappings"]);
  EXPECT_EQ(u["gid_mappings"], j["gid_mappings"]);
}

TEST_F(Cli, NoUserns) {
  PodnsEnv env;
  auto c = podns(env, {"create", "plain", "--no-userns"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  EXPECT_TRUE(j["userns"].is_null());
  auto u = json::parse(podns(env, {"userns-of", j["netns"].get<std::string>()}).out);
  EXPECT_EQ(u["initial"], true);
}

TEST_F(Cli, ExistingIdIsAnErrorThatChangesNothing) {
  PodnsEnv env;
  auto first = podns(env, {"create", "dup", "--userns", "0:100000:65536"});
  ASSERT_EQ(first.exit_code, 0);
  auto again = podns(env, {"create", "dup", "--userns", "0:300000:65536"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  auto i = json::parse(podns(env, {"inspect", "dup"}).out);
  EXPECT_EQ(i, json::parse(first.out));
  EXPECT_EQ(test::mounts_under(env.root() + "/").size(), 2u);
}

// The kernel's answer to a map text of `bytes` written to a fresh user
// namespace's uid_map, without podns: 0 if it takes it, else the errno.
int kernel_takes(const std::string& text) {
  std::array<int, 2> ready{};
  std::array<int, 2> done{};
  if (::pipe2(ready.data(), O_CLOEXEC) < 0 || ::pipe2(done.data(), O_CLOEXEC) < 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only the parent's end open, so that its close is our EOF.
    ::close(done[1]);
    ::close(ready[0]);
    char c = ::unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
    if (::write(ready[1], &c, 1) != 1 || ::read(done[0], &c, 1) < 0) ::_exit(1);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(done[0]);
  char c = 0;
  int err = ::read(ready[0], &c, 1) == 1 && c == 'y' ? 0 : -1;
  if (err == 0) {
    std::string path = "/proc/" + std::to_string(pid) + "/uid_map";
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      err = errno;
    if (fd >= 0) ::close(fd);
  }
  ::close(done[1]);
  ::close(ready[0]);
  ::waitpid(pid, nullptr, 0);
  return err;
}

// The limit on a map's text is the kernel's own: the largest map podns
// takes (4095 bytes of "C H S\n" lines) is taken by the kernel, one byte
// more is refused by podns with exit 2, before the kernel sees it (which
// then said "write gid_map: Invalid argument", exit 1).
TEST_F(Cli, TheLargestMapTextIsTheKernelsAndOneByteMoreIsAUsageError) {
  PodnsEnv env;
  IdMap most;
  for (std::uint32_t k = 0; k < 170; ++k)
    most.push_back({1000000000u + k * 100000u, 3000000000u + k * 100000u, 1});  // 24 bytes each
  most.push_back({0, 1500000000, 9});                                          // 15 bytes
  IdMap over = most;
  over.back().size = 10;
  ASSERT_EQ(to_kernel_text(most).size(), 4095u);
  ASSERT_EQ(to_kernel_text(over).size(), 4096u);
  // The control: the kernel itself, on this machine.
  EXPECT_EQ(kernel_takes(to_kernel_text(most)), 0);
  EXPECT_EQ(kernel_takes(to_kernel_text(over)), EINVAL);

  auto c = podns(env, {"create", "big", "--userns", to_string(most)});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto owner = podns(env, {"userns-of", json::parse(c.out)["netns"].get<std::string>()});
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  // The kernel lists the lines sorted; podns keeps them as given.
  auto sorted = [](json lines) {
    std::sort(lines.begin(), lines.end(),
              [](const json& a, const json& b) { return a["container_id"] < b["container_id"]; });
    return lines;
  };
  EXPECT_EQ(json::parse(owner.out)["uid_mappings"].size(), 171u);
  EXPECT_EQ(sorted(json::parse(owner.out)["uid_mappings"]), sorted(json::parse(c.out)["uid_mappings"]));
  EXPECT_EQ(sorted(json::parse(owner.out)["gid_mappings"]), sorted(json::parse(c.out)["gid_mappings"]));
  ASSERT_EQ(podns(env, {"rm", "big"}).exit_code, 0);  // its host ranges free again

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"create", "over", "--userns", to_string(over)},
           {"create", "over", "--uidmap", "0:100000:65536", "--gidmap", to_string(over)}}) {
    auto r = podns(env, args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("ID map is 4096 bytes as written to the kernel"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("the kernel takes at most 4095"), std::string::npos) << r.err;
    EXPECT_EQ(podns(env, {"inspect", "over"}).exit_code, 1);
    EXPECT_FALSE(std::filesystem::exists(env.root() + "/over"));
  }
}

TEST_F(Cli, UsageErrorsExit2AndCreateNothing) {
  PodnsEnv env;
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<Case> cases = {
      {{"create", "x"}, "--no-userns"},
      {{"create", "x", "--userns", "0:4294967296:1"}, "above 4294967295"},
      {{"create", "x", "--userns", "0:1:0"}, "size is 0"},
      {{"create", "x", "--userns", ""}, "empty"},
      {{"create", "x", "--uidmap", "0:1:10"}, "--gidmap"},
      {{"create", "x", "--userns", "0:1:1", "--no-userns"}, "excludes"},
      {{"create", "../x", "--userns", "0:100000:1"}, "invalid"},
      {{"create", std::string(129, 'a'), "--no-userns"}, "at most 128"},
      {{"create"}, "ID"},
      {{"frobnicate"}, "podns: unknown subcommand: frobnicate\n"},
      {{"--cni-timeout", "5", "frobnicate", "x"}, "podns: unknown subcommand: frobnicate\n"},
      {{"--cni-timeout", "5", "--cni-timeout", "6", "ls"}, "--cni-timeout: At Most 1"},
      {{}, ""},
      // Values that were once taken (issue 17).
      {{"--cni-timeout", "0", "create", "x", "--no-userns"}, "--cni-timeout \"0\": want seconds"},
      {{"--cni-timeout", "-1", "ls"}, "--cni-timeout \"-1\": want seconds"},
      {{"--cni-timeout", "", "create", "x", "--no-userns"}, "--cni-timeout \"\": want seconds"},
      {{"--auto-pool-first", "", "create", "x", "--userns", "auto"}, "--auto-pool-first \"\""},
      {{"create", "x", "--userns", "0:100000:65536", "--sysctl", "net.ipv4.ip_unprivileged_port_start="},
       "value is empty"},
      {{"create", "x", "--userns", "0:100000:65536", "--network", ""}, "--network: network name is empty"},
      {{"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", "-lead"},
       "hostname \"-lead\" is not an RFC 1123 host name"},
      {{"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", "lead-"}, "RFC 1123"},
      {{"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", "a..b"}, "RFC 1123"},
      {{"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", "a."}, "RFC 1123"},
      {{"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", "a_b"}, "RFC 1123"},
      {{"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", std::string(64, 'a')},
       "RFC 1123"},
      {{"create", "x", "--userns", "0:100000:65536", "--uts", "--hostname", ""}, "--hostname is empty"},
      {{"create", "x", "--userns", "1:100000:65536"}, "the uid map does not map container uid 0"},
      {{"create", "x", "--uidmap", "0:100000:10", "--gidmap", "1:200000:10"},
       "the gid map does not map container gid 0"},
  };
  for (const auto& c : cases) {
    auto r = podns(env, c.args);
    std::string shown;
    for (const auto& a : c.args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << shown << ": " << r.err;
  }
  EXPECT_EQ(json::parse(podns(env, {"ls", "--json"}).out), json::array());
  EXPECT_TRUE(test::mounts_under(env.root() + "/").empty());
  EXPECT_FALSE(std::filesystem::exists(env.root() + "/x"));
  // What is right is taken: a hostname with digits, '-' and capitals in its
  // labels, and a uid map whose root line comes second.
  auto ok = podns(env, {"create", "x", "--uidmap", "1:100000:10,0:200000:1", "--gidmap",
                        "0:300000:11", "--uts", "--hostname", "a-1.B2.c"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out)["hostname"], "a-1.B2.c");
}

// The CLI with the env's globals and `args`, its standard output /dev/full.
test::Run podns_to_full(const PodnsEnv& env, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"sh", "-c", "exec \"$@\" >/dev/full", "sh", test::podns_cli(),
                                "--root", env.root(), "--state-dir", env.state_dir(),
                                "--cni-conf-dir", env.cni_conf_dir(), "--cni-cache-dir",
                                env.cni_cache_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv);
}

// Output that cannot be written is a failure, as in coreutils: exit 1 and
// "podns: write error: ...". A create whose JSON is lost has still made
// the pod: it is kept (inspect shows it), and the message says so.
TEST_F(Cli, AWriteErrorOnStandardOutputIsAFailure) {
  PodnsEnv env;
  auto c = podns_to_full(env, {"create", "w", "--userns", "0:100000:65536"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_EQ(c.err, "podns: write error: sandbox w was created and is kept, but its JSON could not "
                   "be written: No space left on device\n");
  auto i = podns(env, {"inspect", "w"});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(json::parse(i.out)["state"], "ready");

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ls", "--json"}, {"ls"}, {"inspect", "w"}, {"stop", "w"}, {"recover", "--json"},
           {"fault-steps"}, {"--help"}, {"userns-of", env.root() + "/w/net"}}) {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    auto r = podns_to_full(env, args);
    EXPECT_EQ(r.exit_code, 1) << shown;
    EXPECT_EQ(r.err, "podns: write error: No space left on device\n") << shown;
  }
  // To a pipe, the same commands succeed.
  EXPECT_EQ(podns(env, {"ls", "--json"}).exit_code, 0);
  EXPECT_EQ(podns(env, {"rm", "w"}).exit_code, 0);
}

TEST_F(Cli, UnknownIdAndNonNamespacePathExit1) {
  PodnsEnv env;
  auto r = podns(env, {"rm", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "podns: no sandbox nope\n");
  auto i = podns(env, {"inspect", "nope"});
  EXPECT_EQ(i.exit_code, 1);
  auto u = podns(env, {"userns-of", "/etc/hostname"});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.err.find("not a namespace file"), std::string::npos) << u.err;
  auto missing = podns(env, {"userns-of", "/nonexistent/net"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/net"), std::string::npos) << missing.err;
}

TEST_F(Cli, HelpOnEveryCommand) {
  PodnsEnv env;
  for (std::string cmd : {"create", "inspect", "ls", "rm", "userns-of"}) {
    auto r = podns(env, {cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << ": " << r.out;
  }
  auto top = podns(env, {"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("userns-of"), std::string::npos);
}

}  // namespace
}  // namespace podns
