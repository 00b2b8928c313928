// The result cache: libcni's file names and format, atomic writes, listing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "podns/cni/cache.h"
#include "podns/cni/parse.h"
#include "testenv.h"

namespace podns::cni {
namespace {

using nlohmann::json;

CacheEntry entry(const std::string& cid = "c1", const std::string& ifname = "eth0") {
  CacheEntry e;
  e.container_id = cid;
  e.ifname = ifname;
  e.network_name = "podnet";
  e.netns = "/run/podns/" + cid + "/net";
  e.config = R"({"cniVersion":"1.0.0","name":"podnet","plugins":[{"type":"bridge"}]})";
  e.cni_args = {{"IgnoreUnknown", "1"}};
  e.capability_args = {{"portMappings", json::array({{{"hostPort", 80}}})}};
  e.result = {{"cniVersion", "1.0.0"}, {"ips", json::array({{{"address", "10.1.0.5/16"}}})}};
  return e;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Cache, Base64IsGosStandardEncoding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xff\xfe"), "//4=");
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\x00\xff\x10"}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(base64_decode("Zg="));
  EXPECT_FALSE(base64_decode("Z==="));
  EXPECT_FALSE(base64_decode("Zm=v"));
  EXPECT_FALSE(base64_decode("Zm9v!A=="));
}

TEST(Cache, FileNameIsNetworkContainerInterface) {
  ResultCache cache("/var/lib/cni");
  auto p = cache.path("podnet", "c1", "eth0");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, "/var/lib/cni/results/podnet-c1-eth0");
  EXPECT_FALSE(cache.path("../x", "c1", "eth0"));
  EXPECT_FALSE(cache.path("podnet", "../../etc/passwd", "eth0"));
  EXPECT_FALSE(cache.path("podnet", "c1", "a/b"));
  EXPECT_FALSE(cache.path("podnet", std::string(300, 'a'), "eth0"));
}

TEST(Cache, JsonHasLibcnisFields) {
  json j = to_json(entry());
  EXPECT_EQ(j["kind"], "cniCacheV1");
  EXPECT_EQ(j["containerId"], "c1");
  EXPECT_EQ(j["ifName"], "eth0");
  EXPECT_EQ(j["networkName"], "podnet");
  EXPECT_EQ(j["netns"], "/run/podns/c1/net");
  EXPECT_EQ(j["config"], base64_encode(entry().config));
  EXPECT_EQ(j["cniArgs"], json::parse(R"([["IgnoreUnknown","1"]])"));
  EXPECT_EQ(j["capabilityArgs"], entry().capability_args);
  EXPECT_EQ(j["result"], entry().result);
  // Empty optional fields are left out, as Go's omitempty does.
  CacheEntry bare = entry();
  bare.netns.clear();
  bare.cni_args.clear();
  bare.capability_args = json::object();
  json b = to_json(bare);
  EXPECT_FALSE(b.contains("netns"));
  EXPECT_FALSE(b.contains("cniArgs"));
  EXPECT_FALSE(b.contains("capabilityArgs"));
}

TEST(Cache, ReadsAFileAsLibcniWritesIt) {
  // Field order and spacing as encoding/json produces them.
  std::string config = R"({"cniVersion":"1.0.0","name":"podnet","plugins":[{"type":"bridge"}]})";
  std::string text = R"({"kind":"cniCacheV1","containerId":"abc","config":")" +
                     base64_encode(config) +
                     R"(","ifName":"eth0","networkName":"podnet","netns":"/var/run/netns/abc",)"
                     R"("cniArgs":[["K8S_POD_NAME","web"]],)"
                     R"("result":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}]}})";
  auto doc = parse_json(text, "t");
  ASSERT_TRUE(doc);
  auto e = cache_entry_from_json(*doc);
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_EQ(e->container_id, "abc");
  EXPECT_EQ(e->config, config);
  EXPECT_EQ(e->netns, "/var/run/netns/abc");
  ASSERT_EQ(e->cni_args.size(), 1u);
  EXPECT_EQ(e->cni_args[0].second, "web");
  EXPECT_EQ(e->result["interfaces"][0]["name"], "eth0");
  EXPECT_TRUE(e->capability_args.empty());

  Attachment a = attachment_of(*e);
  EXPECT_EQ(a.container_id, "abc");
  EXPECT_EQ(a.ifname, "eth0");
  EXPECT_EQ(a.netns, "/var/run/netns/abc");
}

TEST(Cache, RefusesWhatIsNotAnEntry) {
  for (const char* text : {R"({"kind":"other","containerId":"c","ifName":"i","networkName":"n"})",
                           R"({"containerId":"c","ifName":"i","networkName":"n"})",
                           R"({"kind":"cniCacheV1","ifName":"i","networkName":"n"})",
                           R"({"kind":"cniCacheV1","containerId":"c","ifName":"i","networkName":"n",
                               "config":"!!"})",
                           R"({"kind":"cniCacheV1","containerId":"c","ifName":"i","networkName":"n",
                               "cniArgs":[["a"]]})",
                           R"({"kind":"cniCacheV1","containerId":"c","ifName":"i","networkName":"n",
                               "result":[]})"}) {
    EXPECT_FALSE(cache_entry_from_json(json::parse(text))) << text;
  }
}

TEST(Cache, RoundTripsThroughAFileWithPrivateModes) {
  test::TempDir dir;
  ResultCache cache(dir.path() + "/cni");
  ASSERT_TRUE(cache.write(entry()));
  std::string file = dir.path() + "/cni/results/podnet-c1-eth0";
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((dir.path() + "/cni/results").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat((dir.path() + "/cni").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);

  // The file itself is libcni's format.
  json on_disk = json::parse(slurp(file));
  EXPECT_EQ(on_disk, to_json(entry()));

  auto back = cache.read("podnet", "c1", "eth0");
  ASSERT_TRUE(back) << back.error().message();
  ASSERT_TRUE(*back);
  EXPECT_EQ((*back)->result, entry().result);
  EXPECT_EQ((*back)->config, entry().config);
  EXPECT_EQ((*back)->cni_args, entry().cni_args);
  EXPECT_EQ((*back)->capability_args, entry().capability_args);

  // Replaced whole; no temporary file is left behind.
  CacheEntry changed = entry();
  changed.result["ips"] = json::array();
  ASSERT_TRUE(cache.write(changed));
  int files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.path() + "/cni/results")) {
    (void)f;
    ++files;
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ((*cache.read("podnet", "c1", "eth0"))->result["ips"], json::array());

  ASSERT_TRUE(cache.remove("podnet", "c1", "eth0"));
  auto gone = cache.read("podnet", "c1", "eth0");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  EXPECT_TRUE(cache.remove("podnet", "c1", "eth0"));  // absent counts as removed
}

TEST(Cache, ACorruptFileIsAnError) {
  test::TempDir dir;
  ResultCache cache(dir.path());
  std::filesystem::create_directories(dir.path() + "/results");
  std::ofstream(dir.path() + "/results/podnet-c1-eth0") << "{half a fi";
  auto r = cache.read("podnet", "c1", "eth0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EBADMSG);
}

TEST(Cache, ListsValidEntriesForRecovery) {
  test::TempDir dir;
  ResultCache cache(dir.path());
  auto empty = cache.list();
  ASSERT_TRUE(empty);  // no results directory yet
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE(cache.write(entry("c1", "eth0")));
  ASSERT_TRUE(cache.write(entry("c1", "net1")));
  ASSERT_TRUE(cache.write(entry("c2", "eth0")));
  std::ofstream(dir.path() + "/results/podnet-c3-eth0") << "garbage";
  std::ofstream(dir.path() + "/results/.podnet-c4-eth0.tmp.abcdef") << to_json(entry("c4")).dump();

  auto all = cache.list();
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].ifname, "eth0");
  EXPECT_EQ((*all)[1].ifname, "net1");
  EXPECT_EQ((*all)[2].container_id, "c2");

  auto c1 = cache.list("c1");
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->size(), 2u);
  auto c9 = cache.list("c9");
  ASSERT_TRUE(c9);
  EXPECT_TRUE(c9->empty());
}

}  // namespace
}  // namespace podns::cni
