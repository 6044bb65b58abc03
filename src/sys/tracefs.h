// Locating and mounting tracefs (read from /proc/self/mountinfo), for
// `ktel doctor`, the sched source and its tests.
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

struct TracefsLocation {
  std::string path;
  bool mounted_now = false;  // this call mounted it
};
// find_tracefs(), and when it is not mounted and we are root, mount_tracefs().
// kUnavailable with the fix when it is absent and cannot be mounted.
Result<TracefsLocation> find_or_mount_tracefs();

}  // namespace ktel
