#include "podns/byte_lock.h"

#include <fcntl.h>

#include <cerrno>
#include <utility>

#include "podns/sys.h"

namespace podns::byte_lock {
namespace {

// Takes (or, with F_UNLCK, drops) the lock on one byte through `fd`.
int lock_op(int fd, off_t offset, short type, int cmd) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = offset;
  fl.l_len = 1;
  int rc = 0;
  while ((rc = ::fcntl(fd, cmd, &fl)) < 0 && errno == EINTR) {
  }
  return rc;
}

}  // namespace

Result<Held> Held::take(const Fd& file, off_t offset, Mode mode, const char* what,
                        const std::string& path) {
  short type = mode == Mode::shared ? F_RDLCK : F_WRLCK;
  if (lock_op(file.get(), offset, type, F_OFD_SETLKW) < 0) return sys_error(what, path);
  return Held(file.get(), offset);
}

Held::Held(Held&& o) noexcept : fd_(std::exchange(o.fd_, -1)), offset_(o.offset_) {}

Held::~Held() {
  if (fd_ >= 0) lock_op(fd_, offset_, F_UNLCK, F_OFD_SETLK);
}

Result<Fd> lock(const std::string& path, off_t offset, bool wait, const std::string& what) {
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600));
  if (lock_op(fd.get(), offset, F_WRLCK, wait ? F_OFD_SETLKW : F_OFD_SETLK) < 0) {
    if (errno == EAGAIN || errno == EACCES)
      return plain_error(EBUSY, what + " is busy: another podns operation holds it");
    return sys_error("lock " + what + " in", path);
  }
  return fd;
}

}  // namespace podns::byte_lock
