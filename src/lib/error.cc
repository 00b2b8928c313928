#include "podns/error.h"

#include <system_error>

namespace podns {

Error& Error::context(std::string_view outer) & {
  if (!outer.empty()) op_ = std::string(outer) + ": " + op_;
  return *this;
}

Error Error::invalid_input(std::string what) {
  Error e = plain(EINVAL, std::move(what));
  e.invalid_input_ = true;
  return e;
}

Error Error::plain(int err, std::string what) {
  Error e(err, std::move(what));
  e.plain_ = true;
  return e;
}

std::string Error::message() const {
  std::string m = op_;
  if (!path_.empty()) m += " " + path_;
  // strerror's text, without strerror (which is not thread-safe).
  if (errno_ != 0 && !plain_) m += ": " + std::generic_category().message(errno_);
  return m;
}

std::unexpected<Error> sys_error(std::string op, std::string path) {
  return std::unexpected(Error(errno, std::move(op), std::move(path)));
}

std::unexpected<Error> errno_error(int err, std::string op, std::string path) {
  return std::unexpected(Error(err, std::move(op), std::move(path)));
}

std::unexpected<Error> invalid_argument(std::string what) {
  return std::unexpected(Error::invalid_input(std::move(what)));
}

}  // namespace podns

namespace podns {
std::unexpected<Error> plain_error(int err, std::string what) {
  return std::unexpected(Error::plain(err, std::move(what)));
}
}  // namespace podns
