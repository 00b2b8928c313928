// What a plugin is given: the derived configuration, the environment, and
// the checks on names that end up in paths and variables.
#include <gtest/gtest.h>

#include "podns/cni/request.h"
#include "podns/cni/validate.h"

namespace podns::cni {
namespace {

using nlohmann::json;

NetworkConfig network() {
  auto net = parse_network(R"({
    "cniVersion": "1.1.0", "name": "dbnet",
    "plugins": [
      {"type": "bridge", "cniVersion": "0.3.1", "name": "other", "bridge": "cni0",
       "keyA": ["some", "config"], "ipam": {"type": "host-local"}},
      {"type": "tuning", "capabilities": {"mac": true, "ips": false}, "sysctl": {"a": "1"},
       "cni.dev/secret": "x"},
      {"type": "portmap", "capabilities": {"portMappings": true},
       "runtimeConfig": {"stale": true}}
    ]})",
                           "test");
  EXPECT_TRUE(net) << net.error().message();
  return *net;
}

Attachment attachment() {
  Attachment a;
  a.container_id = "c1";
  a.netns = "/run/podns/c1/net";
  a.ifname = "eth0";
  a.args = {{"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "web"}};
  a.capability_args = {{"mac", "00:11:22:33:44:66"},
                       {"ips", json::array({"10.0.0.1/24"})},
                       {"portMappings", json::array({{{"hostPort", 8080}}})}};
  return a;
}

TEST(Request, PutsInTheNetworksNameAndVersion) {
  auto net = network();
  auto a = attachment();
  json req = plugin_request(net, net.plugins[0], Command::add, nullptr, &a);
  EXPECT_EQ(req["name"], "dbnet");
  EXPECT_EQ(req["cniVersion"], "1.1.0");
  EXPECT_EQ(req["type"], "bridge");
  // Everything else passes unchanged.
  EXPECT_EQ(req["bridge"], "cni0");
  EXPECT_EQ(req["keyA"], json::array({"some", "config"}));
  EXPECT_EQ(req["ipam"], json({{"type", "host-local"}}));
  // No prevResult for the first ADD; no runtimeConfig without capabilities.
  EXPECT_FALSE(req.contains("prevResult"));
  EXPECT_FALSE(req.contains("runtimeConfig"));
}

TEST(Request, RuntimeConfigHoldsOnlyDeclaredCapabilities) {
  auto net = network();
  auto a = attachment();
  json prev{{"cniVersion", "1.1.0"}, {"ips", json::array()}};
  json req = plugin_request(net, net.plugins[1], Command::add, &prev, &a);
  EXPECT_EQ(req["runtimeConfig"], json({{"mac", "00:11:22:33:44:66"}}));  // "ips" is false
  EXPECT_EQ(req["prevResult"], prev);
  EXPECT_FALSE(req.contains("capabilities"));
  EXPECT_FALSE(req.contains("cni.dev/secret"));
  EXPECT_EQ(req["sysctl"], json({{"a", "1"}}));

  // The runtime's runtimeConfig replaces one written in the configuration.
  req = plugin_request(net, net.plugins[2], Command::del, &prev, &a);
  EXPECT_EQ(req["runtimeConfig"], json({{"portMappings", json::array({{{"hostPort", 8080}}})}}));

  // Nothing declared and provided: no runtimeConfig is added.
  Attachment bare = a;
  bare.capability_args = json::object();
  req = plugin_request(net, net.plugins[1], Command::check, &prev, &bare);
  EXPECT_FALSE(req.contains("runtimeConfig"));
}

TEST(Request, GcGetsTheValidAttachmentsAndNoAttachmentFields) {
  auto net = network();
  std::vector<AttachmentKey> valid{{"c1", "eth0"}, {"c2", "net1"}};
  json req = plugin_request(net, net.plugins[1], Command::gc, nullptr, nullptr, &valid);
  EXPECT_EQ(req["cni.dev/valid-attachments"],
            json::parse(
                R"([{"containerID":"c1","ifname":"eth0"},{"containerID":"c2","ifname":"net1"}])"));
  EXPECT_FALSE(req.contains("runtimeConfig"));
  EXPECT_FALSE(req.contains("prevResult"));
  EXPECT_FALSE(req.contains("cni.dev/secret"));

  req = plugin_request(net, net.plugins[0], Command::status, nullptr, nullptr);
  EXPECT_EQ(req["name"], "dbnet");
  EXPECT_FALSE(req.contains("cni.dev/valid-attachments"));
}

TEST(Request, EnvironmentIsExactlyTheCniParametersAndAFixedPath) {
  auto a = attachment();
  auto env = plugin_env(Command::add, &a, {"/usr/lib/cni", "/opt/cni/bin"});
  EXPECT_EQ(env, (std::vector<std::string>{
                     "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_NETNS=/run/podns/c1/net",
                     "CNI_IFNAME=eth0", "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=web",
                     "CNI_PATH=/usr/lib/cni:/opt/cni/bin", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}));
  env = plugin_env(Command::gc, nullptr, {"/a"});
  EXPECT_EQ(env, (std::vector<std::string>{"CNI_COMMAND=GC", "CNI_PATH=/a",
                                           "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}));
  a.netns.clear();
  env = plugin_env(Command::del, &a, {"/a"});
  EXPECT_EQ(env[2], "CNI_NETNS=");
}

TEST(Request, ValidatesAttachments) {
  auto a = attachment();
  EXPECT_TRUE(validate_attachment(a, Command::add));
  Attachment b = a;
  b.netns.clear();
  EXPECT_FALSE(validate_attachment(b, Command::add));
  EXPECT_FALSE(validate_attachment(b, Command::check));
  EXPECT_TRUE(validate_attachment(b, Command::del));
  b = a;
  b.netns = "relative/net";
  EXPECT_FALSE(validate_attachment(b, Command::add));
  b = a;
  b.container_id = "../../etc";
  EXPECT_FALSE(validate_attachment(b, Command::del));
  b = a;
  b.args = {{"A", "x;B=y"}};
  EXPECT_FALSE(validate_attachment(b, Command::add));
  b = a;
  b.capability_args = json::array();
  EXPECT_FALSE(validate_attachment(b, Command::add));
}

TEST(Validate, PluginTypes) {
  for (const char* ok : {"bridge", "host-local", "my_plugin.v2", "a"}) {
    EXPECT_TRUE(validate_plugin_type(ok)) << ok;
  }
  for (const char* bad :
       {"", "/bin/sh", "../sh", "a/b", "..", ".", "x..y", "a\\b", "a b", "a\nb"}) {
    auto r = validate_plugin_type(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_TRUE(r.error().is_invalid_input());
  }
}

TEST(Validate, NamesInterfacesArgsAndDirectories) {
  EXPECT_TRUE(validate_container_id("abc-1.2_3"));
  EXPECT_FALSE(validate_container_id(""));
  EXPECT_FALSE(validate_container_id("_abc"));
  EXPECT_FALSE(validate_container_id("a/b"));
  EXPECT_TRUE(validate_network_name("podns-test"));
  EXPECT_FALSE(validate_network_name("podns test"));

  EXPECT_TRUE(validate_ifname("eth0"));
  EXPECT_TRUE(validate_ifname("lo"));
  EXPECT_FALSE(validate_ifname(""));
  EXPECT_FALSE(validate_ifname("a-very-long-name0"));
  EXPECT_FALSE(validate_ifname(".."));
  EXPECT_FALSE(validate_ifname("eth0:1"));
  EXPECT_FALSE(validate_ifname("a/b"));
  EXPECT_FALSE(validate_ifname("a b"));

  EXPECT_TRUE(validate_cni_args({{"A", "1"}, {"B", "x=y"}}));
  EXPECT_FALSE(validate_cni_args({{"", "1"}}));
  EXPECT_FALSE(validate_cni_args({{"A=B", "1"}}));
  EXPECT_FALSE(validate_cni_args({{"A", "1;B=2"}}));
  EXPECT_EQ(format_cni_args({{"A", "1"}, {"B", "x=y"}}), "A=1;B=x=y");

  EXPECT_TRUE(validate_bin_dir("/usr/lib/cni"));
  EXPECT_FALSE(validate_bin_dir("usr/lib/cni"));
  EXPECT_FALSE(validate_bin_dir(""));
  EXPECT_FALSE(validate_bin_dir("/a:/b"));
}

TEST(Validate, PrintableEscapesAndCuts) {
  EXPECT_EQ(printable("ok"), "ok");
  EXPECT_EQ(printable(std::string("a\nb\x01", 4)), "a\\x0ab\\x01");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace podns::cni
