// Pure arithmetic of perf counting: decoding read(2) payloads of
// read_format TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING[|GROUP], per-interval deltas
// and multiplexing scaling (raw * enabled / running). No kernel access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/status.h"

namespace ktel::perf {

// Cumulative values of one counter as the kernel reports them.
struct CounterReading {
  uint64_t value = 0;
  uint64_t enabled_ns = 0;  // TOTAL_TIME_ENABLED
  uint64_t running_ns = 0;  // TOTAL_TIME_RUNNING (< enabled when multiplexed)
};

// {value, enabled, running}: a read of a counter opened without PERF_FORMAT_GROUP.
Result<CounterReading> decode_single_read(std::span<const uint64_t> words);
// {nr, enabled, running, value[nr]}: a read of a group leader opened with
// PERF_FORMAT_GROUP. Every member shares the group's enabled/running times.
// `expected_members` guards against a group that changed under us.
Result<std::vector<CounterReading>> decode_group_read(std::span<const uint64_t> words,
                                                      size_t expected_members);

// Change of one counter over an interval, already scaled.
struct CounterDelta {
  uint64_t raw = 0;
  double scaled = 0;  // raw * enabled/running; 0 when running is 0
  uint64_t enabled_ns = 0;
  uint64_t running_ns = 0;
  // True when the counter was on the PMU for some of the interval; a counter
  // with running_ns == 0 measured nothing and its value must not be reported.
  bool counted() const { return running_ns > 0; }
};

// Delta between two cumulative readings of the same fd. Values never go
// backwards for a live fd; if one does (a kernel bug) the delta is 0, not a
// huge unsigned wrap.
CounterDelta counter_delta(const CounterReading& prev, const CounterReading& cur);

// Adds `part` into `sum`: raw, scaled and times add (per-thread fds of one
// counter are scaled separately and then summed, because each thread is
// multiplexed on its own).
void add_delta(CounterDelta& sum, const CounterDelta& part);

// The reported values for one counter and interval: both present, or both
// NULL (not counted / not open).
struct CounterCell {
  std::optional<double> scaled;
  std::optional<int64_t> raw;
  bool has_value() const { return scaled.has_value(); }
};

CounterCell cell_from_delta(const CounterDelta& delta);

}  // namespace ktel::perf
