// Locks on single bytes of one file: open file description locks (fcntl
// F_OFD_SETLK and F_OFD_SETLKW, Linux 3.15). One file holds any number of
// locks, one byte each, so nothing per locked thing is left to clean up;
// the kernel drops a lock when the last descriptor of its open file
// description closes, so a process that dies holds none.
#pragma once

#include <sys/types.h>

#include <string>

#include "podns/error.h"
#include "podns/fd.h"

namespace podns::byte_lock {

enum class Mode { shared, exclusive };

// A lock on one byte, taken (waiting) through a descriptor its owner keeps
// open, and dropped when this goes out of scope.
class Held {
 public:
  // `what` says what the lock is for and `path` names the file, in an error.
  static Result<Held> take(const Fd& file, off_t offset, Mode mode, const char* what,
                           const std::string& path);

  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;
  Held& operator=(Held&&) = delete;
  Held(Held&& o) noexcept;
  ~Held();

 private:
  Held(int fd, off_t offset) : fd_(fd), offset_(offset) {}
  int fd_;
  off_t offset_;
};

// Opens PATH (created 0600 if absent) and locks byte `offset` of it
// exclusively; the lock is held while the returned Fd lives. With
// wait=false a held lock gives EBUSY at once, naming `what`.
Result<Fd> lock(const std::string& path, off_t offset, bool wait, const std::string& what);

}  // namespace podns::byte_lock
