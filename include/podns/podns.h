// libpodns: the namespaces of a pod sandbox, made right when the pod has its
// own user namespace.
//
// A Manager creates, stops, removes and recovers sandboxes. Each sandbox is a
// user namespace with the pod's ID maps and a network namespace owned by it,
// both pinned by bind mounts under ROOT/ID/, and a row in the state database.
//
// Every operation takes the sandbox's lock, records its intent in the
// database before it acts, and registers an undo for each step as the step
// succeeds, so that an error leaves nothing behind and a crash leaves only
// what `recover` can find and undo.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "podns/cni/options.h"
#include "podns/error.h"
#include "podns/export.h"
#include "podns/idmap.h"
#include "podns/nsfs.h"
#include "podns/sandbox.h"

namespace podns {

struct Config {
  std::string root = "/run/podns";           // pins: ROOT/ID/{user,net}
  std::string state_dir = "/var/lib/podns";  // podns.db and its lock file
  // CNI: where network configurations are read from; the plugin
  // directories, result cache, timeout and output bound.
  std::string cni_conf_dir = cni::kDefaultConfDir;
  cni::Options cni;
  // Host IDs that automatic ranges (UsernsChoice::automatic) come from.
  IdPool auto_pool;
  // Where `ip netns` looks: pods created with ip_netns are also pinned here.
  std::string ip_netns_dir = "/run/netns";
};

// The pod's user namespace, exactly one of:
//   UsernsChoice::none()           none of its own: its other namespaces are
//                                  owned by the host's (the default)
//   UsernsChoice::with_maps(maps)  one with these uid and gid maps
//   UsernsChoice::automatic(size)  one with 0:BASE:SIZE for uids and gids,
//                                  BASE chosen from Config::auto_pool so that
//                                  no live sandbox's range overlaps; freed
//                                  by remove
// One value holds one choice: maps and an automatic range cannot both be
// given, and assigning a choice replaces the one before.
class UsernsChoice {
 public:
  static constexpr std::uint32_t kDefaultAutoSize = 65536;

  UsernsChoice() = default;
  static UsernsChoice none() { return {}; }
  static UsernsChoice with_maps(nsfs::Maps maps) { return UsernsChoice(std::move(maps)); }
  static UsernsChoice automatic(std::uint32_t size = kDefaultAutoSize) {
    return UsernsChoice(Auto{size});
  }

  bool is_none() const { return std::holds_alternative<std::monostate>(choice_); }
  // The maps, when given; nullptr otherwise.
  const nsfs::Maps* maps() const { return std::get_if<nsfs::Maps>(&choice_); }
  // The size of the automatic range, when automatic; nullopt otherwise.
  std::optional<std::uint32_t> auto_size() const {
    if (const auto* a = std::get_if<Auto>(&choice_)) return a->size;
    return std::nullopt;
  }

 private:
  struct Auto {
    std::uint32_t size;
  };
  explicit UsernsChoice(nsfs::Maps maps) : choice_(std::move(maps)) {}
  explicit UsernsChoice(Auto a) : choice_(a) {}
  std::variant<std::monostate, nsfs::Maps, Auto> choice_;
};

struct CreateOptions {
  std::string id;
  // Maps, an automatic range, or none (the default).
  UsernsChoice userns;
  // Mapping host uid or gid 0 into the pod makes the pod's root the host's
  // root for files: refused unless asked for.
  bool allow_host_root = false;
  // Host ranges overlapping another live sandbox's: refused unless asked for.
  bool allow_overlap = false;
  // No network namespace: the pod shares the host's network (its user
  // namespace is still its own).
  bool host_network = false;
  // IPC and UTS namespaces of the pod's own, owned by its user namespace.
  bool ipc = false;
  bool uts = false;
  std::string hostname;  // needs uts
  // Network sysctls set inside the pod's netns before its network is
  // attached; they override the defaults (see sysctl.h) unless
  // default_sysctls is false.
  std::vector<std::pair<std::string, std::string>> sysctls;
  bool default_sysctls = true;
  // Accounting to the pod: the user namespace is created by, and so owned
  // by, the host uid (and gid) the pod's lowest container ID maps to rather
  // than root, so that per-user kernel limits (user.max_*_namespaces, ...)
  // are charged to the pod's range.
  bool userns_owned_by_pod = false;
  // Also pin the netns as IP_NETNS_DIR/ID, so `ip netns list` and
  // `ip netns exec ID ...` see the pod.
  bool ip_netns = false;
  // The CNI network to attach (loopback on lo, this network on eth0):
  // nullopt for the default (the lexically first configuration in the
  // configuration directory, none if there is none); "none" for none.
  std::optional<std::string> network;
};

// One thing `recover` did (or failed to do).
struct RecoverAction {
  std::string sandbox;  // the ID concerned
  std::string action;   // what was done, for a person
  bool ok = true;
  std::string error;    // why it failed, when !ok
};

// Every check of a Config that needs nothing but it: the directories are
// absolute paths without "." or "..", the CNI options are sound
// (cni::validate_options), the pool is a range of IDs (first <= last <=
// 4294967294). Invalid input otherwise.
PODNS_PUBLIC Result<void> validate_config(const Config& config);

class PODNS_PUBLIC Manager {
 public:
  // validate_config, before anything is opened or made; then the state
  // database.
  static Result<Manager> open(Config config);

  Manager(Manager&& other) noexcept;
  Manager& operator=(Manager&& other) noexcept;
  ~Manager();

  // Creates and pins the sandbox's namespaces and records it as ready. On
  // any error everything done is undone; EEXIST if the ID is taken.
  Result<Sandbox> create(const CreateOptions& opts);
  // ENOENT if there is no such sandbox.
  Result<Sandbox> inspect(const std::string& id);
  Result<std::vector<Sandbox>> list();
  // Detaches the network and marks the sandbox stopped; pins are kept.
  // Stopping a stopped sandbox succeeds. ENOENT if unknown.
  Result<Sandbox> stop(const std::string& id);
  // CNI CHECK of the sandbox's network. Success without running anything
  // for a sandbox that has no network (none, host network); ENOTCONN for
  // one whose network is not attached (stopped, notready, half attached).
  Result<void> check(const std::string& id);
  // Unpins, removes ROOT/ID and forgets the sandbox. ENOENT if unknown.
  // Retries whatever a failed or interrupted operation left.
  Result<void> remove(const std::string& id);
  // remove, but a network that cannot be detached (CNI DEL fails: its
  // plugin is gone, it errs) does not stop it: the pins, ROOT/ID and the row
  // go all the same, and the attachment's libcni cache entry is kept (written
  // from the row if there was none), so that a later `recover` DELs it and
  // frees the address once DEL can run. Returns what could not be undone
  // (empty when nothing). Any other failure (a pin that cannot be removed)
  // still keeps the row, marked unknown, and is returned as an error.
  Result<std::vector<Error>> force_remove(const std::string& id);
  // Reconciles the database with the pins: rolls back half-done creates,
  // finishes half-done removals, marks sandboxes whose pins vanished
  // `notready`, removes pin directories no sandbox owns. Safe to run at any
  // time and more than once; sandboxes another process is working on are
  // left to it.
  Result<std::vector<RecoverAction>> recover();

  const Config& config() const;

  // The state database, the pin root and the CNI runtime behind the
  // Manager (src/include/podns/manager_impl.h: not installed).
  class PODNS_HIDDEN Impl;

 private:
  PODNS_HIDDEN explicit Manager(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace podns
