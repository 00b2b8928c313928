// What one plugin is given: its environment and the configuration on its
// stdin (spec section 3, "Deriving request configuration").
//
// The environment is built from nothing, not from podns's own: a plugin sees
// the CNI_* parameters of the call and a fixed PATH, and nothing a caller of
// podns happened to have set (LD_PRELOAD, proxies, a PATH with a writable
// directory in front).
//
// The configuration is the plugin's object from the list with `name` and
// `cniVersion` of the network put in, `prevResult` and `runtimeConfig` added
// for ADD, DEL and CHECK, `capabilities` and every `cni.dev/` key taken out,
// and for GC `cni.dev/valid-attachments` added. Every other key passes
// through unchanged.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "podns/cni/config.h"
#include "podns/error.h"

namespace podns::cni {

enum class Command { add, del, check, status, gc, version };
// "ADD", "DEL", ...: the value of CNI_COMMAND.
const char* to_string(Command c);

// The PATH every plugin runs with.
inline constexpr const char* kPluginPath = "/usr/sbin:/usr/bin:/sbin:/bin";

// The parameters of one attachment of a network to a container: the
// (container_id, ifname) pair identifies it.
struct Attachment {
  std::string container_id;
  // The network namespace path (CNI_NETNS). May be empty for DEL only.
  std::string netns;
  std::string ifname;
  // CNI_ARGS, in order: K=V;K=V.
  std::vector<std::pair<std::string, std::string>> args;
  // Capability arguments (e.g. "portMappings"); a plugin gets in its
  // runtimeConfig those its `capabilities` declare.
  nlohmann::json capability_args = nlohmann::json::object();
};

// An attachment as GC names it.
struct AttachmentKey {
  std::string container_id;
  std::string ifname;
  bool operator==(const AttachmentKey&) const = default;
};

// Checks the attachment for `cmd`: container ID and interface name as the
// spec and the kernel want them, CNI_ARGS well formed, capability_args an
// object, and a netns given (absolute) for ADD and CHECK.
Result<void> validate_attachment(const Attachment& a, Command cmd);

// "K=V;K=V".
std::string format_cni_args(const std::vector<std::pair<std::string, std::string>>& args);

// The stdin configuration for `plugin` (one element of net.plugins); for
// VERSION only {"cniVersion": net.cni_version}.
//   prev_result: the result to pass as prevResult (ADD after the first
//     plugin; DEL and CHECK: the cached result), or null for none.
//   attachment: for ADD, DEL and CHECK (runtimeConfig), else null.
//   valid: for GC, the attachments still in use, else null.
nlohmann::json plugin_request(const NetworkConfig& net, const nlohmann::json& plugin, Command cmd,
                              const nlohmann::json* prev_result, const Attachment* attachment,
                              const std::vector<AttachmentKey>* valid = nullptr);

// The environment, "K=V" each: CNI_COMMAND, and CNI_PATH (bin_dirs joined
// with ':'), and for ADD, DEL and CHECK also CNI_CONTAINERID, CNI_NETNS,
// CNI_IFNAME and CNI_ARGS (from `attachment`, which must then be non-null);
// then PATH=kPluginPath.
std::vector<std::string> plugin_env(Command cmd, const Attachment* attachment,
                                    const std::vector<std::string>& bin_dirs);

}  // namespace podns::cni
