// Manager::recover: reconcile the database with what exists, after a crash
// or a reboot.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "podns/fault.h"
#include "podns/pin.h"
#include "podns/manager_impl.h"
#include "podns/sys.h"

namespace podns {
namespace {

// The names in ROOT that look like sandbox directories.
Result<std::vector<std::string>> pod_dirs(const std::string& root) {
  std::vector<std::string> out;
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return out;
  if (fd < 0) return sys_error("open pin root", root);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return sys_error("read pin root", root);
  }
  while (auto* e = ::readdir(d)) {
    if (e->d_type == DT_DIR && validate_id(e->d_name)) out.emplace_back(e->d_name);
  }
  ::closedir(d);
  return out;
}

}  // namespace

bool Manager::Impl::pins_intact(const Sandbox& s) {
  auto same = [](const std::string& path, nsfs::Type t, const std::optional<nsfs::NsId>& want) {
    auto fd = sys::open_at(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW);
    if (!fd || !nsfs::check_type(*fd, t, path)) return false;
    auto got = nsfs::id(*fd);
    return got && want && *got == *want;
  };
  if (!s.host_network && !same(s.netns_path(), nsfs::Type::net, s.netns)) return false;
  if (s.ipcns && !same(s.pin_path(nsfs::Type::ipc), nsfs::Type::ipc, s.ipcns)) return false;
  if (s.utsns && !same(s.pin_path(nsfs::Type::uts), nsfs::Type::uts, s.utsns)) return false;
  auto userns = s.userns_path();  // none without a user namespace
  return !userns || same(*userns, nsfs::Type::user, s.userns);
}

Result<std::vector<RecoverAction>> Manager::Impl::recover() {
  std::vector<RecoverAction> actions;
  PODNS_CHECK(fault::point("recover.begin"));
  auto record = [&](const std::string& id, std::string what, const Result<void>& r) {
    actions.push_back({id, std::move(what), r.has_value(), r ? "" : r.error().message()});
  };

  PODNS_TRY(rows, store_.list());
  for (auto& row : rows) {
    // A sandbox whose lock is held is being worked on by a live process.
    auto lock = store_.lock(row.id, /*wait=*/false);
    if (!lock) continue;
    // Read it again under the lock: it may have changed since the list.
    PODNS_TRY(fresh, store_.get(row.id));
    if (!fresh) continue;
    Sandbox s = std::move(*fresh);
    switch (s.state) {
      case SandboxState::creating:
        record(s.id, "rolled back an interrupted create", teardown(s));
        break;
      case SandboxState::removing:
      case SandboxState::unknown:
        record(s.id, "finished an interrupted or failed removal", teardown(s));
        break;
      case SandboxState::ready:
      case SandboxState::stopped:
        if (pins_intact(s)) break;
        s.state = SandboxState::notready;
        s.reason = "its namespaces are gone (the pins vanished, as after a reboot)";
        record(s.id, "marked notready: its namespaces are gone", store_.update(s));
        [[fallthrough]];  // and its network is released as any notready sandbox's
      case SandboxState::notready:
        if (s.net_state != NetState::none) record(s.id, "released its network addresses (CNI DEL)", detach(s));
        break;
    }
    PODNS_CHECK(fault::point("recover.sandbox"));
  }

  // Directories under our root that no sandbox owns: only nsfs pins and the
  // directory itself are removed; anything else makes the removal fail.
  PODNS_TRY(dirs, pod_dirs(config_.root));
  for (const auto& id : dirs) {
    auto lock = store_.lock(id, /*wait=*/false);
    if (!lock) continue;
    PODNS_TRY(owner, store_.get(id));
    if (owner) continue;
    int raw = ::open(config_.root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (raw < 0) return sys_error("open pin root", config_.root);
    Fd root(raw);
    // Listed before an rm that held the lock then removed it: nothing to do
    // (and nothing to report).
    struct stat st;
    if (::fstatat(root.get(), id.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) continue;
    record(id, "removed a pin directory no sandbox owns",
           pin::remove_pod_dir(root, config_.root, id, {}));
    PODNS_CHECK(fault::point("recover.orphan"));
  }
  collect_network_garbage(actions);
  return actions;
}

}  // namespace podns
