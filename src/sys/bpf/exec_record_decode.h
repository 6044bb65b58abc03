// Decoding of the exec tracer's ring-buffer records (exec_record.h) into
// lifecycle events. Pure and bounds-checked: argv and names come from
// processes that may be hostile, and the bytes may be cut or corrupt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"

namespace ktel {

struct ExecLifecycleExec {
  int64_t ts_ns = 0;  // CLOCK_MONOTONIC
  int32_t pid = 0;
  int32_t tid = 0;
  int32_t ppid = 0;
  std::optional<uint32_t> uid;        // unknown only on the ftrace fallback
  std::optional<uint64_t> cgroup_id;  // unknown only on the ftrace fallback
  std::string comm;
  std::string filename;
  // false when nothing read the arguments (the ftrace fallback missed the
  // process in /proc): argv, argv_bytes and argc are then meaningless.
  bool argv_known = true;
  std::vector<std::string> argv;
  uint32_t argv_bytes = 0;  // the whole argument block, even when cut
  uint32_t argc = 0;        // all arguments, even when cut
  bool argv_truncated = false;
};

struct ExecLifecycleFork {
  int64_t ts_ns = 0;
  int32_t parent_pid = 0;
  int32_t parent_tid = 0;
  int32_t child_pid = 0;
  int32_t child_tid = 0;
  bool is_thread = false;
  std::optional<uint32_t> uid;        // unknown only on the ftrace fallback
  std::optional<uint64_t> cgroup_id;  // unknown only on the ftrace fallback
  int64_t child_start_ns = 0;  // CLOCK_MONOTONIC
  std::string comm;            // the parent's
};

struct ExecLifecycleExit {
  int64_t ts_ns = 0;
  int32_t pid = 0;
  int32_t tid = 0;
  int32_t ppid = 0;
  std::optional<int> exit_code;  // when it exited
  std::optional<int> signal;     // when a signal killed it
  bool core_dumped = false;
  bool group_dead = false;  // the process's last thread; the fields below are set
  std::optional<uint64_t> cpu_ns;  // unknown only on the ftrace fallback
  // cpu_ns was read at the last thread's final context switch (exact); else
  // at its exit, lacking what it ran since the scheduler last accounted it.
  bool cpu_final = false;
  std::optional<uint64_t> maxrss_bytes;  // unknown only on the ftrace fallback
  int64_t start_ns = 0;  // CLOCK_MONOTONIC; 0 = unknown
  std::string comm;
};

// --exec-rss: a process's resident set while it lived, aggregated in the
// kernel; at its last exit or, for one still running, at the end.
struct ExecLifecycleRss {
  struct Sample {
    int64_t ts_ns = 0;  // CLOCK_MONOTONIC
    uint64_t bytes = 0;
    bool operator==(const Sample&) const = default;
  };
  int64_t ts_ns = 0;  // when submitted
  int32_t pid = 0;
  int64_t start_ns = 0;  // the process's start (CLOCK_MONOTONIC): with pid, which process
  uint64_t peak_bytes = 0;
  uint64_t events = 0;        // rss_stat events seen
  int64_t interval_ns = 0;    // least gap between samples it ended with
  // In time order: the kernel's samples, then the latest value when newer
  // (at most KTEL_EXEC_RSS_SAMPLES + 1).
  std::vector<Sample> samples;
};

using ExecLifecycleEvent =
    std::variant<ExecLifecycleExec, ExecLifecycleFork, ExecLifecycleExit, ExecLifecycleRss>;

struct ExecDecodeOptions {
  uint32_t max_args = 64;   // more arguments are dropped and argv_truncated set
  uint64_t page_size = 4096;
};

// KTEL_EXEC_REC_VERSION: the record layout this build writes.
uint32_t exec_record_version();
// Whether this build reads records of `version` (KTEL_EXEC_REC_VERSION_MIN..).
bool exec_record_version_readable(uint32_t version);

// One record as the ring buffer handed it over. kDataLoss naming what is
// wrong (short, unknown type or version, sizes that disagree).
Result<ExecLifecycleEvent> decode_exec_record(std::span<const std::byte> bytes,
                                              const ExecDecodeOptions& options);

}  // namespace ktel
