// Turns a time-ordered stream of SchedEvents into the sched tables of an
// episode: the raw ones (sched_switch, sched_wakeup, sched_migrate,
// sched_process, sched_other) as events arrive, and the derived ones
// (sched_slice, wakeup_latency, thread_summary, thread_comm) at finish().
// Used by the sched source after capture and by `ktel import ftrace-text`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "model/sink.h"
#include "sources/sched/sched_event.h"

namespace ktel::sched {

struct SchedTableOptions {
  std::string row_source = "host_sched";  // value of the `source` column
  bool available_in_deployment = true;
  size_t batch_rows = 4096;  // rows per Batch handed to the sink
};

struct SchedTableCounts {
  uint64_t switches = 0, wakeups = 0, migrations = 0, process_events = 0, other = 0;
  uint64_t slices = 0, wakeup_latencies = 0, threads = 0;
  uint64_t thread_comms = 0;  // thread_comm rows
  uint64_t out_of_order = 0;  // events older than the one before them (kept, counted)
  // Contradictions in the stream (a task running on two CPUs at once; a
  // switch-out of another task than the CPU's current one by an event that
  // does not name its current task): events were lost upstream, and slices
  // left without a known start or end are not written.
  uint64_t unmatched_switches = 0;
  uint64_t rows() const;      // every row written, raw and derived
};

class SchedTableWriter {
 public:
  // Opens the tables in `sink`. `clock` maps an event's ts_ns (absolute
  // CLOCK_MONOTONIC) to t_mono_ns / t_wall_ns. Not thread-safe.
  static Result<std::unique_ptr<SchedTableWriter>> open(Sink& sink, const EpisodeClock& clock,
                                                        SchedTableOptions options = {});
  virtual ~SchedTableWriter() = default;

  // Adds one event; events must come in ts_ns order (an older one is still
  // written and counted in out_of_order). A non-ok status is the sink's error.
  virtual Status add(const SchedEvent& event) = 0;
  // Closes open slices at the last timestamp seen, writes the derived tables
  // and hands the last batches to the sink. Call once.
  virtual Status finish() = 0;

  virtual const SchedTableCounts& counts() const = 0;
};

}  // namespace ktel::sched
