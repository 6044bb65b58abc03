// Which perf counters the perf source opens, how they are grouped, and what a
// perf_event_open errno means for a counter (pure policy; no kernel access).
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/tables.h"

namespace ktel::perf {

inline constexpr int kCounterCount = tables::kPerfCounterCount;

enum class CounterStatus { kOk, kNotCounted, kNotSupported, kNoPermission };
std::string_view counter_status_name(CounterStatus status);

struct CounterDef {
  const char* name;  // column stem in perf_samples: "cycles", "task_clock"
  uint32_t type;     // perf_event_attr.type
  uint64_t config;   // perf_event_attr.config
  int group;         // counters with the same group share one PMU schedule
  bool hardware;
};

// The ten counters in perf_samples column order.
const std::array<CounterDef, kCounterCount>& counter_defs();
// Counter indices of each group, leader first.
std::vector<std::vector<int>> counter_groups();

// What a failed perf_event_open means for the counter. nullopt when the errno
// is not about the counter but about the target or this process (ESRCH: the
// target is gone; EMFILE/ENFILE/ENOMEM: out of fds or memory) — start() must
// fail with that error instead of marking counters.
std::optional<CounterStatus> counter_status_for_errno(int err);

// The perf_counters.reason text for a counter that could not open.
std::string open_failure_reason(const CounterDef& def, pid_t pid, int err,
                                std::optional<int> paranoid);

struct CounterOutcome {
  CounterStatus status = CounterStatus::kOk;
  std::string reason;  // empty when ok
};

// The status start() returns when no counter opened: PermissionDenied naming
// kernel.perf_event_paranoid and the fix when any counter was refused for
// permission, Unavailable with the first reason otherwise.
Status nothing_opened_status(const std::array<CounterOutcome, kCounterCount>& outcomes, pid_t pid,
                             std::optional<int> paranoid);

}  // namespace ktel::perf
