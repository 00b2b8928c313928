// What the privileged tests with the real CNI plugins share: a bridge network
// of the test's own (bridge, subnet, network name), the host put back
// whatever happens (HostState), and looking into a pod's network namespace.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "podns/cni/config.h"
#include "testenv.h"

namespace podns::test {

inline const std::string kCniPlugins = "/usr/lib/cni";
inline const std::string kCniLeases = "/var/lib/cni/networks";

// Why the real plugins (bridge, host-local, loopback) cannot run; "" if they can.
std::string why_no_real_plugins();

// Skips the test (or fails it, when must_run()) without the real plugins.
#define PODNS_REQUIRE_REAL_PLUGINS()                                                  \
  do {                                                                                \
    if (auto why_ = ::podns::test::why_no_real_plugins(); !why_.empty()) {            \
      if (::podns::test::must_run()) FAIL() << why_;                                  \
      GTEST_SKIP() << why_;                                                           \
    }                                                                                 \
  } while (0)

std::string slurp(const std::string& path);

// What the tests change on the host, put back on destruction: the bridge is
// deleted, host-local's leases of the network removed, ip_forward restored.
class HostState {
 public:
  HostState(std::string bridge, std::string network);
  ~HostState();
  HostState(const HostState&) = delete;
  HostState& operator=(const HostState&) = delete;

 private:
  std::string bridge_, network_, ip_forward_;
  bool had_cni_dir_, had_leases_dir_;
};

// A bridge + host-local network of the test's own: no route or masquerade
// off the machine. Owns the HostState that puts the host back.
class TestNetwork {
 public:
  // bridge: at most 15 characters; subnet_prefix: "10.254.N." (a /24).
  TestNetwork(const std::string& bridge, const std::string& name, std::string subnet_prefix);
  // Names of their own for network `n` (0..29) of this process: bridge
  // "podnsx<pid><n>", network "podns-x-<pid>-<n>", subnet 10.254.(220+n).0/24.
  explicit TestNetwork(int n);

  const std::string& bridge() const { return bridge_; }
  const std::string& name() const { return name_; }
  const std::string& subnet_prefix() const { return prefix_; }
  std::string gateway() const { return prefix_ + "1"; }

  // The conflist: bridge (with `bridge_extra` merged into its object) and
  // host-local, then the plugins `more`.
  nlohmann::json conflist(std::vector<nlohmann::json> more = {},
                          const std::string& version = "1.0.0",
                          const nlohmann::json& bridge_extra = nlohmann::json::object()) const;
  cni::NetworkConfig config(std::vector<nlohmann::json> more = {},
                            const std::string& version = "1.0.0") const;
  // Writes conflist(more, ...) to DIR/FILE (FILE defaults to NAME.conflist);
  // returns the path.
  std::string write(const std::string& dir, std::vector<nlohmann::json> more = {},
                    const std::string& file = "",
                    const nlohmann::json& bridge_extra = nlohmann::json::object()) const;

  // host-local's lease file of `address` ("a.b.c.d" or "a.b.c.d/n").
  std::string lease(const std::string& address) const;
  // The lease files of this network's subnet that exist now.
  std::vector<std::string> leases() const;
  // CACHE_DIR/results/NAME-ID-eth0, libcni's cache file of a pod's eth0.
  std::string cache_file(const std::string& cache_dir, const std::string& id) const;

 private:
  std::string bridge_, name_, prefix_;
  HostState host_;
};

// Runs argv in the network namespace `netns` (a pin path).
Run in_netns(const std::string& netns, std::vector<std::string> argv);
// `ping` if installed, else busybox's; bounded either way.
Run ping(const std::string& netns, const std::string& ip);
// The IPv4 addresses ("a.b.c.d/n") of `dev` in `netns`, from `ip -j addr`.
std::vector<std::string> addresses(const std::string& netns, const std::string& dev);
bool link_up(const std::string& netns, const std::string& dev);
// The first IPv4 "address" of a CNI result's "ips"; "" if none.
std::string address_of(const nlohmann::json& result);
std::string without_prefix(const std::string& cidr);

// Runs the CLI as test::podns does, with PODNS_FAULT=fault in its environment.
Run podns_fault(const PodnsEnv& env, const std::string& fault, const std::vector<std::string>& args);

}  // namespace podns::test
