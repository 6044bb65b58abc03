#include "analysis/dataset/split_plan.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace ktel::dataset {
namespace {

std::vector<std::string> traces(std::map<std::string, int> per_category) {
  std::vector<std::string> out;
  for (const auto& [c, n] : per_category) {
    for (int i = 0; i < n; ++i) out.push_back(c);
  }
  return out;
}

std::map<std::string, std::map<Split, int>> tally(const std::vector<std::string>& cats,
                                                  const SplitPlan& plan) {
  std::map<std::string, std::map<Split, int>> t;
  for (size_t i = 0; i < cats.size(); ++i) ++t[cats[i]][plan.assignment[i]];
  return t;
}

TEST(SplitPlan, ThreeCategoriesHoldOneOutWholeAndSplitTheRestByRatio) {
  auto cats = traces({{"a", 5}, {"b", 3}, {"c", 4}});
  SplitPlan plan = plan_split(cats, {.train_ratio = 0.8, .seed = 42, .unseen_split = true});
  ASSERT_TRUE(plan.unseen_category);
  EXPECT_EQ(plan.categories, (std::vector<std::string>{"a", "b", "c"}));
  auto t = tally(cats, plan);
  std::map<std::string, int> size = {{"a", 5}, {"b", 3}, {"c", 4}};
  for (const auto& c : plan.categories) {
    if (c == *plan.unseen_category) {
      EXPECT_EQ(t[c][Split::kTestUnseen], size[c]) << c;
      continue;
    }
    int want_train = std::max(1, static_cast<int>(size[c] * 0.8));
    EXPECT_EQ(t[c][Split::kTrain], want_train) << c;
    EXPECT_EQ(t[c][Split::kTestSeen], size[c] - want_train) << c;
    EXPECT_EQ(t[c][Split::kTestUnseen], 0) << c;
  }
  EXPECT_FALSE(plan.needs_event_split);
}

TEST(SplitPlan, FewerThanThreeCategoriesHaveNoUnseenSplit) {
  auto cats = traces({{"a", 4}, {"b", 4}});
  SplitPlan plan = plan_split(cats, {.train_ratio = 0.5, .seed = 1, .unseen_split = true});
  EXPECT_FALSE(plan.unseen_category);
  auto t = tally(cats, plan);
  EXPECT_EQ(t["a"][Split::kTrain], 2);
  EXPECT_EQ(t["b"][Split::kTestSeen], 2);
}

TEST(SplitPlan, NoUnseenSplitFlagKeepsEveryCategorySeen) {
  auto cats = traces({{"a", 2}, {"b", 2}, {"c", 2}});
  SplitPlan plan = plan_split(cats, {.train_ratio = 0.5, .seed = 42, .unseen_split = false});
  EXPECT_FALSE(plan.unseen_category);
  for (const auto& [c, counts] : tally(cats, plan)) {
    EXPECT_EQ(counts.at(Split::kTrain), 1) << c;
    EXPECT_EQ(counts.at(Split::kTestSeen), 1) << c;
  }
}

TEST(SplitPlan, OneTracePerCategoryNeedsTheFlaggedEventSplit) {
  auto cats = traces({{"a", 1}, {"b", 1}});
  SplitPlan plan = plan_split(cats, {});
  EXPECT_TRUE(plan.needs_event_split);
  for (Split s : plan.assignment) EXPECT_EQ(s, Split::kTrain);
  EXPECT_EQ(event_split_cut(10, 0.8), 8u);
  EXPECT_EQ(event_split_cut(7, 0.8), 5u);
}

TEST(SplitPlan, SameSeedSameSplitAndSeedsDiffer) {
  auto cats = traces({{"a", 10}, {"b", 10}, {"c", 10}, {"d", 10}});
  SplitPlan one = plan_split(cats, {.seed = 3});
  SplitPlan two = plan_split(cats, {.seed = 3});
  EXPECT_EQ(one.assignment, two.assignment);
  EXPECT_EQ(one.unseen_category, two.unseen_category);
  std::set<std::vector<Split>> seen;
  for (uint64_t seed = 0; seed < 20; ++seed) seen.insert(plan_split(cats, {.seed = seed}).assignment);
  EXPECT_GT(seen.size(), 10u);  // the seed matters
}

}  // namespace
}  // namespace ktel::dataset
