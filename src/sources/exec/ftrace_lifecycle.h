// The ftrace fallback's derivation: sched_process_fork/exec/exit and
// task_newtask events (from a private instance) plus the /proc notes become
// the same lifecycle events the eBPF tracer gives, with what ftrace cannot
// know left unknown (exit code, CPU time, peak RSS, cgroup). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sources/exec/proc_argv_scanner.h"
#include "sources/sched/sched_event.h"
#include "sys/bpf/exec_record_decode.h"

namespace ktel::exec {

// A /proc note taken this long before an exec's tracepoint may already show
// the new image: the kernel installs it before the event fires.
inline constexpr int64_t kNoteSlackNs = 1'000'000;

// The notes of each pid, and when each pid changed image or ended, to find
// the note that belongs to an exec. Fill with add_*, then freeze(), then
// look up.
class ArgvIndex {
 public:
  void add_note(ProcArgvNote note);
  void add_boundary(int32_t pid, int64_t ts_ns);  // an exec of, or the exit of, pid
  void freeze();  // sorts; call once before lookups

  // The first note of `pid` taken at or after `exec_ns` and before the pid's
  // next exec or exit whose name is `comm` (the name the exec gave); else one
  // in the slack before `exec_ns` but after the pid's previous exec or exit.
  // nullptr when /proc never showed it.
  const ProcArgvNote* for_exec(int32_t pid, int64_t exec_ns, std::string_view comm) const;
  // The parent in the last note of `pid`, 0 if none.
  int32_t ppid_of(int32_t pid) const;

 private:
  std::unordered_map<int32_t, std::vector<ProcArgvNote>> notes_;
  std::unordered_map<int32_t, std::vector<int64_t>> bounds_;
};

// Feed every boundary-relevant event of the trace (pass 1 of the build).
void add_boundaries(const sched::SchedEvent& event, ArgvIndex& index);

struct FtraceLifecycleCounts {
  uint64_t argv_from_proc = 0;      // execs whose argv a /proc note gave
  uint64_t argv_missing = 0;        // execs /proc never showed (lived < a scan)
  uint64_t fork_kind_unknown = 0;   // forks without task_newtask: taken as processes
  uint64_t group_dead_guessed = 0;  // exits without group_dead: last thread = the leader
};

// Not thread-safe. Events must come in timestamp order.
class FtraceLifecycle {
 public:
  explicit FtraceLifecycle(const ArgvIndex& argv) : argv_(argv) {}
  // The lifecycle event for a fork, exec or exit; nullopt for anything else
  // (a task_newtask is remembered for the fork that follows it).
  std::optional<ExecLifecycleEvent> convert(const sched::SchedEvent& event);
  const FtraceLifecycleCounts& counts() const { return counts_; }

 private:
  int32_t tgid_of(int32_t tid) const;
  int32_t ppid_of(int32_t pid) const;
  ExecLifecycleFork fork(int64_t ts_ns, const sched::ForkEvent& f);
  ExecLifecycleExec exec(int64_t ts_ns, const sched::ExecEvent& e);
  ExecLifecycleExit exit(int64_t ts_ns, const sched::ExitEvent& e);

  const ArgvIndex& argv_;
  std::unordered_map<int32_t, int32_t> tgid_;          // thread -> its process, for threads
  std::unordered_map<int32_t, uint64_t> clone_flags_;  // new task -> task_newtask's flags
  std::unordered_map<int32_t, int32_t> ppid_;          // process -> parent, from forks
  FtraceLifecycleCounts counts_;
};

}  // namespace ktel::exec
