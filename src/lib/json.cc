#include "podns/json.h"

namespace podns {

using nlohmann::json;

json to_json(const IdMap& map) {
  json out = json::array();
  for (const auto& m : map) {
    out.push_back({{"container_id", m.container_id}, {"host_id", m.host_id}, {"size", m.size}});
  }
  return out;
}

Result<IdMap> id_map_from_json(const json& j) {
  if (!j.is_array()) return invalid_argument("ID mappings are not a JSON array");
  IdMap map;
  for (const auto& e : j) {
    auto field = [&](const char* name) -> Result<std::uint32_t> {
      if (!e.is_object() || !e.contains(name) || !e[name].is_number_unsigned() ||
          e[name].get<std::uint64_t>() > 0xFFFFFFFFULL) {
        return invalid_argument(std::string("ID mapping ") + e.dump() + ": \"" + name +
                                "\" is missing or not a number in 0..4294967295");
      }
      return static_cast<std::uint32_t>(e[name].get<std::uint64_t>());
    };
    PODNS_TRY(c, field("container_id"));
    PODNS_TRY(h, field("host_id"));
    PODNS_TRY(s, field("size"));
    map.push_back({c, h, s});
  }
  PODNS_CHECK(validate_id_map(map));
  return map;
}

json to_json(const Sandbox& s) {
  // Every key, whatever the sandbox's state and kind: null when unset.
  json j = json::object();
  j["id"] = s.id;
  j["state"] = to_string(s.state);
  j["root"] = s.root;
  j["netns"] = s.host_network ? json(nullptr) : json(s.netns_path());
  auto userns = s.userns_path();
  j["userns"] = userns ? json(*userns) : json(nullptr);
  j["netns_inode"] = s.netns ? json(s.netns->ino) : json(nullptr);
  j["userns_inode"] = s.userns ? json(s.userns->ino) : json(nullptr);
  j["userns_owner_uid"] = s.has_userns ? json(s.userns_owner) : json(nullptr);
  j["uid_mappings"] = to_json(s.uid_map);
  j["gid_mappings"] = to_json(s.gid_map);
  j["network"] = s.network.empty() ? json(nullptr) : json::parse(s.network, nullptr, false);
  j["created_at"] = s.created_at;
  j["host_network"] = s.host_network;
  j["ipcns"] = s.ipcns ? json(s.pin_path(nsfs::Type::ipc)) : json(nullptr);
  j["utsns"] = s.utsns ? json(s.pin_path(nsfs::Type::uts)) : json(nullptr);
  j["hostname"] = s.hostname.empty() ? json(nullptr) : json(s.hostname);
  j["ip_netns"] = s.ip_netns.empty() ? json(nullptr) : json(s.ip_netns);
  json sysctls = json::object();
  for (const auto& [k, v] : s.sysctls) sysctls[k] = v;
  j["sysctls"] = sysctls;
  j["reason"] = s.reason.empty() ? json(nullptr) : json(s.reason);
  return j;
}

json to_json(const std::vector<StageTime>& timings) {
  json out = json::array();
  std::chrono::nanoseconds total{0};
  auto us = [](std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1000.0; };
  for (const auto& t : timings) {
    out.push_back({{"stage", t.stage}, {"us", us(t.took)}});
    total += t.took;
  }
  out.push_back({{"stage", "total"}, {"us", us(total)}});
  return out;
}

}  // namespace podns
