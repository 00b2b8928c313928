// The state database (store.h) through its interface, on real SQLite files:
// what open makes, every field of a Sandbox through insert, get, list and
// update, the errors that change nothing, the host-range checks and the
// automatic allocator, several handles on one directory (as several podns
// processes have), and the sandbox locks.
//
// Root, because Store::open takes only a state directory every component of
// which is root's (secure_path.h); nothing else here needs it, and nothing
// outside the test's temporary directory is touched. The pool checks, which
// need no directory, are in tests/unit/store_test.cc.
#include "podns/store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "testenv.h"

namespace podns {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

mode_t mode_of(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) < 0) return 0;
  return st.st_mode & 07777;
}

// A plain sandbox: both maps 0:HOST:SIZE.
Sandbox pod(const std::string& id, std::uint32_t host, std::uint32_t size = 65536) {
  Sandbox s;
  s.id = id;
  s.state = SandboxState::ready;
  s.root = "/run/podns";
  s.uid_map = s.gid_map = {{0, host, size}};
  s.created_at = "2026-12-01T23:00:00.000000001Z";
  return s;
}

// A sandbox with every field set to something other than its default.
Sandbox every_field_set() {
  Sandbox s;
  s.id = "web-1.a_B";
  s.state = SandboxState::stopped;
  s.root = "/run/podns-other";
  s.has_userns = true;
  // Device numbers and inodes at the ends of their types: stored as SQLite's
  // signed 64-bit integers, they must come back as they were.
  s.netns = nsfs::NsId{::makedev(0, 4), 4026532001};
  s.userns = nsfs::NsId{~dev_t{0}, ~ino_t{0} - 1};
  s.uid_map = {{0, 100000, 1000}, {1000, 300000, 64536}};
  s.gid_map = {{0, 200000, 5}, {5, 400000, 10}, {100, 500000, 1}};
  s.userns_owner = 100000;
  s.network = R"({"cniVersion":"1.0.0","ips":[{"address":"10.88.0.2/16"}],"x":"a\"b\n\u00e9"})";
  s.reason = "undo unpin net: umount /run/podns/web-1/net: Device or resource busy\nand more";
  s.created_at = "2026-12-01T23:59:59.999999999Z";
  s.net_name = "podns-test";
  s.net_config = R"({"cniVersion":"1.0.0","name":"podns-test","plugins":[{"type":"bridge"}]})";
  s.net_state = NetState::attached;
  s.host_network = true;
  s.ipcns = nsfs::NsId{::makedev(0, 4), 4026532002};
  s.utsns = nsfs::NsId{::makedev(259, 1), 1};
  s.hostname = "web-1";
  s.ip_netns = "podns-web-1";
  s.sysctls = {{"net.ipv4.ping_group_range", "0 65535"}, {"net.core.x", "a=b c"}};
  s.timings = {{"namespaces", 5ms}};
  return s;
}

// A sandbox with every optional unset, every string empty, every flag off.
Sandbox every_field_unset() {
  Sandbox s;
  s.id = "bare";
  s.has_userns = false;
  return s;
}

// What was read back (`got`) is `want`, field by field. The structured
// binding names every field of Sandbox: a field added to it does not compile
// here until this comparison (and with it the round trip) covers it.
void expect_same(const Sandbox& got, const Sandbox& want) {
  const auto& [id, state, root, has_userns, netns, userns, uid_map, gid_map, userns_owner, network,
               reason, created_at, net_name, net_config, net_state, host_network, ipcns, utsns,
               hostname, ip_netns, sysctls, timings] = got;
  EXPECT_EQ(id, want.id);
  EXPECT_EQ(state, want.state) << to_string(state);
  EXPECT_EQ(root, want.root);
  EXPECT_EQ(has_userns, want.has_userns);
  EXPECT_EQ(netns, want.netns);
  EXPECT_EQ(userns, want.userns);
  EXPECT_EQ(uid_map, want.uid_map) << to_string(uid_map);
  EXPECT_EQ(gid_map, want.gid_map) << to_string(gid_map);
  EXPECT_EQ(userns_owner, want.userns_owner);
  EXPECT_EQ(network, want.network);
  EXPECT_EQ(reason, want.reason);
  EXPECT_EQ(created_at, want.created_at);
  EXPECT_EQ(net_name, want.net_name);
  EXPECT_EQ(net_config, want.net_config);
  EXPECT_EQ(net_state, want.net_state);
  EXPECT_EQ(host_network, want.host_network);
  EXPECT_EQ(ipcns, want.ipcns);
  EXPECT_EQ(utsns, want.utsns);
  EXPECT_EQ(hostname, want.hostname);
  EXPECT_EQ(ip_netns, want.ip_netns);
  EXPECT_EQ(sysctls, want.sysctls);
  // Filled by create and not kept (sandbox.h).
  EXPECT_TRUE(timings.empty());
}

std::vector<std::string> ids(const std::vector<Sandbox>& all) {
  std::vector<std::string> out;
  out.reserve(all.size());
  for (const auto& s : all) out.push_back(s.id);
  std::sort(out.begin(), out.end());
  return out;
}

class Store : public ::testing::Test {
 protected:
  void SetUp() override {
    PODNS_REQUIRE_PRIVILEGED();
    dir_ = std::make_unique<test::TempDir>();
    state_ = dir_->path() + "/state";
    auto s = podns::Store::open(state_);
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::make_unique<podns::Store>(std::move(*s));
  }
  // Another handle on the same directory: another process's view.
  podns::Store second() const {
    auto s = podns::Store::open(state_);
    if (!s) throw std::runtime_error("open a second handle: " + s.error().message());
    return std::move(*s);
  }
  podns::Store& store() { return *store_; }
  std::vector<std::string> listed() {
    auto all = store().list();
    EXPECT_TRUE(all) << all.error().message();
    return all ? ids(*all) : std::vector<std::string>{};
  }
  std::optional<Sandbox> get(const std::string& id) {
    auto s = store().get(id);
    EXPECT_TRUE(s) << s.error().message();
    if (!s) return std::nullopt;
    return *s;
  }
  // Inserts `s` and expects it to succeed.
  void add(const Sandbox& s, bool shared = false) {
    auto r = store().insert(s, shared);
    ASSERT_TRUE(r) << s.id << ": " << r.error().message();
  }
  // The host base insert_auto chose for a new sandbox `id`.
  static std::uint32_t add_auto(podns::Store& st, const std::string& id, std::uint32_t size,
                                IdPool pool) {
    Sandbox s = pod(id, 0);
    auto r = st.insert_auto(s, size, pool);
    EXPECT_TRUE(r) << id << ": " << r.error().message();
    if (!r) return 0;
    EXPECT_EQ(s.uid_map, s.gid_map);
    EXPECT_EQ(s.uid_map.size(), 1U);
    EXPECT_EQ(s.uid_map[0].container_id, 0U);
    EXPECT_EQ(s.uid_map[0].size, size);
    return s.uid_map[0].host_id;
  }

  std::unique_ptr<test::TempDir> dir_;
  std::string state_;
  std::unique_ptr<podns::Store> store_;
};

TEST_F(Store, OpenMakesAPrivateDirectoryAndPrivateFilesWhateverTheUmask) {
  std::string nested = dir_->path() + "/a/b/state";
  mode_t old = ::umask(0);
  auto s = podns::Store::open(nested);
  ::umask(old);
  ASSERT_TRUE(s) << s.error().message();
  for (const auto& d : {dir_->path() + "/a", dir_->path() + "/a/b", nested})
    EXPECT_EQ(mode_of(d), 0700U) << d;
  ASSERT_TRUE(s->insert(pod("p", 100000)));
  // The database and everything SQLite made beside it (its WAL, its shared
  // memory) and the lock file: readable by root alone.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(nested)) {
    names.push_back(e.path().filename());
    EXPECT_TRUE(e.is_regular_file()) << e.path();
    EXPECT_EQ(mode_of(e.path()), 0600U) << e.path();
  }
  std::sort(names.begin(), names.end());
  EXPECT_TRUE(std::ranges::includes(names, std::vector<std::string>{"locks", "podns.db"}));
  // Opened again, it is the same database.
  auto again = podns::Store::open(nested);
  ASSERT_TRUE(again) << again.error().message();
  auto p = again->get("p");
  ASSERT_TRUE(p && *p);
}

TEST_F(Store, OpenRefusesAnUnsafeStateDirectoryAndMakesNothing) {
  std::string open_dir = dir_->path() + "/open";
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
  auto r = podns::Store::open(open_dir + "/state");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EPERM) << r.error().message();
  EXPECT_FALSE(fs::exists(open_dir + "/state"));

  std::string link = dir_->path() + "/link";
  ASSERT_EQ(::symlink(state_.c_str(), link.c_str()), 0);
  r = podns::Store::open(link);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ELOOP) << r.error().message();
  r = podns::Store::open("state");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_invalid_input()) << r.error().message();
}

TEST_F(Store, ASandboxWithEveryFieldSetRoundTrips) {
  Sandbox full = every_field_set();
  add(full);
  auto got = get(full.id);
  ASSERT_TRUE(got);
  expect_same(*got, full);
  auto all = store().list();
  ASSERT_TRUE(all && all->size() == 1U);
  expect_same(all->front(), full);
}

TEST_F(Store, ASandboxWithEveryFieldUnsetRoundTrips) {
  Sandbox bare = every_field_unset();
  add(bare);
  auto got = get(bare.id);
  ASSERT_TRUE(got);
  expect_same(*got, bare);
  EXPECT_FALSE(got->netns || got->userns || got->ipcns || got->utsns);
}

TEST_F(Store, UpdateReplacesEveryFieldBothWays) {
  // Unset to set: each field takes the new value.
  Sandbox full = every_field_set();
  Sandbox bare = every_field_unset();
  bare.id = full.id;
  add(bare);
  ASSERT_TRUE(store().update(full));
  auto got = get(full.id);
  ASSERT_TRUE(got);
  expect_same(*got, full);
  // Set to unset: nothing of the old row is left (an option cleared stays cleared).
  ASSERT_TRUE(store().update(bare));
  got = get(full.id);
  ASSERT_TRUE(got);
  expect_same(*got, bare);
  EXPECT_EQ(listed(), std::vector<std::string>{full.id});
}

TEST_F(Store, EveryStateRoundTrips) {
  Sandbox s = pod("p", 100000);
  add(s);
  for (auto state : {SandboxState::creating, SandboxState::ready, SandboxState::stopped,
                     SandboxState::notready, SandboxState::removing, SandboxState::unknown}) {
    s.state = state;
    s.reason = std::string("now ") + to_string(state);
    ASSERT_TRUE(store().update(s)) << to_string(state);
    auto got = get("p");
    ASSERT_TRUE(got);
    expect_same(*got, s);
  }
}

TEST_F(Store, ListReturnsEverySandboxAndGetOfAnAbsentIdIsEmpty) {
  EXPECT_TRUE(listed().empty());
  EXPECT_FALSE(get("nothing"));
  add(pod("c", 300000));
  add(pod("a", 100000));
  add(pod("b", 200000));
  EXPECT_EQ(listed(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(get("d"));
  EXPECT_FALSE(get("A"));  // IDs are case-sensitive
}

TEST_F(Store, InsertOfATakenIdIsEexistAndChangesNothing) {
  Sandbox first = pod("p", 100000);
  add(first);
  Sandbox again = every_field_set();
  again.id = "p";
  again.uid_map = again.gid_map = {{0, 300000, 1000}};
  auto r = store().insert(again);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EEXIST) << r.error().message();
  EXPECT_NE(r.error().message().find("sandbox p already exists"), std::string::npos)
      << r.error().message();
  auto got = get("p");
  ASSERT_TRUE(got);
  expect_same(*got, first);
  // The refused sandbox's host ranges were not recorded either.
  add(pod("q", 300000, 1000));
  EXPECT_EQ(listed(), (std::vector<std::string>{"p", "q"}));
}

TEST_F(Store, UpdateOfAMissingIdIsEnoentAndAddsNothing) {
  add(pod("p", 100000));
  auto r = store().update(pod("q", 200000));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ENOENT) << r.error().message();
  EXPECT_NE(r.error().message().find("no sandbox q"), std::string::npos) << r.error().message();
  EXPECT_EQ(listed(), std::vector<std::string>{"p"});
  EXPECT_FALSE(get("q"));
}

TEST_F(Store, EraseRemovesTheRowAndFreesItsRangesAndAnAbsentIdCountsAsRemoved) {
  add(pod("p", 100000));
  add(pod("q", 200000));
  ASSERT_TRUE(store().erase("p"));
  EXPECT_EQ(listed(), std::vector<std::string>{"q"});
  EXPECT_FALSE(get("p"));
  // Its host range is free again.
  add(pod("r", 100000));
  // Absent: removed already.
  EXPECT_TRUE(store().erase("p"));
  EXPECT_TRUE(store().erase("never-there"));
  EXPECT_EQ(listed(), (std::vector<std::string>{"q", "r"}));
}

TEST_F(Store, AnOverlappingRangeIsRefusedAndNothingChanges) {
  add(pod("a", 100000));  // 100000-165535 on both sides
  // Its uids are free, its gids are not: the uid range, checked and written
  // first, must not stay behind when the gid range is refused.
  Sandbox b = pod("b", 0);
  b.uid_map = {{0, 300000, 1000}};
  b.gid_map = {{0, 165535, 1000}};
  auto r = store().insert(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EBUSY) << r.error().message();
  EXPECT_NE(r.error().message().find("host gid range 165535-166534 overlaps sandbox a's"),
            std::string::npos)
      << r.error().message();
  EXPECT_EQ(listed(), std::vector<std::string>{"a"});
  EXPECT_FALSE(get("b"));
  add(pod("c", 300000, 1000));
  // The store works on after the refusal: a later write commits.
  ASSERT_TRUE(store().erase("c"));
  EXPECT_EQ(listed(), std::vector<std::string>{"a"});
}

TEST_F(Store, OverlapsAreFoundWhereverTheRangesMeet) {
  add(pod("low", 100000, 1000));   // 100000-100999
  add(pod("mid", 200000, 1000));   // 200000-200999
  add(pod("high", 300000, 1000));  // 300000-300999
  struct Case {
    std::uint32_t host, size;
    const char* what;
  };
  for (const Case& c :
       {Case{100000, 1000, "the same range"}, Case{99999, 2, "its first ID"},
        Case{100999, 1, "its last ID"}, Case{100500, 10, "inside it"},
        Case{50000, 100000, "all of it"}, Case{150000, 60000, "from below"},
        Case{200999, 100000, "from inside to past the next"}, Case{1, 400000, "all three"}}) {
    auto r = store().insert(pod("new", c.host, c.size));
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(r.error().errno_value(), EBUSY) << c.what << ": " << r.error().message();
  }
  // Ranges that touch without sharing an ID pass.
  add(pod("below-low", 99000, 1000));
  add(pod("above-low", 101000, 99000));
  add(pod("above-high", 301000, 1));
  // And a second line of a map is checked as the first is.
  Sandbox two_lines = pod("two-lines", 0);
  two_lines.uid_map = two_lines.gid_map = {{0, 400000, 10}, {10, 300500, 1}};
  auto r = store().insert(two_lines);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EBUSY) << r.error().message();
  EXPECT_EQ(listed(), (std::vector<std::string>{"above-high", "above-low", "below-low", "high",
                                                "low", "mid"}));
}

TEST_F(Store, UidAndGidRangesAreEachCheckedOnTheirOwnSide) {
  Sandbox a = pod("a", 0);
  a.uid_map = {{0, 100000, 1000}};
  a.gid_map = {{0, 200000, 1000}};
  add(a);
  // b's gids are a's uids and its uids a's gids: no host ID is used twice on one side.
  Sandbox b = pod("b", 0);
  b.uid_map = {{0, 200000, 1000}};
  b.gid_map = {{0, 100000, 1000}};
  add(b);
  EXPECT_EQ(listed(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(Store, SharedRangesMayOverlapButStillBlockUnsharedOnes) {
  add(pod("a", 100000));
  // Asked for (--allow-overlap): the overlap is let through, both ways.
  add(pod("b", 100000), true);
  add(pod("c", 150000, 100000), true);
  // Without it, a range that meets any of them is refused, shared or not.
  for (std::uint32_t host : {100000U, 170000U, 249999U}) {
    auto r = store().insert(pod("d", host, 1));
    ASSERT_FALSE(r) << host;
    EXPECT_EQ(r.error().errno_value(), EBUSY) << host << ": " << r.error().message();
  }
  ASSERT_TRUE(store().erase("a"));
  ASSERT_TRUE(store().erase("b"));
  // c alone, 150000-249999, is left.
  auto r = store().insert(pod("d", 100000));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("overlaps sandbox c's"), std::string::npos)
      << r.error().message();
  ASSERT_TRUE(store().erase("c"));
  add(pod("d", 100000));
}

TEST_F(Store, InsertAutoTakesThePoolsFirstRangeThenTheOneAbove) {
  IdPool pool{200000, 4294967294U};
  EXPECT_EQ(add_auto(store(), "a", 65536, pool), 200000U);
  EXPECT_EQ(add_auto(store(), "b", 1000, pool), 265536U);
  EXPECT_EQ(add_auto(store(), "c", 1, pool), 266536U);
  // What was chosen is what is recorded.
  auto b = get("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->uid_map, (IdMap{{0, 265536, 1000}}));
  EXPECT_EQ(b->gid_map, (IdMap{{0, 265536, 1000}}));
  EXPECT_EQ(b->state, SandboxState::ready);
}

TEST_F(Store, InsertAutoStaysClearOfExplicitRanges) {
  IdPool pool{200000, 4294967294U};
  // An explicit range inside the pool, and one from below reaching into it,
  // on the gid side only: a range is free only if free on both sides.
  Sandbox explicit_pod = pod("explicit", 0);
  explicit_pod.uid_map = {{0, 10000, 10}};
  explicit_pod.gid_map = {{0, 150000, 50001}, {50001, 200500, 100}};  // ..200000, 200500-200599
  add(explicit_pod);
  EXPECT_EQ(add_auto(store(), "a", 100, pool), 200600U);
  auto r = store().insert(pod("clash", 200600, 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EBUSY);
}

TEST_F(Store, InsertAutoTakesTheRangeAboveEveryRangeInUseWhileThereIsRoom) {
  // One index probe finds it; a gap lower down is left for when the pool's
  // top is used up (the next test).
  IdPool pool{200000, 4294967294U};
  EXPECT_EQ(add_auto(store(), "a", 1000, pool), 200000U);
  EXPECT_EQ(add_auto(store(), "b", 1000, pool), 201000U);
  ASSERT_TRUE(store().erase("a"));
  EXPECT_EQ(add_auto(store(), "c", 1000, pool), 202000U);
}

TEST_F(Store, InsertAutoFillsTheLowestGapOnceTheTopOfThePoolIsTaken) {
  IdPool pool{200000, 204999};  // five ranges of 1000
  for (std::uint32_t i = 0; i < 5; ++i)
    EXPECT_EQ(add_auto(store(), "p" + std::to_string(i), 1000, pool), 200000U + 1000U * i);
  ASSERT_TRUE(store().erase("p3"));
  ASSERT_TRUE(store().erase("p1"));
  // Two gaps of 1000: none holds 2000.
  Sandbox big = pod("big", 0);
  auto r = store().insert_auto(big, 2000, pool);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ENOSPC) << r.error().message();
  // The lowest gap first, then the next.
  EXPECT_EQ(add_auto(store(), "q1", 1000, pool), 201000U);
  EXPECT_EQ(add_auto(store(), "q3", 1000, pool), 203000U);
  r = store().insert_auto(big, 1, pool);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ENOSPC) << r.error().message();
}

TEST_F(Store, AGapIsFreeOnlyWhenFreeOnBothSides) {
  // The pool 200000-202999, with the top taken on the uid side and its
  // start (by a range from below the pool) on the gid side: what is left on
  // both sides is 200500-201999.
  IdPool pool{200000, 202999};
  Sandbox x = pod("x", 0);
  x.uid_map = {{0, 202000, 1000}};
  x.gid_map = {{0, 199500, 1000}};
  add(x);
  EXPECT_EQ(add_auto(store(), "a", 1000, pool), 200500U);
  Sandbox b = pod("b", 0);
  auto r = store().insert_auto(b, 1000, pool);
  ASSERT_FALSE(r) << to_string(b.uid_map);
  EXPECT_EQ(r.error().errno_value(), ENOSPC) << r.error().message();
  EXPECT_EQ(add_auto(store(), "c", 500, pool), 201500U);
}

TEST_F(Store, InsertAutoIsEnospcWhenThePoolIsFullAndChangesNothing) {
  IdPool pool{200000, 201999};
  EXPECT_EQ(add_auto(store(), "a", 1000, pool), 200000U);
  EXPECT_EQ(add_auto(store(), "b", 1000, pool), 201000U);
  Sandbox c = pod("c", 0);
  c.uid_map = c.gid_map = {{0, 7, 1}};
  auto r = store().insert_auto(c, 1, pool);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ENOSPC) << r.error().message();
  EXPECT_NE(r.error().message().find("pool 200000-201999"), std::string::npos)
      << r.error().message();
  EXPECT_EQ(c.uid_map, (IdMap{{0, 7, 1}})) << "the sandbox's maps were changed";
  EXPECT_EQ(listed(), (std::vector<std::string>{"a", "b"}));
  // Freed by erase, the range is given out again.
  ASSERT_TRUE(store().erase("a"));
  EXPECT_EQ(add_auto(store(), "c", 1000, pool), 200000U);
}

TEST_F(Store, InsertAutoRefusesARangeHoldingHostIdZeroUnlessAllowed) {
  IdPool from_zero{0, 99999};
  Sandbox s = pod("root-range", 0);
  s.uid_map = s.gid_map = {};
  auto r = store().insert_auto(s, 1000, from_zero);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_invalid_input()) << r.error().message();
  EXPECT_NE(r.error().message().find("from the pool 0-99999"), std::string::npos)
      << r.error().message();
  EXPECT_TRUE(s.uid_map.empty());
  EXPECT_TRUE(listed().empty());
  // Allowed (--allow-host-root), the pod's root is the host's.
  ASSERT_TRUE(store().insert_auto(s, 1000, from_zero, true)) << "allowed";
  EXPECT_EQ(s.uid_map, (IdMap{{0, 0, 1000}}));
  // The rule is about the range chosen: the next one from the same pool
  // holds no host ID 0 and needs no permission.
  EXPECT_EQ(add_auto(store(), "next", 1000, from_zero), 1000U);
}

TEST_F(Store, InsertAutoChecksThePoolAndTheSizeBeforeAnything) {
  Sandbox s = pod("p", 0);
  for (auto [pool, size] : {std::pair{IdPool{200000, 199999}, 1U},
                            std::pair{IdPool{200000, 4294967295U}, 1U},
                            std::pair{IdPool{200000, 200999}, 0U},
                            std::pair{IdPool{200000, 200999}, 1001U}}) {
    auto r = store().insert_auto(s, size, pool);
    ASSERT_FALSE(r) << pool.first << "-" << pool.last << " size " << size;
    EXPECT_TRUE(r.error().is_invalid_input()) << r.error().message();
  }
  EXPECT_TRUE(listed().empty());
}

TEST_F(Store, TwoHandlesOnOneDirectoryNeverHandOutTheSameRange) {
  podns::Store other = second();
  IdPool pool{200000, 4294967294U};
  std::vector<std::uint32_t> bases;
  for (int i = 0; i < 6; ++i) {
    podns::Store& st = i % 2 == 0 ? store() : other;
    bases.push_back(add_auto(st, "p" + std::to_string(i), 1000, pool));
  }
  EXPECT_EQ(bases, (std::vector<std::uint32_t>{200000, 201000, 202000, 203000, 204000, 205000}));
}

TEST_F(Store, ConcurrentHandlesNeverCollide) {
  // Two handles in two threads, allocating at once: each allocation is in
  // the transaction that records it, so no two sandboxes share a host ID.
  constexpr int kEach = 25;
  IdPool pool{200000, 4294967294U};
  auto run = [&](char name) {
    auto st = podns::Store::open(state_);
    if (!st) return std::string("open: ") + st.error().message();
    for (int i = 0; i < kEach; ++i) {
      Sandbox s = pod(std::string(1, name) + std::to_string(i), 0);
      if (auto r = st->insert_auto(s, 100 + static_cast<std::uint32_t>(i), pool); !r)
        return r.error().message();
    }
    return std::string();
  };
  auto a = std::async(std::launch::async, run, 'a');
  auto b = std::async(std::launch::async, run, 'b');
  EXPECT_EQ(a.get(), "");
  EXPECT_EQ(b.get(), "");
  auto all = store().list();
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 2U * kEach);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  for (const auto& s : *all) {
    ASSERT_EQ(s.uid_map.size(), 1U);
    ranges.emplace_back(s.uid_map[0].host_id, s.uid_map[0].host_id + s.uid_map[0].size);
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i)
    EXPECT_LE(ranges[i - 1].second, ranges[i].first) << "ranges " << i - 1 << " and " << i;
}

TEST_F(Store, ASecondHandleSeesTheFirstsCommittedRows) {
  podns::Store reader = second();
  add(pod("p", 100000));
  auto p = reader.get("p");
  ASSERT_TRUE(p && *p);
  expect_same(**p, pod("p", 100000));
  // A change and a removal, each seen at its commit (the reader's cached
  // statements do not hold on to an old snapshot).
  Sandbox changed = pod("p", 100000);
  changed.state = SandboxState::stopped;
  ASSERT_TRUE(store().update(changed));
  p = reader.get("p");
  ASSERT_TRUE(p && *p);
  EXPECT_EQ((*p)->state, SandboxState::stopped);
  ASSERT_TRUE(store().erase("p"));
  p = reader.get("p");
  ASSERT_TRUE(p);
  EXPECT_FALSE(*p);
  auto all = reader.list();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
  // And the other way: what the second writes, the first reads.
  ASSERT_TRUE(reader.insert(pod("q", 100000)));
  EXPECT_EQ(listed(), std::vector<std::string>{"q"});
}

TEST_F(Store, ASecondLockOnOneIdIsBusyAnotherIdIsNot) {
  auto held = store().lock("web-1", false);
  ASSERT_TRUE(held) << held.error().message();
  // From this handle and from another (two processes).
  podns::Store other = second();
  for (podns::Store* st : {&store(), &other}) {
    auto again = st->lock("web-1", false);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().errno_value(), EBUSY) << again.error().message();
    EXPECT_NE(again.error().message().find("sandbox web-1 is busy"), std::string::npos)
        << again.error().message();
  }
  auto different = other.lock("web-2", false);
  EXPECT_TRUE(different) << different.error().message();
  // Released when its Fd dies.
  held->reset();
  auto now = other.lock("web-1", false);
  EXPECT_TRUE(now) << now.error().message();
}

// A child process, killed and reaped when this goes out of scope, however
// the test ends.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { (void)kill(); }
  // SIGKILL and wait; the wait status.
  int kill() {
    if (pid_ <= 0) return 0;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

TEST_F(Store, ALockIsReleasedWhenItsProcessDies) {
  std::array<int, 2> p{};
  ASSERT_EQ(::pipe2(p.data(), O_CLOEXEC), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child's own handle, as another podns process would have.
    ::close(p[0]);
    auto st = podns::Store::open(state_);
    if (!st) ::_exit(1);
    auto held = st->lock("web-1", false);
    if (!held) ::_exit(2);
    char c = 'x';
    if (::write(p[1], &c, 1) != 1) ::_exit(3);
    ::pause();
    ::_exit(4);
  }
  Child child(pid);
  ::close(p[1]);
  char c = 0;
  auto n = ::read(p[0], &c, 1);
  ::close(p[0]);
  ASSERT_EQ(n, 1) << "the child did not take the lock";
  auto busy = store().lock("web-1", false);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().errno_value(), EBUSY) << busy.error().message();
  // SIGKILL: no cleanup of its own; the kernel drops the lock.
  int status = child.kill();
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  auto free_now = store().lock("web-1", false);
  EXPECT_TRUE(free_now) << free_now.error().message();
}

TEST_F(Store, AWaitingLockIsGrantedWhenTheHolderLetsGo) {
  auto held = store().lock("web-1");
  ASSERT_TRUE(held) << held.error().message();
  podns::Store other = second();
  auto waiter = std::async(std::launch::async, [&] { return other.lock("web-1"); });
  // Still waiting while it is held (a wrong "granted" would show at once).
  EXPECT_EQ(waiter.wait_for(200ms), std::future_status::timeout);
  held->reset();
  auto got = waiter.get();
  EXPECT_TRUE(got) << got.error().message();
}

TEST_F(Store, TheRootLockIsExclusiveAndApartFromTheSandboxLocks) {
  auto root = store().lock_root();
  ASSERT_TRUE(root) << root.error().message();
  // The sandbox locks are not held up by it...
  auto sandbox = store().lock("web-1", false);
  EXPECT_TRUE(sandbox) << sandbox.error().message();
  // ...but a second lock_root waits for the first.
  podns::Store other = second();
  auto waiter = std::async(std::launch::async, [&] { return other.lock_root(); });
  EXPECT_EQ(waiter.wait_for(200ms), std::future_status::timeout);
  root->reset();
  auto got = waiter.get();
  EXPECT_TRUE(got) << got.error().message();
}

}  // namespace
}  // namespace podns
