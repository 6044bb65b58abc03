// Which split each trace goes to: decided per trace, never per event, from
// the categories alone, by the seeded generator (py_random.h), so the same
// seed gives the same split on any host and in a Python script.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ktel::dataset {

enum class Split { kTrain, kTestSeen, kTestUnseen };
std::string_view split_name(Split split);  // train, test_seen, test_unseen

struct SplitOptions {
  double train_ratio = 0.8;  // in (0, 1)
  uint64_t seed = 42;
  bool unseen_split = true;  // false: --no-unseen-split
};

struct SplitPlan {
  std::vector<Split> assignment;              // per trace, in the input order
  std::vector<std::string> categories;        // sorted, unique
  std::optional<std::string> unseen_category; // the one held out whole
  // True when no trace was left for test_seen: the caller then splits the
  // train traces' events (in output order) at floor(train_events * ratio),
  // which leaks (one trace ends up in both splits).
  bool needs_event_split = false;
};

// `categories[i]` is the category of trace i; traces of a category keep
// their input order before the shuffle. Draws, in this order: one
// choice over the sorted categories (only with >= 3 categories and
// unseen_split), then one shuffle per remaining category in sorted order; the
// first max(1, floor(n * ratio)) shuffled traces of a category are train.
SplitPlan plan_split(const std::vector<std::string>& categories, const SplitOptions& options);

// floor(events * ratio), as the event-level fallback cuts the train events.
uint64_t event_split_cut(uint64_t events, double ratio);

}  // namespace ktel::dataset
