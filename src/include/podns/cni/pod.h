// Attaching a pod the way CRI runtimes do: its loopback interface brought up
// by the `loopback` plugin, then the pod network on eth0.
//
// The loopback network is built in (no file in the configuration directory)
// and not cached: it holds no address to release and nothing to check, and
// its DEL needs no previous result.
//
// attach_pod stops at the first failure and does not undo what it did: the
// caller calls detach_pod, as after any failed ADD (detach_pod is safe on a
// pod that is attached halfway, or not at all).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "podns/cni/client.h"
#include "podns/cni/config.h"
#include "podns/error.h"

namespace podns::cni {

inline constexpr const char* kPodIfname = "eth0";
inline constexpr const char* kLoopbackIfname = "lo";
inline constexpr const char* kLoopbackNetwork = "podns-loopback";

// {"cniVersion": "1.0.0", "name": "podns-loopback", "plugins": [{"type": "loopback"}]}
const NetworkConfig& loopback_network();

struct Pod {
  std::string container_id;
  std::string netns;
  std::vector<std::pair<std::string, std::string>> args;
  nlohmann::json capability_args = nlohmann::json::object();
};

// ADD loopback on lo (not cached), then `net` on eth0 (cached). Returns the
// eth0 result.
Result<nlohmann::json> attach_pod(Client& client, const NetworkConfig& net, const Pod& pod);

// DEL `net` on eth0, then loopback on lo; both run whatever the first gives.
// Returns the first error.
Result<void> detach_pod(Client& client, const NetworkConfig& net, const Pod& pod);

}  // namespace podns::cni
