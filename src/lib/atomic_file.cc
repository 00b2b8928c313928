#include "podns/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podns/file.h"
#include "podns/rollback.h"
#include "podns/sys.h"

namespace podns::atomic_file {

Result<void> rewrite(const std::string& dir, const std::string& name, const Transform& transform) {
  const std::string path = dir + "/" + name;
  PODNS_TRY(dirfd, sys::open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY));

  int raw = ::openat(dirfd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0 && errno == ELOOP)
    return plain_error(ELOOP, path + " is a symbolic link: give the file it points to");
  if (raw < 0) return sys_error("open", path);
  Fd old(raw);
  struct stat st;
  if (::fstat(old.get(), &st) < 0) return sys_error("stat", path);
  if (!S_ISREG(st.st_mode)) return plain_error(EINVAL, path + " is not a regular file");
  PODNS_TRY(contents, file::read_all(old, path, kMaxSize));

  PODNS_TRY(replacement, transform(contents));

  PODNS_TRY(temp, file::create_temp(dirfd, dir, name));
  const std::string temp_path = dir + "/" + temp.name;
  Rollback rollback;
  rollback.add("remove " + temp_path, [&]() -> Result<void> {
    if (::unlinkat(dirfd.get(), temp.name.c_str(), 0) < 0) return sys_error("unlink", temp_path);
    return {};
  });

  // Owner before mode: chown clears the set-user-ID and set-group-ID bits.
  struct stat made;
  if (::fstat(temp.fd.get(), &made) < 0) return sys_error("stat", temp_path);
  if ((made.st_uid != st.st_uid || made.st_gid != st.st_gid) &&
      ::fchown(temp.fd.get(), st.st_uid, st.st_gid) < 0)
    return sys_error("chown", temp_path);
  if (::fchmod(temp.fd.get(), st.st_mode & 07777) < 0) return sys_error("chmod", temp_path);
  PODNS_CHECK(sys::write_all(temp.fd, replacement, temp_path));
  if (::fsync(temp.fd.get()) < 0) return sys_error("fsync", temp_path);
  if (::renameat(dirfd.get(), temp.name.c_str(), dirfd.get(), name.c_str()) < 0)
    return sys_error("rename " + temp_path + " to", path);
  rollback.dismiss();

  if (::fsync(dirfd.get()) < 0) {
    return std::unexpected(
        Error(errno, "replaced " + path + ", but it may not survive a crash: fsync", dir));
  }
  return {};
}

}  // namespace podns::atomic_file
