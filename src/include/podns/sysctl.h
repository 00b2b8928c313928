// The pod's sysctls: checked here, written by the helper (see helper.h)
// inside the pod's own namespaces, through /proc/sys, whose files answer for
// the namespaces of the process that opens them.
//
// Only namespaced keys are accepted: net.* (written inside the pod's new
// network namespace) and, for `podns pinns`, the IPC namespace's own
// kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* (written inside its
// new IPC namespace). A key must map to one file below /proc/sys: only
// letters, digits, '_', '-' and '.', no empty component, no "..", so no '/'.
// Values may not contain a newline or NUL (a sysctl write of "a\nb" would be
// two writes to some handlers). A key the kernel does not namespace does not
// exist as a per-namespace file, and the namespace it needs is checked to be
// a new one, so nothing reaches the host. (CRI-O's pinns once let "+" in a
// value reach kernel.core_pattern, CVE-2022-0811.)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "podns/error.h"
#include "podns/idmap.h"
#include "podns/nsfs.h"

namespace podns::sysctl {

using Setting = std::pair<std::string, std::string>;  // key, value

// Parses and checks "KEY=VALUE".
Result<Setting> parse(std::string_view text);
// Checks a key and a value: a network sysctl (net.*), as `podns create` takes.
Result<void> validate(const Setting& s);
// Checks a key and a value and returns the namespace the key belongs to:
// Type::net for net.*, Type::ipc for kernel.shm*, kernel.msg*, kernel.sem and
// fs.mqueue.*. Any other key is invalid input.
Result<nsfs::Type> namespace_of(const Setting& s);
// "net.ipv4.ping_group_range" -> "/proc/sys/net/ipv4/ping_group_range"
// (any checked key: "kernel.shmmax" -> "/proc/sys/kernel/shmmax").
std::string proc_path(const std::string& key);

// The defaults for a pod with the given gid map: ping_group_range set to the
// pod's gids that map to the host (those contiguous with gid 0 on the
// container side), so that its users can ping without privileges.
std::vector<Setting> defaults(const IdMap& gid_map);

// `defaults` overridden by `given` (same key: given wins), in order.
std::vector<Setting> merge(std::vector<Setting> defaults, const std::vector<Setting>& given);

}  // namespace podns::sysctl
