// Questions asked of namespace files (nsfs): what type is this namespace,
// which user namespace owns it, who created that, what are its maps.
//
// A namespace is identified by (st_dev, st_ino) of its nsfs file, never by a
// path or a PID: a path can be replaced and a PID recycled. Every file is
// checked to be on nsfs (NSFS_MAGIC) and of the expected type
// (NS_GET_NSTYPE) before it is used.
#pragma once

#include <sys/types.h>

#include <string>

#include "podns/error.h"
#include "podns/export.h"
#include "podns/fd.h"
#include "podns/idmap.h"

namespace podns::nsfs {

enum class Type { user, net, ipc, uts, mnt, pid, cgroup, time };

// "user", "net", ...: the name under /proc/<pid>/ns/.
PODNS_PUBLIC const char* name(Type t);
// The CLONE_NEW* flag of the type.
PODNS_PUBLIC int clone_flag(Type t);

struct NsId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const NsId&) const = default;
};

// Opens `path` (following symlinks, as a joiner would) and checks that it is
// a namespace of type `t`.
PODNS_PUBLIC Result<Fd> open(const std::string& path, Type t);
// Checks that an open fd is a namespace of type `t`.
PODNS_PUBLIC Result<void> check_type(const Fd& fd, Type t, const std::string& path_for_errors);

PODNS_PUBLIC Result<NsId> id(const Fd& ns);
// The user namespace that owns `ns` (ioctl NS_GET_USERNS).
PODNS_PUBLIC Result<Fd> owning_userns(const Fd& ns);
// The UID of the process that created the user namespace (NS_GET_OWNER_UID).
PODNS_PUBLIC Result<uid_t> owner_uid(const Fd& userns);
// True when `userns` is the initial user namespace (the host's).
PODNS_PUBLIC Result<bool> is_initial_userns(const Fd& userns);

struct Maps {
  IdMap uid;
  IdMap gid;
};
// The uid_map and gid_map of `userns`, read by a short-lived child that
// joins it (the kernel shows maps only through a process in the namespace).
PODNS_PUBLIC Result<Maps> read_maps(const Fd& userns);

}  // namespace podns::nsfs
