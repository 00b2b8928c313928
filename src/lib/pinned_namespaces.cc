#include "podns/pinned_namespaces.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "podns/fault.h"
#include "podns/helper.h"
#include "podns/ns_types.h"
#include "podns/sys.h"

namespace podns::pinned {
namespace {

using SharedFd = std::shared_ptr<Fd>;

std::string join_messages(const std::vector<Error>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e.message();
  return out;
}

// A directory this call made that is gone already, or that another caller
// has put something in since (a concurrent call's pins): not ours to remove.
bool left_alone(int err) { return err == ENOENT || err == ENOTEMPTY || err == EEXIST; }

std::string type_dir_name(nsfs::Type t) { return nsfs::info(t).pinns_dir; }

bool is_new(const Request& req, nsfs::Type t) {
  return std::any_of(req.namespaces.begin(), req.namespaces.end(),
                     [t](const Namespace& n) { return n.type == t && !n.host; });
}

Result<void> validate_name(const std::string& name) {
  if (name.empty()) return invalid_argument("the pin file name (-f) is empty");
  if (name == "." || name == ".." || name.find('/') != std::string::npos)
    return invalid_argument("the pin file name \"" + name + "\" is not a plain file name");
  if (name.size() > 255) return invalid_argument("the pin file name is longer than 255 bytes");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return invalid_argument("the pin file name may not contain control characters");
  }
  return {};
}

// What a statx says about an open path.
struct Stat {
  struct statx stx;
  bool mount_root() const { return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0; }
  nsfs::NsId id() const {
    return {static_cast<dev_t>(makedev(stx.stx_dev_major, stx.stx_dev_minor)),
            static_cast<ino_t>(stx.stx_ino)};
  }
};

Result<Stat> stat_fd(const Fd& fd, const std::string& path) {
  Stat s{};
  if (::statx(fd.get(), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
              STATX_TYPE | STATX_SIZE | STATX_INO | STATX_MNT_ID, &s.stx) < 0)
    return sys_error("statx", path);
  if ((s.stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0)
    return plain_error(ENOTSUP, "statx " + path + ": the kernel does not say what is a mount");
  return s;
}

Result<bool> is_nsfs(const Fd& fd, const std::string& path) {
  struct statfs sfs;
  if (::fstatfs(fd.get(), &sfs) < 0) return sys_error("statfs", path);
  return sfs.f_type == NSFS_MAGIC;
}

// Holds an flock on a directory for a scope.
class DirLock {
 public:
  static Result<DirLock> take(const Fd& dir, const std::string& path) {
    while (::flock(dir.get(), LOCK_EX) < 0) {
      if (errno != EINTR) return sys_error("lock", path);
    }
    return DirLock(dir.get());
  }
  DirLock(DirLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::flock(fd_, LOCK_UN);
  }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Makes `path` and each missing parent 0755; registers the removal of each
// one it made.
Result<SharedFd> make_dir_all(const std::string& path, Rollback& undo) {
  // DIR itself may lie behind a symlink (/var/run is one): followed, as
  // CRI-O does. What is below it is never followed. Once it exists (every
  // pod but a node's first), one open is all.
  if (int raw = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); raw >= 0)
    return std::make_shared<Fd>(raw);
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string part = path.substr(0, pos);
    if (part.empty() || part.back() == '/') continue;
    if (::mkdir(part.c_str(), 0755) < 0) {
      if (errno == EEXIST) continue;
      return sys_error("mkdir", part);
    }
    undo.add("remove directory " + part, [part]() -> Result<void> {
      if (::rmdir(part.c_str()) < 0 && !left_alone(errno)) return sys_error("rmdir", part);
      return {};
    });
    // Exactly 0755, whatever the umask.
    if (::chmod(part.c_str(), 0755) < 0) return sys_error("chmod", part);
  }
  PODNS_TRY(dir, sys::open_at(AT_FDCWD, path, O_RDONLY | O_DIRECTORY));
  return std::make_shared<Fd>(std::move(dir));
}

// Opens DIR/<type>ns, making it 0755 if it is missing.
Result<SharedFd> make_type_dir(const SharedFd& dir, const std::string& path,
                               const std::string& name, Rollback& undo) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  // Made already (by the node's first pod, usually): one open.
  if (int raw = ::openat(dir->get(), name.c_str(), kFlags); raw >= 0)
    return std::make_shared<Fd>(raw);
  bool made = false;
  if (::mkdirat(dir->get(), name.c_str(), 0755) == 0) {
    made = true;
    undo.add("remove directory " + path, [parent = dir, name, path]() -> Result<void> {
      if (::unlinkat(parent->get(), name.c_str(), AT_REMOVEDIR) < 0 && !left_alone(errno))
        return sys_error("rmdir", path);
      return {};
    });
  } else if (errno != EEXIST) {
    return sys_error("mkdir", path);
  }
  int raw = ::openat(dir->get(), name.c_str(), kFlags);
  if (raw < 0 && (errno == ENOTDIR || errno == ELOOP))
    return plain_error(ENOTDIR, path + " exists and is not a directory");
  if (raw < 0) return sys_error("open", path);
  auto fd = std::make_shared<Fd>(raw);
  if (made && ::fchmod(fd->get(), 0755) < 0) return sys_error("chmod", path);
  return fd;
}

// Refuses a pin path that is not a file a pin may be mounted on.
Result<Stat> check_pin_file(const Fd& file, const std::string& path) {
  PODNS_TRY(st, stat_fd(file, path));
  if (st.mount_root()) {
    PODNS_TRY(ns, is_nsfs(file, path));
    if (ns) {
      return plain_error(EBUSY, path + " already holds a mounted namespace; nothing was stacked "
                                       "on it");
    }
    return plain_error(EBUSY, path + " has something mounted on it");
  }
  if (!S_ISREG(st.stx.stx_mode) || st.stx.stx_size != 0)
    return plain_error(EEXIST, path + " exists and is not an empty regular file");
  return st;
}

// One pin file: where it is and what it was when checked.
struct PinFile {
  nsfs::Type type;
  bool host;
  SharedFd dir;  // DIR/<type>ns
  std::string dir_path;
  std::string path;
  nsfs::NsId file_id;  // the plain file's device and inode
};

// Makes DIR/<type>ns/NAME (0444), or checks the one that is there. Registers
// the removal of a file it made (only while it is still that file, with
// nothing mounted on it).
Result<PinFile> prepare_pin_file(const Namespace& ns, SharedFd dir, const std::string& dir_path,
                                 const std::string& name, Rollback& undo) {
  PinFile f{ns.type, ns.host, std::move(dir), dir_path, dir_path + "/" + name, {}};
  int raw = ::openat(f.dir->get(), name.c_str(),
                     O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
  bool made = raw >= 0;
  if (!made && errno != EEXIST) return sys_error("create pin file", f.path);
  if (!made) raw = ::openat(f.dir->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) return sys_error("open", f.path);
  Fd file(raw);
  if (made) {
    struct stat st;
    if (::fstat(file.get(), &st) < 0) return sys_error("fstat", f.path);
    f.file_id = {st.st_dev, st.st_ino};
    undo.add("remove " + f.path, [dir = f.dir, name, path = f.path, id = f.file_id]() -> Result<void> {
      int fd = ::openat(dir->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) return {};
      if (fd < 0) return sys_error("open", path);
      Fd held(fd);
      PODNS_TRY(now, stat_fd(held, path));
      // Something else took its place, or is mounted on it: not ours.
      if (now.mount_root() || !(now.id() == id)) return {};
      if (::unlinkat(dir->get(), name.c_str(), 0) < 0 && errno != ENOENT)
        return sys_error("unlink", path);
      return {};
    });
    return f;
  }
  PODNS_TRY(st, check_pin_file(file, f.path));
  f.file_id = st.id();
  return f;
}

// Reopens DIR/mntns as a mount of its own that does not propagate, binding
// it on itself and marking it unbindable if it is not a mount yet (see the
// header). Called with DIR/mntns locked.
Result<SharedFd> unbindable_mount_dir(const SharedFd& dir, const std::string& dir_path,
                                      Rollback& undo) {
  const std::string name = type_dir_name(nsfs::Type::mnt);
  const std::string path = dir_path + "/" + name;
  auto reopen = [&]() -> Result<Fd> {
    return sys::open_at(dir->get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  };
  PODNS_TRY(lower, reopen());
  PODNS_TRY(st, stat_fd(lower, path));
  if (st.mount_root()) return std::make_shared<Fd>(std::move(lower));
  const std::string self = sys::fd_path(lower.get());
  if (::mount(self.c_str(), self.c_str(), nullptr, MS_BIND, nullptr) < 0)
    return sys_error("bind-mount on itself", path);
  // Undone only while the mount there is the one made here.
  auto made_id = std::make_shared<std::optional<std::uint64_t>>();
  undo.add("unmount " + path, [parent = dir, name, path, made_id]() -> Result<void> {
    int fd = ::openat(parent->get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) return {};
    if (fd < 0) return sys_error("open", path);
    Fd held(fd);
    PODNS_TRY(now, stat_fd(held, path));
    if (!now.mount_root() || (*made_id && now.stx.stx_mnt_id != **made_id)) return {};
    if (::umount2(sys::fd_path(held.get()).c_str(), MNT_DETACH) < 0)
      return sys_error("umount", path);
    return {};
  });
  PODNS_TRY(top, reopen());
  PODNS_TRY(top_st, stat_fd(top, path));
  *made_id = top_st.stx.stx_mnt_id;
  if (::mount(nullptr, sys::fd_path(top.get()).c_str(), nullptr, MS_UNBINDABLE, nullptr) < 0)
    return sys_error("make unbindable", path);
  return std::make_shared<Fd>(std::move(top));
}

// Mounts `source` on the checked pin file and checks what got pinned.
// Called with the pin's directory locked.
Result<void> pin_one(const PinFile& f, const std::string& name, const std::string& source,
                     Rollback& undo) {
  PODNS_TRY(file, sys::open_at(f.dir->get(), name, O_PATH | O_NOFOLLOW));
  PODNS_TRY(st, check_pin_file(file, f.path));
  if (!(st.id() == f.file_id))
    return plain_error(EEXIST, f.path + " was replaced while the namespaces were made");
  if (::mount(source.c_str(), sys::fd_path(file.get()).c_str(), nullptr, MS_BIND, nullptr) < 0)
    return sys_error("bind-mount " + source + " on", f.path);
  // Undone only while the namespace mounted there is the one pinned here.
  auto pinned_id = std::make_shared<std::optional<nsfs::NsId>>();
  undo.add("unmount " + f.path, [dir = f.dir, name, path = f.path, pinned_id]() -> Result<void> {
    int raw = ::openat(dir->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (raw < 0 && errno == ENOENT) return {};
    if (raw < 0) return sys_error("open", path);
    Fd held(raw);
    PODNS_TRY(ns, is_nsfs(held, path));
    if (!ns) return {};  // already unmounted
    PODNS_TRY(id, nsfs::id(held));
    if (*pinned_id && !(id == **pinned_id)) {
      return plain_error(EEXIST, "unpin " + path +
                                     ": another namespace is mounted there; left alone");
    }
    if (::umount2(sys::fd_path(held.get()).c_str(), MNT_DETACH) < 0)
      return sys_error("umount", path);
    return {};
  });
  PODNS_TRY(pinned, sys::open_at(f.dir->get(), name, O_RDONLY | O_NOFOLLOW));
  PODNS_TRY(id, nsfs::id(pinned));
  *pinned_id = id;
  return nsfs::check_type(pinned, f.type, f.path);
}

// What the helper is to make.
NamespaceRequest helper_request(const Request& req) {
  NamespaceRequest nr;
  if (is_new(req, nsfs::Type::user)) nr.userns = req.maps;
  nr.net = is_new(req, nsfs::Type::net);
  nr.ipc = is_new(req, nsfs::Type::ipc);
  nr.uts = is_new(req, nsfs::Type::uts);
  nr.cgroup = is_new(req, nsfs::Type::cgroup);
  nr.mnt = is_new(req, nsfs::Type::mnt);
  for (const auto& s : req.sysctls) {
    auto ns = sysctl::namespace_of(s);  // checked by validate
    auto& list = ns && *ns == nsfs::Type::ipc ? nr.ipc_sysctls : nr.sysctls;
    list.emplace_back(sysctl::proc_path(s.first), s.second);
  }
  return nr;
}

// Every step of make(), each registering its undo in `undo`.
Result<void> make_all(const Request& req, Rollback& undo) {
  PODNS_TRY(dir, make_dir_all(req.dir, undo));
  std::vector<PinFile> files;
  for (nsfs::Type t : pinnable_types()) {
    auto it = std::find_if(req.namespaces.begin(), req.namespaces.end(),
                           [t](const Namespace& n) { return n.type == t; });
    if (it == req.namespaces.end()) continue;
    const std::string type_path = req.dir + "/" + type_dir_name(t);
    PODNS_TRY(type_dir, make_type_dir(dir, type_path, type_dir_name(t), undo));
    PODNS_TRY(file, prepare_pin_file(*it, std::move(type_dir), type_path, req.name, undo));
    files.push_back(std::move(file));
  }
  PODNS_CHECK(fault::point("pinns.directories"));

  std::optional<Helper> helper;
  if (std::any_of(req.namespaces.begin(), req.namespaces.end(),
                  [](const Namespace& n) { return !n.host; })) {
    PODNS_TRY_CTX(h, Helper::spawn(helper_request(req)), "make namespaces");
    helper.emplace(std::move(h));
  }
  PODNS_CHECK(fault::point("pinns.namespaces"));

  for (auto& f : files) {
    const std::string what = std::string("pin ") + nsfs::name(f.type) + " namespace";
    const std::string source = f.host ? std::string("/proc/self/ns/") + nsfs::name(f.type)
                                      : helper->ns_path(f.type);
    SharedFd locked = f.dir;
    PODNS_TRY_CTX(lock, DirLock::take(*locked, f.dir_path), what);
    if (f.type == nsfs::Type::mnt) {
      PODNS_TRY_CTX(top, unbindable_mount_dir(dir, req.dir, undo), what);
      f.dir = std::move(top);
    }
    auto pinned = pin_one(f, req.name, source, undo);
    if (!pinned && f.type == nsfs::Type::mnt && pinned.error().errno_value() == EINVAL)
      return std::unexpected(std::move(pinned.error()).context(what + " (refused on a mount that propagates)"));
    PODNS_CHECK_CTX(pinned, what);
    if (f.type == nsfs::Type::user) PODNS_CHECK(fault::point("pinns.pin-user"));
  }
  PODNS_CHECK(fault::point("pinns.pins"));
  if (helper) PODNS_CHECK_CTX(helper->finish(), "stop helper");
  return {};
}

}  // namespace

const std::vector<nsfs::Type>& pinnable_types() {
  static const std::vector<nsfs::Type> kPinnable = [] {
    std::vector<nsfs::Type> out;
    for (const auto& row : nsfs::kTypes) {
      if (row.pinns_option != '\0') out.push_back(row.type);
    }
    return out;
  }();
  return kPinnable;
}

std::string pin_path(const std::string& dir, nsfs::Type t, const std::string& name) {
  return dir + "/" + type_dir_name(t) + "/" + name;
}

Result<void> validate(const Request& req) {
  if (req.dir.empty()) return invalid_argument("the directory for the pins (-d) is empty");
  PODNS_CHECK(validate_name(req.name));
  if (req.namespaces.empty()) {
    return invalid_argument("no namespace to pin: give at least one of --user, --net, --ipc, "
                            "--uts, --cgroup, --mnt");
  }
  const auto& types = pinnable_types();
  for (const auto& ns : req.namespaces) {
    if (std::find(types.begin(), types.end(), ns.type) == types.end())
      return invalid_argument(std::string("a ") + nsfs::name(ns.type) + " namespace cannot be pinned");
    auto same = [&ns](const Namespace& n) { return n.type == ns.type; };
    if (std::count_if(req.namespaces.begin(), req.namespaces.end(), same) > 1)
      return invalid_argument(std::string("the ") + nsfs::name(ns.type) + " namespace is asked for twice");
    if (ns.type == nsfs::Type::mnt && ns.host) {
      return invalid_argument("--mnt=host: the kernel refuses to pin a mount namespace inside "
                              "itself");
    }
  }
  bool new_user = is_new(req, nsfs::Type::user);
  if (new_user && !req.maps)
    return invalid_argument("a new user namespace needs --uid-mapping and --gid-mapping");
  if (!new_user && req.maps)
    return invalid_argument("ID mappings are given without a new user namespace (--user)");
  if (req.maps) {
    PODNS_CHECK_CTX(validate_id_map(req.maps->uid), "uid mapping");
    PODNS_CHECK_CTX(validate_id_map(req.maps->gid), "gid mapping");
    if (maps_host_id(req.maps->uid, 0) || maps_host_id(req.maps->gid, 0)) {
      return invalid_argument("the mappings would map host uid or gid 0 into the pod (its root "
                              "would own the host's root files)");
    }
  }
  for (const auto& s : req.sysctls) {
    PODNS_TRY(ns, sysctl::namespace_of(s));
    if (!is_new(req, ns)) {
      return invalid_argument("sysctl \"" + s.first + "\" needs a new " +
                              (ns == nsfs::Type::net ? "network namespace (--net)"
                                                     : "IPC namespace (--ipc)"));
    }
  }
  return {};
}

Result<Pins> make(const Request& req) {
  PODNS_CHECK(validate(req));
  auto undo = std::make_unique<Rollback>();
  auto made = make_all(req, *undo);
  if (!made) {
    auto failures = undo->run();
    if (failures.empty()) return std::unexpected(std::move(made.error()));
    return plain_error(made.error().errno_value(),
                       made.error().message() + "; then " + join_messages(failures));
  }
  return Pins(std::move(undo));
}

}  // namespace podns::pinned
