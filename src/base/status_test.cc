#include "base/status.h"

#include <gtest/gtest.h>

namespace ktel {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return invalid_argument("odd");
  return x / 2;
}

Result<int> quarter(int x) {
  KTEL_ASSIGN_OR_RETURN(int h, half(x));
  KTEL_ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

Status check_even(int x) {
  KTEL_TRY(half(x));
  return Status::ok();
}

TEST(StatusTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd");
}

TEST(StatusTest, TryReturnsStatusOfResult) {
  EXPECT_TRUE(check_even(4).is_ok());
  EXPECT_EQ(check_even(3).code(), Code::kInvalidArgument);
}

TEST(StatusTest, ErrnoMapsToCodesAndKeepsErrno) {
  Status s = errno_status(ENOENT, "open /nope");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.sys_errno(), ENOENT);
  EXPECT_EQ(s.to_string(), "not_found: open /nope (No such file or directory)");
  EXPECT_EQ(errno_status(EACCES, "x").code(), Code::kPermissionDenied);
  EXPECT_EQ(errno_status(ENOSPC, "x").code(), Code::kResourceExhausted);
}

TEST(StatusTest, ResultFromOkStatusIsAnInternalError) {
  Result<int> r{Status::ok()};
  EXPECT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
}

TEST(StatusTest, WithContextPrefixes) {
  EXPECT_EQ(not_found("b").with_context("a").message(), "a: b");
  EXPECT_TRUE(Status::ok().with_context("a").is_ok());
}

}  // namespace
}  // namespace ktel
