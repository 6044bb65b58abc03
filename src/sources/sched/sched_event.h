// One decoded scheduler event, whatever it was read from: binary ring-buffer
// pages (event_decoder) or the kernel's text `trace` format (text_trace_parser).
// Everything downstream (tables, derived tables, reports) consumes this.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <variant>

namespace ktel::sched {

// Short fixed-size text (a task comm, a prev_state like "R+"), no allocation.
// Longer input is cut at kCapacity bytes.
template <size_t kCapacity>
class SmallText {
 public:
  SmallText() = default;
  explicit SmallText(std::string_view s) { assign(s); }
  void assign(std::string_view s) {
    len_ = static_cast<uint8_t>(s.size() < kCapacity ? s.size() : kCapacity);
    std::memcpy(data_, s.data(), len_);
  }
  std::string_view view() const { return {data_, len_}; }
  std::string str() const { return std::string(view()); }
  bool operator==(const SmallText& o) const { return view() == o.view(); }

 private:
  char data_[kCapacity] = {};
  uint8_t len_ = 0;
};

using Comm = SmallText<16>;       // TASK_COMM_LEN; text traces may carry longer ones, cut
using StateText = SmallText<16>;  // ftrace letters: "R", "S", "R+", "S|D", ...

struct SwitchEvent {
  Comm prev_comm;
  int32_t prev_pid = 0;
  int32_t prev_prio = 0;
  StateText prev_state;  // as ftrace prints it, from the format's flag table
  Comm next_comm;
  int32_t next_pid = 0;
  int32_t next_prio = 0;
};

// sched_wakeup and sched_wakeup_new (is_new).
struct WakeupEvent {
  Comm comm;
  int32_t pid = 0;
  int32_t prio = 0;
  int32_t target_cpu = -1;
  bool is_new = false;
};

struct MigrateEvent {
  Comm comm;
  int32_t pid = 0;
  int32_t prio = 0;
  int32_t orig_cpu = -1;
  int32_t dest_cpu = -1;
};

struct ForkEvent {
  Comm parent_comm;
  int32_t parent_pid = 0;
  Comm child_comm;
  int32_t child_pid = 0;
};

struct ExecEvent {
  std::string filename;
  int32_t pid = 0;
  int32_t old_pid = 0;
};

struct ExitEvent {
  Comm comm;
  int32_t pid = 0;
  int32_t prio = 0;
  int8_t group_dead = -1;  // 1/0, -1 where the kernel's format has no such field
};

// Any other enabled event (--sched-events): its name and its fields rendered as
// a JSON object text, e.g. {"comm":"a","pid":12,"runtime":4000}.
struct OtherEvent {
  std::string system;
  std::string name;
  std::string fields_json;
};

using SchedPayload =
    std::variant<SwitchEvent, WakeupEvent, MigrateEvent, ForkEvent, ExecEvent, ExitEvent,
                 OtherEvent>;

struct SchedEvent {
  int64_t ts_ns = 0;       // kernel timestamp; CLOCK_MONOTONIC when trace_clock=mono
  int32_t cpu = -1;        // CPU whose buffer held the event
  int32_t common_pid = 0;  // task current when the event fired
  SchedPayload payload;
};

// The kinds of sched event (an event id decodes to one; import stats count by it).
enum class EventKind : uint8_t {
  kSwitch,
  kWakeup,
  kWakeupNew,
  kMigrate,
  kFork,
  kExec,
  kExit,
  kOther,  // anything else, and a known event whose format lacks a field we need
};
inline constexpr size_t kEventKindCount = 8;

// "sched_switch", "sched_wakeup", ..., "sched_process_exit", "other".
inline std::string_view event_kind_name(EventKind kind) {
  static constexpr std::string_view kNames[kEventKindCount] = {
      "sched_switch",       "sched_wakeup",       "sched_wakeup_new",   "sched_migrate_task",
      "sched_process_fork", "sched_process_exec", "sched_process_exit", "other"};
  return kNames[static_cast<size_t>(kind)];
}

inline EventKind event_kind(const SchedEvent& event) {
  switch (event.payload.index()) {
    case 0:
      return EventKind::kSwitch;
    case 1:
      return std::get<WakeupEvent>(event.payload).is_new ? EventKind::kWakeupNew
                                                         : EventKind::kWakeup;
    case 2:
      return EventKind::kMigrate;
    case 3:
      return EventKind::kFork;
    case 4:
      return EventKind::kExec;
    case 5:
      return EventKind::kExit;
    default:
      return EventKind::kOther;
  }
}

}  // namespace ktel::sched
