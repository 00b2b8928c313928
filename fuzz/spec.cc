// OCI runtime configs rewritten to join a sandbox (podns spec), for three
// fixed sandboxes that take the rewrite's three paths: a pod with its own
// user namespace, one without, and a host-network pod with IPC and UTS
// namespaces of its own (whose /sys mount is replaced).
#include "podns/spec.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "check.h"

namespace {

using Json = nlohmann::ordered_json;
using podns::Sandbox;

// As tests/unit/spec_test.cc builds one.
Sandbox pod() {
  Sandbox s;
  s.id = "web-1";
  s.state = podns::SandboxState::ready;
  s.root = "/run/podns";
  s.uid_map = {{0, 100000, 65536}};
  s.gid_map = {{0, 200000, 1000}, {1000, 300000, 64536}};
  return s;
}

Sandbox pod_without_userns() {
  Sandbox s = pod();
  s.id = "plain";
  s.has_userns = false;
  s.uid_map.clear();
  s.gid_map.clear();
  return s;
}

Sandbox host_network_pod() {
  Sandbox s = pod();
  s.id = "hostnet";
  s.host_network = true;
  s.ipcns = podns::nsfs::NsId{4, 4026532180};
  s.utsns = podns::nsfs::NsId{4, 4026532181};
  s.hostname = "hostnet";
  return s;
}

Json oci_mappings(const podns::IdMap& map) {
  Json out = Json::array();
  for (const auto& m : map) {
    out.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  }
  return out;
}

void check(std::string_view config, const Sandbox& s) {
  auto out = podns::spec::join_sandbox(config, s);
  if (!out) {
    // The sandbox is ready and valid: only the config can be at fault. It
    // is invalid input, or, for a pod without a user namespace, the
    // refusal (EPERM) of a config that asks for one.
    FUZZ_CHECK(out.error().is_invalid_input() ||
               (!s.has_userns && out.error().errno_value() == EPERM));
    return;
  }
  FUZZ_CHECK(!out->empty() && out->back() == '\n');
  FUZZ_CHECK(Json::accept(*out));
  Json j = Json::parse(*out);
  FUZZ_CHECK(j.is_object() && j.contains("linux") && j["linux"].is_object());
  const Json& linux_cfg = j["linux"];
  FUZZ_CHECK(linux_cfg.contains("namespaces") && linux_cfg["namespaces"].is_array());
  int user = 0;
  int network = 0;
  for (const auto& ns : linux_cfg["namespaces"]) {
    if (ns["type"] == "user") {
      ++user;
      FUZZ_CHECK(ns["path"] == s.userns_path());
    }
    if (ns["type"] == "network") {
      ++network;
      FUZZ_CHECK(ns["path"] == s.netns_path());
    }
  }
  FUZZ_CHECK(user == (s.has_userns ? 1 : 0));
  FUZZ_CHECK(network == (s.host_network ? 0 : 1));
  if (s.has_userns) {
    FUZZ_CHECK(linux_cfg["uidMappings"] == oci_mappings(s.uid_map));
    FUZZ_CHECK(linux_cfg["gidMappings"] == oci_mappings(s.gid_map));
  } else {
    FUZZ_CHECK(!linux_cfg.contains("uidMappings") && !linux_cfg.contains("gidMappings"));
  }
  // Running `podns spec` twice on a bundle changes nothing the second time.
  auto twice = podns::spec::join_sandbox(*out, s);
  FUZZ_CHECK(twice && *twice == *out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Sandbox sandboxes[] = {pod(), pod_without_userns(), host_network_pod()};
  auto config = podns::fuzz::text(data, size);
  for (const auto& s : sandboxes) check(config, s);
  return 0;
}
