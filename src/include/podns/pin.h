// Pinning namespaces by bind mounts, under one directory per pod.
//
// The pin root (default /run/podns) is a tmpfs with shared propagation:
// creating a mount-point file there costs microseconds instead of the
// half-millisecond it costs on ext4, and pins made in the host's mount
// namespace show up in runtimes' private ones. Each pod gets ROOT/ID/ with
// one file per namespace ("user", "net", ...), each a bind mount of the
// helper's /proc/<pid>/ns/<name>.
//
// Everything below the root is reached relative to the root's fd with
// O_NOFOLLOW, so a symlink swapped in is never followed; mount and umount2
// are given /proc/self/fd/N of a file opened that way, never a path.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "podns/error.h"
#include "podns/fd.h"
#include "podns/nsfs.h"
#include "podns/sandbox.h"

namespace podns::pin {

// Opens the pin root, creating it (0711) and mounting a tmpfs with shared
// propagation on it if it is not already a tmpfs mount point.
Result<Fd> open_root(const std::string& root);

// Creates ROOT/ID (0711); EEXIST if it is already there.
Result<Fd> make_pod_dir(const Fd& root, const std::string& id);
// Opens ROOT/ID without following a symlink; an empty Fd when it is absent.
Result<Fd> open_pod_dir(const Fd& root, const std::string& root_path, const std::string& id);

// Bind-mounts `source` (a /proc/<pid>/ns/<name> path, or another pin) on
// DIR/<name> and returns the pinned namespace's identity, checked to be of
// type t. EEXIST if DIR/<name> exists.
Result<nsfs::NsId> pin_as(const Fd& dir, const std::string& dir_path, const std::string& name,
                          nsfs::Type t, const std::string& source);
// pin_as with the type's own name ("net", "user", ...).
Result<nsfs::NsId> pin(const Fd& dir, const std::string& dir_path, nsfs::Type t,
                       const std::string& source);

// The one check that a pin still holds the namespace recorded for it.
// Opens `path` (its last component never followed: a symlink there is
// refused) and returns the namespace, open and ready for setns, when it is
// of type t and its device and inode are `want`'s. Otherwise an error, by
// its errno:
//   ENOENT  nothing at path: the pin is missing (removed, or gone with a
//           reboot's tmpfs)
//   EINVAL  a file that is not on nsfs (a plain file: the bind mount went
//           away), or a namespace of another type
//   ESTALE  a namespace of type t, but not the recorded one
//   ELOOP   a symlink; any other errno: the open or a query failed
Result<Fd> open_recorded(const std::string& path, nsfs::Type t, const nsfs::NsId& want);

// What unpinning found at a pin path.
struct Unpinned {
  bool was_present = false;  // something was there (mounted or not)
};

// Unmounts DIR/<name> if it is an nsfs mount (of identity `expect`, when
// given; a different namespace there is an error and is left alone), then
// removes the file. Already gone counts as removed.
Result<void> unpin(const Fd& dir, const std::string& dir_path, nsfs::Type t,
                   std::optional<nsfs::NsId> expect = std::nullopt);
Result<void> unpin_as(const Fd& dir, const std::string& dir_path, const std::string& name,
                      std::optional<nsfs::NsId> expect);

// Unpins every known namespace file in ROOT/ID and removes the directory.
// `expect` gives the recorded identities by type; an absent directory counts
// as removed. A directory holding anything unknown is left and reported.
struct Expected {
  nsfs::Type type;
  std::optional<nsfs::NsId> id;
};
Result<void> remove_pod_dir(const Fd& root, const std::string& root_path, const std::string& id,
                            const std::vector<Expected>& expect);

// A sandbox's pins, by the types the table (ns_types.h) marks pod_pin.
//
// The identity its row records for type t (netns, userns, ipcns, utsns);
// nullptr for a type no pod pins.
const std::optional<nsfs::NsId>* recorded(const Sandbox& s, nsfs::Type t);
std::optional<nsfs::NsId>* recorded(Sandbox& s, nsfs::Type t);
// Whether sandbox s has a pin of type t in its directory: its user
// namespace unless it has none, its netns unless it shares the host's
// network, its IPC and UTS namespaces when they are recorded. (A pin that
// should be there may still be missing: has_pin says what the row claims.)
bool has_pin(const Sandbox& s, nsfs::Type t);
// What remove_pod_dir is to expect in s's directory: every pod pin type,
// with the identity recorded for it, if any.
std::vector<Expected> expected(const Sandbox& s);

}  // namespace podns::pin
