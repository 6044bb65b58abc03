// Parser of per_cpu/cpu<N>/stats of an ftrace instance: the kernel's own
// counters of what its ring buffer wrote, overwrote, dropped and handed out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ktel::sched {

struct FtraceCpuStats {
  uint64_t entries = 0;         // events in the buffer, not yet read
  uint64_t overrun = 0;         // events overwritten before a reader got them
  uint64_t commit_overrun = 0;  // events lost to a commit wrapping the buffer
  uint64_t bytes = 0;           // bytes in the buffer, not yet read
  uint64_t dropped_events = 0;  // events refused because the buffer was full
  uint64_t read_events = 0;     // events handed to readers
  bool has_dropped = false;     // the kernel prints "dropped events" (since 3.x)
  bool has_read = false;        // ... and "read events"

  // Losses the kernel knows of: overrun + commit_overrun + dropped_events.
  uint64_t lost() const { return overrun + commit_overrun + dropped_events; }
};

// Counters of `b` minus those of `a` (a taken earlier); entries and bytes are
// levels, not counters, and are taken from `b`.
FtraceCpuStats stats_delta(const FtraceCpuStats& a, const FtraceCpuStats& b);

// Parses the stats text. `path` names the file in errors. Unknown lines are
// ignored (kernels add lines); a known line with a bad number is an error.
Result<FtraceCpuStats> parse_ftrace_cpu_stats(std::string_view text, std::string_view path);

}  // namespace ktel::sched
