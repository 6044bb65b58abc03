// format_sched_event: one line per event, every field, escaped.
#include "sources/sched/sched_event_format.h"

#include <fmt/format.h>

#include <string_view>

#include "base/json_text.h"

namespace ktel::sched {

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

struct Formatter {
  std::string operator()(const SwitchEvent& e) const {
    return fmt::format(
        "sched_switch prev_comm={} prev_pid={} prev_prio={} prev_state={} next_comm={} "
        "next_pid={} next_prio={}",
        quoted(e.prev_comm.view()), e.prev_pid, e.prev_prio, quoted(e.prev_state.view()),
        quoted(e.next_comm.view()), e.next_pid, e.next_prio);
  }
  std::string operator()(const WakeupEvent& e) const {
    return fmt::format("{} comm={} pid={} prio={} target_cpu={}",
                       e.is_new ? "sched_wakeup_new" : "sched_wakeup", quoted(e.comm.view()), e.pid,
                       e.prio, e.target_cpu);
  }
  std::string operator()(const MigrateEvent& e) const {
    return fmt::format("sched_migrate_task comm={} pid={} prio={} orig_cpu={} dest_cpu={}",
                       quoted(e.comm.view()), e.pid, e.prio, e.orig_cpu, e.dest_cpu);
  }
  std::string operator()(const ForkEvent& e) const {
    return fmt::format("sched_process_fork parent_comm={} parent_pid={} child_comm={} child_pid={}",
                       quoted(e.parent_comm.view()), e.parent_pid, quoted(e.child_comm.view()),
                       e.child_pid);
  }
  std::string operator()(const ExecEvent& e) const {
    return fmt::format("sched_process_exec filename={} pid={} old_pid={}", quoted(e.filename),
                       e.pid, e.old_pid);
  }
  std::string operator()(const ExitEvent& e) const {
    return fmt::format("sched_process_exit comm={} pid={} prio={} group_dead={}",
                       quoted(e.comm.view()), e.pid, e.prio, e.group_dead);
  }
  std::string operator()(const OtherEvent& e) const {
    return fmt::format("other system={} name={} fields={}", quoted(e.system), quoted(e.name),
                       e.fields_json);
  }
};

}  // namespace

std::string format_sched_event(const SchedEvent& event) {
  return fmt::format("{} cpu={} pid={} {}", event.ts_ns, event.cpu, event.common_pid,
                     std::visit(Formatter{}, event.payload));
}

}  // namespace ktel::sched
