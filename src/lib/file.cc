#include "podns/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <ranges>

#include "podns/sys.h"

namespace podns::file {
namespace {

Error too_large(const std::string& path, std::size_t max) {
  return plain_error(EFBIG, path + " is larger than " + std::to_string(max) + " bytes").error();
}

// ".NAME.podns-XXXXXXXXXXXXXXXX": hidden, and named after what it replaces.
Result<std::string> temp_name(const std::string& name) {
  std::uint64_t r = 0;
  if (::getrandom(&r, sizeof r, 0) != sizeof r) return sys_error("getrandom");
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex(16, '0');
  for (auto& digit : std::views::reverse(hex)) {
    digit = kHex[r & 15];
    r >>= 4;
  }
  return "." + name + ".podns-" + hex;
}

}  // namespace

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

namespace {

Result<std::optional<Fd>> open_at_if_exists(int dirfd, const char* name, int flags,
                                            const std::function<std::string()>& path) {
  int raw = ::openat(dirfd, name, flags | O_CLOEXEC);
  if (raw >= 0) return std::optional<Fd>(Fd(raw));
  if (errno == ENOENT) return std::optional<Fd>();
  return sys_error("open", path());
}

}  // namespace

Result<std::optional<Fd>> open_if_exists(const std::string& path, int flags) {
  return open_at_if_exists(AT_FDCWD, path.c_str(), flags, [&] { return path; });
}

Result<std::optional<Fd>> open_if_exists(const Fd& dir, const std::string& dir_path,
                                         const std::string& name, int flags) {
  return open_at_if_exists(dir.get(), name.c_str(), flags, [&] { return dir_path + "/" + name; });
}

Result<std::string> read_all(const Fd& fd, const std::string& path, std::size_t max) {
  std::string out;
  std::array<char, 16384> buf{};
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read", path);
    }
    if (n == 0) return out;
    // Checked as it comes: the file may grow while it is read.
    if (out.size() + static_cast<std::size_t>(n) > max) return std::unexpected(too_large(path, max));
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
}

Result<std::string> read_file(const std::string& path, std::size_t max) {
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDONLY | O_NONBLOCK));
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return sys_error("stat", path);
  if (!S_ISREG(st.st_mode)) return plain_error(EINVAL, path + " is not a regular file");
  if (static_cast<std::size_t>(st.st_size) > max) return std::unexpected(too_large(path, max));
  return read_all(fd, path, max);
}

Result<TempFile> create_temp(const Fd& dir, const std::string& dir_path, const std::string& name) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    PODNS_TRY(tmp, temp_name(name));
    int fd = ::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600);
    if (fd >= 0) return TempFile{Fd(fd), tmp};
    if (errno != EEXIST) return sys_error("create", dir_path + "/" + tmp);
  }
  return plain_error(EEXIST,
                     "create a temporary file in " + dir_path + ": every name tried exists");
}

Result<void> write_atomic(const std::string& path, std::string_view data, mode_t mode, bool sync) {
  auto slash = path.rfind('/');
  std::string dir_path = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  PODNS_TRY(dir, sys::open_at(AT_FDCWD, dir_path, O_RDONLY | O_DIRECTORY));
  PODNS_TRY(tmp, create_temp(dir, dir_path, name));
  std::string tmp_path = dir_path + "/" + tmp.name;
  auto fail = [&](Error e) {
    ::unlinkat(dir.get(), tmp.name.c_str(), 0);
    return std::unexpected(std::move(e));
  };
  if (::fchmod(tmp.fd.get(), mode) < 0) return fail(sys_error("chmod", tmp_path).error());
  if (auto w = sys::write_all(tmp.fd, data, tmp_path); !w) return fail(w.error());
  if (sync && ::fsync(tmp.fd.get()) < 0) return fail(sys_error("fsync", tmp_path).error());
  tmp.fd.reset();
  if (::renameat(dir.get(), tmp.name.c_str(), dir.get(), name.c_str()) < 0)
    return fail(sys_error("rename " + tmp_path + " to", path).error());
  // The rename is durable only once the directory is synced.
  if (sync && ::fsync(dir.get()) < 0) return sys_error("fsync", dir_path);
  return {};
}

Result<std::vector<DirEntry>> read_dir(Fd dir, const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(dir.get()), ::closedir);
  if (!d) return sys_error("opendir", path);
  (void)dir.release();  // closedir closes it now
  std::vector<DirEntry> out;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      if (errno != 0) return sys_error("readdir", path);
      return out;
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    out.push_back({e->d_name, e->d_type});
  }
}

Result<std::vector<std::string>> list_dir(const std::string& path) {
  PODNS_TRY(fd, sys::open_at(AT_FDCWD, path, O_RDONLY | O_DIRECTORY));
  PODNS_TRY(entries, read_dir(std::move(fd), path));
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (auto& e : entries) names.push_back(std::move(e.name));
  return names;
}

}  // namespace podns::file
