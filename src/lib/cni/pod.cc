#include "podns/cni/pod.h"

#include <cstdlib>

namespace podns::cni {

namespace {

Attachment on(const Pod& pod, const char* ifname) {
  return Attachment{pod.container_id, pod.netns, ifname, pod.args, pod.capability_args};
}

}  // namespace

const NetworkConfig& loopback_network() {
  static const NetworkConfig net = [] {
    // Version 1.0.0: what the loopback plugins in circulation speak.
    auto parsed = parse_network(
        R"({"cniVersion":"1.0.0","name":"podns-loopback","plugins":[{"type":"loopback"}]})",
        "built-in loopback");
    if (!parsed) std::abort();  // a constant; cannot fail
    return *parsed;
  }();
  return net;
}

Result<nlohmann::json> attach_pod(Client& client, const NetworkConfig& net, const Pod& pod) {
  PODNS_CHECK(client.add(loopback_network(), on(pod, kLoopbackIfname), Caching::off));
  return client.add(net, on(pod, kPodIfname));
}

Result<void> detach_pod(Client& client, const NetworkConfig& net, const Pod& pod) {
  auto eth = client.del(net, on(pod, kPodIfname));
  auto lo = client.del(loopback_network(), on(pod, kLoopbackIfname), Caching::off);
  if (!eth) return eth;
  return lo;
}

}  // namespace podns::cni
