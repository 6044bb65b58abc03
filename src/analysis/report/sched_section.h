// The sched section of `ktel report`: per-task CPU time, voluntary and
// involuntary switches, wakeup latency percentiles, migrations and runqueue
// wait, and per-CPU busy %, computed with SQL over the derived sched tables
// (sched_slice, thread_summary, wakeup_latency; docs/formats/episode.md).
#pragma once

#include "analysis/report/report.h"

namespace ktel::report {

// Tables (docs/formats/report.md): "overview" (one row), "tasks" (top
// options.top threads by CPU time; tid 0, the idle tasks, excluded), "cpus".
// Unavailable, with meta.json's reason, when the sched tables are absent.
Result<ReportSection> build_sched_section(const SectionContext& ctx);

}  // namespace ktel::report
