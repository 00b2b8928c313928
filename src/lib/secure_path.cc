#include "podns/secure_path.h"

#include <sys/stat.h>

namespace podns {

Result<void> check_secure_path(const std::string& path, const std::string& what) {
  if (path.empty() || path[0] != '/')
    return invalid_argument(what + " \"" + path + "\" is not an absolute path");
  if (path.find("/../") != std::string::npos || path.ends_with("/..") ||
      path.find("/./") != std::string::npos || path.ends_with("/."))
    return invalid_argument(what + " \"" + path + "\" has . or .. components");
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    std::size_t next = path.find('/', pos + 1);
    partial = next == std::string::npos ? path : path.substr(0, next);
    pos = next;
    if (partial.empty() || partial.back() == '/') {
      if (partial.size() > 1) continue;  // "//" in the path
    }
    struct stat st;
    if (::lstat(partial.c_str(), &st) < 0) {
      if (errno == ENOENT) return {};  // the rest will be made by us
      return sys_error("check " + what, partial);
    }
    if (S_ISLNK(st.st_mode))
      return plain_error(ELOOP, what + " " + path + ": " + partial +
                                    " is a symlink; give the real path");
    if (!S_ISDIR(st.st_mode))
      return plain_error(ENOTDIR, what + " " + path + ": " + partial + " is not a directory");
    if (st.st_uid != 0)
      return plain_error(EPERM, what + " " + path + ": " + partial + " is owned by uid " +
                                    std::to_string(st.st_uid) + ", not root");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
      return plain_error(EPERM, what + " " + path + ": " + partial +
                                    " is writable by group or others");
  }
  return {};
}

}  // namespace podns
