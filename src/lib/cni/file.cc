#include "podns/cni/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <memory>

#include "podns/fd.h"
#include "podns/sys.h"

namespace podns::cni {
namespace {

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::size_t max) {
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDONLY | O_NONBLOCK));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return sys_error("stat", path);
  if (!S_ISREG(st.st_mode)) return plain_error(EINVAL, path + " is not a regular file");
  if (static_cast<std::size_t>(st.st_size) > max)
    return plain_error(EFBIG, path + " is larger than " + std::to_string(max) + " bytes");
  std::string out;
  std::array<char, 16384> buf;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read", path);
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<std::size_t>(n));
    // The file may grow while it is read.
    if (out.size() > max)
      return plain_error(EFBIG, path + " is larger than " + std::to_string(max) + " bytes");
  }
  return out;
}

Result<void> write_file_atomic(const std::string& path, std::string_view data, mode_t mode,
                               bool sync) {
  std::string dir = parent_dir(path);
  std::string name = path.substr(path.rfind('/') + 1);
  // Dot-prefixed, so that readers of the directory can tell it from real entries.
  std::string tmp = dir + "/." + name + ".tmp.XXXXXX";
  int raw = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (raw < 0) return sys_error("create temporary file", tmp);
  Fd fd(raw);
  auto fail = [&](Error e) {
    ::unlink(tmp.c_str());
    return std::unexpected(std::move(e));
  };
  if (::fchmod(fd.get(), mode) < 0) return fail(sys_error("chmod", tmp).error());
  if (auto w = sys::write_all(fd, data, tmp); !w) return fail(w.error());
  if (sync && ::fsync(fd.get()) < 0) return fail(sys_error("fsync", tmp).error());
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) < 0)
    return fail(sys_error("rename " + tmp + " to", path).error());
  if (!sync) return {};
  // The rename is durable only once the directory is synced.
  PODNS_TRY(dfd, sys::open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(dfd.get()) < 0) return sys_error("fsync", dir);
  return {};
}

Result<void> make_dirs(const std::string& path, mode_t mode) {
  if (path.empty() || path[0] != '/')
    return invalid_argument("directory \"" + path + "\" is not an absolute path");
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string partial = path.substr(0, pos);
    if (partial.empty() || partial.back() == '/') continue;
    if (::mkdir(partial.c_str(), mode) < 0 && errno != EEXIST) return sys_error("mkdir", partial);
  }
  return {};
}

Result<std::vector<std::string>> list_dir(const std::string& dir) {
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY));
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(fd.get()), ::closedir);
  if (!d) return sys_error("opendir", dir);
  fd.release();  // closedir closes it now
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d.get());
    if (!e) {
      if (errno != 0) return sys_error("readdir", dir);
      break;
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  return names;
}

}  // namespace podns::cni
