#include "base/strings.h"

#include <gtest/gtest.h>

namespace ktel {
namespace {

TEST(StringsTest, ParsesDurations) {
  EXPECT_EQ(*parse_duration_ns("100ms"), 100'000'000);
  EXPECT_EQ(*parse_duration_ns("30s"), 30'000'000'000);
  EXPECT_EQ(*parse_duration_ns("2"), 2'000'000'000);
  EXPECT_EQ(*parse_duration_ns("1.5m"), 90'000'000'000);
  EXPECT_EQ(*parse_duration_ns("250us"), 250'000);
  EXPECT_FALSE(parse_duration_ns("ten").is_ok());
  EXPECT_FALSE(parse_duration_ns("5 parsecs").is_ok());
  EXPECT_FALSE(parse_duration_ns("").is_ok());
}

TEST(StringsTest, ParsesSizes) {
  EXPECT_EQ(*parse_size_bytes("4096"), 4096u);
  EXPECT_EQ(*parse_size_bytes("64K"), 65536u);
  EXPECT_EQ(*parse_size_bytes("8MiB"), 8u << 20);
  EXPECT_FALSE(parse_size_bytes("8X").is_ok());
}

TEST(StringsTest, StrictIntegers) {
  EXPECT_EQ(parse_int64("-12"), -12);
  EXPECT_FALSE(parse_int64("12x").has_value());
  EXPECT_FALSE(parse_int64("").has_value());
  EXPECT_FALSE(parse_uint64("99999999999999999999999").has_value());
}

TEST(StringsTest, SplitKeepsEmptyFields) {
  auto parts = split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(trim("  x y \n"), "x y");
}

}  // namespace
}  // namespace ktel
