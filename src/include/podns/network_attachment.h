// One pod's CNI attachment: its loopback on lo and its network on eth0,
// over the pod's netns pin; the plugins it runs, and where it is:
//
//            add()                  ADD done
//   none -----------> attaching --------------> attached
//    ^                    |  ADD failed, or a       |
//    | DEL done           v  crash during it        | del()
//    +-------------- detaching <--------------------+
//                     (del() of attaching or detaching: DEL again)
//
// It runs the plugins and knows these transitions, and records nothing:
// before each action it hands the state to be recorded (attaching,
// detaching) to the caller's Record, and acts only once that has
// succeeded. So the intent is kept before anything is done, a crash at any
// instant leaves a state that says what to undo, and the caller (the
// Manager) decides what is recorded, where, and what the outcome is.
//
// A failed ADD is not undone here: as the CNI spec requires, the caller
// undoes it with del() (registered before add(), so that it also runs after
// any later step of create fails). DEL of what is already gone succeeds.
//
// Every call carries the same identity: container ID = sandbox ID, and
// CNI_ARGS "IgnoreUnknown=1;PODNS_SANDBOX=ID", by which `recover` tells
// podns's cache entries from other runtimes' (owner()). The caller
// serialises operations on one attachment (podns holds the sandbox lock).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "podns/cni/cache.h"
#include "podns/cni/client.h"
#include "podns/cni/config.h"
#include "podns/error.h"
#include "podns/sandbox.h"

namespace podns {

class NetworkAttachment {
 public:
  // Keeps `intent` before the action that follows; the action runs only if
  // it succeeds.
  using Record = std::function<Result<void>(NetState intent)>;

  // Whether the pin still holds the pod's network namespace. When it is
  // gone, DEL gets an empty CNI_NETNS, as the spec asks, so that plugins
  // release what lives outside it.
  enum class Netns { pinned, gone };

  // The attachment of sandbox `sandbox_id` to `net` over the pin
  // `netns_pin`, in `state` (as recorded; none for a new one).
  NetworkAttachment(cni::Client client, std::string sandbox_id, std::string netns_pin,
                    cni::NetworkConfig net, NetState state = NetState::none);

  NetState state() const { return state_; }
  const cni::NetworkConfig& network() const { return net_; }

  // Every plugin of the chain, and loopback, is in a plugin directory. For
  // before anything is recorded: DEL, the undo, needs them too, and a chain
  // that cannot be undone would leave a sandbox that can never be removed.
  Result<void> check_plugins() const;

  // From none: records attaching, then ADD of loopback and the network.
  // Returns the network's result as `inspect` shows it: "name" and the
  // result's cniVersion, interfaces, ips, routes and dns. Attached on
  // success; still attaching on failure (del() undoes it).
  Result<nlohmann::json> add(const Record& record);

  // DEL of the network, then of loopback, both whatever the first gives.
  // Records detaching first (unless it is already); nothing to do from
  // none. None on success; detaching on failure (del() again finishes it).
  //
  // When the cached attachment of this network and container ID is
  // another podns's (its netns is not our pin: a cache shared with another
  // --root), our ADD never ran (it found the entry and refused), and only
  // our loopback is undone.
  Result<void> del(const Record& record, Netns netns);

  // CHECK of the network: only when attached.
  Result<void> check();

  // After a failed DEL: a cache entry of the attachment exists, with our
  // pin as its netns (what makes it ours to recover), for `recover` to DEL.
  // A failed DEL keeps the entry; a crash during ADD may have left none.
  Result<void> keep_for_recover() const;

  // The sandbox whose attachment a cache entry is, by its PODNS_SANDBOX
  // argument; nullopt for other runtimes' entries.
  static std::optional<std::string> owner(const cni::CacheEntry& e);

 private:
  cni::Attachment on(std::string netns, const char* ifname) const;

  cni::Client client_;
  std::string sandbox_id_;
  std::string netns_pin_;
  cni::NetworkConfig net_;
  NetState state_;
  std::vector<std::pair<std::string, std::string>> args_;
};

}  // namespace podns
