#include "podns/secure_path.h"

#include <sys/stat.h>

namespace podns {
namespace {

// Checks a directory on the way to `path` (named `what` in errors): a real
// directory, owned by root, writable by no one else unless sticky. False
// if it does not exist: the rest will be made by us.
Result<bool> check_component(const std::string& partial, const std::string& path,
                             const std::string& what) {
  struct stat st;
  if (::lstat(partial.c_str(), &st) < 0) {
    if (errno == ENOENT) return false;
    return sys_error("check " + what, partial);
  }
  auto refuse = [&](int err, const std::string& why) {
    return plain_error(err, what + " " + path + ": " + partial + " " + why);
  };
  if (S_ISLNK(st.st_mode)) return refuse(ELOOP, "is a symlink; give the real path");
  if (!S_ISDIR(st.st_mode)) return refuse(ENOTDIR, "is not a directory");
  if (st.st_uid != 0)
    return refuse(EPERM, "is owned by uid " + std::to_string(st.st_uid) + ", not root");
  bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  if (others_write && (st.st_mode & S_ISVTX) == 0)
    return refuse(EPERM, "is writable by group or others");
  return true;
}

}  // namespace

Result<void> check_path_syntax(const std::string& path, const std::string& what) {
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return invalid_argument(what + " holds a control character");
  }
  if (path.empty() || path[0] != '/')
    return invalid_argument(what + " \"" + path + "\" is not an absolute path");
  if (path.find("/../") != std::string::npos || path.ends_with("/..") ||
      path.find("/./") != std::string::npos || path.ends_with("/."))
    return invalid_argument(what + " \"" + path + "\" has . or .. components");
  return {};
}

Result<void> check_secure_path(const std::string& path, const std::string& what) {
  PODNS_CHECK(check_path_syntax(path, what));
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    std::size_t next = path.find('/', pos + 1);
    partial = next == std::string::npos ? path : path.substr(0, next);
    pos = next;
    if (partial.empty() || partial.back() == '/') {
      if (partial.size() > 1) continue;  // "//" in the path
    }
    PODNS_TRY(exists, check_component(partial, path, what));
    if (!exists) return {};
  }
  return {};
}

}  // namespace podns
