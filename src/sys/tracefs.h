// Locating and mounting tracefs (read from /proc/self/mountinfo). Used by
// `ktel doctor` now and by the sched source later.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ktel {

inline constexpr const char* kTracefsPath = "/sys/kernel/tracing";
inline constexpr const char* kDebugTracefsPath = "/sys/kernel/debug/tracing";

// The mount point of tracefs from mountinfo text; prefers /sys/kernel/tracing,
// then /sys/kernel/debug/tracing, then any other tracefs mount.
std::optional<std::string> find_tracefs_in_mountinfo(std::string_view mountinfo);
// Same, reading /proc/self/mountinfo.
Result<std::optional<std::string>> find_tracefs();
// mount -t tracefs tracefs /sys/kernel/tracing (root only).
Status mount_tracefs();

}  // namespace ktel
