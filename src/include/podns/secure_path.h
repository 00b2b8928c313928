// Refusing directories that someone other than root could redirect.
//
// podns mounts and unmounts below its pin root and writes its state below
// its state directory, as root. If any component of those paths were a
// symlink, or a directory that another user could rename entries in, that
// user could point podns at a place of their choosing. Each component must
// be a real directory owned by root and not writable by group or others,
// unless it has the sticky bit (like /tmp), where only an entry's owner may
// rename it.
#pragma once

#include <string>

#include "podns/error.h"

namespace podns {

// The checks of `path` that need no filesystem: absolute, no "." or ".."
// component, no control character. Invalid input otherwise.
Result<void> check_path_syntax(const std::string& path, const std::string& what);

// check_path_syntax, then every existing component of the absolute path `path` (what does not
// exist yet is created by podns itself, as root, with safe modes).
Result<void> check_secure_path(const std::string& path, const std::string& what);

}  // namespace podns
