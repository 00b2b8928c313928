// User-namespace ID maps: the lines of /proc/<pid>/uid_map and gid_map.
//
// On the command line a map is written CONTAINER:HOST:SIZE, several lines
// separated by commas (or newlines); `podns pinns` takes CRI-O's form,
// CONTAINER-HOST-SIZE lines each ended by '@'. Everything is checked here, before a
// byte reaches the kernel: the kernel silently truncates a value above
// 2^32-1 ("0:4294967296:1" would become "0 0 1", mapping the pod's root to
// the host's root).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "podns/error.h"
#include "podns/export.h"

namespace podns {

struct IdMapping {
  std::uint32_t container_id = 0;
  std::uint32_t host_id = 0;
  std::uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

using IdMap = std::vector<IdMapping>;

// The kernel's limit on lines per map (since Linux 4.15).
inline constexpr std::size_t kMaxIdMapLines = 340;
// The kernel's limit on the map's text, as to_kernel_text writes it: it
// refuses a write to uid_map or gid_map of PAGE_SIZE bytes or more
// (map_write: EINVAL). 4096 is the smallest page size Linux has, so podns
// allows at most 4095 bytes on every machine. With large IDs this limit
// comes long before the 340 lines: "4294000000 4294000000 1000\n" is 27
// bytes, 151 such lines are the most.
inline constexpr std::size_t kMaxIdMapText = 4095;

// Parses "C:H:S[,C:H:S...]" and validates the result.
PODNS_PUBLIC Result<IdMap> parse_id_map(std::string_view text);

// Parses the form CRI-O hands its pinns, "C-H-S@C-H-S@..." (one '@' may end
// it, as CRI-O writes it), and validates the result.
PODNS_PUBLIC Result<IdMap> parse_pinns_id_map(std::string_view text);

// Rejects an empty map, a size of 0, a range whose end passes 2^32-1 on
// either side, ranges that overlap on the container or the host side, more
// than kMaxIdMapLines lines, and a kernel text (to_kernel_text) of more
// than kMaxIdMapText bytes.
PODNS_PUBLIC Result<void> validate_id_map(const IdMap& map);

// The rules for a pod's pair of maps, beyond validate_id_map of each: both
// map container ID 0 (the pod's root), and host uid or gid 0 mapped into
// the pod is refused unless allow_host_root (the pod's root would own the
// host's root files). The same rules hold for
// explicit maps and for automatic ranges, which Store::insert_auto checks
// when it has chosen the range.
Result<void> validate_pod_maps(const IdMap& uid, const IdMap& gid, bool allow_host_root);

// "C H S\n" per line: what is written to uid_map/gid_map in a single write.
PODNS_PUBLIC std::string to_kernel_text(const IdMap& map);
// Parses the kernel's own text (columns separated by blanks).
PODNS_PUBLIC Result<IdMap> parse_kernel_text(std::string_view text);

// "C:H:S,C:H:S": the command-line form.
PODNS_PUBLIC std::string to_string(const IdMap& map);

// True when host ID `id` falls inside the host side of the map.
PODNS_PUBLIC bool maps_host_id(const IdMap& map, std::uint32_t id);

// A pool of host IDs that automatic ranges are taken from: [first, last].
struct IdPool {
  std::uint32_t first = 131072;
  std::uint32_t last = 4294967294u;
};

}  // namespace podns
