// The CNI runtime with the real plugins (bridge, host-local, loopback from
// /usr/lib/cni) on the network namespaces of real user-namespaced pods.
//
// Each test has a bridge, subnet and network name of its own (from its PID),
// no route or masquerade off the machine, and traffic only between its pods
// and its bridge. Whatever happens, the host is put back: the bridge is
// deleted, host-local's leases removed, ip_forward restored (test::TestNetwork).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "podns/cni/client.h"
#include "podns/cni/pod.h"
#include "podns/podns.h"
#include "cni_env.h"
#include "testenv.h"

namespace podns::cni {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string& kPlugins = test::kCniPlugins;
const std::string& kLeases = test::kCniLeases;
using test::address_of;
using test::addresses;
using test::in_netns;
using test::link_up;
using test::ping;
using test::without_prefix;

class RealPlugins : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    PODNS_REQUIRE_REAL_PLUGINS();
    auto id = static_cast<unsigned>(::getpid());
    bridge_ = "podnst" + std::to_string(id % 1000);
    network_ = "podns-test-" + std::to_string(id);
    subnet_prefix_ = "10.254." + std::to_string(id % 200 + 20) + ".";
    host_.emplace(bridge_, network_, subnet_prefix_);
    net_ = network();

    Options o;
    o.bin_dirs = {kPlugins, PODNS_FAKE_CNI_DIR};
    o.cache_dir = cache_.path();
    o.timeout = 20s;
    auto c = Client::open(o);
    ASSERT_TRUE(c) << c.error().message();
    client_.emplace(std::move(*c));
    auto m = Manager::open(env_.config());
    ASSERT_TRUE(m) << m.error().message();
    manager_.emplace(std::move(*m));
  }

  // bridge + host-local, then `more` plugins after them.
  NetworkConfig network(std::vector<json> more = {}, const std::string& version = "1.0.0") {
    return host_->config(std::move(more), version);
  }

  // A user-namespaced pod, as podns makes them; each with host IDs of its own.
  Pod pod(const std::string& id) {
    std::uint32_t host = 100000 + 65536 * pods_++;
    CreateOptions opts;
    opts.id = id;
    opts.userns = UsernsChoice::with_maps({{{0, host, 65536}}, {{0, host, 65536}}});
    auto s = manager_->create(opts);
    EXPECT_TRUE(s) << s.error().message();
    return Pod{id, s ? s->netns_path() : std::string(), {}, json::object()};
  }

  std::string lease(const std::string& cidr) const {
    return kLeases + "/" + network_ + "/" + without_prefix(cidr);
  }
  std::string cache_file(const std::string& cid) const {
    return cache_.path() + "/results/" + network_ + "-" + cid + "-eth0";
  }
  std::string gateway() const { return subnet_prefix_ + "1"; }

  std::string bridge_, network_, subnet_prefix_;
  std::uint32_t pods_ = 0;
  std::optional<test::TestNetwork> host_;
  test::TempDir cache_;
  test::PodnsEnv env_;
  std::optional<Manager> manager_;
  std::optional<Client> client_;
  NetworkConfig net_;
};

TEST_F(RealPlugins, PodsGetAnAddressAndReachEachOtherAndTheGateway) {
  Pod a = pod("cnia");
  Pod b = pod("cnib");
  auto ra = attach_pod(*client_, net_, a);
  ASSERT_TRUE(ra) << ra.error().message();
  auto rb = attach_pod(*client_, net_, b);
  ASSERT_TRUE(rb) << rb.error().message();

  std::string addr_a = address_of(*ra);
  std::string addr_b = address_of(*rb);
  ASSERT_EQ(addr_a.rfind(subnet_prefix_, 0), 0u) << ra->dump();
  ASSERT_EQ(addr_b.rfind(subnet_prefix_, 0), 0u) << rb->dump();
  EXPECT_NE(addr_a, addr_b);
  EXPECT_EQ((*ra)["cniVersion"], "1.0.0");

  // What the result says is what the pod has.
  EXPECT_EQ(addresses(a.netns, "eth0"), std::vector<std::string>{addr_a});
  EXPECT_EQ(addresses(b.netns, "eth0"), std::vector<std::string>{addr_b});
  EXPECT_TRUE(link_up(a.netns, "lo"));
  EXPECT_TRUE(fs::exists(lease(addr_a)));
  EXPECT_TRUE(fs::exists(cache_file("cnia")));
  // No route off the machine was made.
  auto routes = in_netns(a.netns, {"ip", "-j", "route", "show", "default"});
  EXPECT_EQ(routes.exit_code, 0);
  EXPECT_EQ(json::parse(routes.out), json::array());

  auto p = ping(a.netns, without_prefix(addr_b));
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  p = ping(b.netns, gateway());
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;

  auto checked = client_->check(net_, Attachment{"cnia", a.netns, "eth0", {}, json::object()});
  EXPECT_TRUE(checked) << checked.error().message();

  ASSERT_TRUE(detach_pod(*client_, net_, a));
  ASSERT_TRUE(detach_pod(*client_, net_, b));
  EXPECT_FALSE(fs::exists(lease(addr_a)));
  EXPECT_FALSE(fs::exists(lease(addr_b)));
  EXPECT_FALSE(fs::exists(cache_file("cnia")));
  EXPECT_FALSE(fs::exists(cache_file("cnib")));
  EXPECT_TRUE(addresses(a.netns, "eth0").empty());
  // DEL again: nothing left to delete, still a success.
  EXPECT_TRUE(detach_pod(*client_, net_, a));
}

TEST_F(RealPlugins, CheckNoticesAMissingInterface) {
  Pod a = pod("cnichk");
  auto r = attach_pod(*client_, net_, a);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(in_netns(a.netns, {"ip", "link", "del", "eth0"}).exit_code, 0);
  auto checked = client_->check(net_, Attachment{"cnichk", a.netns, "eth0", {}, json::object()});
  ASSERT_FALSE(checked);
  EXPECT_EQ(
      checked.error().message().rfind("CNI plugin bridge (CHECK, network " + network_ + "): ", 0),
      0u)
      << checked.error().message();
  EXPECT_TRUE(detach_pod(*client_, net_, a));
  EXPECT_FALSE(fs::exists(lease(address_of(*r))));
}

TEST_F(RealPlugins, DelAfterThePodIsGoneReleasesTheAddress) {
  Pod a = pod("cnigone");
  auto r = attach_pod(*client_, net_, a);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(fs::exists(lease(address_of(*r))));
  ASSERT_TRUE(manager_->remove("cnigone"));  // the netns is gone now
  auto del = detach_pod(*client_, net_, a);
  EXPECT_TRUE(del) << del.error().message();
  EXPECT_FALSE(fs::exists(lease(address_of(*r))));
  EXPECT_FALSE(fs::exists(cache_file("cnigone")));
}

TEST_F(RealPlugins, AChainThatFailsHalfwayIsCleanedUpByDel) {
  auto net = network({{{"type", "podns-fake"}, {"fault", "error-json"}, {"faultOn", "ADD"}}});
  Pod a = pod("cnifail");
  Attachment att{"cnifail", a.netns, "eth0", {}, json::object()};
  auto r = client_->add(net, att);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "CNI plugin podns-fake (ADD, network " + network_ +
                                     "): error 11: fake failure: asked to fail on ADD");
  // bridge got an address before the fake failed; nothing is cached.
  EXPECT_EQ(addresses(a.netns, "eth0").size(), 1u);
  EXPECT_FALSE(fs::exists(cache_file("cnifail")));
  ASSERT_FALSE(fs::is_empty(kLeases + "/" + network_));

  auto del = client_->del(net, att);
  ASSERT_TRUE(del) << del.error().message();
  EXPECT_TRUE(addresses(a.netns, "eth0").empty());
  for (const auto& e : fs::directory_iterator(kLeases + "/" + network_)) {
    std::string name = e.path().filename();
    EXPECT_FALSE(name.rfind(subnet_prefix_, 0) == 0) << "lease left: " << name;
  }
  EXPECT_FALSE(fs::exists(cache_file("cnifail")));
}

TEST_F(RealPlugins, EveryFaultAfterBridgeIsCleanedUpByDel) {
  Options o = client_->options();
  o.timeout = 1500ms;
  o.max_output = 64 << 10;
  auto client = Client::open(o);
  ASSERT_TRUE(client);
  Pod a = pod("cnifaults");
  for (const char* fault : {"error-json", "exit", "crash", "hang", "garbage", "flood", "missing"}) {
    SCOPED_TRACE(fault);
    bool missing = std::string(fault) == "missing";
    json faulty = missing ? json{{"type", "no-such-plugin"}}
                          : json{{"type", "podns-fake"}, {"fault", fault}, {"faultOn", "ADD"}};
    auto net = network({faulty});
    Attachment att{"cnifaults", a.netns, "eth0", {}, json::object()};
    auto r = client->add(net, att);
    ASSERT_FALSE(r);
    std::string plugin = missing ? "no-such-plugin" : "podns-fake";
    EXPECT_EQ(
        r.error().message().rfind("CNI plugin " + plugin + " (ADD, network " + network_ + "): ", 0),
        0u)
        << r.error().message();
    EXPECT_EQ(addresses(a.netns, "eth0").size(), 1u);

    // DEL runs every plugin: bridge releases the address even when the
    // missing plugin makes the DEL fail.
    auto del = client->del(net, att);
    if (missing) {
      ASSERT_FALSE(del);
      EXPECT_EQ(del.error().message(), "CNI plugin no-such-plugin (DEL, network " + network_ +
                                           "): not found in " + kPlugins + ":" +
                                           PODNS_FAKE_CNI_DIR);
    } else {
      EXPECT_TRUE(del) << del.error().message();
    }
    EXPECT_TRUE(addresses(a.netns, "eth0").empty());
    for (const auto& e : fs::directory_iterator(kLeases + "/" + network_)) {
      std::string name = e.path().filename();
      EXPECT_NE(name.rfind(subnet_prefix_, 0), 0u) << "lease left: " << name;
    }
    EXPECT_FALSE(fs::exists(cache_file("cnifaults")));
  }
}

TEST_F(RealPlugins, ThePluginsOwnErrorsAreReported) {
  // These plugins speak at most 1.0.0: a 1.1.0 network gets their error 1.
  auto net = network({}, "1.1.0");
  Pod a = pod("cnivers");
  auto r = client_->add(net, Attachment{"cnivers", a.netns, "eth0", {}, json::object()});
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().message().rfind("CNI plugin bridge (ADD, network " + network_ + "): error 1: ", 0),
      0u)
      << r.error().message();
  EXPECT_NE(r.error().message().find("1.1.0"), std::string::npos) << r.error().message();

  auto v = client_->version("bridge");
  ASSERT_TRUE(v) << v.error().message();
  auto supported = (*v)["supportedVersions"];
  EXPECT_NE(std::find(supported.begin(), supported.end(), "1.0.0"), supported.end());
}

// Not a check: measures attach_pod + detach_pod (loopback ADD, bridge +
// host-local ADD, and both DELs) on one pod, 20 times, and prints the median.
TEST_F(RealPlugins, AttachDetachTiming) {
  Pod a = pod("cnitime");
  using Ms = std::chrono::duration<double, std::milli>;
  std::vector<double> add_ms;
  std::vector<double> del_ms;
  std::vector<double> total_ms;
  for (int i = 0; i < 20; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto r = attach_pod(*client_, net_, a);
    ASSERT_TRUE(r) << r.error().message();
    auto mid = std::chrono::steady_clock::now();
    auto d = detach_pod(*client_, net_, a);
    ASSERT_TRUE(d) << d.error().message();
    auto end = std::chrono::steady_clock::now();
    add_ms.push_back(Ms(mid - start).count());
    del_ms.push_back(Ms(end - mid).count());
    total_ms.push_back(Ms(end - start).count());
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return (v[9] + v[10]) / 2;
  };
  std::cout << "20 runs, median ms: attach_pod (ADD lo + ADD eth0) " << median(add_ms)
            << ", detach_pod (DEL eth0 + DEL lo) " << median(del_ms) << ", both "
            << median(total_ms) << " (min " << *std::min_element(total_ms.begin(), total_ms.end())
            << ", max " << *std::max_element(total_ms.begin(), total_ms.end()) << ")\n";
  RecordProperty("median_ms", std::to_string(median(total_ms)));
}

}  // namespace
}  // namespace podns::cni
