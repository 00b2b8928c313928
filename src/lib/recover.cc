// Manager::recover: reconcile the database with what exists, after a crash
// or a reboot.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "podns/fault.h"
#include "podns/file.h"
#include "podns/ns_types.h"
#include "podns/pin.h"
#include "podns/manager_impl.h"
#include "podns/sys.h"

namespace podns {
namespace {

// The names in ROOT that look like sandbox directories.
Result<std::vector<std::string>> pod_dirs(const std::string& root) {
  std::vector<std::string> out;
  PODNS_TRY_CTX(dir, file::open_if_exists(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW),
                "pin root");
  if (!dir) return out;
  PODNS_TRY_CTX(entries, file::read_dir(std::move(*dir), root), "pin root");
  for (auto& e : entries) {
    if (e.type == DT_DIR && validate_id(e.name)) out.push_back(std::move(e.name));
  }
  return out;
}

}  // namespace

bool Manager::Impl::pins_intact(const Sandbox& s) {
  return std::ranges::all_of(nsfs::kTypes, [&s](const nsfs::TypeInfo& row) {
    if (!row.pod_pin || !pin::has_pin(s, row.type)) return true;
    const auto& want = *pin::recorded(s, row.type);
    return want && pin::open_recorded(s.pin_path(row.type), row.type, *want).has_value();
  });
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
