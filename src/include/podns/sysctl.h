// The pod's network sysctls: checked here, written inside the pod's netns by
// the helper (see helper.h), relative to that netns's own /proc/sys/net.
//
// Only keys under net. are accepted, and only in a form that maps to one
// file below /proc/sys/net: no '/', no empty component, no "..". Values may
// not contain a newline or NUL (a sysctl write of "a\nb" would be two
// writes to some handlers). A key the kernel does not namespace does not
// exist inside a pod's netns, so writing it fails: nothing reaches the host.
// (CRI-O's pinns once let "+" in a value reach kernel.core_pattern,
// CVE-2022-0811.)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "podns/error.h"
#include "podns/idmap.h"

namespace podns::sysctl {

using Setting = std::pair<std::string, std::string>;  // key, value

// Parses and checks "KEY=VALUE".
Result<Setting> parse(std::string_view text);
// Checks a key and a value.
Result<void> validate(const Setting& s);
// "net.ipv4.ping_group_range" -> "/proc/sys/net/ipv4/ping_group_range".
std::string proc_path(const std::string& key);

// The defaults for a pod with the given gid map: ping_group_range set to the
// pod's gids that map to the host (those contiguous with gid 0 on the
// container side), so that its users can ping without privileges.
std::vector<Setting> defaults(const IdMap& gid_map);

// `defaults` overridden by `given` (same key: given wins), in order.
std::vector<Setting> merge(std::vector<Setting> defaults, const std::vector<Setting>& given);

}  // namespace podns::sysctl
