// The operations over a network, with the fake plugin: chain order,
// prevResult, the cache, best-effort DEL, CHECK, STATUS, GC, VERSION, and
// the errors a misbehaving plugin gets. Needs no root.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "podns/cni/client.h"
#include "podns/cni/pod.h"
#include "testenv.h"

namespace podns::cni {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kFakeDir = PODNS_FAKE_CNI_DIR;

class Operations : public ::testing::Test {
 protected:
  void SetUp() override {
    rec_ = dir_.path() + "/rec";
    Options o;
    o.bin_dirs = {kFakeDir};
    o.cache_dir = dir_.path() + "/cache";
    o.timeout = 5s;
    auto c = Client::open(o);
    ASSERT_TRUE(c) << c.error().message();
    client_.emplace(std::move(*c));
  }

  // A network of fake plugins, one per element of `plugins` (extra keys for each).
  NetworkConfig network(std::vector<json> plugins, const std::string& version = "1.0.0",
                        json extra = json::object()) {
    json list = std::move(extra);
    list["cniVersion"] = version;
    list["name"] = "fakenet";
    list["plugins"] = json::array();
    for (auto& p : plugins) {
      p["type"] = p.value("type", "podns-fake");
      p["record"] = rec_;
      list["plugins"].push_back(p);
    }
    auto net = parse_network(list.dump(), "test");
    EXPECT_TRUE(net) << net.error().message();
    return *net;
  }

  static Attachment attachment(const std::string& cid = "c1") {
    Attachment a;
    a.container_id = cid;
    a.netns = "/proc/self/ns/net";
    a.ifname = "eth0";
    return a;
  }

  std::vector<json> calls() {
    std::vector<json> out;
    std::ifstream in(rec_);
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line));
    return out;
  }
  void forget_calls() { std::filesystem::remove(rec_); }

  std::string cache_file(const std::string& cid = "c1", const std::string& ifname = "eth0") {
    return dir_.path() + "/cache/results/fakenet-" + cid + "-" + ifname;
  }

  test::TempDir dir_;
  std::string rec_;
  std::optional<Client> client_;
};

TEST_F(Operations, OpenChecksOptions) {
  Options o;
  o.bin_dirs = {"relative"};
  EXPECT_FALSE(Client::open(o));
  o = Options{};
  o.bin_dirs.clear();
  EXPECT_FALSE(Client::open(o));
  o = Options{};
  o.cache_dir = "cache";
  EXPECT_FALSE(Client::open(o));
  o = Options{};
  o.timeout = 0ms;
  EXPECT_FALSE(Client::open(o));
  EXPECT_TRUE(Client::open(Options{}));
}

TEST_F(Operations, AddRunsTheChainInOrderPassingEachResultOn) {
  auto net = network({{{"tag", "a"}}, {{"tag", "b"}}, {{"tag", "c"}}});
  auto res = client_->add(net, attachment());
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_EQ((*res)["interfaces"], json::parse(R"([{"name":"a"},{"name":"b"},{"name":"c"}])"));

  auto c = calls();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_FALSE(c[0]["stdin"].contains("prevResult"));
  EXPECT_EQ(c[1]["stdin"]["prevResult"]["interfaces"], json::parse(R"([{"name":"a"}])"));
  EXPECT_EQ(c[2]["stdin"]["prevResult"]["interfaces"],
            json::parse(R"([{"name":"a"},{"name":"b"}])"));
  for (const auto& call : c) {
    EXPECT_EQ(call["command"], "ADD");
    EXPECT_EQ(call["stdin"]["name"], "fakenet");
    EXPECT_EQ(call["stdin"]["cniVersion"], "1.0.0");
  }

  // The final result is cached with the network's bytes.
  auto cached = client_->cache().read("fakenet", "c1", "eth0");
  ASSERT_TRUE(cached && *cached);
  EXPECT_EQ((*cached)->result, *res);
  EXPECT_EQ((*cached)->config, net.bytes);
  EXPECT_EQ((*cached)->netns, "/proc/self/ns/net");

  // A second ADD of the same attachment is refused before any plugin runs.
  forget_calls();
  auto again = client_->add(net, attachment());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().errno_value(), EEXIST);
  EXPECT_TRUE(calls().empty());
}

TEST_F(Operations, AddStopsAtTheFirstErrorAndCachesNothing) {
  auto net = network({{{"tag", "a"}},
                      {{"tag", "b"}, {"fault", "error-json"}, {"faultOn", "ADD"}},
                      {{"tag", "c"}}});
  auto res = client_->add(net, attachment());
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().message(),
            "CNI plugin podns-fake (ADD, network fakenet): error 11: fake failure: asked to fail "
            "on ADD");
  EXPECT_EQ(res.error().errno_value(), EAGAIN);
  EXPECT_EQ(calls().size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(cache_file()));

  // The caller's DEL after a failed ADD runs every plugin and succeeds.
  forget_calls();
  ASSERT_TRUE(client_->del(net, attachment()));
  EXPECT_EQ(calls().size(), 3u);
}

TEST_F(Operations, DelRunsInReverseWithTheCachedResult) {
  auto net = network({{{"tag", "a"}}, {{"tag", "b"}}, {{"tag", "c"}}});
  auto res = client_->add(net, attachment());
  ASSERT_TRUE(res);
  forget_calls();
  ASSERT_TRUE(client_->del(net, attachment()));
  auto c = calls();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0]["stdin"]["tag"], "c");
  EXPECT_EQ(c[1]["stdin"]["tag"], "b");
  EXPECT_EQ(c[2]["stdin"]["tag"], "a");
  for (const auto& call : c) {
    EXPECT_EQ(call["command"], "DEL");
    EXPECT_EQ(call["stdin"]["prevResult"], *res);
  }
  EXPECT_FALSE(std::filesystem::exists(cache_file()));

  // Again: nothing cached, no prevResult, still a success.
  forget_calls();
  ASSERT_TRUE(client_->del(net, attachment()));
  for (const auto& call : calls()) EXPECT_FALSE(call["stdin"].contains("prevResult"));
}

TEST_F(Operations, DelRunsEveryPluginAndKeepsTheCacheOnError) {
  auto net = network({{{"tag", "a"}, {"fault", "exit"}, {"faultOn", "DEL"}},
                      {{"tag", "b"}},
                      {{"tag", "c"}, {"fault", "error-json"}, {"faultOn", "DEL"}}});
  ASSERT_TRUE(client_->add(net, attachment()));
  forget_calls();
  auto r = client_->del(net, attachment());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "2 of 3 steps failed; the first: CNI plugin podns-fake (DEL, network fakenet): error "
            "11: fake failure: asked to fail on DEL");
  EXPECT_EQ(calls().size(), 3u);
  EXPECT_TRUE(std::filesystem::exists(cache_file()));
}

TEST_F(Operations, DelPassesAnEmptyNetnsWhenTheNamespaceIsGone) {
  auto net = network({{{"tag", "a"}}});
  Attachment a = attachment();
  a.netns = dir_.path() + "/gone/net";
  ASSERT_TRUE(client_->del(net, a));
  a.netns = "/proc/self/ns/net";
  ASSERT_TRUE(client_->del(net, a));
  auto c = calls();
  ASSERT_EQ(c.size(), 2u);
  auto env_has = [](const json& call, const std::string& var) {
    const json& env = call["env"];
    return std::any_of(env.begin(), env.end(), [&](const json& e) { return e == var; });
  };
  EXPECT_TRUE(env_has(c[0], "CNI_NETNS="));
  EXPECT_TRUE(env_has(c[1], "CNI_NETNS=/proc/self/ns/net"));
}

TEST_F(Operations, PluginsGetTheCniEnvironmentAndRuntimeConfig) {
  auto net = network({{{"capabilities", {{"portMappings", true}}}}});
  Attachment a = attachment();
  a.args = {{"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "web"}};
  a.capability_args = {{"portMappings", json::array({{{"hostPort", 8080}}})}, {"mac", "x"}};
  ASSERT_TRUE(client_->add(net, a));
  auto c = calls();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]["env"],
            json({"CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_NETNS=/proc/self/ns/net",
                  "CNI_IFNAME=eth0", "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=web",
                  "CNI_PATH=" + kFakeDir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}));
  EXPECT_EQ(c[0]["stdin"]["runtimeConfig"],
            json({{"portMappings", json::array({{{"hostPort", 8080}}})}}));
  EXPECT_FALSE(c[0]["stdin"].contains("capabilities"));
  // Kept in the cache for a DEL after a restart.
  auto cached = client_->cache().read("fakenet", "c1", "eth0");
  ASSERT_TRUE(cached && *cached);
  EXPECT_EQ((*cached)->cni_args, a.args);
  EXPECT_EQ((*cached)->capability_args, a.capability_args);
}

TEST_F(Operations, CheckRunsForwardWithTheCachedResult) {
  auto net = network({{{"tag", "a"}}, {{"tag", "b"}}});
  auto none = client_->check(net, attachment());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().errno_value(), ENOENT);

  auto res = client_->add(net, attachment());
  ASSERT_TRUE(res);
  forget_calls();
  ASSERT_TRUE(client_->check(net, attachment()));
  auto c = calls();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["command"], "CHECK");
  EXPECT_EQ(c[0]["stdin"]["tag"], "a");
  EXPECT_EQ(c[1]["stdin"]["prevResult"], *res);

  auto failing =
      network({{{"tag", "a"}, {"fault", "error-json"}, {"faultOn", "CHECK"}}, {{"tag", "b"}}});
  forget_calls();
  auto r = client_->check(failing, attachment());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "CNI plugin podns-fake (CHECK, network fakenet): error 11: fake failure: asked to "
            "fail on CHECK");
  EXPECT_EQ(calls().size(), 1u);
}

TEST_F(Operations, DisableCheckRunsNothing) {
  auto net = network({{{"tag", "a"}, {"fault", "error-json"}}}, "1.0.0", {{"disableCheck", true}});
  EXPECT_TRUE(client_->check(net, attachment()));
  EXPECT_TRUE(calls().empty());
}

TEST_F(Operations, StatusIsForVersion11Networks) {
  auto old_net = network({{{"fault", "error-json"}}});
  EXPECT_TRUE(client_->status(old_net));
  EXPECT_TRUE(calls().empty());

  auto net = network({{{"tag", "a"}}, {{"tag", "b"}}}, "1.1.0");
  ASSERT_TRUE(client_->status(net));
  auto c = calls();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["command"], "STATUS");
  EXPECT_EQ(c[0]["env"], json({"CNI_COMMAND=STATUS", "CNI_PATH=" + kFakeDir,
                               "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}));
  EXPECT_EQ(c[0]["stdin"]["cniVersion"], "1.1.0");

  auto down = network({{{"fault", "error-json"}, {"faultCode", 50}}}, "1.1.0");
  auto r = client_->status(down);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "CNI plugin podns-fake (STATUS, network fakenet): error 50: fake failure: asked to "
            "fail on STATUS");
}

TEST_F(Operations, GcDeletesStaleCachedAttachmentsAndTellsPluginsWhatIsValid) {
  auto net = network({{{"tag", "a"}}, {{"tag", "b"}}}, "1.1.0");
  ASSERT_TRUE(client_->add(net, attachment("c1")));
  ASSERT_TRUE(client_->add(net, attachment("c2")));
  forget_calls();

  ASSERT_TRUE(client_->gc(net, {{"c1", "eth0"}}));
  auto c = calls();
  ASSERT_EQ(c.size(), 4u);
  // c2 is not valid: DEL'd, in reverse, with its cached result.
  EXPECT_EQ(c[0]["command"], "DEL");
  EXPECT_EQ(c[0]["stdin"]["tag"], "b");
  EXPECT_TRUE(c[0]["stdin"].contains("prevResult"));
  EXPECT_EQ(c[1]["command"], "DEL");
  // Then every plugin gets GC.
  EXPECT_EQ(c[2]["command"], "GC");
  EXPECT_EQ(c[2]["stdin"]["tag"], "a");
  EXPECT_EQ(c[2]["stdin"]["cni.dev/valid-attachments"],
            json::parse(R"([{"containerID":"c1","ifname":"eth0"}])"));
  EXPECT_FALSE(c[2]["stdin"].contains("prevResult"));
  EXPECT_EQ(c[3]["command"], "GC");
  EXPECT_TRUE(std::filesystem::exists(cache_file("c1")));
  EXPECT_FALSE(std::filesystem::exists(cache_file("c2")));
}

TEST_F(Operations, GcGoesOnPastErrorsAndHonoursDisableGc) {
  auto net = network({{{"fault", "error-json"}, {"faultOn", "GC"}}, {{"tag", "b"}}}, "1.1.0");
  auto r = client_->gc(net, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "CNI plugin podns-fake (GC, network fakenet): error 11: fake failure: asked to fail "
            "on GC");
  EXPECT_EQ(calls().size(), 2u);

  forget_calls();
  auto off = network({{{"tag", "a"}}}, "1.1.0", {{"disableGC", true}});
  ASSERT_TRUE(client_->add(off, attachment()));
  forget_calls();
  EXPECT_TRUE(client_->gc(off, {}));
  EXPECT_TRUE(calls().empty());
  EXPECT_TRUE(std::filesystem::exists(cache_file()));

  // A 1.0 network has no GC command: only stale attachments are DEL'd.
  auto old_net = network({{{"tag", "a"}}});
  EXPECT_TRUE(client_->gc(old_net, {}));
  auto c = calls();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]["command"], "DEL");
  EXPECT_FALSE(std::filesystem::exists(cache_file()));
}

TEST_F(Operations, VersionAsksThePlugin) {
  auto v = client_->version("podns-fake");
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ((*v)["cniVersion"], "1.1.0");
  EXPECT_EQ((*v)["supportedVersions"], json({"0.4.0", "1.0.0", "1.1.0"}));
  auto missing = client_->version("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "CNI plugin nope (VERSION): not found in " + kFakeDir);
}

// Every way a plugin can misbehave gives an error naming it.
TEST_F(Operations, MisbehavingPluginsGetClearErrors) {
  Options o = client_->options();
  o.timeout = 1000ms;  // short, yet long enough for a loaded machine to start a plugin
  o.max_output = 64 << 10;
  auto client = Client::open(o);
  ASSERT_TRUE(client);
  const std::string prefix = "CNI plugin podns-fake (ADD, network fakenet): ";
  struct Case {
    const char* fault;
    int err;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"error-json", EAGAIN, prefix + "error 11: fake failure: asked to fail on ADD"},
      {"error-stderr", EAGAIN, prefix + "error 11: fake failure: asked to fail on ADD"},
      {"exit", EIO,
       prefix + "exited with status 3 without an error result; stderr: fake: something went wrong"},
      {"crash", EIO,
       prefix + "killed by signal 11 (SIGSEGV) without an error result; stderr: fake: about to "
                "crash"},
      {"hang", ETIMEDOUT, prefix + "did not finish within 1000 ms; killed"},
      {"flood", EMSGSIZE, prefix + "wrote more than 65536 bytes to stdout; killed"},
      {"garbage", EBADMSG, ""},
      {"deep", EBADMSG, prefix + "its ADD result is nested deeper than 128 levels"},
      {"silent", EBADMSG, prefix + "exited 0 but printed no ADD result"},
      {"wrong-version", EBADMSG,
       prefix + "returned a result of CNI version \"0.4.0\", not the 1.0.0 it was sent"},
  };
  for (const auto& c : cases) {
    auto net = network({{{"fault", c.fault}}});
    auto r = client->add(net, attachment());
    ASSERT_FALSE(r) << c.fault;
    EXPECT_EQ(r.error().errno_value(), c.err) << c.fault << ": " << r.error().message();
    if (!c.message.empty()) {
      EXPECT_EQ(r.error().message(), c.message) << c.fault;
    } else {
      EXPECT_EQ(r.error().message().rfind(prefix + "its ADD result is not valid JSON", 0), 0u)
          << r.error().message();
    }
    EXPECT_FALSE(std::filesystem::exists(cache_file())) << c.fault;
  }
  siginfo_t info{};
  EXPECT_TRUE(::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 &&
              errno == ECHILD);
}

TEST_F(Operations, AMissingPluginIsNamed) {
  auto net = network({{{"tag", "a"}}, {{"type", "no-such-plugin"}}});
  auto r = client_->add(net, attachment());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ENOENT);
  EXPECT_EQ(r.error().message(),
            "CNI plugin no-such-plugin (ADD, network fakenet): not found in " + kFakeDir);
}

TEST_F(Operations, AttachPodAddsLoopbackThenEth0) {
  // The fake stands in for the loopback plugin too.
  test::TempDir bin;
  std::filesystem::copy_file(kFakeDir + "/podns-fake", bin.path() + "/podns-fake");
  std::filesystem::copy_file(kFakeDir + "/podns-fake", bin.path() + "/loopback");
  Options o = client_->options();
  o.bin_dirs = {bin.path()};
  auto client = Client::open(o);
  ASSERT_TRUE(client);
  auto net = network({{{"tag", "a"}}});
  Pod pod{"pod1", "/proc/self/ns/net", {}, json::object()};
  auto res = attach_pod(*client, net, pod);
  ASSERT_TRUE(res) << res.error().message();
  EXPECT_TRUE(std::filesystem::exists(cache_file("pod1", "eth0")));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/cache/results/podns-loopback-pod1-lo"));
  ASSERT_TRUE(detach_pod(*client, net, pod));
  EXPECT_FALSE(std::filesystem::exists(cache_file("pod1", "eth0")));
  auto c = calls();  // only the fake network's plugin records; loopback has no "record"
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["command"], "ADD");
  EXPECT_EQ(c[1]["command"], "DEL");
}

}  // namespace
}  // namespace podns::cni
