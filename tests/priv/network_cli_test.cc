// The pod network through the CLI (issue 4): `podns create --network` with
// the real plugins (bridge, host-local, loopback) attaches the pod, `check`
// asks the plugins, `stop` and `rm` release the address, and a chain that
// fails in any way leaves nothing at all.
//
// Each test writes conflists of its own (test::TestNetwork: its own bridge,
// subnet and network name) into its env's otherwise empty configuration
// directory; the host is put back whatever happens.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cni_env.h"
#include "process.h"
#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;
using test::TestNetwork;
namespace fs = std::filesystem;

const std::string kFakeDir = PODNS_FAKE_CNI_DIR;

class NetworkCli : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    PODNS_REQUIRE_REAL_PLUGINS();
    net_.emplace(0);
  }

  // Creates pod `id` (host IDs of its own) with `extra` arguments; its inspect JSON.
  json create(const std::string& id, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"create", id, "--userns",
                                  "0:" + std::to_string(100000 + 65536 * pods_++) + ":65536"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = podns(env_, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return {};
    auto i = podns(env_, {"inspect", id});
    EXPECT_EQ(i.exit_code, 0) << i.err;
    return json::parse(i.out);
  }

  // Nothing of sandbox `id` is left: no pin, no directory, no row, no lease,
  // no cache file.
  void expect_nothing_of(const std::string& id, const TestNetwork& net) {
    EXPECT_TRUE(test::mounts_under(env_.root() + "/").empty());
    EXPECT_FALSE(fs::exists(env_.root() + "/" + id));
    EXPECT_EQ(json::parse(podns(env_, {"ls", "--json"}).out), json::array());
    EXPECT_EQ(net.leases(), std::vector<std::string>{});
    EXPECT_FALSE(fs::exists(net.cache_file(env_.cni_cache_dir(), id)));
  }

  int pods_ = 0;
  // Declared first, so destroyed last: the env's sandboxes go before the bridge.
  std::optional<TestNetwork> net_;
  PodnsEnv env_;
};

// --timings shows the CNI plugins' share, so that a slow plugin shows.
TEST_F(NetworkCli, TimingsShowTheNetworkStage) {
  net_->write(env_.cni_conf_dir());
  auto r = podns(env_, {"create", "pt", "--userns", "0:100000:65536", "--network", net_->name(),
                        "--timings"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  std::vector<std::string> stages;
  for (const auto& t : out["timings"]) stages.push_back(t["stage"]);
  EXPECT_EQ(stages, (std::vector<std::string>{"checks", "lock", "reserve", "directory", "namespaces",
                                              "pins", "helper exit", "network", "record", "total"}));
  EXPECT_EQ(podns(env_, {"rm", "pt"}).exit_code, 0);
  expect_nothing_of("pt", *net_);
}

TEST_F(NetworkCli, CreateAttachesTheNamedNetwork) {
  const std::string other = net_->subnet_prefix().substr(0, 7) + "253.0/24";  // 10.254.253.0/24
  net_->write(env_.cni_conf_dir(), {}, "",
              {{"ipam",
                {{"type", "host-local"},
                 {"subnet", net_->subnet_prefix() + "0/24"},
                 {"routes", json::array({{{"dst", other}}})}}},
               {"dns", {{"nameservers", json::array({net_->subnet_prefix() + "53"})},
                        {"search", json::array({"podns.test"})}}}});
  auto s = create("pa", {"--network", net_->name()});
  ASSERT_TRUE(s.is_object());
  ASSERT_EQ(s["state"], "ready");
  const json& n = s["network"];
  ASSERT_TRUE(n.is_object()) << s.dump();
  EXPECT_EQ(n["name"], net_->name());
  EXPECT_EQ(n["cniVersion"], "1.0.0");

  // ips: one IPv4 address of the subnet, the bridge as gateway.
  ASSERT_EQ(n["ips"].size(), 1u) << n.dump();
  std::string address = n["ips"][0]["address"];
  EXPECT_EQ(address.rfind(net_->subnet_prefix(), 0), 0u) << address;
  EXPECT_EQ(address.substr(address.find('/')), "/24");
  EXPECT_EQ(n["ips"][0]["gateway"], net_->gateway());
  // interfaces: the bridge, the host's veth end, and eth0 in the pod's netns.
  std::string netns = s["netns"];
  int eth0 = -1;
  for (std::size_t k = 0; k < n["interfaces"].size(); ++k) {
    if (n["interfaces"][k]["name"] == "eth0") eth0 = static_cast<int>(k);
  }
  ASSERT_GE(eth0, 0) << n.dump();
  EXPECT_EQ(n["interfaces"][eth0]["sandbox"], netns);
  EXPECT_EQ(n["interfaces"][0]["name"], net_->bridge());
  EXPECT_EQ(n["ips"][0]["interface"], eth0);
  // routes and dns: what the configuration asked for.
  EXPECT_EQ(n["routes"], json::array({{{"dst", other}}})) << n.dump();
  EXPECT_EQ(n["dns"]["nameservers"], json::array({net_->subnet_prefix() + "53"})) << n.dump();
  EXPECT_EQ(n["dns"]["search"], json::array({"podns.test"}));

  // What inspect says is what the pod has.
  EXPECT_EQ(test::addresses(netns, "eth0"), std::vector<std::string>{address});
  EXPECT_TRUE(test::link_up(netns, "eth0"));
  EXPECT_TRUE(test::link_up(netns, "lo"));
  EXPECT_EQ(test::addresses(netns, "lo"), std::vector<std::string>{"127.0.0.1/8"});
  auto route = test::in_netns(netns, {"ip", "-j", "route", "show", other});
  ASSERT_EQ(route.exit_code, 0) << route.err;
  ASSERT_EQ(json::parse(route.out).size(), 1u) << route.out;
  EXPECT_EQ(json::parse(route.out)[0]["gateway"], net_->gateway());
  EXPECT_TRUE(fs::exists(net_->lease(address)));
  EXPECT_TRUE(fs::exists(net_->cache_file(env_.cni_cache_dir(), "pa")));

  ASSERT_EQ(podns(env_, {"rm", "pa"}).exit_code, 0);
  expect_nothing_of("pa", *net_);
}

TEST_F(NetworkCli, TheDefaultNetworkIsTheFirstConfigurationAndNoneIsNone) {
  // The file names decide, not the network names: "10-..." holds the second network.
  TestNetwork second(1);
  second.write(env_.cni_conf_dir(), {}, "10-second.conflist");
  net_->write(env_.cni_conf_dir(), {}, "20-first.conflist");

  auto d = create("pd");
  ASSERT_TRUE(d.is_object());
  ASSERT_TRUE(d["network"].is_object()) << d.dump();
  EXPECT_EQ(d["network"]["name"], second.name());
  std::string address = d["network"]["ips"][0]["address"];
  EXPECT_EQ(address.rfind(second.subnet_prefix(), 0), 0u) << address;
  EXPECT_EQ(test::addresses(d["netns"], "eth0"), std::vector<std::string>{address});
  EXPECT_EQ(second.leases(), std::vector<std::string>{test::without_prefix(address)});
  EXPECT_EQ(net_->leases(), std::vector<std::string>{});

  auto none = create("pn", {"--network", "none"});
  ASSERT_TRUE(none.is_object());
  EXPECT_TRUE(none["network"].is_null()) << none.dump();
  auto link = test::in_netns(none["netns"], {"ip", "link", "show", "dev", "eth0"});
  EXPECT_NE(link.exit_code, 0) << link.out;
  EXPECT_FALSE(fs::exists(second.cache_file(env_.cni_cache_dir(), "pn")));
  EXPECT_EQ(second.leases().size(), 1u);  // only pd's

  // An unknown network is refused, and leaves nothing.
  auto bad = podns(env_, {"create", "pu", "--userns", "0:900000:65536", "--network", "nosuchnet"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("nosuchnet"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(env_.root() + "/pu"));

  ASSERT_EQ(podns(env_, {"rm", "pd"}).exit_code, 0);
  ASSERT_EQ(podns(env_, {"rm", "pn"}).exit_code, 0);
  expect_nothing_of("pd", second);
  expect_nothing_of("pn", *net_);
}

TEST_F(NetworkCli, PodsReachEachOtherAndTheGateway) {
  net_->write(env_.cni_conf_dir());
  auto a = create("pa");
  auto b = create("pb");
  ASSERT_TRUE(a["network"].is_object() && b["network"].is_object());
  std::string addr_a = test::address_of(a["network"]);
  std::string addr_b = test::address_of(b["network"]);
  ASSERT_NE(addr_a, "");
  ASSERT_NE(addr_b, "");
  EXPECT_NE(addr_a, addr_b);
  auto p = test::ping(a["netns"], test::without_prefix(addr_b));
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  p = test::ping(b["netns"], test::without_prefix(addr_a));
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  p = test::ping(a["netns"], net_->gateway());
  EXPECT_EQ(p.exit_code, 0) << p.out << p.err;
  // Nothing but the bridge's subnet: no default route.
  auto routes = test::in_netns(a["netns"], {"ip", "-j", "route", "show", "default"});
  EXPECT_EQ(json::parse(routes.out), json::array());
  // After a's removal, b no longer reaches it.
  ASSERT_EQ(podns(env_, {"rm", "pa"}).exit_code, 0);
  p = test::in_netns(b["netns"], {"busybox", "ping", "-c", "1", "-W", "1", "-w", "2",
                                  test::without_prefix(addr_a)});
  EXPECT_NE(p.exit_code, 0) << p.out;
  ASSERT_EQ(podns(env_, {"rm", "pb"}).exit_code, 0);
  expect_nothing_of("pb", *net_);
}

TEST_F(NetworkCli, CheckPassesThenReportsTheMissingInterface) {
  net_->write(env_.cni_conf_dir());
  auto a = create("pc");
  ASSERT_TRUE(a.is_object());
  auto ok = podns(env_, {"check", "pc"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.err, "");
  ASSERT_EQ(test::in_netns(a["netns"], {"ip", "link", "del", "eth0"}).exit_code, 0);
  auto bad = podns(env_, {"check", "pc"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err.rfind("podns: check pc: CNI plugin bridge (CHECK, network " + net_->name() + "): ", 0),
            0u)
      << bad.err;
  // A pod without a network, or on the host's: nothing to check.
  create("pn", {"--network", "none"});
  auto none = podns(env_, {"check", "pn"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.err, "");
  create("ph", {"--host-network"});
  EXPECT_EQ(podns(env_, {"check", "ph"}).exit_code, 0);
  ASSERT_EQ(podns(env_, {"rm", "ph"}).exit_code, 0);
  EXPECT_EQ(podns(env_, {"check", "nosuch"}).exit_code, 1);
  // rm still releases everything.
  ASSERT_EQ(podns(env_, {"rm", "pc"}).exit_code, 0);
  ASSERT_EQ(podns(env_, {"rm", "pn"}).exit_code, 0);
  expect_nothing_of("pc", *net_);
}

TEST_F(NetworkCli, RmReleasesTheLeaseAndTheCacheFile) {
  net_->write(env_.cni_conf_dir());
  auto a = create("pr");
  ASSERT_TRUE(a.is_object());
  std::string address = test::address_of(a["network"]);
  ASSERT_TRUE(fs::exists(net_->lease(address))) << address;
  ASSERT_TRUE(fs::exists(net_->cache_file(env_.cni_cache_dir(), "pr")));
  // The lease names the pod: host-local's "ID\nIFNAME".
  EXPECT_EQ(test::slurp(net_->lease(address)), "pr\r\neth0");
  auto rm = podns(env_, {"rm", "pr"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_FALSE(fs::exists(net_->lease(address)));
  EXPECT_FALSE(fs::exists(net_->cache_file(env_.cni_cache_dir(), "pr")));
  expect_nothing_of("pr", *net_);
  EXPECT_EQ(podns(env_, {"rm", "pr"}).err, "podns: no sandbox pr\n");
}

TEST_F(NetworkCli, StopReleasesTheNetworkAndKeepsThePins) {
  net_->write(env_.cni_conf_dir());
  auto a = create("ps");
  ASSERT_TRUE(a.is_object());
  std::string address = test::address_of(a["network"]);
  ASSERT_TRUE(fs::exists(net_->lease(address)));
  auto stop = podns(env_, {"stop", "ps"});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  auto s = json::parse(podns(env_, {"inspect", "ps"}).out);
  EXPECT_EQ(s["state"], "stopped");
  EXPECT_TRUE(s["network"].is_null()) << s.dump();
  EXPECT_FALSE(fs::exists(net_->lease(address)));
  EXPECT_FALSE(fs::exists(net_->cache_file(env_.cni_cache_dir(), "ps")));
  EXPECT_EQ(net_->leases(), std::vector<std::string>{});
  // The pins stay, the same namespaces; eth0 is gone from the pod.
  EXPECT_EQ(test::mounts_under(env_.root() + "/ps/").size(), 2u);
  EXPECT_EQ(s["netns_inode"], a["netns_inode"]);
  EXPECT_EQ(s["userns_inode"], a["userns_inode"]);
  EXPECT_NE(test::in_netns(s["netns"], {"ip", "link", "show", "dev", "eth0"}).exit_code, 0);
  // Again: a success, nothing changes.
  auto again = podns(env_, {"stop", "ps"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(podns(env_, {"inspect", "ps"}).out)["state"], "stopped");
  // check of a stopped pod: its network should be there and is not.
  auto check = podns(env_, {"check", "ps"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_EQ(check.err, "podns: check ps: sandbox ps is stopped: its network " + net_->name() +
                           " is not attached\n");
  auto rm = podns(env_, {"rm", "ps"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  expect_nothing_of("ps", *net_);
}

// The CLI with the env's globals, `globals` replacing or adding some, then `args`.
test::Run podns_with(const PodnsEnv& env,
                     const std::vector<std::pair<std::string, std::string>>& globals,
                     const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> all{{"--root", env.root()},
                                                       {"--state-dir", env.state_dir()},
                                                       {"--cni-conf-dir", env.cni_conf_dir()},
                                                       {"--cni-cache-dir", env.cni_cache_dir()}};
  for (const auto& g : globals) {
    auto same = std::find_if(all.begin(), all.end(), [&](const auto& a) { return a.first == g.first; });
    if (same != all.end()) {
      same->second = g.second;
    } else {
      all.push_back(g);
    }
  }
  std::vector<std::string> argv{test::podns_cli()};
  for (const auto& [option, value] : all) argv.insert(argv.end(), {option, value});
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run(argv);
}

// A wrong global or create option is refused before anything is recorded,
// locked or made: exit 2, and nothing at all is left. (A relative cache
// directory once left a sandbox in state unknown, holding its ID range,
// whose undo failed on the same check.)
TEST_F(NetworkCli, AWrongOptionIsRefusedBeforeAnythingIsMade) {
  net_->write(env_.cni_conf_dir());
  struct Case {
    std::vector<std::pair<std::string, std::string>> globals;
    std::string says;
    std::string userns = "auto";
  };
  std::vector<Case> cases{
      {{{"--cni-cache-dir", "relative/cache"}}, R"(CNI cache directory "relative/cache" is not an absolute path)"},
      {{{"--cni-cache-dir", ""}}, R"(CNI cache directory "" is not an absolute path)"},
      {{{"--cni-conf-dir", "net.d"}}, R"(CNI configuration directory "net.d" is not an absolute path)"},
      {{{"--cni-conf-dir", ""}}, "CNI configuration directory"},
      {{{"--cni-conf-dir", env_.cni_conf_dir() + "/../x"}}, ". or .. components"},
      {{{"--cni-bin-dir", "lib/cni"}}, R"(plugin directory "lib/cni" is not an absolute path)"},
      {{{"--cni-bin-dir", ""}}, "no CNI plugin directory is given"},
      {{{"--root", "run/podns"}}, R"(pin root "run/podns" is not an absolute path)"},
      {{{"--state-dir", "state"}}, R"(state directory "state" is not an absolute path)"},
      {{{"--auto-pool-first", ""}}, R"(--auto-pool-first "": want a host ID)"},
      {{{"--auto-pool-first", "-1"}}, "--auto-pool-first"},
      {{{"--auto-pool-first", "0x10"}}, "--auto-pool-first"},
      {{{"--auto-pool-last", "4294967295"}}, R"(--auto-pool-last "4294967295": want a host ID)"},
      {{{"--auto-pool-first", "200000"}, {"--auto-pool-last", "100000"}},
       "the pool of host IDs 200000-100000 is empty"},
      {{{"--auto-pool-first", "131072"}, {"--auto-pool-last", "196607"}},
       "automatic range of 65537 IDs does not fit the pool 131072-196607", "auto:65537"},
  };
  for (std::string t : {"0", "-1", "", "nan", "inf", "1e3", "86401", "0.0001", "5s"})
    cases.push_back({{{"--cni-timeout", t}}, "--cni-timeout \"" + t + "\": want seconds"});
  for (const auto& c : cases) {
    std::string shown;
    for (const auto& [option, value] : c.globals) shown += option + " '" + value + "' ";
    SCOPED_TRACE(shown);
    auto r = podns_with(env_, c.globals,
                        {"create", "p", "--userns", c.userns, "--network", net_->name()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    expect_nothing_of("p", *net_);
    for (const char* made : {"relative", "net.d", "lib", "run", "state"})
      EXPECT_FALSE(fs::exists(made)) << made << ", relative to the working directory";
  }
  // The same options, right, make the pod.
  auto ok = podns_with(env_, {{"--cni-timeout", "0.5"}, {"--auto-pool-first", "131072"}},
                       {"create", "p", "--userns", "auto:65536", "--network", net_->name()});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  ASSERT_EQ(podns(env_, {"rm", "p"}).exit_code, 0);
  expect_nothing_of("p", *net_);
}

// A network configuration that cannot be used is the same error whatever is
// wrong with it (not JSON, nested too deep, a field of the wrong type): the
// configuration is wrong, exit 2, the file named, nothing made.
TEST_F(NetworkCli, AnUnusableConfigurationIsOneErrorWhateverIsWrongWithIt) {
  net_->write(env_.cni_conf_dir());
  for (const std::string& text :
       {std::string("{not json"), std::string(200, '[') + std::string(200, ']'),
        std::string(R"({"cniVersion":"1.0.0","name":"bad","plugins":{"type":"bridge"}})"),
        std::string(R"({"cniVersion":1,"name":"bad","type":"bridge"})")}) {
    SCOPED_TRACE(text.substr(0, 60));
    std::string file = env_.cni_conf_dir() + "/00-bad.conflist";
    { std::ofstream(file) << text; }
    auto r = podns(env_, {"create", "p", "--userns", "0:100000:65536"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
    expect_nothing_of("p", *net_);
    fs::remove(file);
  }
}

// A pod whose CNI plugin has gone: rm fails and keeps it (unknown); rm
// --force removes it all the same, says what it left, and keeps the cache
// entry, so that recover, once the plugin is back, releases the address.
// Also when the cache entry was missing (as after a crash during ADD): then
// rm --force writes one from the row.
TEST_F(NetworkCli, RmForceRemovesAPodWhosePluginIsGoneAndRecoverReleasesItsAddressLater) {
  net_->write(env_.cni_conf_dir());
  test::TempDir bins;
  for (const char* p : {"bridge", "host-local", "loopback"})
    fs::create_symlink(test::kCniPlugins + "/" + p, bins.path() + "/" + p);
  const std::vector<std::pair<std::string, std::string>> gone{{"--cni-bin-dir", bins.path()}};
  std::map<std::string, std::string> address;
  for (std::string id : {"pf", "pg"}) {
    auto c = podns_with(env_, gone, {"create", id, "--userns", "0:" + std::to_string(100000 + 65536 * pods_++) + ":65536"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    address[id] = test::address_of(json::parse(c.out)["network"]);
    ASSERT_TRUE(fs::exists(net_->lease(address[id])));
    ASSERT_TRUE(fs::exists(net_->cache_file(env_.cni_cache_dir(), id)));
  }
  fs::remove(net_->cache_file(env_.cni_cache_dir(), "pg"));
  for (const char* p : {"bridge", "host-local", "loopback"}) fs::remove(bins.path() + "/" + p);

  auto rm = podns_with(env_, gone, {"rm", "pf"});
  EXPECT_EQ(rm.exit_code, 1);
  EXPECT_NE(rm.err.find("not found in " + bins.path()), std::string::npos) << rm.err;
  EXPECT_EQ(json::parse(podns(env_, {"inspect", "pf"}).out)["state"], "unknown");
  EXPECT_EQ(test::mounts_under(env_.root() + "/pf/").size(), 2u);

  for (std::string id : {"pf", "pg"}) {
    SCOPED_TRACE(id);
    auto f = podns_with(env_, gone, {"rm", "--force", id});
    EXPECT_EQ(f.exit_code, 0) << f.err;
    EXPECT_EQ(f.out, "");
    EXPECT_EQ(f.err.rfind("podns: rm --force " + id + ": not undone: network " + net_->name() +
                              " is still attached, its address not released: ",
                          0),
              0u)
        << f.err;
    EXPECT_NE(f.err.find("its CNI cache entry is kept: `podns recover` releases the address"),
              std::string::npos)
        << f.err;
    EXPECT_EQ(podns(env_, {"inspect", id}).exit_code, 1);
    EXPECT_FALSE(fs::exists(env_.root() + "/" + id));
    EXPECT_TRUE(test::mounts_under(env_.root() + "/" + id + "/").empty());
    EXPECT_TRUE(fs::exists(net_->lease(address[id])));
    EXPECT_TRUE(fs::exists(net_->cache_file(env_.cni_cache_dir(), id)));
  }
  EXPECT_EQ(json::parse(podns(env_, {"ls", "--json"}).out), json::array());

  // Still no plugin: recover says so and keeps the entries.
  auto early = podns_with(env_, gone, {"recover"});
  EXPECT_EQ(early.exit_code, 1) << early.out << early.err;
  EXPECT_NE(early.err.find("not found in " + bins.path()), std::string::npos) << early.err;
  EXPECT_EQ(net_->leases().size(), 2u);
  // The plugin directory back: the addresses are released, the entries gone.
  auto rec = podns(env_, {"recover", "--json"});
  EXPECT_EQ(rec.exit_code, 0) << rec.out << rec.err;
  EXPECT_EQ(json::parse(rec.out).size(), 2u) << rec.out;
  EXPECT_NE(rec.out.find("released the CNI attachment of a removed sandbox"), std::string::npos)
      << rec.out;
  expect_nothing_of("pf", *net_);
  expect_nothing_of("pg", *net_);
}

// Every way a plugin of the chain can fail ADD: create fails, names the
// plugin, and leaves nothing (the DEL of the rollback released the address
// bridge got before the failure).
TEST_F(NetworkCli, AFailingChainLeavesNothing) {
  struct Case {
    std::string what;
    std::vector<json> more;
    std::string plugin;   // named in the error
    std::string message;  // also in the error
  };
  auto fake = [](const std::string& fault) {
    return json{{"type", "podns-fake"}, {"fault", fault}, {"faultOn", "ADD"}};
  };
  const std::vector<Case> cases{
      {"error with JSON", {fake("error-json")}, "podns-fake", "error 11: fake failure: asked to fail on ADD"},
      {"crash without JSON", {fake("crash")}, "podns-fake", ""},
      {"hang past the timeout", {fake("hang")}, "podns-fake", ""},
      {"malformed output", {fake("garbage")}, "podns-fake", ""},
      {"failure in the middle of the chain",
       {fake("error-json"), json{{"type", "podns-fake"}, {"tag", "after"}}},
       "podns-fake",
       "error 11"},
      {"missing plugin", {json{{"type", "no-such-plugin"}}}, "no-such-plugin", "not found in"},
  };
  const std::string bin_dirs = test::kCniPlugins + ":" + kFakeDir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    net_->write(env_.cni_conf_dir(), c.more);
    auto start = std::chrono::steady_clock::now();
    auto r = podns(env_, {"--cni-bin-dir", bin_dirs, "--cni-timeout", "2", "create", "pf",
                          "--userns", "0:100000:65536", "--network", net_->name()});
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("CNI plugin " + c.plugin + " (ADD, network " + net_->name() + "): "),
              std::string::npos)
        << r.err;
    if (!c.message.empty()) {
      EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    }
    EXPECT_EQ(r.out, "");
    // The hang is cut at the timeout (2 s), not waited out.
    EXPECT_LT(took, std::chrono::seconds(15));
    expect_nothing_of("pf", *net_);
    // Whatever was left would make the next case fail: clean it for the next.
    if (podns(env_, {"inspect", "pf"}).exit_code == 0) {
      auto rm = podns(env_, {"--cni-bin-dir", bin_dirs, "rm", "pf"});
      ADD_FAILURE() << "row left; rm: " << rm.exit_code << " " << rm.err;
    }
  }
}

// A signal while create, stop or rm runs (issue 16): each runs to its end
// first, with the signals blocked, so that a second one cannot cut the
// undoing short. The plugin after the bridge is slow, so that the signals
// come while the network is being attached or detached; they go to the
// command's process group, as a terminal's Ctrl-C does (the plugins run in
// groups of their own).
class SignalsCli : public NetworkCli {
 protected:
  // Writes the network: the bridge, then the fake plugin, slow on `slow_on`
  // and recording every call.
  void write_network(const std::string& slow_on) {
    net_->write(env_.cni_conf_dir(), {json{{"type", "podns-fake"},
                                           {"fault", "slow"},
                                           {"faultOn", slow_on},
                                           {"slowMs", 1500},
                                           {"record", record_}}});
  }

  // Starts the command, waits for the fake plugin's `command` call to begin,
  // then signals the group with each of `sigs`, 200 ms apart.
  e2e::Outcome interrupt(const std::vector<std::string>& args, const std::string& command,
                         const std::vector<int>& sigs) {
    std::vector<std::string> all{"--cni-bin-dir", bin_dirs_};
    all.insert(all.end(), args.begin(), args.end());
    auto p = e2e::Process::start(test::podns_argv(env_, all));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::ranges::count(calls(), command) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(std::ranges::count(calls(), command), 1) << "the plugin's " << command << " never began";
    for (int sig : sigs) {
      p.signal_group(sig);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return p.wait(std::chrono::seconds(30));
  }

  // The fake plugin's calls so far, in order ("ADD", "DEL", ...; not VERSION).
  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    std::ifstream in(record_);
    for (std::string line; std::getline(in, line);) {
      auto j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("command", "") != "VERSION") out.push_back(j.value("command", ""));
    }
    return out;
  }

  const std::string bin_dirs_ = test::kCniPlugins + ":" + kFakeDir;
  test::TempDir dir_;
  std::string record_ = dir_.path() + "/calls.jsonl";
};

TEST_F(SignalsCli, CtrlCTwiceDuringCreateFinishesItThenRemovesItAndExits130) {
  write_network("ADD");
  auto o = interrupt({"create", "ps", "--userns", "0:100000:65536", "--network", net_->name()},
                     "ADD", {SIGINT, SIGINT});
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 130) << o.describe();
  EXPECT_NE(o.err.find("podns: interrupted by SIGINT; sandbox ps was created, and is removed"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(o.out, "");  // no JSON for a sandbox that is gone
  // The ADD ran to its end and was undone by a DEL: nothing was cut short.
  EXPECT_EQ(calls(), (std::vector<std::string>{"ADD", "DEL"}));
  expect_nothing_of("ps", *net_);
  auto rec = podns(env_, {"recover", "--json"});
  EXPECT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_EQ(json::parse(rec.out), json::array()) << "left for recover: " << rec.out;
}

TEST_F(SignalsCli, SigtermDuringRmFinishesItAndExits143) {
  write_network("DEL");
  create("pr", {"--network", net_->name(), "--cni-bin-dir", bin_dirs_});
  ASSERT_EQ(calls(), std::vector<std::string>{"ADD"});
  auto o = interrupt({"rm", "pr"}, "DEL", {SIGTERM, SIGTERM});
  EXPECT_EQ(o.exit_code, 143) << o.describe();
  EXPECT_NE(o.err.find("podns: interrupted by SIGTERM; rm had finished: sandbox pr is removed"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(calls(), (std::vector<std::string>{"ADD", "DEL"}));
  expect_nothing_of("pr", *net_);
}

TEST_F(SignalsCli, SighupDuringStopFinishesItAndExits129) {
  write_network("DEL");
  create("pt", {"--network", net_->name(), "--cni-bin-dir", bin_dirs_});
  auto o = interrupt({"stop", "pt"}, "DEL", {SIGHUP});
  EXPECT_EQ(o.exit_code, 129) << o.describe();
  EXPECT_NE(o.err.find("podns: interrupted by SIGHUP; stop had finished: sandbox pt is stopped"),
            std::string::npos)
      << o.err;
  auto i = podns(env_, {"inspect", "pt"});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(json::parse(i.out).value("state", ""), "stopped") << i.out;
  EXPECT_EQ(net_->leases(), std::vector<std::string>{});
  EXPECT_EQ(podns(env_, {"--cni-bin-dir", bin_dirs_, "rm", "pt"}).exit_code, 0);
}

}  // namespace
}  // namespace podns
