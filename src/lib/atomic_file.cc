#include "podns/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <ranges>
#include <string_view>

#include "podns/rollback.h"
#include "podns/sys.h"

namespace podns::atomic_file {
namespace {

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

struct Temp {
  Fd fd;
  std::string name;
};

// A new file in `dir` under a name nobody has: O_CREAT|O_EXCL, 0600 until
// it is given the old file's mode.
Result<Temp> create_temp(const Fd& dir, const std::string& dir_path, const std::string& name) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    PODNS_TRY(tmp, temp_name(name));
    int fd = ::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600);
    if (fd >= 0) return Temp{Fd(fd), tmp};
    if (errno != EEXIST) return sys_error("create", dir_path + "/" + tmp);
  }
  return plain_error(EEXIST,
                     "create a temporary file in " + dir_path + ": every name tried exists");
}

}  // namespace

Result<std::string> read_all(const Fd& fd, const std::string& path_for_errors) {
  std::string out;
  std::array<char, 65536> buf;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read", path_for_errors);
    }
    if (n == 0) return out;
    if (out.size() + static_cast<std::size_t>(n) > kMaxSize) {
      return plain_error(EFBIG, "read " + path_for_errors + ": larger than " +
                                    std::to_string(kMaxSize >> 20) + " MiB");
    }
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
}

Result<void> rewrite(const std::string& dir, const std::string& name, const Transform& transform) {
  const std::string path = dir + "/" + name;
  PODNS_TRY(dirfd, sys::open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY));

  int raw = ::openat(dirfd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0 && errno == ELOOP)
    return plain_error(ELOOP, path + " is a symbolic link: give the file it points to");
  if (raw < 0) return sys_error("open", path);
  Fd old(raw);
  struct stat st;
  if (::fstat(old.get(), &st) < 0) return sys_error("stat", path);
  if (!S_ISREG(st.st_mode)) return plain_error(EINVAL, path + " is not a regular file");
  PODNS_TRY(contents, read_all(old, path));

  PODNS_TRY(replacement, transform(contents));

  PODNS_TRY(temp, create_temp(dirfd, dir, name));
  const std::string temp_path = dir + "/" + temp.name;
  Rollback rollback;
  rollback.add("remove " + temp_path, [&]() -> Result<void> {
    if (::unlinkat(dirfd.get(), temp.name.c_str(), 0) < 0) return sys_error("unlink", temp_path);
    return {};
  });

  // Owner before mode: chown clears the set-user-ID and set-group-ID bits.
  struct stat made;
  if (::fstat(temp.fd.get(), &made) < 0) return sys_error("stat", temp_path);
  if ((made.st_uid != st.st_uid || made.st_gid != st.st_gid) &&
      ::fchown(temp.fd.get(), st.st_uid, st.st_gid) < 0)
    return sys_error("chown", temp_path);
  if (::fchmod(temp.fd.get(), st.st_mode & 07777) < 0) return sys_error("chmod", temp_path);
  PODNS_CHECK(sys::write_all(temp.fd, replacement, temp_path));
  if (::fsync(temp.fd.get()) < 0) return sys_error("fsync", temp_path);
  if (::renameat(dirfd.get(), temp.name.c_str(), dirfd.get(), name.c_str()) < 0)
    return sys_error("rename " + temp_path + " to", path);
  rollback.dismiss();

  if (::fsync(dirfd.get()) < 0) {
    return std::unexpected(
        Error(errno, "replaced " + path + ", but it may not survive a crash: fsync", dir));
  }
  return {};
}

}  // namespace podns::atomic_file
