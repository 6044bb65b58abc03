// ThreadTracker: the scheduler state behind the derived sched tables — which
// thread each CPU runs, which threads wait on a run queue since when, and
// per-thread totals. Pure: SchedEvents in, records out through DerivedOutput as
// soon as they are final (a slice at its switch-out, a thread at its death), so
// memory grows with live threads and CPUs, never with events.
//
// Rules (docs/formats/episode.md, "Notes on the sched tables"):
//  - A thread is (tid, generation). Generation 0 is the first thread seen with a
//    tid; the next one starts when a fork names a tid that is already known, or
//    when a tid appears after its thread died (switched out X/Z/x).
//  - tid 0 is each CPU's idle task: its slices are written (idle time per CPU)
//    but it is no thread — no summary, comm, latency or wait.
//  - Runqueue wait runs from a wakeup of a thread that was not running, or from
//    a switch-out in a runnable state (R, R+), to its next switch-in.
//  - Every event names the task current on its CPU (common_pid; negative =
//    unknown). When that is not the task the CPU was believed to run, a switch
//    went unrecorded (Linux 6.18 omits some, most from idle; lost events hide
//    others). When the new task's becoming runnable was seen, the switch is
//    inferred at the later of that and the old task's last event there;
//    otherwise the old slice ends at its last event, the new one starts at
//    its first, and the time between is nobody's. The slices say kInferred,
//    the old task's switch kind is unknown and the new one's wakeup latency,
//    unknown, is not written.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "base/status.h"
#include "sources/sched/derived_records.h"
#include "sources/sched/sched_event.h"
#include "sources/sched/thread_names.h"

namespace ktel::sched {

struct TrackerStats {
  uint64_t unmatched_switches = 0;  // contradictions: see SchedTableCounts
  uint64_t inferred_switches = 0;   // switches no event recorded, inferred from common_pid
};

// Not thread-safe.
class ThreadTracker {
 public:
  explicit ThreadTracker(DerivedOutput& out) : out_(out) {}

  // Feeds one event. An event older than the latest one seen is taken as
  // happening at the latest time (derived durations never go negative).
  Status add(const SchedEvent& event);
  // Ends the trace at the latest time seen: closes running slices (end kTrace,
  // no end state), adds waits still open, writes every remaining thread. Call once.
  Status finish();

  const TrackerStats& stats() const { return stats_; }
  size_t live_threads() const { return threads_.size(); }

 private:
  struct Thread {
    ThreadRecord r;               // totals so far; written at retirement
    ThreadNames names;            // its comm timeline
    int32_t running_cpu = -1;     // CPU it runs on, -1 when not running
    int64_t runnable_since = -1;  // start of the current runqueue wait, -1 = none
    int64_t wakeup_ts = -1;       // the wakeup that began that wait, -1 = a preemption
    bool wakeup_new = false;
  };
  struct Cpu {
    bool seen = false;           // a switch on it was seen
    bool current_valid = false;  // the task below is known to be running
    int32_t tid = 0;
    uint32_t generation = 0;
    int64_t since = 0;
    SliceBound start = SliceBound::kSwitch;  // what `since` is
    Comm comm;                               // at the switch-in
    int64_t current_seen_ts = 0;             // latest event here in `tid`'s context
  };

  Status track_current(int64_t ts, int32_t cpu, int32_t common_pid);
  Status on_switch(int64_t ts, int32_t cpu, const SwitchEvent& sw);
  Status switch_out(int64_t ts, int32_t cpu, const SwitchEvent& sw);
  Status switch_in(int64_t ts, int32_t cpu, const SwitchEvent& sw);
  Status on_wakeup(int64_t ts, const WakeupEvent& w);
  Status on_fork(int64_t ts, const ForkEvent& f);
  Status on_exec(int64_t ts, const ExecEvent& e);
  Status move_exec_thread(int64_t ts, const ExecEvent& e);

  // The live thread with `tid`, created (next generation) when there is none.
  Thread& thread(int32_t tid, int64_t ts);
  Status observe_comm(Thread& t, const Comm& comm, int64_t ts) {
    return t.names.observe(t.r, comm, ts, out_);
  }
  // Writes the slice `c` holds on `cpu`, ending at `end_ts` (`end_state` set
  // when `end` is kSwitch); `t` is its thread (null for idle). The CPU is left
  // without a known current task.
  Status close_slice(int32_t cpu, Cpu& c, Thread* t, int64_t end_ts, const Comm& comm,
                     SliceBound end, const StateText* end_state);
  // Writes the thread's summary and forgets it; its tid's next thread gets
  // the next generation.
  Status retire(int32_t tid);
  // Marks `t` as not running; a CPU that still believed it ran `t` loses its
  // current task (an inconsistency: counted in unmatched_switches).
  void forget_running(Thread& t, int32_t except_cpu);

  DerivedOutput& out_;
  std::unordered_map<int32_t, Thread> threads_;
  std::unordered_map<int32_t, uint32_t> next_generation_;  // tids whose thread retired
  std::unordered_map<int32_t, Cpu> cpus_;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
  bool any_event_ = false;
  TrackerStats stats_;
};

}  // namespace ktel::sched
