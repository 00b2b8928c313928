// The helper process that gives birth to a pod's namespaces.
//
// The helper is cloned into a new user namespace (or none, for a pod
// without one) and waits. The parent writes gid_map and uid_map, then tells
// it to go on; only then does the helper unshare the network namespace (and
// IPC and UTS, when asked), so that the pod's user namespace owns them and
// their /proc/sys files belong to the pod's root. It then sets the hostname
// and writes the pod's network sysctls from inside (values are read in the
// pod's user namespace, so "0 65535" means the pod's gids). The parent pins
// the helper's namespaces, then kills and reaps it through its pidfd.
// For `podns pinns` it can also unshare cgroup and mount namespaces, and
// write IPC sysctls inside its new IPC namespace.
//
// With an owner (accounting to the pod), the helper is cloned without a new
// user namespace, becomes the owner's uid and gid, and unshares the user
// namespace itself, so that the namespace is owned by, and per-user kernel
// limits are charged to, the pod's first host uid rather than root. The
// parent writes the maps once the helper says the namespace exists.
//
// The helper never outlives its parent: it has PR_SET_PDEATHSIG(SIGKILL)
// and checks its parent is still the one that cloned it; a credential
// change clears the death signal (the bug CRI-O's pinns has), so after
// becoming the owner it sets the signal and checks the parent again. The
// Helper object kills and reaps it on every path.
// Everything it does after the clone is async-signal-safe: it touches only
// memory prepared before the clone. A helper that changes no credential
// (no owner, no IPC sysctls in a new user namespace) shares our memory on
// a stack of its own rather than being forked: nothing of our address
// space is copied for it or torn down when it dies, which halves what a
// helper costs a process as large as podns (bench/RESULTS.md, row 7).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "podns/error.h"
#include "podns/fd.h"
#include "podns/idmap.h"
#include "podns/nsfs.h"
#include "podns/sys.h"

namespace podns {

struct NamespaceRequest {
  // The pod's user namespace maps; nullopt for a pod without a user
  // namespace (its other namespaces are then owned by ours).
  std::optional<nsfs::Maps> userns;
  // Who creates (and so owns) the user namespace: nullopt for us (root).
  struct Owner {
    uid_t uid;
    gid_t gid;
  };
  std::optional<Owner> owner;
  // The namespaces unshared inside the user namespace, once it has its maps.
  bool net = true;
  bool ipc = false;
  bool uts = false;
  bool cgroup = false;
  bool mnt = false;
  std::string hostname;  // set in the new UTS namespace, when uts
  // Network sysctls written inside the new netns: {"/proc/sys/net/...", value}.
  // Paths must already be checked (see sysctl.h).
  std::vector<std::pair<std::string, std::string>> sysctls;
  // IPC sysctls written inside the new IPC namespace, after the network
  // ones: {"/proc/sys/kernel/shmmax", value}, ... Checked as sysctls are.
  // Those files belong to the user namespace's root and check the writer's
  // uid, so a helper cloned into a new user namespace first becomes its
  // uid and gid 0 (and sets its death signal again).
  std::vector<std::pair<std::string, std::string>> ipc_sysctls;
};

class Helper {
 public:
  // Clones the helper, writes the maps, lets it unshare, and waits until its
  // namespaces exist. On error nothing of it is left.
  static Result<Helper> spawn(const NamespaceRequest& req);

  Helper(Helper&&) = default;
  Helper& operator=(Helper&&) = delete;
  ~Helper();

  // /proc/<pid>/ns/<name>. Safe to use while the helper is alive and
  // unreaped: an unreaped child's PID cannot be recycled.
  std::string ns_path(nsfs::Type t) const;

  // Kills and reaps the helper.
  Result<void> finish();

 private:
  Helper(pid_t pid, Fd pidfd, std::optional<sys::ChildStack> stack)
      : pid_(pid), pidfd_(std::move(pidfd)), stack_(std::move(stack)) {}
  pid_t pid_;
  Fd pidfd_;
  std::optional<sys::ChildStack> stack_;  // when it shares our memory
};

}  // namespace podns
