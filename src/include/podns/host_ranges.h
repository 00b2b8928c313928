// The host side of every live sandbox's ID maps, in the state database's
// `host_ranges` table: to refuse a range another sandbox uses, and to
// allocate automatic ranges (0:BASE:SIZE) from a pool of host IDs.
//
// Ranges added without `shared` are pairwise disjoint per kind (uid, gid),
// so the one with the greatest start below a new range's end is the only
// one that can overlap it: each check is one index probe, whatever the
// number of sandboxes. Every function here runs inside the caller's write
// transaction (Store::write): two processes never pick the same range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "podns/database.h"
#include "podns/error.h"
#include "podns/idmap.h"
#include "podns/sandbox.h"

namespace podns::host_ranges {

// Invalid input unless first <= last <= 4294967294 (4294967295 is no ID).
Result<void> check_pool(IdPool pool);
// check_pool, and invalid input unless `size` IDs (at least 1) fit in it.
Result<void> check_pool(IdPool pool, std::uint32_t size);

// Records the host ranges of s's maps. EBUSY, naming the other sandbox, if
// one overlaps another sandbox's, unless `shared`.
Result<void> add(Database& db, const Sandbox& s, bool shared);
// The map 0:BASE:SIZE (for uids and gids alike), BASE in `pool` such that no
// recorded range touches it on either side: just above every range in use
// while the pool has room there, else the lowest gap; not recorded yet
// (add does that). ENOSPC when the pool is full. Refused, as invalid
// input, if it would hold host ID 0 unless allow_host_root
// (validate_pod_maps: the rule explicit maps obey).
Result<IdMap> allocate(Database& db, std::uint32_t size, IdPool pool, bool allow_host_root);
// Forgets the ranges of sandbox `id`.
Result<void> remove(Database& db, const std::string& id);

}  // namespace podns::host_ranges
