#include "analysis/dataset/split_plan.h"

#include <algorithm>
#include <cmath>

#include "analysis/dataset/py_random.h"

namespace ktel::dataset {

std::string_view split_name(Split split) {
  switch (split) {
    case Split::kTrain: return "train";
    case Split::kTestSeen: return "test_seen";
    case Split::kTestUnseen: return "test_unseen";
  }
  return "train";
}

SplitPlan plan_split(const std::vector<std::string>& categories, const SplitOptions& options) {
  SplitPlan plan;
  plan.assignment.assign(categories.size(), Split::kTestSeen);
  plan.categories = categories;
  std::sort(plan.categories.begin(), plan.categories.end());
  plan.categories.erase(std::unique(plan.categories.begin(), plan.categories.end()),
                        plan.categories.end());
  PyRandom rng(options.seed);
  if (options.unseen_split && plan.categories.size() >= 3) {
    plan.unseen_category = plan.categories[rng.choice_index(plan.categories.size())];
  }
  bool any_seen_test = false;
  for (const auto& category : plan.categories) {
    std::vector<size_t> members;
    for (size_t i = 0; i < categories.size(); ++i) {
      if (categories[i] == category) members.push_back(i);
    }
    if (plan.unseen_category == category) {
      for (size_t i : members) plan.assignment[i] = Split::kTestUnseen;
      continue;
    }
    rng.shuffle(members);
    // The same double arithmetic as Python's int(n * ratio).
    auto n_train = static_cast<size_t>(std::floor(static_cast<double>(members.size()) *
                                                  options.train_ratio));
    n_train = std::max<size_t>(1, n_train);
    for (size_t k = 0; k < members.size(); ++k) {
      plan.assignment[members[k]] = k < n_train ? Split::kTrain : Split::kTestSeen;
      any_seen_test = any_seen_test || k >= n_train;
    }
  }
  plan.needs_event_split = !any_seen_test && !categories.empty();
  return plan;
}

uint64_t event_split_cut(uint64_t events, double ratio) {
  return static_cast<uint64_t>(std::floor(static_cast<double>(events) * ratio));
}

}  // namespace ktel::dataset
