// Reads the sched_switch events of one trace in recorded order: an episode's
// `sched_switch` table (rowid order, which is the kernel-time order the sched
// source wrote) or a kernel text trace, through the same parser as
// `ktel import ftrace-text`.
#pragma once

#include <cstdint>
#include <functional>

#include "analysis/dataset/dataset_csv.h"
#include "analysis/dataset/trace_inputs.h"
#include "base/status.h"

namespace ktel::dataset {

struct TraceReadStats {
  uint64_t switches = 0;
  uint64_t out_of_order = 0;  // switches older than the one before them (kept in order read)
  // Text traces: events the kernel reported lost (LOST markers, overwritten
  // buffers), markers without a count, malformed lines.
  uint64_t lost_events = 0;
  uint64_t lost_unknown = 0;
  uint64_t malformed_lines = 0;
};

// Fills ts_ns, task_name, pid, cpu, prev_state and prev_comm of `row` (other
// fields are the caller's) and calls `on_row`. A non-ok status from on_row
// stops the read and is returned.
using SwitchRowFn = std::function<Status(SwitchRow& row)>;
Result<TraceReadStats> read_switches(const TraceInput& trace, SwitchRow& row,
                                     const SwitchRowFn& on_row);

// Number of sched_switch events, without formatting them.
Result<TraceReadStats> count_switches(const TraceInput& trace);

}  // namespace ktel::dataset
