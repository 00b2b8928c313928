#include "podns/pin.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "podns/file.h"
#include "podns/ns_types.h"
#include "podns/secure_path.h"
#include "podns/sys.h"

namespace podns::pin {
namespace {


// True when `fd` is the root of a mount (its device differs from its parent's,
// or statx says so).
Result<bool> is_mount_root(const Fd& fd, const std::string& path) {
  struct statx stx;
  if (::statx(fd.get(), "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0)
    return sys_error("statx", path);
  if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  struct stat self;
  struct stat parent;
  if (::fstat(fd.get(), &self) < 0) return sys_error("fstat", path);
  if (::fstatat(fd.get(), "..", &parent, 0) < 0) return sys_error("stat", path + "/..");
  return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

Result<bool> is_tmpfs(const Fd& fd, const std::string& path) {
  struct statfs sfs;
  if (::fstatfs(fd.get(), &sfs) < 0) return sys_error("statfs", path);
  return sfs.f_type == TMPFS_MAGIC;
}

Result<Fd> open_dir_nofollow(const std::string& path) {
  return sys::open_at(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

}  // namespace

Result<Fd> open_root(const std::string& root) {
  PODNS_CHECK(check_secure_path(root, "pin root"));
  PODNS_CHECK_CTX(file::make_dirs(root, 0711), "create pin root");
  PODNS_TRY(fd, open_dir_nofollow(root));
  PODNS_TRY(mounted, is_mount_root(fd, root));
  PODNS_TRY(tmpfs, is_tmpfs(fd, root));
  if (mounted && tmpfs) return fd;

  // First use: a small tmpfs of our own. The caller holds the root lock
  // (Store::lock_root), so two podns processes cannot stack two mounts here.
  if (::mount("tmpfs", root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=0711,size=1m,nr_inodes=1m") < 0)
    return sys_error("mount tmpfs on", root);
  if (::mount(nullptr, root.c_str(), nullptr, MS_SHARED, nullptr) < 0) {
    auto err = sys_error("make shared", root);
    ::umount2(root.c_str(), MNT_DETACH);
    return err;
  }
  return open_dir_nofollow(root);
}

Result<Fd> make_pod_dir(const Fd& root, const std::string& id) {
  if (::mkdirat(root.get(), id.c_str(), 0711) < 0) return sys_error("mkdir", id);
  return sys::open_at(root.get(), id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

Result<Fd> open_pod_dir(const Fd& root, const std::string& root_path, const std::string& id) {
  // ELOOP or ENOTDIR: a symlink or a file took the directory's place.
  PODNS_TRY_CTX(dir, file::open_if_exists(root, root_path, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW),
                "pod directory");
  return dir ? std::move(*dir) : Fd();
}

Result<nsfs::NsId> pin(const Fd& dir, const std::string& dir_path, nsfs::Type t,
                       const std::string& source) {
  return pin_as(dir, dir_path, nsfs::name(t), t, source);
}

Result<nsfs::NsId> pin_as(const Fd& dir, const std::string& dir_path, const std::string& name,
                          nsfs::Type t, const std::string& source) {
  const std::string path = dir_path + "/" + name;
  {
    PODNS_TRY(target, sys::open_at(dir.get(), name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0444));
    if (::mount(source.c_str(), sys::fd_path(target.get()).c_str(), nullptr, MS_BIND, nullptr) < 0) {
      auto err = sys_error("bind-mount " + source + " on", path);
      ::unlinkat(dir.get(), name.c_str(), 0);
      return err;
    }
  }
  // Re-open through the mount and check what is pinned there.
  auto check = [&]() -> Result<nsfs::NsId> {
    PODNS_TRY(pinned, sys::open_at(dir.get(), name, O_RDONLY | O_NOFOLLOW));
    PODNS_CHECK(nsfs::check_type(pinned, t, path));
    return nsfs::id(pinned);
  };
  auto id = check();
  if (!id) (void)unpin_as(dir, dir_path, name, std::nullopt);
  return id;
}

Result<Fd> open_recorded(const std::string& path, nsfs::Type t, const nsfs::NsId& want) {
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW));
  PODNS_CHECK(nsfs::check_type(fd, t, path));
  PODNS_TRY(got, nsfs::id(fd));
  if (!(got == want)) {
    return plain_error(ESTALE, path + " holds a " + nsfs::name(t) +
                                   " namespace other than the one recorded for it");
  }
  return fd;
}

Result<void> unpin(const Fd& dir, const std::string& dir_path, nsfs::Type t,
                   std::optional<nsfs::NsId> expect) {
  return unpin_as(dir, dir_path, nsfs::name(t), expect);
}

Result<void> unpin_as(const Fd& dir, const std::string& dir_path, const std::string& name,
                      std::optional<nsfs::NsId> expect) {
  const std::string path = dir_path + "/" + name;
  // A bind mount may have been stacked more than once; take each layer off,
  // but never more than a sane number, and only nsfs layers.
  for (int layer = 0; layer < 16; ++layer) {
    int raw = ::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (raw < 0 && errno == ENOENT) return {};
    if (raw < 0) return sys_error("open", path);
    Fd fd(raw);
    struct statfs sfs;
    if (::fstatfs(fd.get(), &sfs) < 0) return sys_error("statfs", path);
    if (sfs.f_type != NSFS_MAGIC) break;  // a plain file: unmounted
    if (expect) {
      PODNS_TRY(got, nsfs::id(fd));
      if (!(got == *expect)) {
        return plain_error(EEXIST, "unpin " + path +
                                       ": a namespace other than the recorded one is mounted there; left alone");
      }
    }
    if (::umount2(sys::fd_path(fd.get()).c_str(), MNT_DETACH) < 0) return sys_error("umount", path);
  }
  if (::unlinkat(dir.get(), name.c_str(), 0) < 0 && errno != ENOENT) return sys_error("unlink", path);
  return {};
}

Result<void> remove_pod_dir(const Fd& root, const std::string& root_path, const std::string& id,
                            const std::vector<Expected>& expect) {
  const std::string dir_path = root_path + "/" + id;
  PODNS_TRY(dir, open_pod_dir(root, root_path, id));
  if (!dir) return {};
  // In the reverse of the order they are pinned: the user namespace last.
  for (auto row = nsfs::kTypes.rbegin(); row != nsfs::kTypes.rend(); ++row) {
    if (!row->pod_pin) continue;
    std::optional<nsfs::NsId> want;
    for (const auto& e : expect) {
      if (e.type == row->type) want = e.id;
    }
    PODNS_CHECK(unpin(dir, dir_path, row->type, want));
  }
  if (::unlinkat(root.get(), id.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    return sys_error("remove directory", dir_path);
  return {};
}

namespace {

// The member of a Sandbox (const or not) that records type t.
template <class S>
auto recorded_in(S& s, nsfs::Type t) -> decltype(&s.netns) {
  switch (t) {
    case nsfs::Type::user: return &s.userns;
    case nsfs::Type::net: return &s.netns;
    case nsfs::Type::ipc: return &s.ipcns;
    case nsfs::Type::uts: return &s.utsns;
    default: return nullptr;
  }
}

}  // namespace

const std::optional<nsfs::NsId>* recorded(const Sandbox& s, nsfs::Type t) {
  return recorded_in(s, t);
}

std::optional<nsfs::NsId>* recorded(Sandbox& s, nsfs::Type t) { return recorded_in(s, t); }

bool has_pin(const Sandbox& s, nsfs::Type t) {
  switch (t) {
    case nsfs::Type::user: return s.has_userns;
    case nsfs::Type::net: return !s.host_network;
    default: {
      const auto* id = recorded(s, t);
      return id != nullptr && id->has_value();
    }
  }
}

std::vector<Expected> expected(const Sandbox& s) {
  std::vector<Expected> out;
  for (const auto& row : nsfs::kTypes) {
    if (row.pod_pin) out.push_back({row.type, *recorded(s, row.type)});
  }
  return out;
}

}  // namespace podns::pin
