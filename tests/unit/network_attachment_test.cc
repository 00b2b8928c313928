// One pod's CNI attachment, with the fake plugin (standing in for loopback
// too): its state transitions, intent handed to the caller before every
// action (and nothing run when keeping it fails), a failed ADD undone by
// DEL as the CNI spec requires, DEL of a netns that is gone, CHECK only
// when attached, and what recover is given. Needs no root.
#include "podns/network_attachment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Netns = NetworkAttachment::Netns;

const std::string kFakeDir = PODNS_FAKE_CNI_DIR;
constexpr const char* kPin = "/proc/self/ns/net";  // exists; the fake never enters it

class Attachment : public ::testing::Test {
 protected:
  void SetUp() override {
    rec_ = dir_.path() + "/rec";
    std::filesystem::create_directories(dir_.path() + "/bin");
    for (const char* name : {"podns-fake", "loopback"}) {
      std::filesystem::copy_file(kFakeDir + "/podns-fake", dir_.path() + "/bin/" + name);
    }
  }

  cni::Client client() {
    cni::Options o;
    o.bin_dirs = {dir_.path() + "/bin"};
    o.cache_dir = dir_.path() + "/cache";
    o.timeout = 5s;
    auto c = cni::Client::open(o);
    EXPECT_TRUE(c) << c.error().message();
    return std::move(*c);
  }

  // A network of fake plugins, one per element of `plugins`.
  cni::NetworkConfig network(std::vector<json> plugins) {
    json list{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", json::array()}};
    for (auto& p : plugins) {
      p["type"] = p.value("type", "podns-fake");
      p["record"] = rec_;
      list["plugins"].push_back(p);
    }
    auto net = cni::parse_network(list.dump(), "test");
    EXPECT_TRUE(net) << net.error().message();
    return *net;
  }

  NetworkAttachment attachment(const cni::NetworkConfig& net, NetState state = NetState::none) {
    return {client(), "pod1", kPin, net, state};
  }

  // A Record that keeps what it is given and whether any plugin had run by
  // then; it fails when `fail` is set.
  NetworkAttachment::Record recorder(bool fail = false) {
    return [this, fail](NetState intent) -> Result<void> {
      recorded_.push_back(intent);
      calls_when_recorded_.push_back(calls().size());
      if (fail) return plain_error(EIO, "the state database is gone");
      return {};
    };
  }

  std::vector<json> calls() const {
    std::vector<json> out;
    std::ifstream in(rec_);
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line));
    return out;
  }
  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const auto& c : calls()) {
      out.push_back(c["command"].get<std::string>() + " " + c["stdin"].value("tag", ""));
    }
    return out;
  }
  bool cached() const {
    return std::filesystem::exists(dir_.path() + "/cache/results/fakenet-pod1-eth0");
  }

  test::TempDir dir_;
  std::string rec_;
  std::vector<NetState> recorded_;
  std::vector<std::size_t> calls_when_recorded_;
};

TEST_F(Attachment, AddRecordsAttachingBeforeAnyPluginRuns) {
  auto a = attachment(network({{{"tag", "a"}}, {{"tag", "b"}}}));
  auto shown = a.add(recorder());
  ASSERT_TRUE(shown) << shown.error().message();
  EXPECT_EQ(recorded_, std::vector<NetState>{NetState::attaching});
  EXPECT_EQ(calls_when_recorded_, std::vector<std::size_t>{0});
  EXPECT_EQ(a.state(), NetState::attached);
  EXPECT_EQ(commands(), (std::vector<std::string>{"ADD a", "ADD b"}));
  EXPECT_TRUE(cached());
  // What inspect shows: the network's name and the final result.
  EXPECT_EQ(*shown, json({{"name", "fakenet"},
                          {"cniVersion", "1.0.0"},
                          {"interfaces", {{{"name", "a"}}, {{"name", "b"}}}},
                          {"ips", json::array()}}));
}

TEST_F(Attachment, EveryCallCarriesTheSandboxsIdentity) {
  auto a = attachment(network({json::object()}));
  ASSERT_TRUE(a.add(recorder()));
  ASSERT_TRUE(a.del(recorder(), Netns::pinned));
  for (const auto& c : calls()) {
    const json& env = c["env"];
    for (const char* var : {"CNI_CONTAINERID=pod1", "CNI_IFNAME=eth0",
                            "CNI_ARGS=IgnoreUnknown=1;PODNS_SANDBOX=pod1"}) {
      EXPECT_NE(std::find(env.begin(), env.end(), var), env.end()) << var << " in " << env;
    }
    EXPECT_NE(std::find(env.begin(), env.end(), std::string("CNI_NETNS=") + kPin), env.end());
  }
}

TEST_F(Attachment, NothingRunsWhenTheIntentCannotBeKept) {
  auto a = attachment(network({{{"tag", "a"}}}));
  auto r = a.add(recorder(/*fail=*/true));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "the state database is gone");
  EXPECT_EQ(a.state(), NetState::none);
  EXPECT_TRUE(calls().empty());
  EXPECT_FALSE(cached());

  auto b = attachment(network({{{"tag", "a"}}}));
  ASSERT_TRUE(b.add(recorder()));
  auto d = b.del(recorder(/*fail=*/true), Netns::pinned);
  ASSERT_FALSE(d);
  EXPECT_EQ(b.state(), NetState::attached);
  EXPECT_EQ(commands(), std::vector<std::string>{"ADD a"}) << "no DEL ran";
  EXPECT_TRUE(cached());
}

TEST_F(Attachment, AFailedAddStaysAttachingAndDelUndoesIt) {
  // The second plugin fails: the first has done its work, which the spec
  // has the runtime undo with DEL of the whole chain.
  auto a = attachment(network({{{"tag", "a"}}, {{"tag", "b"}, {"fault", "error-json"},
                                                {"faultOn", "ADD"}}}));
  auto added = a.add(recorder());
  ASSERT_FALSE(added);
  EXPECT_NE(added.error().message().find("CNI plugin podns-fake (ADD, network fakenet)"),
            std::string::npos)
      << added.error().message();
  EXPECT_EQ(a.state(), NetState::attaching) << "what is left is for DEL";
  EXPECT_FALSE(cached());

  ASSERT_TRUE(a.del(recorder(), Netns::pinned));
  EXPECT_EQ(a.state(), NetState::none);
  EXPECT_EQ(recorded_, (std::vector<NetState>{NetState::attaching, NetState::detaching}));
  EXPECT_EQ(calls_when_recorded_, (std::vector<std::size_t>{0, 2})) << "before DEL ran";
  EXPECT_EQ(commands(), (std::vector<std::string>{"ADD a", "ADD b", "DEL b", "DEL a"}));
}

TEST_F(Attachment, AFailedDelStaysDetachingAndKeepsTheCache) {
  auto a = attachment(network({{{"tag", "a"}, {"fault", "exit"}, {"faultOn", "DEL"}}}));
  ASSERT_TRUE(a.add(recorder()));
  auto d = a.del(recorder(), Netns::pinned);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message().find("detach network fakenet"), std::string::npos)
      << d.error().message();
  EXPECT_EQ(a.state(), NetState::detaching);
  EXPECT_TRUE(cached()) << "its result, for the next DEL";
}

TEST_F(Attachment, DelOfARecordedDetachingRunsWithoutRecordingAgain) {
  auto net = network({{{"tag", "a"}}});
  auto a = attachment(net, NetState::detaching);
  ASSERT_TRUE(a.del(recorder(), Netns::pinned));
  EXPECT_TRUE(recorded_.empty());
  EXPECT_EQ(a.state(), NetState::none);
  EXPECT_EQ(commands(), std::vector<std::string>{"DEL a"});
}

TEST_F(Attachment, DelOfNoneDoesNothing) {
  auto a = attachment(network({{{"tag", "a"}}}));
  ASSERT_TRUE(a.del(recorder(), Netns::pinned));
  EXPECT_TRUE(recorded_.empty());
  EXPECT_TRUE(calls().empty());
}

TEST_F(Attachment, AddOnlyFromNone) {
  for (auto st : {NetState::attaching, NetState::attached, NetState::detaching}) {
    auto a = attachment(network({json::object()}), st);
    auto r = a.add(recorder());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().errno_value(), EEXIST);
    EXPECT_EQ(a.state(), st);
  }
  EXPECT_TRUE(recorded_.empty());
  EXPECT_TRUE(calls().empty());
}

TEST_F(Attachment, DelOfAGoneNetnsPassesAnEmptyOne) {
  auto a = attachment(network({json::object()}));
  ASSERT_TRUE(a.add(recorder()));
  ASSERT_TRUE(a.del(recorder(), Netns::gone));
  auto c = calls();
  ASSERT_EQ(c.size(), 2u);
  const json& env = c[1]["env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "CNI_NETNS="), env.end()) << env;
  EXPECT_FALSE(cached());
}

TEST_F(Attachment, AnotherPodnssCachedAttachmentIsLeftAlone) {
  // The same network and container ID, attached by a podns with another
  // root: its entry's netns is not our pin.
  auto net = network({{{"tag", "a"}}});
  auto theirs = NetworkAttachment(client(), "pod1", dir_.path() + "/other-root/pod1/net", net);
  ASSERT_TRUE(theirs.add(recorder()));
  auto ours = attachment(net, NetState::attaching);
  ASSERT_TRUE(ours.del(recorder(), Netns::pinned));
  EXPECT_EQ(ours.state(), NetState::none);
  EXPECT_EQ(commands(), std::vector<std::string>{"ADD a"}) << "only our loopback was deleted";
  EXPECT_TRUE(cached());
}

TEST_F(Attachment, CheckOnlyWhenAttached) {
  auto a = attachment(network({{{"tag", "a"}}}));
  auto before = a.check();
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().errno_value(), ENOTCONN);
  EXPECT_TRUE(calls().empty());
  ASSERT_TRUE(a.add(recorder()));
  ASSERT_TRUE(a.check());
  EXPECT_EQ(commands(), (std::vector<std::string>{"ADD a", "CHECK a"}));
}

TEST_F(Attachment, KeptForRecoverWithOurPinAndOurArgs) {
  // A crash during ADD left no cache entry; a failed DEL keeps one.
  auto net = network({{{"tag", "a"}}});
  auto a = attachment(net, NetState::detaching);
  ASSERT_TRUE(a.keep_for_recover());
  auto c = client();
  auto entry = c.cache().read("fakenet", "pod1", "eth0");
  ASSERT_TRUE(entry && *entry);
  EXPECT_EQ((*entry)->netns, kPin);
  EXPECT_EQ((*entry)->config, net.bytes);
  EXPECT_EQ(NetworkAttachment::owner(**entry), "pod1");
  // An entry already there is kept as it is (with its result).
  ASSERT_TRUE(std::filesystem::remove(dir_.path() + "/cache/results/fakenet-pod1-eth0"));
  auto b = attachment(net);
  ASSERT_TRUE(b.add(recorder()));
  ASSERT_TRUE(b.keep_for_recover());
  auto kept = c.cache().read("fakenet", "pod1", "eth0");
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->result["interfaces"], json({{{"name", "a"}}}));

  cni::CacheEntry others;
  others.cni_args = {{"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "web"}};
  EXPECT_EQ(NetworkAttachment::owner(others), std::nullopt);
}

}  // namespace
}  // namespace podns
