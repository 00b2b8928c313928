#include "podns/spec.h"

#include <nlohmann/json.hpp>

#include "podns/ns_types.h"
#include "podns/pin.h"

namespace podns::spec {
namespace {

// Ordered, so that the rewritten config keeps its keys where they were.
using Json = nlohmann::ordered_json;

// Deeper than any real config; keeps the recursive dump off a stack overflow.
constexpr int kMaxDepth = 256;

struct TooDeep {};

Result<Json> parse_config(std::string_view text) {
  try {
    return Json::parse(text, [](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxDepth) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    return invalid_argument("config is nested deeper than " + std::to_string(kMaxDepth) +
                            " levels");
  } catch (const Json::exception& e) {
    // A parse_error, or an out_of_range for a number beyond a double
    // ("1e400"). what() reads "[json.exception.parse_error.101] parse error
    // at ...": keep the part a person can use.
    std::string why = e.what();
    if (auto pos = why.find("] "); pos != std::string::npos) why.erase(0, pos + 2);
    return invalid_argument("config is not valid JSON: " + why);
  }
}

// OCI's LinuxIDMapping: containerID, hostID, size.
Json oci_mappings(const IdMap& map) {
  Json out = Json::array();
  for (const auto& m : map) {
    out.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  }
  return out;
}

// The entries of linux.namespaces of types the pod does not provide, in
// their order. A host-network pod provides "network" too: the container
// then shares the host's.
Result<Json> other_namespaces(const Json& linux_cfg, const Sandbox& s) {
  Json kept = Json::array();
  auto it = linux_cfg.find("namespaces");
  if (it == linux_cfg.end() || it->is_null()) return kept;
  if (!it->is_array()) return invalid_argument("config: linux.namespaces is not an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& ns = (*it)[i];
    if (!ns.is_object() || !ns.contains("type") || !ns["type"].is_string()) {
      return invalid_argument("config: linux.namespaces[" + std::to_string(i) +
                              "] is not an object with a string \"type\"");
    }
    const auto& type = ns["type"].get_ref<const std::string&>();
    bool provided = type == "user" || type == "network" || (type == "ipc" && s.ipcns) ||
                    (type == "uts" && s.utsns);
    if (!provided) kept.push_back(ns);
  }
  return kept;
}

// For a pod without a user namespace: what in the config asks for one (a
// "user" entry in linux.namespaces, non-empty uidMappings or gidMappings),
// or "" if nothing does. Joined to such a pod the container would run as
// the host's real root, so the rewrite is refused rather than the request
// dropped.
std::string userns_request(const Json& linux_cfg) {
  if (auto it = linux_cfg.find("namespaces"); it != linux_cfg.end() && it->is_array()) {
    for (const auto& ns : *it) {
      if (ns.is_object() && ns.contains("type") && ns["type"] == "user")
        return "a \"user\" entry in linux.namespaces";
    }
  }
  for (const char* key : {"uidMappings", "gidMappings"}) {
    auto it = linux_cfg.find(key);
    if (it != linux_cfg.end() && !it->is_null() && !(it->is_array() && it->empty()))
      return std::string("linux.") + key;
  }
  return {};
}

// For a host-network pod. The kernel refuses a fresh sysfs for a netns the
// container's user namespace does not own (the host's): the config's /sys
// becomes a bind of the host's, read-only all the way down. `ro` would make
// only the top mount read-only; the mounts under it (the cgroup hierarchies
// among them) would stay writable. `rro` (mount_setattr(AT_RECURSIVE)) makes
// every one read-only.
void bind_host_sys(Json& root) {
  auto mounts = root.find("mounts");
  if (mounts == root.end() || !mounts->is_array()) return;
  for (auto& m : *mounts) {
    // Not value("destination", ""): it throws for a destination that is not a string.
    if (m.is_object() && m.contains("destination") && m["destination"] == "/sys") {
      m = Json{{"destination", "/sys"},
               {"type", "bind"},
               {"source", "/sys"},
               {"options", Json::array({"rbind", "nosuid", "noexec", "nodev", "rro"})}};
    }
  }
}

}  // namespace

Result<std::string> join_sandbox(std::string_view config, const Sandbox& s) {
  if (s.state != SandboxState::ready) {
    return plain_error(EINVAL, "sandbox " + s.id + " is " + to_string(s.state) +
                                   ", not ready: containers cannot join it");
  }
  if (s.has_userns) {
    PODNS_CHECK_CTX(validate_id_map(s.uid_map), "sandbox " + s.id + ": uid map");
    PODNS_CHECK_CTX(validate_id_map(s.gid_map), "sandbox " + s.id + ": gid map");
  }

  PODNS_TRY(root, parse_config(config));
  if (!root.is_object()) return invalid_argument("config is not a JSON object");
  auto linux_it = root.find("linux");
  if (linux_it == root.end() || !linux_it->is_object())
    return invalid_argument("config has no \"linux\" object: not an OCI config for Linux");
  Json& linux_cfg = *linux_it;

  PODNS_TRY(namespaces, other_namespaces(linux_cfg, s));
  if (!s.has_userns) {
    if (auto why = userns_request(linux_cfg); !why.empty()) {
      return plain_error(EPERM, "sandbox " + s.id +
                                    " has no user namespace, but the config asks for one (" + why +
                                    "): the container would run as the host's root; create the "
                                    "pod with a user namespace, or remove the request from the "
                                    "config");
    }
  }
  for (const auto& row : nsfs::kTypes) {
    if (row.pod_pin && pin::has_pin(s, row.type))
      namespaces.push_back({{"type", row.oci_name}, {"path", s.pin_path(row.type)}});
  }
  linux_cfg["namespaces"] = std::move(namespaces);
  if (s.host_network) bind_host_sys(root);

  if (s.has_userns) {
    linux_cfg["uidMappings"] = oci_mappings(s.uid_map);
    linux_cfg["gidMappings"] = oci_mappings(s.gid_map);
  } else {
    linux_cfg.erase("uidMappings");
    linux_cfg.erase("gidMappings");
  }
  // The pod's UTS namespace has its hostname; a runtime refuses to set one
  // in a namespace it joins. Erased last: erasing from an ordered_json
  // object moves its other members, linux_cfg among them.
  if (s.utsns) root.erase("hostname");
  // Parsed text is valid UTF-8, so the strict dump cannot throw.
  return root.dump(2) + "\n";
}

}  // namespace podns::spec
