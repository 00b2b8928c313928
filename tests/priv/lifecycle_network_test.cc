// The lifecycle with a real CNI network (issue 5): an injected error at any
// step of create, stop and rm leaves nothing, an injected crash leaves only
// what `recover` removes, a reboot releases the addresses, an orphaned
// attachment is released (and another runtime's is not), and concurrent
// creates and removals leak nothing, addresses included.
//
// "Nothing" is: no pin under the root, no ROOT/ID, no row, no lease of the
// network's subnet, no cache file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "cni_env.h"
#include "podns/concat.h"
#include "podns/cni/client.h"
#include "podns/fault.h"
#include "podns/nsfs.h"
#include "podns/store.h"
#include "podns/podns.h"
#include "testenv.h"

namespace podns {
namespace {

using nlohmann::json;
using test::PodnsEnv;
using test::podns;
using test::podns_fault;
using test::TestNetwork;
namespace fs = std::filesystem;

class LifecycleNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    PODNS_REQUIRE_REAL_PLUGINS();
    net_.emplace(2);
    net_->write(env_.cni_conf_dir());
  }

  std::string cache_file(const std::string& id) const {
    return net_->cache_file(env_.cni_cache_dir(), id);
  }

  // Nothing at all is left.
  void expect_nothing() {
    EXPECT_TRUE(test::mounts_under(env_.root() + "/").empty());
    if (fs::exists(env_.root())) {
      EXPECT_TRUE(fs::is_empty(env_.root()));
    }
    auto ls = podns(env_, {"ls", "--json"});
    EXPECT_EQ(json::parse(ls.out), json::array()) << ls.out;
    EXPECT_EQ(net_->leases(), std::vector<std::string>{});
    std::error_code ec;
    EXPECT_TRUE(!fs::exists(env_.cni_cache_dir() + "/results") ||
                fs::is_empty(env_.cni_cache_dir() + "/results", ec))
        << "cache files left in " << env_.cni_cache_dir();
  }

  // Nothing of `id` is left, or it is a consistent ready sandbox: its pins
  // are the recorded namespaces, and its address is leased, cached and on
  // its eth0.
  void expect_clean_or_ready(const std::string& id) {
    auto i = podns(env_, {"inspect", id});
    if (i.exit_code != 0) {
      EXPECT_EQ(i.err, "podns: no sandbox " + id + "\n");
      EXPECT_TRUE(test::mounts_under(env_.root() + "/" + id + "/").empty());
      EXPECT_FALSE(fs::exists(env_.root() + "/" + id));
      EXPECT_FALSE(fs::exists(cache_file(id)));
      return;
    }
    auto j = json::parse(i.out);
    ASSERT_EQ(j["state"], "ready") << i.out;
    auto netns = nsfs::open(j["netns"].get<std::string>(), nsfs::Type::net);
    ASSERT_TRUE(netns) << netns.error().message();
    EXPECT_EQ(nsfs::id(*netns)->ino, j["netns_inode"].get<ino_t>());
    auto user = nsfs::open(j["userns"].get<std::string>(), nsfs::Type::user);
    ASSERT_TRUE(user) << user.error().message();
    EXPECT_EQ(nsfs::id(*user)->ino, j["userns_inode"].get<ino_t>());
    ASSERT_TRUE(j["network"].is_object()) << i.out;
    std::string address = test::address_of(j["network"]);
    EXPECT_TRUE(fs::exists(net_->lease(address))) << address;
    EXPECT_TRUE(fs::exists(cache_file(id)));
    EXPECT_EQ(test::addresses(j["netns"], "eth0"), std::vector<std::string>{address});
  }

  test::Run create(const std::string& id, const std::string& fault = "") {
    std::vector<std::string> args{"create", id, "--userns", "0:100000:65536"};
    return fault.empty() ? podns(env_, args) : podns_fault(env_, fault, args);
  }

  std::optional<TestNetwork> net_;  // destroyed after env_
  PodnsEnv env_;
};

TEST_F(LifecycleNetwork, CreateErrorAtEveryStepLeavesNothing) {
  auto steps = test::fault_steps_of("create");
  ASSERT_GE(steps.size(), 6u);
  ASSERT_NE(std::find(steps.begin(), steps.end(), "create.network"), steps.end());
  for (const auto& step : steps) {
    SCOPED_TRACE(step);
    auto r = create("p", step + ":error");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("injected fault at " + step), std::string::npos) << r.err;
    expect_nothing();
  }
  // And the network still works afterwards.
  ASSERT_EQ(create("p").exit_code, 0);
  expect_clean_or_ready("p");
  ASSERT_EQ(podns(env_, {"rm", "p"}).exit_code, 0);
  expect_nothing();
}

TEST_F(LifecycleNetwork, CreateCrashAtEveryStepIsRecovered) {
  for (const auto& step : test::fault_steps_of("create")) {
    SCOPED_TRACE(step);
    auto r = create("p", step + ":crash");
    EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.err;
    auto rec = podns(env_, {"recover"});
    EXPECT_EQ(rec.exit_code, 0) << rec.out << rec.err;
    expect_clean_or_ready("p");
    // Crashed after the network was attached: recover released it.
    if (step == "create.network") {
      EXPECT_NE(podns(env_, {"inspect", "p"}).exit_code, 0);
    }
    auto again = podns(env_, {"recover", "--json"});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_EQ(json::parse(again.out), json::array()) << again.out;
    podns(env_, {"rm", "p"});
    expect_nothing();
  }
}

TEST_F(LifecycleNetwork, StopAndRmErrorsAndCrashesAreFinishedByRmOrRecover) {
  for (const std::string op : {"stop", "rm"}) {
    auto steps = test::fault_steps_of(op);
    ASSERT_FALSE(steps.empty()) << op;
    for (const auto& step : steps) {
      for (const std::string mode : {"error", "crash"}) {
        SCOPED_TRACE(step + ":" + mode);
        ASSERT_EQ(create("p").exit_code, 0);
        auto r = podns_fault(env_, step + ":" + mode, {op, "p"});
        EXPECT_EQ(r.exit_code, mode == "error" ? 1 : 128 + SIGKILL) << r.err;
        if (mode == "error") {
          EXPECT_NE(r.err.find("injected fault at " + step), std::string::npos) << r.err;
        } else {
          auto rec = podns(env_, {"recover"});
          EXPECT_EQ(rec.exit_code, 0) << rec.out << rec.err;
        }
        // Whatever state it is in, rm finishes it; or it is already gone.
        auto rm = podns(env_, {"rm", "p"});
        if (rm.exit_code != 0) {
          EXPECT_EQ(rm.err, "podns: no sandbox p\n");
        }
        expect_nothing();
      }
    }
  }
}

TEST_F(LifecycleNetwork, RebootReleasesTheAddresses) {
  ASSERT_EQ(podns(env_, {"create", "a", "--userns", "0:100000:65536"}).exit_code, 0);
  ASSERT_EQ(podns(env_, {"create", "b", "--userns", "0:200000:65536"}).exit_code, 0);
  std::vector<std::string> addrs;
  for (std::string id : {"a", "b"}) {
    auto j = json::parse(podns(env_, {"inspect", id}).out);
    addrs.push_back(test::address_of(j["network"]));
    ASSERT_TRUE(fs::exists(net_->lease(addrs.back()))) << addrs.back();
    ASSERT_TRUE(fs::exists(cache_file(id)));
  }
  ASSERT_EQ(net_->leases().size(), 2u);
  // A reboot: the pins (and with them the namespaces) are gone.
  ASSERT_EQ(::umount2(env_.root().c_str(), MNT_DETACH), 0);
  auto rec = podns(env_, {"recover", "--json"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  auto actions = json::parse(rec.out);
  int released = 0;
  for (const auto& a : actions) {
    EXPECT_TRUE(a.value("ok", false)) << a.dump();
    if (a.value("action", "").find("released its network addresses") != std::string::npos) ++released;
  }
  EXPECT_EQ(released, 2) << rec.out;
  for (std::string id : {"a", "b"}) {
    auto j = json::parse(podns(env_, {"inspect", id}).out);
    EXPECT_EQ(j["state"], "notready");
    EXPECT_TRUE(j["reason"].is_string());
    EXPECT_TRUE(j["network"].is_null()) << j.dump();
    EXPECT_FALSE(fs::exists(cache_file(id)));
    auto check = podns(env_, {"check", id});
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_NE(check.err.find("sandbox " + id + " is notready: its network " + net_->name() +
                             " is not attached"),
              std::string::npos)
        << check.err;
  }
  for (const auto& a : addrs) EXPECT_FALSE(fs::exists(net_->lease(a))) << a;
  EXPECT_EQ(net_->leases(), std::vector<std::string>{});
  // Again: nothing to do.
  auto again = podns(env_, {"recover", "--json"});
  EXPECT_EQ(json::parse(again.out), json::array()) << again.out;
  EXPECT_EQ(podns(env_, {"rm", "a"}).exit_code, 0);
  EXPECT_EQ(podns(env_, {"rm", "b"}).exit_code, 0);
  expect_nothing();
}

TEST_F(LifecycleNetwork, AnOrphanedAttachmentIsReleasedAndAnotherRuntimesIsNot) {
  ASSERT_EQ(podns(env_, {"create", "o", "--userns", "0:100000:65536"}).exit_code, 0);
  auto o = json::parse(podns(env_, {"inspect", "o"}).out);
  std::string orphan_addr = test::address_of(o["network"]);
  ASSERT_TRUE(fs::exists(net_->lease(orphan_addr)));
  ASSERT_TRUE(fs::exists(cache_file("o")));

  // Another runtime's attachment in the same cache: a pod of ours without a
  // podns network, attached by a plain CNI client (no PODNS_SANDBOX).
  ASSERT_EQ(podns(env_, {"create", "foreign", "--userns", "0:200000:65536", "--network", "none"})
                .exit_code,
            0);
  auto f = json::parse(podns(env_, {"inspect", "foreign"}).out);
  cni::Options o_cni;
  o_cni.cache_dir = env_.cni_cache_dir();
  auto client = cni::Client::open(o_cni);
  ASSERT_TRUE(client) << client.error().message();
  auto netcfg = net_->config();
  cni::Attachment foreign{"foreign-ctr", f["netns"], "eth0", {}, json::object()};
  auto added = client->add(netcfg, foreign);
  ASSERT_TRUE(added) << added.error().message();
  std::string foreign_addr = test::address_of(*added);
  ASSERT_TRUE(fs::exists(net_->lease(foreign_addr)));
  ASSERT_TRUE(fs::exists(cache_file("foreign-ctr")));
  auto foreign_cache = test::slurp(cache_file("foreign-ctr"));

  // Forget o's row behind podns's back.
  {
    auto store = Store::open(env_.state_dir());
    ASSERT_TRUE(store) << store.error().message();
    ASSERT_TRUE(store->erase("o"));
  }
  auto rec = podns(env_, {"recover"});
  EXPECT_EQ(rec.exit_code, 0) << rec.out << rec.err;
  EXPECT_NE(rec.out.find("o: removed a pin directory no sandbox owns"), std::string::npos) << rec.out;
  EXPECT_NE(rec.out.find("released the CNI attachment of a removed sandbox"), std::string::npos)
      << rec.out;
  EXPECT_FALSE(fs::exists(env_.root() + "/o"));
  EXPECT_TRUE(test::mounts_under(env_.root() + "/o/").empty());
  EXPECT_FALSE(fs::exists(net_->lease(orphan_addr)));
  EXPECT_FALSE(fs::exists(cache_file("o")));
  // The other runtime's attachment is untouched: lease, cache file, eth0.
  EXPECT_TRUE(fs::exists(net_->lease(foreign_addr)));
  EXPECT_EQ(test::slurp(cache_file("foreign-ctr")), foreign_cache);
  EXPECT_EQ(test::addresses(f["netns"], "eth0"), std::vector<std::string>{foreign_addr});
  EXPECT_EQ(net_->leases(), std::vector<std::string>{test::without_prefix(foreign_addr)});
  // A second recover leaves it alone too.
  auto again = podns(env_, {"recover", "--json"});
  EXPECT_EQ(json::parse(again.out), json::array()) << again.out;
  EXPECT_TRUE(fs::exists(cache_file("foreign-ctr")));

  auto del = client->del(netcfg, foreign);
  EXPECT_TRUE(del) << del.error().message();
  EXPECT_EQ(podns(env_, {"rm", "foreign"}).exit_code, 0);
  expect_nothing();
}

// Two podns instances (each its own --root and --state-dir) sharing one CNI
// cache and one network, as two runtimes on a host do: the other's recover,
// its failed create of a pod with our pod's ID, and its pods' lifecycles
// never release our attachment. The network has two addresses only, so that
// an address wrongly released is handed out again (host-local goes on from
// the last address it gave and wraps round).
TEST_F(LifecycleNetwork, AnotherInstanceSharingTheCacheNeverReleasesOurAttachment) {
  const json two_addresses{{"ipam",
                            {{"type", "host-local"},
                             {"subnet", net_->subnet_prefix() + "0/24"},
                             {"rangeStart", net_->subnet_prefix() + "2"},
                             {"rangeEnd", net_->subnet_prefix() + "3"}}}};
  PodnsEnv other(env_.cni_cache_dir());
  net_->write(env_.cni_conf_dir(), {}, "", two_addresses);
  net_->write(other.cni_conf_dir(), {}, "", two_addresses);

  auto a = create("a1");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string ours = test::address_of(json::parse(a.out)["network"]);
  ASSERT_NE(ours, "");
  const std::string cached = test::slurp(cache_file("a1"));
  ASSERT_NE(cached, "");
  auto still_ours = [&](const std::string& after) {
    EXPECT_EQ(test::slurp(net_->lease(ours)), "a1\r\neth0") << "after " << after;
    EXPECT_TRUE(test::slurp(cache_file("a1")) == cached) << "the cache entry changed after " << after;
    EXPECT_EQ(test::addresses(json::parse(a.out)["netns"], "eth0"), std::vector<std::string>{ours});
  };

  auto b0 = podns(other, {"create", "b0", "--userns", "0:300000:65536"});
  ASSERT_EQ(b0.exit_code, 0) << b0.err;
  // Its recover finds our entry in the cache and no row of its own for it.
  auto rec = podns(other, {"recover", "--json"});
  EXPECT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_EQ(json::parse(rec.out), json::array()) << rec.out;
  still_ours("the other's recover");
  // A pod of its own with our pod's ID: ADD finds our entry and refuses; the
  // undo of that create leaves our entry alone.
  auto dup = podns(other, {"create", "a1", "--userns", "0:400000:65536"});
  EXPECT_EQ(dup.exit_code, 1) << dup.err;
  EXPECT_NE(dup.err.find("attached already"), std::string::npos) << dup.err;
  EXPECT_EQ(podns(other, {"inspect", "a1"}).exit_code, 1);
  still_ours("the other's failed create of a1");
  // b0's address freed, its next pod gets that one again, not ours.
  ASSERT_EQ(podns(other, {"rm", "b0"}).exit_code, 0);
  auto b1 = podns(other, {"create", "b1", "--userns", "0:300000:65536"});
  ASSERT_EQ(b1.exit_code, 0) << b1.err;
  EXPECT_NE(test::address_of(json::parse(b1.out)["network"]), ours);
  still_ours("the other's rm and create");
  ASSERT_EQ(podns(other, {"rm", "b1"}).exit_code, 0);
  still_ours("the other's rm");

  // Ours is still ours to release.
  EXPECT_EQ(json::parse(podns(env_, {"recover", "--json"}).out), json::array());
  ASSERT_EQ(podns(env_, {"rm", "a1"}).exit_code, 0);
  expect_nothing();
}

// The same for GC of a 1.1 network (the fake plugin; the real ones speak
// 1.0 only): the other instance's GC counts our attachment as valid, DELs
// nothing of ours, and tells the plugin so.
TEST_F(LifecycleNetwork, AnotherInstancesGcCountsOurAttachmentAsValid) {
  PodnsEnv other(env_.cni_cache_dir());
  test::TempDir calls_dir;
  const std::string calls = calls_dir.path() + "/calls";
  const std::string name = "podns-gc-" + std::to_string(::getpid());
  const json conf{{"cniVersion", "1.1.0"},
                  {"name", name},
                  {"plugins", json::array({{{"type", "podns-fake"}, {"record", calls}}})}};
  std::ofstream(env_.cni_conf_dir() + "/" + name + ".conflist") << conf.dump();
  std::ofstream(other.cni_conf_dir() + "/" + name + ".conflist") << conf.dump();
  const std::string bins = test::kCniPlugins + ":" + PODNS_FAKE_CNI_DIR;
  auto a = podns(env_, {"--cni-bin-dir", bins, "create", "a1", "--userns", "0:100000:65536",
                        "--network", name});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string cache = env_.cni_cache_dir() + "/results/" + name + "-a1-eth0";
  ASSERT_TRUE(fs::exists(cache));
  fs::remove(calls);

  auto rec = podns(other, {"--cni-bin-dir", bins, "recover", "--json"});
  EXPECT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_EQ(json::parse(rec.out), json::array()) << rec.out;
  EXPECT_TRUE(fs::exists(cache));
  std::vector<json> got;
  std::ifstream in(calls);
  for (std::string line; std::getline(in, line);) got.push_back(json::parse(line));
  ASSERT_EQ(got.size(), 1u) << "GC only, no DEL";
  EXPECT_EQ(got[0]["command"], "GC");
  const json& valid = got[0]["stdin"]["cni.dev/valid-attachments"];
  EXPECT_NE(std::find(valid.begin(), valid.end(), json{{"containerID", "a1"}, {"ifname", "eth0"}}),
            valid.end())
      << valid.dump();

  ASSERT_EQ(podns(env_, {"--cni-bin-dir", bins, "rm", "a1"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(cache));
}

TEST_F(LifecycleNetwork, ConcurrentCreateAndRmOfDistinctIds) {
  using Clock = std::chrono::steady_clock;
  // Each pod's address and the time it was surely alive: from its create's
  // return to its rm's start. Two pods alive at once never share an address.
  struct Life {
    std::string id, address;
    Clock::time_point from, to;
  };
  auto stream = [&](int which, std::vector<std::string>* failures, std::vector<Life>* lives) {
    const std::string maps = "0:" + std::to_string((which + 1) * 100000) + ":65536";
    for (int i = 0; i < 20; ++i) {
      std::string id = concat("s", std::to_string(which), "-", std::to_string(i));
      auto c = podns(env_, {"create", id, "--userns", maps});
      Life life{id, "", Clock::now(), {}};
      if (c.exit_code != 0) {
        failures->push_back("create " + id + ": " + c.err);
      } else {
        life.address = test::address_of(json::parse(c.out)["network"]);
        if (life.address.rfind(net_->subnet_prefix(), 0) != 0)
          failures->push_back(id + ": address " + life.address);
        // Alive a little longer: what the pod has is what create said.
        auto netns = json::parse(c.out)["netns"].get<std::string>();
        if (test::addresses(netns, "eth0") != std::vector<std::string>{life.address})
          failures->push_back(id + ": eth0 does not have " + life.address);
      }
      life.to = Clock::now();
      if (!life.address.empty()) lives->push_back(life);
      auto r = podns(env_, {"rm", id});
      if (r.exit_code != 0) failures->push_back("rm " + id + ": " + r.err);
    }
  };
  std::vector<std::string> f1;
  std::vector<std::string> f2;
  std::vector<Life> l1;
  std::vector<Life> l2;
  std::thread t1(stream, 0, &f1, &l1);
  std::thread t2(stream, 1, &f2, &l2);
  t1.join();
  t2.join();
  // Every command succeeded (none should fail here: distinct IDs, distinct
  // host ranges, a /24 with room for all).
  EXPECT_TRUE(f1.empty()) << f1.size() << " failures, first: " << f1.front();
  EXPECT_TRUE(f2.empty()) << f2.size() << " failures, first: " << f2.front();
  EXPECT_EQ(l1.size(), 20u);
  EXPECT_EQ(l2.size(), 20u);
  int overlapping = 0;
  for (const auto& a : l1) {
    for (const auto& b : l2) {
      if (a.from < b.to && b.from < a.to) {
        ++overlapping;
        EXPECT_NE(a.address, b.address) << a.id << " and " << b.id << " alive at once";
      }
    }
  }
  RecordProperty("overlapping_pairs", overlapping);
  expect_nothing();
}

// Issue 16: four processes at a time creating and removing pods on one
// bridge network, one root and one state directory, with `podns recover`
// run again and again among them. Two pods alive at once never have one
// address; recover finds nothing to do (nothing crashed); every command
// succeeds; what each create said is what `inspect` says afterwards for
// the pods kept; and once they are removed nothing is left.
TEST_F(LifecycleNetwork, FourStreamsAndRecoverAmongThemAgreeAndLeaveNothing) {
  using Clock = std::chrono::steady_clock;
  struct Life {
    std::string id, address;
    Clock::time_point from, to;  // surely alive: create's return to rm's start
    json created;                // what create printed
  };
  constexpr int kStreams = 4;
  constexpr int kCycles = 10;
  constexpr int kKept = 2;  // the last pods of each stream stay for inspect
  std::array<std::vector<std::string>, kStreams> failures;
  std::array<std::vector<Life>, kStreams> lives;
  auto stream = [&](int which) {
    for (int i = 0; i < kCycles + kKept; ++i) {
      std::string id = concat("f", std::to_string(which), "-", std::to_string(i));
      auto c = podns(env_, {"create", id, "--userns", "auto"});
      Life life{id, "", Clock::now(), Clock::time_point::max(), {}};
      if (c.exit_code != 0) {
        failures[which].push_back("create " + id + ": " + c.err);
        continue;
      }
      life.created = json::parse(c.out);
      life.address = test::address_of(life.created["network"]);
      if (i >= kCycles) {  // kept
        lives[which].push_back(life);
        continue;
      }
      life.to = Clock::now();
      lives[which].push_back(life);
      auto r = podns(env_, {"rm", id});
      if (r.exit_code != 0) failures[which].push_back("rm " + id + ": " + r.err);
    }
  };
  std::atomic<bool> done{false};
  std::vector<std::string> recovered;
  int recover_runs = 0;
  std::thread recoverer([&] {
    while (!done) {
      auto r = podns(env_, {"recover", "--json"});
      ++recover_runs;
      if (r.exit_code != 0) {
        recovered.push_back("exit " + std::to_string(r.exit_code) + ": " + r.err);
      } else if (json::parse(r.out) != json::array()) {
        recovered.push_back(r.out);
      }
    }
  });
  std::vector<std::thread> streams;
  streams.reserve(kStreams);
  for (int w = 0; w < kStreams; ++w) streams.emplace_back(stream, w);
  for (auto& t : streams) t.join();
  done = true;
  recoverer.join();

  for (int w = 0; w < kStreams; ++w) {
    EXPECT_TRUE(failures[w].empty()) << failures[w].size() << " failures, first: " << failures[w].front();
  }
  EXPECT_GT(recover_runs, 1);
  EXPECT_TRUE(recovered.empty()) << recovered.size() << " recover runs did something, first: "
                                 << recovered.front();
  std::vector<Life> all;
  for (const auto& l : lives) all.insert(all.end(), l.begin(), l.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kStreams * (kCycles + kKept)));
  int overlapping = 0;
  for (std::size_t a = 0; a < all.size(); ++a) {
    EXPECT_EQ(all[a].address.rfind(net_->subnet_prefix(), 0), 0u) << all[a].id << ": " << all[a].address;
    for (std::size_t b = a + 1; b < all.size(); ++b) {
      if (all[a].from < all[b].to && all[b].from < all[a].to) {
        ++overlapping;
        EXPECT_NE(all[a].address, all[b].address) << all[a].id << " and " << all[b].id << " alive at once";
      }
    }
  }
  RecordProperty("overlapping_pairs", overlapping);
  // The kept pods: inspect says what create said, their eth0 has that
  // address, and the leases are exactly theirs.
  std::set<std::string> kept_addresses;
  for (const auto& l : all) {
    if (l.to != Clock::time_point::max()) continue;
    auto i = podns(env_, {"inspect", l.id});
    ASSERT_EQ(i.exit_code, 0) << l.id << ": " << i.err;
    auto got = json::parse(i.out);
    EXPECT_EQ(got, l.created) << l.id;
    EXPECT_EQ(test::addresses(got["netns"].get<std::string>(), "eth0"),
              std::vector<std::string>{l.address})
        << l.id;
    kept_addresses.insert(test::without_prefix(l.address));
  }
  EXPECT_EQ(kept_addresses.size(), static_cast<std::size_t>(kStreams * kKept));
  auto leases = net_->leases();
  EXPECT_EQ(std::set<std::string>(leases.begin(), leases.end()), kept_addresses);
  auto ls = json::parse(podns(env_, {"ls", "--json"}).out);
  EXPECT_EQ(ls.size(), static_cast<std::size_t>(kStreams * kKept)) << ls.dump();
  for (const auto& l : all) {
    if (l.to == Clock::time_point::max()) {
      EXPECT_EQ(podns(env_, {"rm", l.id}).exit_code, 0) << l.id;
    }
  }
  expect_nothing();
}

}  // namespace
}  // namespace podns
