// Rewriting a file all at once: a reader sees the old contents or the new,
// never a part of either, and after a crash the file holds one of them.
//
// The new contents go to a file beside the old one, created with O_EXCL
// under a random name in the same directory; it gets the old file's mode and
// owner, is fsynced, renamed over the old name, and the directory is fsynced.
// Until the rename, every error removes the new file and leaves the old one
// untouched.
#pragma once

#include <functional>
#include <string>

#include "podns/error.h"
#include "podns/fd.h"

namespace podns::atomic_file {

// What the file may hold for us to read it whole: far above any OCI config.
inline constexpr std::size_t kMaxSize = 64u << 20;

// Computes the new contents from the old.
using Transform = std::function<Result<std::string>(const std::string& old)>;

// Replaces the regular file DIR/NAME with transform(its contents). A symlink
// at DIR/NAME is refused (renaming over it would replace the link, not its
// target). A transform error is returned as it is, with nothing written.
// If only the final fsync of DIR fails, the new contents are in place but
// may not survive a crash; that is reported as an error too.
Result<void> rewrite(const std::string& dir, const std::string& name, const Transform& transform);

}  // namespace podns::atomic_file
