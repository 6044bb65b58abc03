// `ktel dataset eval DIR`: next-task accuracy of trivial predictors fitted on
// train.csv, on test_seen.csv and test_unseen.csv — the floor a model must
// beat (docs/formats/dataset-eval.md).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "base/status.h"

namespace ktel::dataset {

// Predictors, in report order.
inline constexpr int kPredictorCount = 4;
inline constexpr const char* kPredictorNames[kPredictorCount] = {"most_frequent", "same_cpu_previous",
                                                                 "markov1", "markov2"};
// Targets: the task switched in, by name and by pid.
inline constexpr int kTargetCount = 2;
inline constexpr const char* kTargetNames[kTargetCount] = {"task_name", "pid"};

struct Accuracy {
  uint64_t events = 0;  // predicted events (every event but the first of its trace)
  std::array<std::array<uint64_t, kPredictorCount>, kTargetCount> correct{};
  double rate(int target, int predictor) const {
    return events == 0 ? 0 : static_cast<double>(correct[target][predictor]) / events;
  }
};

struct SplitEval {
  Accuracy overall;
  std::map<std::string, Accuracy> by_workload;
  uint64_t traces = 0;  // their first events are not predicted
};

struct EvalResult {
  uint64_t train_events = 0;
  SplitEval test_seen;
  SplitEval test_unseen;
};

Result<EvalResult> evaluate_trivial_predictors(const std::string& dataset_dir);

// The result as an aligned table or as JSON.
std::string format_eval_table(const EvalResult& r);
std::string format_eval_json(const EvalResult& r);

}  // namespace ktel::dataset
