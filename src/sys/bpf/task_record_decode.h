// Turns the raw KtelTaskRecords written by the BPF task iterator into TaskStats
// with procfs meanings (fs/proc/array.c, fs/proc/base.c). Pure: no kernel I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "sys/task_stats.h"

namespace ktel::bpf {

struct CpuTimes {
  uint64_t utime_ns = 0;
  uint64_t stime_ns = 0;
  bool operator==(const CpuTimes&) const = default;
};

// The kernel's cputime_adjust() (kernel/sched/cputime.c) without its side
// effect: splits the exact runtime `rtime_ns` in the ratio of the tick-sampled
// utime:stime, never below `prev` (the kernel's last answer, prev_cputime).
// This is what /proc/<pid>/stat prints, before the ns -> clock-tick division.
CpuTimes adjust_cputime(uint64_t utime_ns, uint64_t stime_ns, uint64_t rtime_ns, CpuTimes prev);

// procfs's state letter (get_task_state: task_state_index over "RSDTtXZPI")
// from the raw task->__state and task->exit_state bits of Linux >= 6.1.
char task_state_letter(uint32_t state, uint32_t exit_state);

struct DecodeOptions {
  bool with_threads = false;
  uint64_t page_size = 4096;
};

// Appends one process row per thread-group leader found in `records` (sorted
// by pid), each followed, when with_threads, by one row per thread (tid order,
// the main thread included, as /proc/<pid>/task lists it). Process rows sum the
// threads exactly as procfs does for /proc/<pid>/{stat,io}; status and
// schedstat fields are the leader's own. Threads whose leader record is absent
// (the group is being reaped) are dropped. kDataLoss when `records` is not a
// whole number of records of the expected version.
Status decode_task_records(std::span<const std::byte> records, const DecodeOptions& options,
                           std::vector<TaskStats>& out);

}  // namespace ktel::bpf
