// Row builders for the proc source's tables (proc_samples, proc_ticks,
// cpu_samples in model/tables.cc): one function per table, cells in schema order.
#pragma once

#include <cstdint>

#include "base/clock.h"
#include "model/schema.h"
#include "sources/proc/proc_parsers.h"
#include "sys/task_stats.h"

namespace ktel::proc {

inline constexpr std::string_view kRowSource = "host_proc";

void append_task_row(Batch& batch, Stamp t, int64_t tick, const TaskStats& s);

// `ns_per_tick` converts /proc/stat clock ticks (CLK_TCK) to ns.
void append_cpu_row(Batch& batch, Stamp t, int64_t tick, const CpuTimes& c, int64_t ns_per_tick);

struct TickRow {
  int64_t tick = 0;
  int64_t scheduled_mono_ns = 0;  // episode clock
  int64_t cost_ns = 0;
  int64_t processes = 0;
  int64_t threads = 0;
  int64_t skipped_ticks = 0;
};
// `t` is when the tick ran; lateness is derived from it.
void append_tick_row(Batch& batch, Stamp t, const TickRow& r);

}  // namespace ktel::proc
