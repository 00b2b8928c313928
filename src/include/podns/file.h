// Files and directories as podns uses them: made, read whole, written
// atomically, listed. Every descriptor is owned (Fd) and O_CLOEXEC; every
// error names the operation and the path.
//
// A reader takes a size limit, so a huge or endless file (a FIFO, /dev/zero
// linked into a configuration directory) is refused instead of filling
// memory. A writer never leaves a half-written file under the final name.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podns/error.h"
#include "podns/fd.h"

namespace podns::file {

// mkdir -p: creates the missing components of `path` (absolute) with
// `mode` (less the umask). Existing directories are left as they are.
Result<void> make_dirs(const std::string& path, mode_t mode);

// open(path, flags | O_CLOEXEC), or nullopt if it does not exist (ENOENT).
// Any other failure is an error naming `path`.
Result<std::optional<Fd>> open_if_exists(const std::string& path, int flags);
// The same for `name` in the directory open as `dir`, whose path is
// `dir_path` (for errors).
Result<std::optional<Fd>> open_if_exists(const Fd& dir, const std::string& dir_path,
                                         const std::string& name, int flags);

// Reads `fd` to its end, retrying on EINTR; EFBIG, naming `path`, beyond
// `max` bytes.
Result<std::string> read_all(const Fd& fd, const std::string& path, std::size_t max);
// The contents of the regular file `path` of at most `max` bytes (EFBIG
// beyond; EINVAL if it is not a regular file, which is never opened for
// long: O_NONBLOCK, so a FIFO does not block).
Result<std::string> read_file(const std::string& path, std::size_t max);

// A new file in `dir` (named dir_path in errors) under a name nobody has:
// ".NAME.podns-" and 16 random hex digits, O_CREAT|O_EXCL, mode 0600.
struct TempFile {
  Fd fd;
  std::string name;  // in `dir`
};
Result<TempFile> create_temp(const Fd& dir, const std::string& dir_path, const std::string& name);

// Writes `data` to `path` atomically with mode `mode` (a temporary file
// beside it, renamed over it), and syncs the file and its directory. The
// directory must exist. With sync=false the file and the rename reach the
// page cache only: atomic for every reader and against a crash of this
// process, not against a power loss.
Result<void> write_atomic(const std::string& path, std::string_view data, mode_t mode,
                          bool sync = true);

struct DirEntry {
  std::string name;
  unsigned char type;  // DT_DIR, DT_REG, ... or DT_UNKNOWN (struct dirent's d_type)
};
// The entries of the directory open as `dir` (named `path` in errors), no
// "." or "..", unsorted. Consumes the descriptor.
Result<std::vector<DirEntry>> read_dir(Fd dir, const std::string& path);
// The names in directory `path` (followed if a symlink), unsorted. ENOENT
// when it does not exist.
Result<std::vector<std::string>> list_dir(const std::string& path);

}  // namespace podns::file
