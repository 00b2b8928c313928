// The facts about each namespace type, in one table (as systemd's
// namespace_info[]), in place of a switch or a list of types wherever one
// would be spelled out.
//
// Private, not installed: the public nsfs.h keeps name() and clone_flag(),
// which read this table. The other columns are podns's own layout (which
// types a pod's directory holds, CRI-O's pinns directories and options), and
// an installed table would make each new column an ABI change.
#pragma once

#include <sched.h>

#include <array>
#include <optional>
#include <string_view>

#include "podns/nsfs.h"

namespace podns::nsfs {

struct TypeInfo {
  Type type;
  // The file under /proc/<pid>/ns/, and the pin's file name in a pod's
  // directory (ROOT/ID/<name>).
  const char* name;
  // CLONE_NEW*: what clone3, unshare and setns take, and what
  // NS_GET_NSTYPE answers for a namespace of this type.
  int clone_flag;
  // linux.namespaces[].type in an OCI runtime config.
  const char* oci_name;
  // Pinned by `podns create` in the pod's directory (when the pod has one).
  bool pod_pin;
  // CRI-O's pinns: the option that asks for one ('\0': pinns cannot pin
  // it), and its directory, DIR/<pinns_dir>/NAME.
  char pinns_option;
  const char* pinns_dir;
};

// In the order the types are made, pinned and joined: the user namespace
// first, since it owns the others.
inline constexpr std::array<TypeInfo, 8> kTypes{{
    {Type::user, "user", CLONE_NEWUSER, "user", true, 'U', "userns"},
    {Type::net, "net", CLONE_NEWNET, "network", true, 'n', "netns"},
    {Type::ipc, "ipc", CLONE_NEWIPC, "ipc", true, 'i', "ipcns"},
    {Type::uts, "uts", CLONE_NEWUTS, "uts", true, 'u', "utsns"},
    {Type::cgroup, "cgroup", CLONE_NEWCGROUP, "cgroup", false, 'c', "cgroupns"},
    {Type::mnt, "mnt", CLONE_NEWNS, "mount", false, 'm', "mntns"},
    {Type::pid, "pid", CLONE_NEWPID, "pid", false, '\0', "pidns"},
    {Type::time, "time", CLONE_NEWTIME, "time", false, '\0', "timens"},
}};

// The row of type t; nullptr for a value that is no Type (a cast integer).
constexpr const TypeInfo* find_info(Type t) {
  for (const auto& row : kTypes) {
    if (row.type == t) return &row;
  }
  return nullptr;
}

// The row of type t. Every Type has exactly one (checked below).
constexpr const TypeInfo& info(Type t) { return *find_info(t); }

// The type named `name` ("net", "user", ...), as name() spells it.
constexpr std::optional<Type> type_named(std::string_view name) {
  for (const auto& row : kTypes) {
    if (name == row.name) return row.type;
  }
  return std::nullopt;
}

namespace detail {
constexpr bool each_type_once() {
  for (std::size_t i = 0; i < kTypes.size(); ++i) {
    if (static_cast<std::size_t>(kTypes[i].type) >= kTypes.size()) return false;
    for (std::size_t j = i + 1; j < kTypes.size(); ++j) {
      if (kTypes[i].type == kTypes[j].type) return false;
    }
  }
  return true;
}
}  // namespace detail
static_assert(detail::each_type_once(), "kTypes: one row for each nsfs::Type");

}  // namespace podns::nsfs
