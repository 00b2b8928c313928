// Joining a sandbox from an OCI runtime config: the rewrite that
// `podns spec` applies to a bundle's config.json, as a pure function of the
// config's text and the sandbox.
//
// In `linux.namespaces`, every "user" and "network" entry is dropped and
//   {"type": "user",    "path": ROOT/ID/user}   (only if the pod has one)
//   {"type": "network", "path": ROOT/ID/net}
// are appended; the other entries keep their order. `linux.uidMappings` and
// `linux.gidMappings` become the pod's maps in the OCI form
//   [{"containerID": C, "hostID": H, "size": S}, ...]
// because a runtime joining a user namespace by path still wants them (runc
// 1.1 refuses the config without them, and checks them against the
// namespace's own). For a pod without a user namespace the container stays
// in the host's user namespace: a config that asks for one (a "user" entry,
// non-empty uidMappings or gidMappings) is refused (EPERM), since the
// container would then run as the host's real root; empty mappings are
// removed.
//
// Everything else is kept as it was, in its order. The result is indented
// with two spaces and ends with a newline.
#pragma once

#include <string>
#include <string_view>

#include "podns/error.h"
#include "podns/export.h"
#include "podns/sandbox.h"

namespace podns::spec {

// Rewrites `config` (the text of a config.json) so that its container joins
// sandbox `s`. Invalid input when the text is not JSON, not an object, has no
// `linux` object, or `linux.namespaces` is not an array of objects with a
// string "type". A plain error (EINVAL) when `s` is not ready: containers
// join only a ready sandbox; EPERM when `s` has no user namespace and the
// config asks for one.
PODNS_PUBLIC Result<std::string> join_sandbox(std::string_view config, const Sandbox& s);

}  // namespace podns::spec
