#include "podns/enter.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <optional>
#include <utility>
#include <vector>

#include "podns/ns_types.h"
#include "podns/nsfs.h"
#include "podns/pin.h"

namespace podns {
namespace {

// A namespace of the sandbox to join, by its pin.
struct Join {
  nsfs::Type type;
  Fd fd;
};

// Opens and checks every pin before anything is joined: once inside the
// pod's user namespace the pins may no longer be reachable.
Result<std::vector<Join>> open_pins(const Sandbox& s) {
  std::vector<Join> joins;
  // In the table's order: the user namespace first, as it must be joined.
  for (const auto& row : nsfs::kTypes) {
    if (!row.pod_pin || !pin::has_pin(s, row.type)) continue;
    const nsfs::Type type = row.type;
    const auto& id = *pin::recorded(s, type);
    std::string path = s.pin_path(type);
    if (!id) {
      return plain_error(ESTALE, "sandbox " + s.id + ": no " + row.name +
                                     " namespace is recorded for " + path);
    }
    PODNS_TRY_CTX(fd, pin::open_recorded(path, type, *id), "sandbox " + s.id);
    joins.push_back({type, std::move(fd)});
  }
  return joins;
}

// A mount namespace of our own, its mounts slave to the host's, with a
// sysfs of the pod's network namespace on /sys.
Result<void> mount_pod_sysfs() {
  if (::unshare(CLONE_NEWNS) < 0) return sys_error("unshare mount namespace");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
    return sys_error("make mounts slave", "/");
  ::umount2("/sys", MNT_DETACH);
  if (::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0)
    return sys_error("mount the pod's sysfs on", "/sys");
  return {};
}

}  // namespace

Result<void> enter(const Sandbox& s) {
  if (s.state != SandboxState::ready && s.state != SandboxState::stopped) {
    return plain_error(EINVAL,
                       "sandbox " + s.id + " is " + to_string(s.state) + ": nothing to enter");
  }
  PODNS_TRY(joins, open_pins(s));
  for (const auto& j : joins) {
    if (::setns(j.fd.get(), nsfs::clone_flag(j.type)) < 0) {
      return sys_error(std::string("join ") + nsfs::name(j.type) + " namespace",
                       s.pin_path(j.type));
    }
  }
  if (s.has_userns) {
    // The pod's root: gid first, while we may still change it.
    if (::setgroups(0, nullptr) < 0) return sys_error("setgroups in the pod");
    if (::setresgid(0, 0, 0) < 0) return sys_error("become the pod's root group");
    if (::setresuid(0, 0, 0) < 0) return sys_error("become the pod's root");
  }
  if (!s.host_network) PODNS_CHECK(mount_pod_sysfs());
  return {};
}

}  // namespace podns
