#include "model/tables.h"

#include "model/event_log.h"

namespace ktel::tables {

namespace {
Column i64(const char* name, const char* unit, const char* doc) {
  return {name, ColumnType::kInt64, unit, doc};
}
Column f64(const char* name, const char* unit, const char* doc) {
  return {name, ColumnType::kDouble, unit, doc};
}
Column txt(const char* name, const char* doc) { return {name, ColumnType::kText, "", doc}; }
}  // namespace

Schema proc_samples() {
  return telemetry_schema(
      "proc_samples",
      {
          i64("tick", "count", "sampling tick this row belongs to (proc_ticks.tick)"),
          i64("pid", "", "process id (tgid)"),
          i64("tid", "", "thread id; equals pid on process rows"),
          i64("is_thread", "bool", "1 for a per-thread row (--threads), 0 for a process row"),
          i64("ppid", "", "parent process id"),
          i64("start_time_ns", "ns", "process start, ns since boot (stat field 22); with pid, the process key"),
          txt("comm", "command name (stat field 2, raw bytes, may hold spaces and parentheses)"),
          txt("state", "scheduler state letter (stat field 3)"),
          i64("utime_ns", "ns", "user CPU time, cumulative (tick-based, CLK_TCK resolution)"),
          i64("stime_ns", "ns", "system CPU time, cumulative (tick-based)"),
          i64("minflt", "count", "minor faults, cumulative"),
          i64("majflt", "count", "major faults, cumulative"),
          i64("vsize_bytes", "bytes", "virtual memory size"),
          i64("rss_bytes", "bytes", "resident set size"),
          i64("num_threads", "count", "threads in the process"),
          i64("vol_ctxsw", "count", "voluntary context switches, cumulative (status)"),
          i64("invol_ctxsw", "count", "involuntary context switches, cumulative (status)"),
          i64("read_bytes", "bytes", "bytes read from storage, cumulative (io); NULL if unreadable"),
          i64("write_bytes", "bytes", "bytes written to storage, cumulative (io); NULL if unreadable"),
          i64("rchar", "bytes", "bytes passed to read-like syscalls (io); NULL if unreadable"),
          i64("wchar", "bytes", "bytes passed to write-like syscalls (io); NULL if unreadable"),
          i64("sched_run_ns", "ns", "time on CPU, cumulative, exact (schedstat field 1)"),
          i64("sched_wait_ns", "ns", "time runnable but waiting on a run queue (schedstat field 2)"),
          i64("sched_timeslices", "count", "timeslices run on a CPU (schedstat field 3)"),
      });
}

Schema proc_ticks() {
  return telemetry_schema(
      "proc_ticks",
      {
          i64("tick", "count", "tick number, from 0"),
          i64("scheduled_mono_ns", "ns", "when the tick was due (episode clock); t_mono_ns is when it ran"),
          i64("lateness_ns", "ns", "t_mono_ns - scheduled_mono_ns"),
          i64("cost_ns", "ns", "wall time spent sampling this tick"),
          i64("processes", "count", "processes sampled"),
          i64("threads", "count", "thread rows sampled (0 without --threads)"),
          i64("skipped_ticks", "count", "ticks skipped before this one because sampling overran"),
      });
}

Schema cpu_samples() {
  return telemetry_schema(
      "cpu_samples",
      {
          i64("tick", "count", "sampling tick (proc_ticks.tick)"),
          i64("cpu", "", "CPU number; -1 for the all-CPU total line"),
          i64("user_ns", "ns", "cumulative user time, excluding nice"),
          i64("nice_ns", "ns", "cumulative niced user time"),
          i64("system_ns", "ns", "cumulative system time"),
          i64("idle_ns", "ns", "cumulative idle time"),
          i64("iowait_ns", "ns", "cumulative iowait time"),
          i64("irq_ns", "ns", "cumulative hard-irq time"),
          i64("softirq_ns", "ns", "cumulative soft-irq time"),
          i64("steal_ns", "ns", "cumulative time stolen by the hypervisor"),
      });
}

const char* const* perf_counter_names() {
  static const char* const kNames[kPerfCounterCount] = {
      "cycles",           "instructions",  "cache_references", "cache_misses",  "branches",
      "branch_misses",    "task_clock",    "context_switches", "cpu_migrations", "page_faults"};
  return kNames;
}

Schema perf_samples() {
  std::vector<Column> cols = {
      i64("pid", "", "target process (counted with inherit: includes its descendants)"),
      i64("interval_start_mono_ns", "ns", "start of the interval on the episode clock"),
      i64("interval_ns", "ns", "length of the interval"),
  };
  const char* const* names = perf_counter_names();
  for (int i = 0; i < kPerfCounterCount; ++i) {
    std::string n = names[i];
    cols.push_back({n, ColumnType::kDouble, "count",
                    "delta over the interval scaled by enabled/running time; NULL if the "
                    "counter is not counting (see perf_counters.status)"});
    cols.push_back({n + "_raw", ColumnType::kInt64, "count", "unscaled delta over the interval; NULL as above"});
  }
  cols.push_back(i64("time_enabled_ns", "ns", "delta of TOTAL_TIME_ENABLED for the hardware group; NULL if none"));
  cols.push_back(i64("time_running_ns", "ns", "delta of TOTAL_TIME_RUNNING for the hardware group; NULL if none"));
  cols.push_back(f64("ipc", "ratio", "instructions / cycles; NULL unless both counted and cycles > 0"));
  cols.push_back(f64("cache_miss_rate", "ratio", "cache_misses / cache_references; NULL unless defined"));
  return telemetry_schema("perf_samples", std::move(cols));
}

Schema perf_counters() {
  return Schema{"perf_counters",
                {
                    txt("name", "counter column stem, e.g. cycles"),
                    i64("type", "", "perf_event_attr.type (0 hardware, 1 software)"),
                    i64("config", "", "perf_event_attr.config"),
                    txt("status", "ok | not_counted | not_supported | no_permission"),
                    txt("reason", "why, with errno text, when status is not ok"),
                }};
}

Schema labels() {
  return Schema{"labels",
                {
                    txt("key", "label name"),
                    txt("value", "label value"),
                    i64("t_mono_ns", "ns", "when the label was set (episode clock)"),
                    i64("t_wall_ns", "ns", "CLOCK_REALTIME when the label was set"),
                }};
}

std::vector<Schema> all_schemas() {
  return {events_schema(), labels(), proc_samples(), proc_ticks(), cpu_samples(),
          perf_samples(), perf_counters()};
}

}  // namespace ktel::tables
