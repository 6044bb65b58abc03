// Raw perf_event_open(2) access for counting events: open one counter on a
// task, read its read_format payload, and list a process's threads
// (/proc/<pid>/task) so an attach can open one counter per existing thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel::sys {

struct PerfCounterAttr {
  uint32_t type = 0;        // PERF_TYPE_HARDWARE / PERF_TYPE_SOFTWARE
  uint64_t config = 0;      // PERF_COUNT_HW_* / PERF_COUNT_SW_*
  bool inherit = true;      // count children and threads created after the open
  bool group_read = false;  // add PERF_FORMAT_GROUP (leader reads return all members)
  bool user_only = false;   // exclude_kernel + exclude_hv: what perf_event_paranoid=2 allows
};

// Opens a counting event for task `tid` on any CPU, enabled at once, with
// read_format TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING (plus GROUP when asked) and
// use_clockid = CLOCK_MONOTONIC. `group_fd` is -1 for a leader. On failure the
// Status carries the kernel's errno (sys_errno()) so policy code can decide
// what it means; the message names the event, the tid and the errno.
Result<ScopedFd> perf_counter_open(const PerfCounterAttr& attr, pid_t tid, int group_fd);

// One read(2) of a counter fd into `words`; returns how many u64 words the
// kernel wrote. Thread-safe per fd (the kernel serialises reads).
Result<size_t> perf_counter_read(int fd, uint64_t* words, size_t max_words);

// Thread ids of `pid` from /proc/<pid>/task, ascending.
Result<std::vector<pid_t>> list_thread_ids(pid_t pid);

// /proc/sys/kernel/perf_event_paranoid; nullopt when unreadable.
std::optional<int> read_perf_event_paranoid();

}  // namespace ktel::sys
