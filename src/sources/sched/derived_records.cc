// The rules shared by the sched derivation (derived_records.h).
#include "sources/sched/derived_records.h"

namespace ktel::sched {

namespace {
constexpr size_t kTaskCommLen = 16;  // include/linux/sched.h TASK_COMM_LEN, with the NUL
}  // namespace

std::string_view slice_bound_name(SliceBound b) {
  switch (b) {
    case SliceBound::kSwitch: return "switch";
    case SliceBound::kTrace: return "trace";
    case SliceBound::kInferred: return "inferred";
    case SliceBound::kExec: return "exec";
  }
  return "unknown";
}

std::string_view comm_reason_name(CommReason why) {
  switch (why) {
    case CommReason::kFirstSeen: return "first_seen";
    case CommReason::kExec: return "exec";
    case CommReason::kRename: return "rename";
  }
  return "unknown";
}

SwitchOutKind classify_prev_state(std::string_view prev_state) {
  if (prev_state.empty()) return SwitchOutKind::kUnknown;
  // "R" is TASK_RUNNING (a yield); "R+" is the preempt marker kernels since
  // 4.14 print for any preempted task, whatever its state.
  if (prev_state.front() == 'R') return SwitchOutKind::kRunnable;
  // Flags are joined by "|"; bits without a letter print as hex ("S|0x400").
  // EXIT_DEAD (X) and EXIT_ZOMBIE (Z) since 4.14; TASK_DEAD printed x before.
  const bool preempted = prev_state.back() == '+';
  std::string_view flags = preempted ? prev_state.substr(0, prev_state.size() - 1) : prev_state;
  while (!flags.empty()) {
    const size_t bar = flags.find('|');
    const std::string_view flag = flags.substr(0, bar);
    if (flag == "X" || flag == "Z" || flag == "x") return SwitchOutKind::kDead;
    flags = bar == std::string_view::npos ? std::string_view() : flags.substr(bar + 1);
  }
  // "+" is the preempt marker; a kernel that kept the state bits with it
  // prints e.g. "S+", still a preemption.
  return preempted ? SwitchOutKind::kRunnable : SwitchOutKind::kSleeping;
}

Comm exec_comm(std::string_view filename) {
  // fs/exec.c: __set_task_comm(me, kbasename(bprm->filename)), cut by strscpy.
  size_t slash = filename.rfind('/');
  std::string_view base = slash == std::string_view::npos ? filename : filename.substr(slash + 1);
  return Comm(base.substr(0, kTaskCommLen - 1));
}

}  // namespace ktel::sched
