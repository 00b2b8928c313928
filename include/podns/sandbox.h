// A sandbox: what podns knows of one pod's namespaces, as kept in the state
// database and shown by `podns inspect`.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "podns/export.h"
#include "podns/idmap.h"
#include "podns/nsfs.h"
#include "podns/timings.h"

namespace podns {

enum class SandboxState {
  creating,  // intent recorded; namespaces may be half made
  ready,     // namespaces pinned (and network attached, if any)
  stopped,   // network detached, pins kept
  notready,  // the pins vanished (after a reboot): only removal is left
  removing,  // intent recorded; being torn down
  unknown,   // an undo failed: see `reason`; removal retries it
};

PODNS_PUBLIC const char* to_string(SandboxState s);
PODNS_PUBLIC std::optional<SandboxState> parse_state(std::string_view s);

// Where the pod's CNI attachment is (see attachment.h for the transitions).
enum class NetState {
  none,       // not attached (no network, or DEL done)
  attaching,  // intent recorded; ADD may have run partly: DEL undoes it
  attached,   // ADD done
  detaching,  // intent recorded; DEL may have run partly: DEL again
};

// The text the state database keeps: "" for none (as since schema 1),
// "attaching", "attached", "detaching".
PODNS_PUBLIC const char* to_string(NetState s);
// Any other text is nullopt.
PODNS_PUBLIC std::optional<NetState> parse_net_state(std::string_view s);

struct Sandbox {
  std::string id;
  SandboxState state = SandboxState::creating;
  std::string root;  // the pin root this sandbox lives under
  bool has_userns = true;
  std::optional<nsfs::NsId> netns;
  std::optional<nsfs::NsId> userns;
  IdMap uid_map;
  IdMap gid_map;
  uid_t userns_owner = 0;  // the host uid owning the user namespace
  std::string network;  // the CNI result as JSON text; empty when none
  std::string reason;   // why the state is `unknown` or `notready`
  std::string created_at;
  // The CNI network: its name, the configuration list used to attach (so
  // that DEL works even after the configuration directory changed), and
  // where its attachment is.
  std::string net_name;
  std::string net_config;
  NetState net_state = NetState::none;
  // A host-network pod: no netns of its own (its user namespace is pinned).
  bool host_network = false;
  std::optional<nsfs::NsId> ipcns;  // pinned when asked for
  std::optional<nsfs::NsId> utsns;
  std::string hostname;  // of the pod's UTS namespace
  std::string ip_netns;  // the netns's second pin, for `ip netns`, or ""
  std::vector<std::pair<std::string, std::string>> sysctls;  // as written in the netns
  // Filled by create, not kept: where its time went.
  std::vector<StageTime> timings;

  std::string dir() const { return root + "/" + id; }
  // The pin of the network namespace (meaningless for a host-network pod).
  std::string netns_path() const { return dir() + "/net"; }
  std::string pin_path(nsfs::Type t) const { return dir() + "/" + nsfs::name(t); }
  std::optional<std::string> userns_path() const {
    if (!has_userns) return std::nullopt;
    return dir() + "/user";
  }
};

// [A-Za-z0-9][A-Za-z0-9_.-]*, at most 128 characters.
PODNS_PUBLIC Result<void> validate_id(std::string_view id);

// The current time, RFC 3339 in UTC with nanoseconds.
PODNS_PUBLIC std::string now_rfc3339();

}  // namespace podns
