#include "podns/error.h"

#include <gtest/gtest.h>

namespace podns {
namespace {

Result<int> inner() { return errno_error(ENOENT, "open", "/run/podns/x/net"); }
Result<int> outer() {
  PODNS_TRY_CTX(v, inner(), "pin network namespace");
  return v;
}

TEST(Error, CarriesErrnoOperationAndPath) {
  auto r = outer();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ENOENT);
  EXPECT_EQ(r.error().path(), "/run/podns/x/net");
  EXPECT_EQ(r.error().message(), "pin network namespace: open /run/podns/x/net: No such file or directory");
  EXPECT_FALSE(r.error().is_invalid_input());
}

TEST(Error, InvalidInputHasNoStrerror) {
  auto e = Error::invalid_input("sandbox ID is empty");
  EXPECT_TRUE(e.is_invalid_input());
  EXPECT_EQ(e.errno_value(), EINVAL);
  EXPECT_EQ(e.message(), "sandbox ID is empty");
}

TEST(Error, SysErrorReadsErrno) {
  errno = EPERM;
  auto e = sys_error("mount", "/x");
  EXPECT_EQ(e.error().errno_value(), EPERM);
  EXPECT_EQ(e.error().message(), "mount /x: Operation not permitted");
}

}  // namespace
}  // namespace podns
