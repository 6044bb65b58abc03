// Row builders (see proc_rows.h). Counters are uint64 in the kernel and
// INTEGER (int64) in SQLite; the values here stay far below 2^63.
#include "sources/proc/proc_rows.h"

#include <optional>

namespace ktel::proc {

namespace {
int64_t i64(uint64_t v) { return static_cast<int64_t>(v); }

void add_opt(Batch& b, const std::optional<uint64_t>& v) {
  if (v) {
    b.add_int(i64(*v));
  } else {
    b.add_null();
  }
}
}  // namespace

void append_task_row(Batch& b, Stamp t, int64_t tick, const TaskStats& s) {
  b.add_common(t.mono_ns, t.wall_ns, kRowSource, true);
  b.add_int(tick).add_int(s.pid).add_int(s.tid).add_int(s.is_thread ? 1 : 0).add_int(s.ppid);
  b.add_int(i64(s.start_time_ns)).add_text(s.comm).add_text(std::string(1, s.state));
  b.add_int(i64(s.utime_ns)).add_int(i64(s.stime_ns));
  b.add_int(i64(s.minflt)).add_int(i64(s.majflt));
  b.add_int(i64(s.vsize_bytes)).add_int(i64(s.rss_bytes)).add_int(i64(s.num_threads));
  add_opt(b, s.vol_ctxsw);
  add_opt(b, s.invol_ctxsw);
  add_opt(b, s.read_bytes);
  add_opt(b, s.write_bytes);
  add_opt(b, s.rchar);
  add_opt(b, s.wchar);
  add_opt(b, s.sched_run_ns);
  add_opt(b, s.sched_wait_ns);
  add_opt(b, s.sched_timeslices);
}

void append_cpu_row(Batch& b, Stamp t, int64_t tick, const CpuTimes& c, int64_t ns_per_tick) {
  b.add_common(t.mono_ns, t.wall_ns, kRowSource, true);
  b.add_int(tick).add_int(c.cpu);
  for (uint64_t v : {c.user, c.nice, c.system, c.idle, c.iowait, c.irq, c.softirq, c.steal}) {
    b.add_int(i64(v) * ns_per_tick);
  }
}

void append_tick_row(Batch& b, Stamp t, const TickRow& r) {
  b.add_common(t.mono_ns, t.wall_ns, kRowSource, true);
  b.add_int(r.tick).add_int(r.scheduled_mono_ns).add_int(t.mono_ns - r.scheduled_mono_ns);
  b.add_int(r.cost_ns).add_int(r.processes).add_int(r.threads).add_int(r.skipped_ticks);
}

}  // namespace ktel::proc
