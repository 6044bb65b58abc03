// One perf_samples row (tables::perf_samples()) as a struct, and the batch
// writer shared by the live perf source and `ktel import perf-stat`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/clock.h"
#include "model/schema.h"
#include "sources/perf/counter_plan.h"
#include "sources/perf/perf_math.h"

namespace ktel::perf {

inline constexpr int kCycles = 0;
inline constexpr int kInstructions = 1;
inline constexpr int kCacheReferences = 2;
inline constexpr int kCacheMisses = 3;

struct PerfSampleRow {
  Stamp t;                     // end of the interval (when it was read)
  std::optional<int64_t> pid;  // NULL for imported rows: perf stat does not say
  int64_t interval_start_mono_ns = 0;
  int64_t interval_ns = 0;
  std::array<CounterCell, kCounterCount> counters;
  std::optional<int64_t> time_enabled_ns;  // of the first open hardware group
  std::optional<int64_t> time_running_ns;

  // Counters with a value in this row.
  int populated() const;
};

// instructions / cycles when both have values and cycles > 0.
std::optional<double> ipc(const PerfSampleRow& row);
// cache_misses / cache_references when both have values and references > 0.
std::optional<double> cache_miss_rate(const PerfSampleRow& row);

// Appends `row` to a batch of tables::perf_samples() width, with
// available_in_deployment = 1.
void append_perf_sample(const PerfSampleRow& row, std::string_view source, Batch& batch);

}  // namespace ktel::perf
