#include "podns/enter.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <vector>

#include "podns/nsfs.h"

namespace podns {

Result<void> enter(const Sandbox& s) {
  if (s.state != SandboxState::ready && s.state != SandboxState::stopped)
    return plain_error(EINVAL, "sandbox " + s.id + " is " + to_string(s.state) + ": nothing to enter");
  struct Join {
    nsfs::Type type;
    std::optional<nsfs::NsId> id;
  };
  std::vector<Join> joins;
  if (s.has_userns) joins.push_back({nsfs::Type::user, s.userns});
  if (!s.host_network) joins.push_back({nsfs::Type::net, s.netns});
  if (s.ipcns) joins.push_back({nsfs::Type::ipc, s.ipcns});
  if (s.utsns) joins.push_back({nsfs::Type::uts, s.utsns});

  // Open and check everything before joining anything: once inside the
  // pod's user namespace the pins may no longer be reachable.
  std::vector<Fd> fds;
  for (const auto& j : joins) {
    std::string path = s.pin_path(j.type);
    PODNS_TRY(fd, nsfs::open(path, j.type));
    PODNS_TRY(got, nsfs::id(fd));
    if (!j.id || !(got == *j.id))
      return plain_error(ESTALE, path + " is not the namespace recorded for sandbox " + s.id);
    fds.push_back(std::move(fd));
  }
  for (std::size_t i = 0; i < joins.size(); ++i) {
    if (::setns(fds[i].get(), nsfs::clone_flag(joins[i].type)) < 0)
      return sys_error(std::string("join ") + nsfs::name(joins[i].type) + " namespace",
                       s.pin_path(joins[i].type));
  }
  if (s.has_userns) {
    // The pod's root: gid first, while we may still change it.
    if (::setgroups(0, nullptr) < 0) return sys_error("setgroups in the pod");
    if (::setresgid(0, 0, 0) < 0) return sys_error("become the pod's root group");
    if (::setresuid(0, 0, 0) < 0) return sys_error("become the pod's root");
  }
  if (!s.host_network) {
    if (::unshare(CLONE_NEWNS) < 0) return sys_error("unshare mount namespace");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
      return sys_error("make mounts slave", "/");
    ::umount2("/sys", MNT_DETACH);
    if (::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0)
      return sys_error("mount the pod's sysfs on", "/sys");
  }
  return {};
}

}  // namespace podns
