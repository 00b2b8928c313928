// The JSON that podns shows machines: `inspect`, `ls --json`, `userns-of`.
#pragma once

#include <nlohmann/json.hpp>

#include "podns/idmap.h"
#include "podns/sandbox.h"

namespace podns {

// [{"container_id": C, "host_id": H, "size": S}, ...]
nlohmann::json to_json(const IdMap& map);
Result<IdMap> id_map_from_json(const nlohmann::json& j);

// The inspect object, with the same keys for every sandbox whatever its
// state and kind, null (or an empty array or object) when unset: id,
// state, root, netns, userns, netns_inode, userns_inode, userns_owner_uid,
// uid_mappings, gid_mappings, network, created_at, host_network, ipcns,
// utsns, hostname, ip_netns, sysctls, reason.
nlohmann::json to_json(const Sandbox& s);

// [{"stage": NAME, "us": MICROSECONDS}, ..., {"stage": "total", "us": SUM}],
// in the order the stages ran.
nlohmann::json to_json(const std::vector<StageTime>& timings);

}  // namespace podns
