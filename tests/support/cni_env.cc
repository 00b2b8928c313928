#include "cni_env.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace podns::test {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {
const std::string kIpForward = "/proc/sys/net/ipv4/ip_forward";
}  // namespace

std::string why_no_real_plugins() {
  for (const char* p : {"bridge", "host-local", "loopback"}) {
    if (!fs::exists(kCniPlugins + "/" + p))
      return "no " + kCniPlugins + "/" + p + " (containernetworking-plugins)";
  }
  return {};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

HostState::HostState(std::string bridge, std::string network)
    : bridge_(std::move(bridge)),
      network_(std::move(network)),
      ip_forward_(slurp(kIpForward)),
      had_cni_dir_(fs::exists("/var/lib/cni")),
      had_leases_dir_(fs::exists(kCniLeases)) {}

HostState::~HostState() {
  run({"ip", "link", "del", bridge_});
  std::error_code ec;
  fs::remove_all(kCniLeases + "/" + network_, ec);
  // Only directories that the plugins made for this test, and only if empty.
  if (!had_leases_dir_) fs::remove(kCniLeases, ec);
  if (!had_cni_dir_) fs::remove("/var/lib/cni", ec);
  std::ofstream(kIpForward) << ip_forward_;
}

TestNetwork::TestNetwork(const std::string& bridge, const std::string& name,
                         std::string subnet_prefix)
    : bridge_(bridge), name_(name), prefix_(std::move(subnet_prefix)), host_(bridge, name) {}

TestNetwork::TestNetwork(int n)
    : TestNetwork("podnsx" + std::to_string(::getpid() % 100000) + std::to_string(n % 30),
                  "podns-x-" + std::to_string(::getpid()) + "-" + std::to_string(n),
                  "10.254." + std::to_string(220 + n % 30) + ".") {}

json TestNetwork::conflist(std::vector<json> more, const std::string& version,
                           const json& bridge_extra) const {
  json bridge{{"type", "bridge"},
              {"bridge", bridge_},
              {"isGateway", true},
              {"ipMasq", false},
              {"ipam", {{"type", "host-local"}, {"subnet", prefix_ + "0/24"}}}};
  bridge.update(bridge_extra);
  json list{{"cniVersion", version}, {"name", name_}, {"plugins", json::array({bridge})}};
  for (auto& p : more) list["plugins"].push_back(std::move(p));
  return list;
}

cni::NetworkConfig TestNetwork::config(std::vector<json> more, const std::string& version) const {
  auto net = cni::parse_network(conflist(std::move(more), version).dump(), "test " + name_);
  EXPECT_TRUE(net) << net.error().message();
  return net ? *net : cni::NetworkConfig{};
}

std::string TestNetwork::write(const std::string& dir, std::vector<json> more,
                               const std::string& file, const json& bridge_extra) const {
  std::string path = dir + "/" + (file.empty() ? name_ + ".conflist" : file);
  std::ofstream(path) << conflist(std::move(more), "1.0.0", bridge_extra).dump(2);
  return path;
}

std::string TestNetwork::lease(const std::string& address) const {
  return kCniLeases + "/" + name_ + "/" + without_prefix(address);
}

std::vector<std::string> TestNetwork::leases() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kCniLeases + "/" + name_, ec)) {
    std::string file = e.path().filename();
    if (file.rfind(prefix_, 0) == 0) out.push_back(file);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string TestNetwork::cache_file(const std::string& cache_dir, const std::string& id) const {
  return cache_dir + "/results/" + name_ + "-" + id + "-eth0";
}

Run in_netns(const std::string& netns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"nsenter", "--net=" + netns});
  return run(argv);
}

Run ping(const std::string& netns, const std::string& ip) {
  std::vector<std::string> argv{"ping", "-c", "2", "-W", "2", "-w", "6", ip};
  if (!fs::exists("/usr/bin/ping") && !fs::exists("/bin/ping")) argv.insert(argv.begin(), "busybox");
  return in_netns(netns, argv);
}

std::vector<std::string> addresses(const std::string& netns, const std::string& dev) {
  auto r = in_netns(netns, {"ip", "-j", "addr", "show", "dev", dev});
  std::vector<std::string> out;
  if (r.exit_code != 0) return out;
  for (const auto& link : json::parse(r.out)) {
    for (const auto& a : link.value("addr_info", json::array())) {
      if (a.value("family", "") == "inet")
        out.push_back(a["local"].get<std::string>() + "/" + std::to_string(a["prefixlen"].get<int>()));
    }
  }
  return out;
}

bool link_up(const std::string& netns, const std::string& dev) {
  auto r = in_netns(netns, {"ip", "-j", "link", "show", "dev", dev});
  if (r.exit_code != 0) return false;
  auto flags = json::parse(r.out).at(0).value("flags", json::array());
  return std::find(flags.begin(), flags.end(), "UP") != flags.end();
}

std::string address_of(const json& result) {
  for (const auto& ip : result.value("ips", json::array())) {
    std::string a = ip.value("address", "");
    if (a.find('.') != std::string::npos) return a;
  }
  return {};
}

std::string without_prefix(const std::string& cidr) { return cidr.substr(0, cidr.find('/')); }

Run podns_fault(const PodnsEnv& env, const std::string& fault, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env",           "PODNS_FAULT=" + fault, podns_cli(),
                                "--root",        env.root(),             "--state-dir",
                                env.state_dir(), "--cni-conf-dir",       env.cni_conf_dir(),
                                "--cni-cache-dir", env.cni_cache_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

}  // namespace podns::test
