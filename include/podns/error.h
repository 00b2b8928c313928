// Errors that say what failed: errno, the operation and the path or argument.
//
// Every fallible function in libpodns returns Result<T>. An Error is built at
// the syscall that failed (sys_error) or where input was judged bad
// (invalid_argument), and each layer above may prefix its own context
// (Error::context), so a message reads from the outermost step inwards:
//   "create sandbox web-1: pin netns: mount /proc/4242/ns/net on /run/podns/web-1/net: ..."
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <string_view>

#include "podns/export.h"

namespace podns {

class PODNS_PUBLIC Error {
 public:
  Error(int err, std::string op, std::string path = {})
      : errno_(err), op_(std::move(op)), path_(std::move(path)) {}

  // An error in what the caller asked for (a bad ID, a malformed map), as
  // opposed to a failure of the system: errno is EINVAL, and the message
  // carries no strerror text. The CLI exits 2 for these.
  static Error invalid_input(std::string what);
  bool is_invalid_input() const { return invalid_input_; }
  // An error whose text says it all ("no sandbox web-1"): errno is kept
  // for callers, but the message carries no strerror text.
  static Error plain(int err, std::string what);

  int errno_value() const { return errno_; }
  const std::string& op() const { return op_; }
  const std::string& path() const { return path_; }

  // Adds an outer step: "outer: inner ...". Returns *this for chaining.
  Error& context(std::string_view outer) &;
  Error context(std::string_view outer) && { return std::move(context(outer)); }

  // "op path: strerror(errno)"; the strerror part is left out when errno is 0
  // or the error is plain (invalid input among them).
  std::string message() const;

 private:
  int errno_;
  std::string op_;
  std::string path_;
  bool invalid_input_ = false;
  bool plain_ = false;
};

template <class T>
using Result = std::expected<T, Error>;

// The error for a syscall that just failed: reads errno.
PODNS_PUBLIC std::unexpected<Error> sys_error(std::string op, std::string path = {});
// The error for a syscall that returned -err (the io_uring/pidfd style) or a saved errno.
PODNS_PUBLIC std::unexpected<Error> errno_error(int err, std::string op, std::string path = {});
// Bad input: Error::invalid_input(what).
PODNS_PUBLIC std::unexpected<Error> invalid_argument(std::string what);
// Error::plain as an unexpected.
PODNS_PUBLIC std::unexpected<Error> plain_error(int err, std::string what);

}  // namespace podns

// Propagates an error from an expression returning Result<T>, adding context.
//   PODNS_TRY(fd, open_dir(path), "open pin root");
#define PODNS_TRY_CTX(var, expr, ctx)                            \
  auto var##_result_ = (expr);                                   \
  if (!var##_result_) return std::unexpected(std::move(var##_result_.error()).context(ctx)); \
  auto var = std::move(*var##_result_)  // NOLINT(bugprone-macro-parentheses): declares var

#define PODNS_CHECK_CTX(expr, ctx)                                                  \
  do {                                                                              \
    if (auto r_ = (expr); !r_) return std::unexpected(std::move(r_.error()).context(ctx)); \
  } while (0)

#define PODNS_CHECK(expr)                                          \
  do {                                                             \
    if (auto r_ = (expr); !r_) return std::unexpected(std::move(r_.error())); \
  } while (0)

#define PODNS_TRY(var, expr)                                       \
  auto var##_result_ = (expr);                                     \
  if (!var##_result_) return std::unexpected(std::move(var##_result_.error())); \
  auto var = std::move(*var##_result_)  // NOLINT(bugprone-macro-parentheses): declares var
