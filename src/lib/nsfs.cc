#include "podns/nsfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "podns/file.h"
#include "podns/ns_types.h"
#include "podns/sys.h"

namespace podns::nsfs {

const char* name(Type t) {
  const TypeInfo* row = find_info(t);
  return row ? row->name : "?";
}

int clone_flag(Type t) {
  const TypeInfo* row = find_info(t);
  return row ? row->clone_flag : 0;
}

Result<void> check_type(const Fd& fd, Type t, const std::string& path) {
  struct statfs sfs;
  if (::fstatfs(fd.get(), &sfs) < 0) return sys_error("statfs", path);
  if (sfs.f_type != NSFS_MAGIC) {
    return plain_error(EINVAL, path + " is not a namespace file (want a " + name(t) +
                                   " namespace)");
  }
  int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
  if (type < 0) return sys_error("ioctl NS_GET_NSTYPE", path);
  if (type != clone_flag(t)) {
    return plain_error(EINVAL, path + " is a namespace, but not a " + std::string(name(t)) +
                                   " namespace");
  }
  return {};
}

Result<Fd> open(const std::string& path, Type t) {
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDONLY));
  PODNS_CHECK(check_type(fd, t, path));
  return fd;
}

Result<NsId> id(const Fd& ns) {
  struct stat st;
  if (::fstat(ns.get(), &st) < 0) return sys_error("fstat", "namespace");
  return NsId{st.st_dev, st.st_ino};
}

Result<Fd> owning_userns(const Fd& ns) {
  int fd = ::ioctl(ns.get(), NS_GET_USERNS);
  if (fd < 0) return sys_error("ioctl NS_GET_USERNS");
  return Fd(fd);
}

Result<uid_t> owner_uid(const Fd& userns) {
  uid_t uid = 0;
  if (::ioctl(userns.get(), NS_GET_OWNER_UID, &uid) < 0) return sys_error("ioctl NS_GET_OWNER_UID");
  return uid;
}

Result<bool> is_initial_userns(const Fd& userns) {
  // NS_GET_PARENT fails with EPERM only for a namespace with no parent in
  // our scope: our own user namespace (or one above it, which we could not
  // have opened). Ours is the initial one when it maps every ID to itself,
  // as only the initial namespace's map does. (PID 1's /proc/1/ns/user is no
  // help: reading it needs ptrace access to PID 1, which a root without
  // every capability PID 1 has does not get.)
  int parent = ::ioctl(userns.get(), NS_GET_PARENT);
  if (parent >= 0) {
    ::close(parent);
    return false;
  }
  if (errno != EPERM) return sys_error("ioctl NS_GET_PARENT");
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, "/proc/self/uid_map", O_RDONLY));
  std::array<char, 128> buf;
  ssize_t n = ::read(fd.get(), buf.data(), buf.size());
  if (n < 0) return sys_error("read", "/proc/self/uid_map");
  auto map = parse_kernel_text(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  return map && *map == IdMap{{0, 0, 4294967295u}};
}

namespace {

// Far above the kernel's limit on an ID map's text (4095 bytes each).
constexpr std::size_t kMaxMapsText = 65536;

Result<Maps> parse_maps(const std::string& both, const std::string& what) {
  auto sep = both.find('\0');
  if (sep == std::string::npos) return errno_error(EIO, "read ID maps: short answer from", what);
  PODNS_TRY(uid, parse_kernel_text(std::string_view(both).substr(0, sep)));
  PODNS_TRY(gid, parse_kernel_text(std::string_view(both).substr(sep + 1)));
  return Maps{std::move(uid), std::move(gid)};
}

// In the child: copies a /proc/self file to `out`. Async-signal-safe.
bool copy_file(const char* path, int out) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::array<char, 4096> buf;
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    if (::write(out, buf.data(), static_cast<std::size_t>(n)) != n) return false;
  }
  ::close(fd);
  return n == 0;
}

}  // namespace

Result<Maps> read_maps(const Fd& userns) {
  // Our own namespace cannot be joined (setns gives EINVAL): read it directly.
  PODNS_TRY(self, open("/proc/self/ns/user", Type::user));
  PODNS_TRY(self_id, id(self));
  PODNS_TRY(target_id, id(userns));
  if (self_id == target_id) {
    PODNS_TRY(uid_fd, sys::open_at(AT_FDCWD, "/proc/self/uid_map", O_RDONLY));
    PODNS_TRY(uid, file::read_all(uid_fd, "/proc/self/uid_map", kMaxMapsText));
    PODNS_TRY(gid_fd, sys::open_at(AT_FDCWD, "/proc/self/gid_map", O_RDONLY));
    PODNS_TRY(gid, file::read_all(gid_fd, "/proc/self/gid_map", kMaxMapsText));
    return parse_maps(uid + '\0' + gid, "/proc/self");
  }

  std::array<int, 2> p{};
  if (::pipe2(p.data(), O_CLOEXEC) < 0) return sys_error("pipe2");
  Fd rd(p[0]);
  Fd wr(p[1]);
  PODNS_TRY(child, sys::clone3(0, SIGCHLD));
  if (child.pid == 0) {
    // Child: async-signal-safe only. Dies with the parent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    bool ok = ::setns(userns.get(), CLONE_NEWUSER) == 0 && copy_file("/proc/self/uid_map", wr.get()) &&
              ::write(wr.get(), "", 1) == 1 && copy_file("/proc/self/gid_map", wr.get());
    ::_exit(ok ? 0 : 1);
  }
  wr.reset();
  auto text = file::read_all(rd, "ID maps from child", kMaxMapsText);
  PODNS_TRY(status, sys::pidfd_wait(child.pidfd));
  if (!text) return std::unexpected(text.error());
  if (status != 0) return plain_error(EPERM, "read ID maps: could not join the user namespace");
  return parse_maps(*text, "user namespace");
}

}  // namespace podns::nsfs
