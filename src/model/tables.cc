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
// Text with a unit word ("text", "enum", "state", "json"): the sched tables name one on every column.
Column txt(const char* name, const char* unit, const char* doc) {
  return {name, ColumnType::kText, unit, doc};
}

Column ts_col() {
  return i64("ts_ns", "ns",
             "kernel timestamp as recorded (absolute CLOCK_MONOTONIC with trace_clock=mono); "
             "t_mono_ns = ts_ns - clock.origin_mono_ns");
}
Column cpu_col() { return i64("cpu", "cpu", "CPU whose ring buffer held the event"); }
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

Schema sched_switch() {
  return telemetry_schema(
      "sched_switch",
      {
          ts_col(),
          cpu_col(),
          txt("prev_comm", "text", "name of the task switched out (raw bytes, at most 15)"),
          i64("prev_pid", "id", "thread id switched out; 0 = the CPU's idle task (swapper/N)"),
          i64("prev_prio", "prio", "kernel priority: 0-99 real-time, 100-139 normal (120 = nice 0)"),
          txt("prev_state", "state",
              "state it left in, as ftrace prints it: R, R+ (preempted), S, D, T, t, X, Z, P, I, ...; "
              "several are joined by a vertical bar"),
          txt("next_comm", "text", "name of the task switched in"),
          i64("next_pid", "id", "thread id switched in; 0 = the CPU's idle task"),
          i64("next_prio", "prio", "kernel priority of the task switched in"),
      });
}

Schema sched_wakeup() {
  return telemetry_schema(
      "sched_wakeup",
      {
          ts_col(),
          cpu_col(),
          txt("comm", "text", "name of the task woken"),
          i64("pid", "id", "thread id of the task woken"),
          i64("prio", "prio", "its kernel priority"),
          i64("target_cpu", "cpu", "CPU whose run queue it was put on"),
          i64("wakeup_new", "bool", "1 = sched_wakeup_new (first wakeup after fork), 0 = sched_wakeup"),
      });
}

Schema sched_migrate() {
  return telemetry_schema(
      "sched_migrate",
      {
          ts_col(),
          cpu_col(),
          txt("comm", "text", "name of the task moved"),
          i64("pid", "id", "thread id of the task moved"),
          i64("prio", "prio", "its kernel priority"),
          i64("orig_cpu", "cpu", "CPU it was assigned to"),
          i64("dest_cpu", "cpu", "CPU it is assigned to now"),
      });
}

Schema sched_process() {
  return telemetry_schema(
      "sched_process",
      {
          ts_col(),
          cpu_col(),
          txt("kind", "enum", "fork, exec or exit"),
          i64("pid", "id", "thread id the event is about: the new child (fork), the task that "
                            "exec'd (after exec: its thread group id), the task exiting (exit)"),
          txt("comm", "text", "fork: the child's name (its parent's); exit: the name; exec: NULL "
                              "(the event carries none; see thread_comm)"),
          i64("parent_pid", "id", "fork: thread id that called fork/clone; NULL otherwise"),
          txt("parent_comm", "text", "fork: its name; NULL otherwise"),
          i64("old_pid", "id", "exec: thread id before exec (differs from pid when a non-leader "
                                "thread exec'd); NULL otherwise"),
          txt("filename", "text", "exec: path executed, as the kernel saw it; NULL otherwise"),
          i64("prio", "prio", "exit: kernel priority; NULL otherwise"),
          i64("group_dead", "bool", "exit: 1 = last thread of its group; NULL for other kinds and "
                                    "where the kernel's format lacks the field"),
      });
}

Schema sched_other() {
  return telemetry_schema(
      "sched_other",
      {
          ts_col(),
          cpu_col(),
          i64("common_pid", "id", "thread id current on the CPU when the event fired"),
          txt("system", "text", "event system (directory under events/), e.g. sched"),
          txt("name", "text", "event name, e.g. sched_stat_runtime"),
          txt("fields", "json", "the event's own fields as a JSON object, per its format file"),
      });
}

Schema sched_slice() {
  return telemetry_schema(
      "sched_slice",
      {
          i64("cpu", "cpu", "CPU it ran on"),
          i64("tid", "id", "thread id; 0 = this CPU's idle task (idle time, not a task)"),
          i64("generation", "count", "with tid, the thread key (see thread_summary); 0 for idle"),
          txt("comm", "text", "its name at the switch-out (at the switch-in when still running)"),
          i64("ts_ns", "ns", "start (kernel clock, like sched_switch.ts_ns; see start_kind)"),
          i64("dur_ns", "ns", "time on the CPU"),
          txt("end_state", "state", "prev_state of the switch-out that ended it; NULL when "
                                    "end_kind is not switch"),
          txt("start_kind", "enum", "what ts_ns is: switch (a recorded switch-in), trace (it ran "
                                    "at the trace's first event, whose time ts_ns is), inferred "
                                    "(a switch no event recorded, see notes) or exec"),
          txt("end_kind", "enum", "what ended it: switch, trace (still running at the last "
                                  "event), inferred or exec"),
      });
}

Schema wakeup_latency() {
  return telemetry_schema(
      "wakeup_latency",
      {
          i64("tid", "id", "thread id woken"),
          i64("generation", "count", "with tid, the thread key (see thread_summary)"),
          i64("wakeup_ts_ns", "ns", "sched_wakeup(_new) of the sleeping task (kernel clock)"),
          i64("switch_in_ts_ns", "ns", "its next recorded switch-in (kernel clock)"),
          i64("latency_ns", "ns", "switch_in_ts_ns - wakeup_ts_ns"),
          i64("cpu", "cpu", "CPU it was switched in on"),
          i64("wakeup_new", "bool", "1 = first wakeup after fork (sched_wakeup_new)"),
      });
}

Schema thread_summary() {
  return telemetry_schema(
      "thread_summary",
      {
          i64("tid", "id", "thread id (kernel pid)"),
          i64("generation", "count", "0 for the first thread seen with this tid; +1 each time the "
                                     "tid is reused after an exit or re-created by fork"),
          i64("pid", "id", "process (thread group) id when known: after an exec, which makes the "
                           "thread its group's leader; NULL otherwise"),
          i64("parent_tid", "id", "thread that forked it (sched_process_fork); NULL when not seen"),
          txt("comm", "text", "its last name"),
          i64("first_ts_ns", "ns", "first event naming it, or its first slice's start if earlier (kernel clock)"),
          i64("last_ts_ns", "ns", "last event naming it, or the end of its last slice"),
          i64("runtime_ns", "ns", "time on a CPU: the sum of its sched_slice.dur_ns"),
          i64("slices", "count", "its sched_slice rows"),
          i64("voluntary_switches", "count", "switched out sleeping (S, D, T, t, P, I, ...)"),
          i64("involuntary_switches", "count", "switched out runnable (R, R+): preempted or yielded"),
          i64("migrations", "count", "sched_migrate rows for it"),
          i64("runqueue_wait_ns", "ns", "time runnable but not running: wakeup to switch-in, and "
                                        "switch-out runnable to the next switch-in"),
          i64("wakeups", "count", "sched_wakeup and sched_wakeup_new rows for it"),
          i64("max_wakeup_latency_ns", "ns", "largest wakeup_latency.latency_ns; NULL when none"),
          i64("exited", "bool", "1 = its sched_process_exit was seen"),
      });
}

Schema thread_comm() {
  return telemetry_schema(
      "thread_comm",
      {
          i64("tid", "id", "thread id"),
          i64("generation", "count", "with tid, the thread key (see thread_summary)"),
          i64("ts_ns", "ns", "when it took this name (kernel clock); first_seen: first event"),
          txt("comm", "text", "the name"),
          txt("why", "enum", "first_seen, exec or rename"),
      });
}

Schema capture_stats() {
  return telemetry_schema(
      "capture_stats",
      {
          i64("cpu", "cpu", "CPU of the ring buffer"),
          txt("phase", "enum", "start, periodic or final"),
          i64("entries", "count", "per_cpu/cpuN/stats entries: events in the buffer, not yet read (a level)"),
          i64("overrun", "count", "stats overrun: events overwritten before read, cumulative"),
          i64("commit_overrun", "count", "stats commit overrun: events lost to a wrapping commit, cumulative"),
          i64("bytes", "bytes", "stats bytes: bytes in the buffer, not yet read (a level)"),
          i64("dropped_events", "count", "stats dropped events, cumulative; NULL when the kernel does not print it"),
          i64("read_events", "count", "stats read events, cumulative; NULL when the kernel does not print it"),
          i64("pages_read", "count", "ring-buffer pages ktel read, cumulative"),
          i64("bytes_read", "bytes", "bytes ktel read, cumulative"),
          i64("events_parsed", "count", "events decoded from the pages; parse results are known after capture, so NULL except in final rows"),
          i64("missed_events_flagged", "count", "sum of the exact missed-event counts in page headers; NULL except in final rows"),
          i64("pages_missed_unknown", "count", "pages flagged as following a loss whose count was not stored; NULL except in final rows"),
          i64("malformed", "count", "events or pages that failed to decode; NULL except in final rows"),
      });
}

Schema exec_events() {
  return telemetry_schema(
      "exec_events",
      {
          ts_col(),
          i64("pid", "id", "process id (tgid) after exec"),
          i64("tid", "id", "thread that called execve (the kernel makes it the leader)"),
          i64("ppid", "id", "parent process id (real parent's tgid) at exec"),
          i64("uid", "id", "real uid at exec"),
          i64("cgroup_id", "id", "cgroup v2 id of the process (the cgroup directory's inode)"),
          txt("comm", "text", "name after exec (raw bytes, at most 15)"),
          txt("filename", "text", "path executed, as the kernel saw it"),
          txt("argv", "json", "arguments as a JSON array of strings (invalid UTF-8 bytes become U+FFFD); cut at the argv limit"),
          i64("argv_bytes", "bytes", "full length of the argument block, NULs included, even when argv was cut"),
          i64("argc", "count", "number of arguments in the full block"),
          i64("argv_truncated", "bool", "1 when argv holds fewer bytes or arguments than the process had"),
      });
}

Schema forks() {
  return telemetry_schema(
      "forks",
      {
          ts_col(),
          i64("parent_pid", "id", "process id (tgid) of the caller"),
          i64("parent_tid", "id", "thread id of the caller"),
          i64("child_pid", "id", "process id of the new task (equals parent_pid for a thread)"),
          i64("child_tid", "id", "thread id of the new task"),
          i64("is_thread", "bool", "1 = a new thread (CLONE_THREAD), 0 = a new process"),
      });
}

Schema processes() {
  return telemetry_schema(
      "processes",
      {
          i64("pid", "id", "process id (tgid); with start_ns, the process key"),
          i64("ppid", "id", "parent process id at fork; when the fork was not traced, at exec, else at exit"),
          i64("start_ns", "ns", "process start on the episode clock (ns since the origin, like t_mono_ns; negative when it started before the episode; NULL when neither its fork nor its exit was seen)"),
          i64("exec_ns", "ns", "last exec on the episode clock; NULL when it never exec'd while traced"),
          i64("exit_ns", "ns", "exit of its last thread on the episode clock; NULL when still running at the end"),
          i64("duration_ns", "ns", "exit_ns - start_ns; NULL when still running"),
          i64("exit_code", "count", "exit status (0-255) when it exited; NULL when killed by a signal or still running"),
          i64("signal", "count", "signal that killed it; NULL otherwise"),
          i64("core_dumped", "bool", "1 when it dumped core"),
          txt("comm", "text", "name after the last exec (or inherited, when it never exec'd)"),
          txt("filename", "text", "path of the last exec; NULL when it never exec'd while traced"),
          txt("argv", "json", "arguments of the last exec as a JSON array of strings; NULL when it never exec'd while traced"),
          i64("argv_truncated", "bool", "1 when argv was cut at the argv limit"),
          i64("cpu_ns", "ns", "CPU time of all its threads, exact (sum of sched runtime), at exit; NULL when still running"),
          i64("maxrss_bytes", "bytes", "peak resident set size at exit; NULL when still running"),
          i64("uid", "id", "real uid at the last exec (or at fork)"),
          i64("cgroup_id", "id", "cgroup v2 id at the last exec (or at fork)"),
          i64("exec_count", "count", "execs while traced (a shell that execs its last command counts 2)"),
          i64("rss_peak_bytes", "bytes", "--exec-rss: largest resident set the kmem/rss_stat events showed while it ran; NULL without --exec-rss or when no event came"),
      });
}

Schema process_rss() {
  return telemetry_schema(
      "process_rss",
      {
          i64("ts_ns", "ns", "when the sample was taken (absolute CLOCK_MONOTONIC)"),
          i64("pid", "id", "process id (tgid)"),
          i64("start_ns", "ns", "the process's start on the episode clock: with pid, its processes row"),
          i64("rss_bytes", "bytes", "resident set (file + anon + shmem pages) at this sample"),
      });
}

std::vector<Schema> all_schemas() {
  return {events_schema(),  labels(),         proc_samples(),   proc_ticks(),
          cpu_samples(),    perf_samples(),   perf_counters(),  sched_switch(),
          sched_wakeup(),   sched_migrate(),  sched_process(),  sched_other(),
          sched_slice(),    wakeup_latency(), thread_summary(), thread_comm(),
          capture_stats(),  exec_events(),    forks(),          processes(),
          process_rss()};
}

}  // namespace ktel::tables
