// TaskReader: the per-tick backend of the proc source. It finds the target's
// process tree and reads every member's counters. Implementations: procfs
// (procfs_task_reader.h) and the BPF task iterator (bpf_task_reader.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sys/task_stats.h"

namespace ktel::proc {

// Cumulative counters a reader keeps about its own work and losses.
struct TaskReaderCounters {
  // Tasks present but dropped because a file could not be read or parsed
  // (a lost row each).
  uint64_t parse_errors = 0;
  // Listed pids whose stat could not be read for discovery (not rows).
  uint64_t discovery_errors = 0;
  std::string last_error;  // the latest of either, for the report
  // Files read with open/read/close because the kept-fd budget was spent.
  uint64_t transient_reads = 0;
  // Files currently kept open for pread.
  uint64_t kept_fds = 0;
  // stat reads spent discovering the tree (once per new pid).
  uint64_t discovery_reads = 0;
};

class TaskReader {
 public:
  virtual ~TaskReader() = default;

  // "procfs", "bpf_task_iter": goes into proc_started and the report.
  virtual std::string_view backend() const = 0;

  // Replaces `out` with one entry per live process of the tree rooted at
  // `root` (is_thread = false, tid = pid) in ascending pid order, each
  // followed, with `threads`, by one entry per thread (is_thread = true).
  // Tasks that vanish during the read are left out quietly. A non-ok status
  // means the tick could not be read at all (e.g. /proc unlisted); per-task
  // parse failures are counted in counters() instead. Not thread-safe.
  virtual Status read_tree(pid_t root, bool threads, std::vector<TaskStats>& out) = 0;

  virtual TaskReaderCounters counters() const = 0;
};

}  // namespace ktel::proc
