// Records the sched derivation produces (one per row of sched_slice,
// wakeup_latency, thread_summary, thread_comm) and where they go, plus the
// small rules shared by the derivation: how a switch-out's state reads and
// what name an exec gives.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/status.h"
#include "sources/sched/sched_event.h"

namespace ktel::sched {

// What bounds a slice at its start or end.
enum class SliceBound {
  kSwitch,    // a recorded sched_switch
  kTrace,     // the trace's first (start) or last (end) event: it ran on past it
  kInferred,  // a switch no event recorded, inferred (see ThreadTracker)
  kExec,      // a non-leader exec moved the task to its leader's tid
};
std::string_view slice_bound_name(SliceBound b);  // switch | trace | inferred | exec

struct SliceRecord {
  int32_t cpu = 0;
  int32_t tid = 0;  // 0 = the CPU's idle task
  uint32_t generation = 0;
  Comm comm;
  int64_t ts_ns = 0;  // start
  int64_t dur_ns = 0;
  std::optional<StateText> end_state;  // set when `end` is kSwitch
  SliceBound start = SliceBound::kSwitch;
  SliceBound end = SliceBound::kSwitch;
};

struct WakeupLatencyRecord {
  int32_t tid = 0;
  uint32_t generation = 0;
  int64_t wakeup_ts_ns = 0;
  int64_t switch_in_ts_ns = 0;
  int32_t cpu = 0;  // switched in on
  bool wakeup_new = false;
  int64_t latency_ns() const { return switch_in_ts_ns - wakeup_ts_ns; }
};

struct ThreadRecord {
  int32_t tid = 0;
  uint32_t generation = 0;
  std::optional<int32_t> pid;         // thread group id, known after an exec
  std::optional<int32_t> parent_tid;  // from its fork event
  Comm comm;                          // last name
  int64_t first_ts_ns = 0;
  int64_t last_ts_ns = 0;
  int64_t runtime_ns = 0;
  uint64_t slices = 0;
  uint64_t voluntary_switches = 0;
  uint64_t involuntary_switches = 0;
  uint64_t migrations = 0;
  int64_t runqueue_wait_ns = 0;
  uint64_t wakeups = 0;
  std::optional<int64_t> max_wakeup_latency_ns;
  bool exited = false;  // sched_process_exit seen
};

enum class CommReason { kFirstSeen, kExec, kRename };
std::string_view comm_reason_name(CommReason why);  // first_seen | exec | rename

struct CommRecord {
  int32_t tid = 0;
  uint32_t generation = 0;
  int64_t ts_ns = 0;
  Comm comm;
  CommReason why = CommReason::kFirstSeen;
};

// Receives derived records. A non-ok Status stops the tracker's current call
// and is returned from it.
class DerivedOutput {
 public:
  virtual ~DerivedOutput() = default;
  virtual Status slice(const SliceRecord& r) = 0;
  virtual Status wakeup_latency(const WakeupLatencyRecord& r) = 0;
  virtual Status thread(const ThreadRecord& r) = 0;
  virtual Status comm(const CommRecord& r) = 0;
};

// How a task left the CPU, from sched_switch's prev_state text.
enum class SwitchOutKind {
  kRunnable,  // R, R+ (any "+"): preempted or yielded, still on a run queue
  kSleeping,  // S, D, T, t, P, I, ...: blocked (a voluntary switch)
  kDead,      // X, Z (x on old kernels): its final switch
  kUnknown,   // empty text
};
SwitchOutKind classify_prev_state(std::string_view prev_state);

// The name the kernel gives a task at exec: the basename of the path, cut to
// 15 bytes (TASK_COMM_LEN - 1). Used only when no later event shows the name.
Comm exec_comm(std::string_view filename);

}  // namespace ktel::sched
