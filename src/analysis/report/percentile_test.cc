#include "analysis/report/percentile.h"

#include <gtest/gtest.h>

namespace ktel::report {
namespace {

TEST(PercentileTest, NearestRankPicksAnObservedValue) {
  std::vector<int64_t> v = {10, 20, 30, 40};
  EXPECT_EQ(percentile_sorted(v, 50), 20);  // rank ceil(2.0) = 2
  EXPECT_EQ(percentile_sorted(v, 90), 40);  // rank ceil(3.6) = 4
  EXPECT_EQ(percentile_sorted(v, 25), 10);
  EXPECT_EQ(percentile_sorted(v, 26), 20);
  EXPECT_EQ(percentile_sorted(v, 100), 40);
}

TEST(PercentileTest, SmallAndLargeCounts) {
  EXPECT_EQ(percentile_sorted({7}, 50), 7);
  EXPECT_EQ(percentile_sorted({7}, 99), 7);
  EXPECT_FALSE(percentile_sorted({}, 50).has_value());
  std::vector<int64_t> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_EQ(percentile_sorted(hundred, 50), 50);
  EXPECT_EQ(percentile_sorted(hundred, 90), 90);
  EXPECT_EQ(percentile_sorted(hundred, 99), 99);
  hundred.push_back(101);
  EXPECT_EQ(percentile_sorted(hundred, 99), 100);  // rank ceil(99.99) = 100
  EXPECT_EQ(nearest_rank(10'000'000'000ULL, 99), 9'900'000'000ULL);
}

}  // namespace
}  // namespace ktel::report
