// Small files read and written whole: configuration files, cache files.
//
// A reader takes a size limit, so a huge or endless file (a FIFO, /dev/zero
// linked into the configuration directory) is refused instead of filling
// memory. A writer never leaves a half-written file under the final name:
// it writes a temporary file in the same directory, syncs it, and renames it
// over the target.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "podns/error.h"

namespace podns::cni {

// The contents of a regular file of at most `max` bytes (EFBIG beyond).
Result<std::string> read_file(const std::string& path, std::size_t max);

// Writes `data` to `path` atomically with mode `mode`, and syncs the file and
// its directory. The directory must exist.
// With sync=false the file and the rename reach the page cache only: atomic
// for every reader and against a crash of this process, not a power loss.
Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode,
                               bool sync = true);

// mkdir -p: creates the missing components of `path` (absolute) with `mode`.
// Existing directories are left as they are.
Result<void> make_dirs(const std::string& path, mode_t mode);

// The names in directory `dir` (no "." or ".."), unsorted. ENOENT when the
// directory does not exist.
Result<std::vector<std::string>> list_dir(const std::string& dir);

}  // namespace podns::cni
