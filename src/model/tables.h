// Schemas of the telemetry tables written by the built-in sources. Each is
// specified column by column in docs/formats/episode.md (a test keeps the two
// in step).
#pragma once

#include <vector>

#include "model/schema.h"

namespace ktel::tables {

// proc source
Schema proc_samples();  // one row per sampled process (or thread) per tick
Schema proc_ticks();    // one row per tick: scheduled vs actual time, cost
Schema cpu_samples();   // one row per CPU per tick from /proc/stat
// perf source
inline constexpr int kPerfCounterCount = 10;
// Column-name stems in order: cycles, instructions, cache_references, ...
const char* const* perf_counter_names();
Schema perf_samples();   // one row per interval, two columns per counter
Schema perf_counters();  // one row per counter: its status for the episode
// labels (--label k=v)
Schema labels();
// sched source (ftrace): raw events, as recorded
Schema sched_switch();
Schema sched_wakeup();   // sched_wakeup and sched_wakeup_new
Schema sched_migrate();  // sched_migrate_task
Schema sched_process();  // sched_process_fork / _exec / _exit, one row each
Schema sched_other();    // any further event enabled with --sched-events
// sched source: derived from the events after capture
Schema sched_slice();     // one row per time a task ran on a CPU
Schema wakeup_latency();  // one row per wakeup of a sleeping task, at its switch-in
Schema thread_summary();  // one row per thread (tid, generation)
Schema thread_comm();     // one row per name a thread had
// sched source: the capture's own accounting (per CPU ring buffer)
Schema capture_stats();

// exec source (eBPF process lifecycle)
Schema exec_events();  // one row per execve of a traced process
Schema forks();        // one row per fork/clone of a traced task (threads included)
Schema processes();    // one row per process seen: lifetime, argv, exit, CPU, peak memory
Schema process_rss();  // --exec-rss: the resident-set series of each process

// Every schema above plus events, for docs checks and `ktel schema`.
std::vector<Schema> all_schemas();

}  // namespace ktel::tables
