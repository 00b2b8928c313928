// A pod's namespaces made and pinned in the layout of CRI-O's `pinns`, for
// `podns pinns` (a drop-in for CRI-O's pinns_path).
//
// One call makes the namespaces asked for and pins each at
//   DIR/<type>ns/NAME        (userns, netns, ipcns, utsns, cgroupns, mntns)
// by a bind mount; "host" asks for the caller's own namespace of that type
// to be pinned instead of a new one. The namespaces are made as `podns
// create` makes them (helper.h): the user namespace first, its maps written
// by the parent with setgroups left allowed, then the others unshared inside
// it, and the sysctls written inside the new network and IPC namespaces,
// before anything is pinned. No state is kept: the caller owns the pins and
// removes them (CRI-O: umount(MNT_DETACH), then a recursive remove).
//
// All or nothing: everything the call makes (directories, pin files, mounts)
// registers its undo as it is made, and a failure undoes all of it; what
// existed before is left as it was. DIR and the per-type directories are
// made 0755 when missing. A pin file that exists as an empty regular file
// (CRI-O makes them and chowns them to the pod's root before it calls) is
// used as it is and keeps its owner and mode; a pin path with anything
// mounted on it is refused, so nothing is ever stacked. Pins of one type are
// checked and mounted under an flock of their directory, so two calls on
// one path cannot both pass the check.
//
// Mount namespaces: the kernel refuses to bind a mount namespace's file
// where the mount would propagate, since a copy could land inside that very
// namespace and hold it forever. So DIR/mntns is made a mount of its own,
// bound on itself and marked unbindable (no propagation, and no copy of the
// pins by a recursive bind elsewhere), the first time it is needed, as pinns
// does; that mount stays and is reused by the next pods (a failed call that
// made it takes it away again). The caller's own mount namespace cannot be
// pinned inside itself.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "podns/error.h"
#include "podns/nsfs.h"
#include "podns/rollback.h"
#include "podns/sysctl.h"

namespace podns::pinned {

// One namespace to pin: a new one, or (host) the caller's own.
struct Namespace {
  nsfs::Type type = nsfs::Type::net;
  bool host = false;
};

struct Request {
  std::string dir;   // DIR: CRI-O's namespaces_dir
  std::string name;  // NAME: every pin's file name (CRI-O: a fresh UUID)
  // Each of user, net, ipc, uts, cgroup, mnt at most once, in any order.
  std::vector<Namespace> namespaces;
  // The maps of a new user namespace: given exactly when one is made.
  std::optional<nsfs::Maps> maps;
  // net.* need a new network namespace; kernel.shm*, kernel.msg*,
  // kernel.sem and fs.mqueue.* a new IPC namespace (sysctl.h).
  std::vector<sysctl::Setting> sysctls;
};

// The types a pin can have, in the order they are pinned.
const std::vector<nsfs::Type>& pinnable_types();

// DIR/<type>ns/NAME.
std::string pin_path(const std::string& dir, nsfs::Type t, const std::string& name);

// Every check that needs only the request, before anything is made: a NAME
// that is one plain file name, at least one namespace, each once, maps
// exactly with a new user namespace and valid (idmap.h) without host uid or
// gid 0, sysctls namespaced and each in a namespace the call makes, no
// pinning of the caller's own mount namespace. Invalid input otherwise.
Result<void> validate(const Request& req);

// What one call made. Undone when the object dies, unless kept.
class Pins {
 public:
  Pins(Pins&&) noexcept = default;
  Pins& operator=(Pins&&) noexcept = default;
  Pins(const Pins&) = delete;
  Pins& operator=(const Pins&) = delete;
  ~Pins() = default;  // the Rollback undoes what is not kept

  // Success: leaves everything for the caller to remove.
  void keep() { undo_->dismiss(); }
  // Unmounts and removes everything the call made; the undos that failed.
  std::vector<Error> undo() { return undo_->run(); }

 private:
  friend Result<Pins> make(const Request& req);
  explicit Pins(std::unique_ptr<Rollback> undo) : undo_(std::move(undo)) {}
  std::unique_ptr<Rollback> undo_;
};

// Checks the request (validate), makes the namespaces and pins them. On
// error nothing it made is left (the message ends with any undo that
// failed), and no helper process outlives the call.
Result<Pins> make(const Request& req);

}  // namespace podns::pinned
