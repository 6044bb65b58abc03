// Test helpers: hand-built SchedEvents, one line per event, so tests read like
// the trace they stand for. common_pid is the task the kernel would name:
// prev for a switch, the parent for a fork, the task itself for exec and exit.
#pragma once

#include <string_view>

#include "sources/sched/sched_event.h"

namespace ktel::sched::testing {

inline SchedEvent switch_event(int64_t ts, int32_t cpu, std::string_view prev_comm,
                               int32_t prev_pid, std::string_view prev_state,
                               std::string_view next_comm, int32_t next_pid) {
  SwitchEvent s;
  s.prev_comm.assign(prev_comm);
  s.prev_pid = prev_pid;
  s.prev_prio = 120;
  s.prev_state.assign(prev_state);
  s.next_comm.assign(next_comm);
  s.next_pid = next_pid;
  s.next_prio = 120;
  return SchedEvent{.ts_ns = ts, .cpu = cpu, .common_pid = prev_pid, .payload = s};
}

// `by`: the task current on `cpu` when it fired (common_pid); -1 = unknown.
inline SchedEvent wakeup_event(int64_t ts, int32_t cpu, std::string_view comm, int32_t pid,
                               int32_t target_cpu, bool is_new = false, int32_t by = -1) {
  WakeupEvent w;
  w.comm.assign(comm);
  w.pid = pid;
  w.prio = 120;
  w.target_cpu = target_cpu;
  w.is_new = is_new;
  return SchedEvent{.ts_ns = ts, .cpu = cpu, .common_pid = by, .payload = w};
}

inline SchedEvent migrate_event(int64_t ts, int32_t cpu, std::string_view comm, int32_t pid,
                                int32_t orig_cpu, int32_t dest_cpu, int32_t by = -1) {
  MigrateEvent m;
  m.comm.assign(comm);
  m.pid = pid;
  m.prio = 120;
  m.orig_cpu = orig_cpu;
  m.dest_cpu = dest_cpu;
  return SchedEvent{.ts_ns = ts, .cpu = cpu, .common_pid = by, .payload = m};
}

inline SchedEvent fork_event(int64_t ts, int32_t cpu, std::string_view parent_comm,
                             int32_t parent_pid, int32_t child_pid) {
  ForkEvent f;
  f.parent_comm.assign(parent_comm);
  f.parent_pid = parent_pid;
  f.child_comm.assign(parent_comm);  // a child starts with its parent's name
  f.child_pid = child_pid;
  return SchedEvent{.ts_ns = ts, .cpu = cpu, .common_pid = parent_pid, .payload = f};
}

inline SchedEvent exec_event(int64_t ts, int32_t cpu, std::string_view filename, int32_t pid,
                             int32_t old_pid) {
  ExecEvent e;
  e.filename = std::string(filename);
  e.pid = pid;
  e.old_pid = old_pid;
  return SchedEvent{.ts_ns = ts, .cpu = cpu, .common_pid = pid, .payload = e};
}

inline SchedEvent exit_event(int64_t ts, int32_t cpu, std::string_view comm, int32_t pid,
                             int8_t group_dead = 1) {
  ExitEvent x;
  x.comm.assign(comm);
  x.pid = pid;
  x.prio = 120;
  x.group_dead = group_dead;
  return SchedEvent{.ts_ns = ts, .cpu = cpu, .common_pid = pid, .payload = x};
}

inline SchedEvent other_event(int64_t ts, int32_t cpu, int32_t common_pid,
                              std::string_view name, std::string_view fields_json) {
  OtherEvent o;
  o.system = "sched";
  o.name = std::string(name);
  o.fields_json = std::string(fields_json);
  return SchedEvent{.ts_ns = ts, .cpu = cpu, .common_pid = common_pid, .payload = o};
}

}  // namespace ktel::sched::testing
