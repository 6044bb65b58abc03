// Counter set and errno policy for the perf source.
#include "sources/perf/counter_plan.h"

#include <fmt/format.h>
#include <linux/perf_event.h>

#include <cerrno>
#include <cstring>

namespace ktel::perf {

std::string_view counter_status_name(CounterStatus status) {
  switch (status) {
    case CounterStatus::kOk:
      return "ok";
    case CounterStatus::kNotCounted:
      return "not_counted";
    case CounterStatus::kNotSupported:
      return "not_supported";
    case CounterStatus::kNoPermission:
      return "no_permission";
  }
  return "unknown";
}

// Grouping: a group is scheduled on the PMU all-or-nothing, and a group whose
// leader cannot open cannot hold anything. One big hardware group of six
// events would need six general counters at once, more than many PMUs have
// free (the NMI watchdog takes one), so it might never be scheduled and every
// value would be NULL. Instead each ratio's two events form a pair group
// (cycles+instructions for ipc, cache refs+misses, branches+misses): both
// halves of a ratio count over exactly the same time slices, and pairs
// multiplex cleanly. Software events never multiplex and cannot fail for PMU
// reasons, so they form one group of their own, independent of the hardware.
const std::array<CounterDef, kCounterCount>& counter_defs() {
  static const std::array<CounterDef, kCounterCount> kDefs = {{
      {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0, true},
      {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0, true},
      {"cache_references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, 1, true},
      {"cache_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, 1, true},
      {"branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 2, true},
      {"branch_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, 2, true},
      {"task_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 3, false},
      {"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 3, false},
      {"cpu_migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, 3, false},
      {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 3, false},
  }};
  return kDefs;
}

std::vector<std::vector<int>> counter_groups() {
  std::vector<std::vector<int>> groups;
  for (int i = 0; i < kCounterCount; ++i) {
    size_t g = static_cast<size_t>(counter_defs()[i].group);
    if (groups.size() <= g) groups.resize(g + 1);
    groups[g].push_back(i);
  }
  return groups;
}

std::optional<CounterStatus> counter_status_for_errno(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
      return CounterStatus::kNoPermission;
    // ENOENT: no PMU provides this generic event (VMs without a virtual PMU);
    // EOPNOTSUPP/ENODEV/ENXIO: the PMU exists but lacks the event or mode;
    // EINVAL: the kernel rejects this attr for this event; EBUSY: another user
    // holds the PMU exclusively; ENOSYS: no perf_event_open in this kernel.
    case ENOENT:
    case EOPNOTSUPP:
    case ENODEV:
    case ENXIO:
    case EINVAL:
    case EBUSY:
    case E2BIG:
    case ENOSYS:
      return CounterStatus::kNotSupported;
    default:
      return std::nullopt;
  }
}

std::string open_failure_reason(const CounterDef& def, pid_t pid, int err,
                                std::optional<int> paranoid) {
  std::string head =
      fmt::format("perf_event_open({}) for pid {}: {} ({})", def.name, pid,
                  strerrorname_np(err) ? strerrorname_np(err) : "?", std::strerror(err));
  auto status = counter_status_for_errno(err);
  if (status == CounterStatus::kNoPermission) {
    return head + fmt::format(
                      "; kernel.perf_event_paranoid={} forbids it for this user: run as root, "
                      "grant CAP_PERFMON, or `sysctl -w kernel.perf_event_paranoid=1`",
                      paranoid ? std::to_string(*paranoid) : "unreadable");
  }
  if (status == CounterStatus::kNotSupported && def.hardware) {
    return head +
           "; this CPU or VM exposes no hardware PMU event for it (common in VMs "
           "without a virtual PMU); values stay NULL";
  }
  return head;
}

Status nothing_opened_status(const std::array<CounterOutcome, kCounterCount>& outcomes, pid_t pid,
                             std::optional<int> paranoid) {
  std::string para = paranoid ? std::to_string(*paranoid) : "unreadable";
  for (const auto& o : outcomes) {
    if (o.status == CounterStatus::kNoPermission) {
      return Status(Code::kPermissionDenied,
                    fmt::format("no perf counter could be opened for pid {}: {}", pid, o.reason),
                    EACCES);
    }
  }
  std::string first = outcomes[0].reason;
  for (const auto& o : outcomes) {
    if (!o.reason.empty()) {
      first = o.reason;
      if (o.reason.find("task_clock") != std::string::npos) break;  // software says most
    }
  }
  return unavailable(fmt::format(
      "no perf counter could be opened for pid {} (kernel.perf_event_paranoid={}): {}; check "
      "that the kernel has CONFIG_PERF_EVENTS and that perf_event_paranoid allows this user "
      "(root, CAP_PERFMON, or `sysctl -w kernel.perf_event_paranoid=1`)",
      pid, para, first));
}

}  // namespace ktel::perf
