#include "base/ulid.h"

#include <gtest/gtest.h>

#include <set>

namespace ktel {
namespace {

TEST(UlidTest, KnownEncoding) {
  const uint8_t zeros[10] = {};
  EXPECT_EQ(make_ulid(0, zeros), "00000000000000000000000000");
  const uint8_t ones[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  // Max 48-bit time and all-ones randomness: the largest ULID.
  EXPECT_EQ(make_ulid(0xFFFFFFFFFFFFull, ones), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  // 1 ms: the time field's lowest bit is bit 80, i.e. digit 9 (10th char) = 2^0 of bits 80..84.
  EXPECT_EQ(make_ulid(1, zeros), "00000000010000000000000000");
}

TEST(UlidTest, UniqueAndTimeOrdered) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(make_ulid());
  EXPECT_EQ(seen.size(), 1000u);
  const uint8_t r[10] = {};
  EXPECT_LT(make_ulid(1000, r), make_ulid(1001, r));
}

}  // namespace
}  // namespace ktel
