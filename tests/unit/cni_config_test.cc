// Network configuration lists: parsing, version selection, loading from a
// directory.
#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "podns/cni/config.h"
#include "podns/cni/version.h"
#include "testenv.h"

namespace podns::cni {
namespace {

using nlohmann::json;

const char* kBridgeList = R"({
  "cniVersion": "1.0.0",
  "name": "podnet",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "ipam": {"type": "host-local", "subnet": "10.1.0.0/16"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
})";

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(Config, ParsesAConfList) {
  auto net = parse_network(kBridgeList, "test");
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_EQ(net->name, "podnet");
  EXPECT_EQ(net->cni_version, "1.0.0");
  ASSERT_EQ(net->plugins.size(), 2u);
  EXPECT_EQ(net->plugins[0]["type"], "bridge");
  EXPECT_EQ(net->plugins[0]["bridge"], "cni0");
  EXPECT_EQ(net->bytes, kBridgeList);  // cached as read, byte for byte
  EXPECT_FALSE(net->disable_check);
  EXPECT_FALSE(net->disable_gc);
  EXPECT_EQ(net->source_path, "test");
}

TEST(Config, WrapsASingleConfIntoAList) {
  const char* conf = R"({"cniVersion":"1.0.0","name":"single","type":"bridge","bridge":"br9"})";
  auto net = parse_network(conf, "x.conf");
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_EQ(net->name, "single");
  ASSERT_EQ(net->plugins.size(), 1u);
  EXPECT_EQ(net->plugins[0]["type"], "bridge");
  EXPECT_EQ(net->plugins[0]["bridge"], "br9");
  // What is cached is the list, which parses back to the same network.
  auto again = parse_network(net->bytes, "cache");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->name, "single");
  EXPECT_EQ(again->plugins, net->plugins);
}

TEST(Config, PicksTheHighestSupportedVersion) {
  auto net = parse_network(
      R"({"cniVersion":"1.0.0","cniVersions":["0.3.1","1.1.0","1.0.0","2.0.0"],"name":"n",
          "plugins":[{"type":"bridge"}]})",
      "t");
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_EQ(net->cni_version, "1.1.0");

  net = parse_network(R"({"cniVersions":["1.0.0"],"name":"n","plugins":[{"type":"b"}]})", "t");
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_EQ(net->cni_version, "1.0.0");
}

TEST(Config, RefusesVersionsPodnsDoesNotSpeak) {
  auto net = parse_network(R"({"cniVersion":"0.4.0","name":"old","plugins":[{"type":"b"}]})", "f");
  ASSERT_FALSE(net);
  EXPECT_EQ(net.error().errno_value(), EPROTONOSUPPORT);
  EXPECT_EQ(net.error().message(),
            "network configuration f: CNI version 0.4.0 is not supported: podns speaks 1.0.0 and "
            "1.1.0");

  net = parse_network(R"({"cniVersions":["0.3.1","2.0.0"],"name":"n","plugins":[{"type":"b"}]})",
                      "f");
  ASSERT_FALSE(net);
  EXPECT_NE(net.error().message().find("CNI versions 0.3.1, 2.0.0 are not supported"),
            std::string::npos)
      << net.error().message();
}

TEST(Config, RefusesMalformedVersions) {
  for (const char* v : {"1.0", "1.0.0-rc1", "v1.0.0", "", "1..0", "1.0.0.0"}) {
    EXPECT_FALSE(parse_version(v)) << v;
  }
  auto net = parse_network(R"({"cniVersion":"1.x","name":"n","plugins":[{"type":"b"}]})", "f");
  ASSERT_FALSE(net);
  EXPECT_TRUE(net.error().is_invalid_input());
  net = parse_network(R"({"name":"n","plugins":[{"type":"b"}]})", "f");
  ASSERT_FALSE(net);
  EXPECT_NE(net.error().message().find("no cniVersion"), std::string::npos);
  net = parse_network(R"({"cniVersion":1,"name":"n","plugins":[{"type":"b"}]})", "f");
  EXPECT_FALSE(net);
}

TEST(Config, ComparesVersions) {
  EXPECT_TRUE(at_least("1.1.0", "1.1.0"));
  EXPECT_TRUE(at_least("1.10.0", "1.2.0"));
  EXPECT_FALSE(at_least("1.0.0", "1.1.0"));
  EXPECT_FALSE(at_least("junk", "1.0.0"));
}

TEST(Config, ReadsTheFlags) {
  auto net = parse_network(
      R"({"cniVersion":"1.1.0","name":"n","disableCheck":true,"disableGC":"TRUE",
          "plugins":[{"type":"b"}]})",
      "f");
  ASSERT_TRUE(net) << net.error().message();
  EXPECT_TRUE(net->disable_check);
  EXPECT_TRUE(net->disable_gc);
  net = parse_network(
      R"({"cniVersion":"1.1.0","name":"n","disableCheck":"maybe","plugins":[{"type":"b"}]})", "f");
  ASSERT_FALSE(net);
  EXPECT_NE(net.error().message().find("disableCheck"), std::string::npos);
}

TEST(Config, RefusesBadDocuments) {
  struct Case {
    const char* text;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"{not json", "is not valid JSON"},
      {"", "is not valid JSON"},
      {"[1,2]", "is not a JSON object"},
      {R"({"cniVersion":"1.0.0","plugins":[{"type":"b"}]})", "no network \"name\""},
      {R"({"cniVersion":"1.0.0","name":"-bad","plugins":[{"type":"b"}]})", "network name"},
      {R"({"cniVersion":"1.0.0","name":"a/b","plugins":[{"type":"b"}]})", "network name"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[]})", "\"plugins\" is empty"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":{}})", "\"plugins\" is not an array"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"bridge":"x"}]})",
       "plugin 0 has no \"type\""},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"b"},{"type":7}]})",
       "plugin 1: \"type\" is not a string"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"../../bin/sh"}]})",
       "plugin type \"../../bin/sh\" is invalid"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":""}]})", "plugin type is empty"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"b","capabilities":[1]}]})",
       "\"capabilities\" is not a JSON object"},
      {R"({"cniVersion":"1.0.0","name":"n"})", R"(neither a "plugins" list nor a plugin "type")"},
      {R"({"cniVersion":"1.0.0","type":"bridge"})", "no network \"name\""},
  };
  for (const auto& c : cases) {
    auto net = parse_network(c.text, "f.conflist");
    ASSERT_FALSE(net) << c.text;
    EXPECT_NE(net.error().message().find(c.says), std::string::npos)
        << c.text << " gave: " << net.error().message();
    EXPECT_EQ(net.error().message().rfind("network configuration f.conflist", 0), 0u)
        << net.error().message();
  }
}

TEST(Config, RefusesDeeplyNestedJson) {
  std::string deep =
      R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"b","x":)" + std::string(100000, '[');
  auto net = parse_network(deep, "f");
  ASSERT_FALSE(net);
  EXPECT_NE(net.error().message().find("nested deeper"), std::string::npos);
}

TEST(Config, LoadsTheLexicallyFirstFileOrTheNamedNetwork) {
  test::TempDir dir;
  write(dir.path() + "/20-second.conflist",
        R"({"cniVersion":"1.0.0","name":"second","plugins":[{"type":"b"}]})");
  write(dir.path() + "/10-first.conf", R"({"cniVersion":"1.0.0","name":"first","type":"b"})");
  write(dir.path() + "/30-third.json",
        R"({"cniVersion":"1.0.0","name":"third","plugins":[{"type":"b"}]})");
  write(dir.path() + "/05-ignored.txt", "not a configuration");
  write(dir.path() + "/.00-hidden.conflist", "{broken");

  auto files = network_files(dir.path());
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0], dir.path() + "/10-first.conf");

  auto first = load_network(dir.path());
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->name, "first");
  EXPECT_EQ(first->source_path, dir.path() + "/10-first.conf");

  auto third = load_network(dir.path(), "third");
  ASSERT_TRUE(third) << third.error().message();
  EXPECT_EQ(third->name, "third");

  auto none = load_network(dir.path(), "fourth");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().errno_value(), ENOENT);
  EXPECT_EQ(none.error().message(),
            "no network named fourth in " + dir.path() + " (it has first, second, third)");
}

// One rule, whichever network is asked for: a malformed file anywhere in
// the directory is an error that names it. (A named network once passed
// over a bad file that the default network failed on.)
TEST(Config, AMalformedFileIsAnErrorWhicheverNetworkIsAskedFor) {
  for (const std::string bad : {"10-broken.conflist", "30-broken.conf"}) {
    SCOPED_TRACE(bad);
    test::TempDir dir;
    write(dir.path() + "/" + bad, "{broken");
    write(dir.path() + "/20-good.conflist",
          R"({"cniVersion":"1.0.0","name":"good","plugins":[{"type":"b"}]})");
    for (const auto& name : std::vector<std::optional<std::string>>{std::nullopt, "good", "other"}) {
      auto net = load_network(dir.path(), name);
      ASSERT_FALSE(net) << net->name;
      EXPECT_NE(net.error().message().find("network configuration " + dir.path() + "/" + bad),
                std::string::npos)
          << net.error().message();
    }
    EXPECT_FALSE(load_networks(dir.path()));
  }
}

TEST(Config, TwoFilesDeclaringOneNetworkAreRefusedNamingBoth) {
  test::TempDir dir;
  write(dir.path() + "/10-a.conflist",
        R"({"cniVersion":"1.0.0","name":"same","plugins":[{"type":"a"}]})");
  write(dir.path() + "/20-b.conf", R"({"cniVersion":"1.0.0","name":"same","type":"b"})");
  write(dir.path() + "/30-other.conflist",
        R"({"cniVersion":"1.0.0","name":"other","plugins":[{"type":"c"}]})");
  for (const auto& name : std::vector<std::optional<std::string>>{std::nullopt, "same", "other"}) {
    auto net = load_network(dir.path(), name);
    ASSERT_FALSE(net) << net->name;
    EXPECT_TRUE(net.error().is_invalid_input());
    EXPECT_EQ(net.error().message(), "network same is declared twice, in " + dir.path() +
                                         "/10-a.conflist and in " + dir.path() +
                                         "/20-b.conf: which one is meant is not clear; rename "
                                         "or remove one");
  }
}

TEST(Config, EmptyOrMissingDirectory) {
  test::TempDir dir;
  auto empty = load_network(dir.path());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().errno_value(), ENOENT);
  EXPECT_NE(empty.error().message().find("no network configuration"), std::string::npos);
  auto missing = load_network(dir.path() + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errno_value(), ENOENT);
}

}  // namespace
}  // namespace podns::cni
