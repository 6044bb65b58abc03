// TaskStats: one process's (or thread's) counters at one instant, as read from
// procfs (procfs_task_reader) or from a BPF task iterator (bpf/task_iter).
// Both readers fill the same fields with the same meaning; see the proc_samples
// table in docs/formats/episode.md.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ktel {

struct TaskStats {
  pid_t pid = 0;   // tgid
  pid_t tid = 0;   // == pid for a process row
  bool is_thread = false;
  pid_t ppid = 0;
  uint64_t start_time_ns = 0;  // since boot; (pid, start_time_ns) identifies a process
  std::string comm;            // raw bytes, up to 15 (TASK_COMM_LEN - 1)
  char state = '?';
  uint64_t utime_ns = 0;
  uint64_t stime_ns = 0;
  uint64_t minflt = 0;
  uint64_t majflt = 0;
  uint64_t vsize_bytes = 0;
  uint64_t rss_bytes = 0;
  uint64_t num_threads = 0;
  std::optional<uint64_t> vol_ctxsw;
  std::optional<uint64_t> invol_ctxsw;
  std::optional<uint64_t> read_bytes;  // absent when /proc/<pid>/io is unreadable
  std::optional<uint64_t> write_bytes;
  std::optional<uint64_t> rchar;
  std::optional<uint64_t> wchar;
  // Why the io fields are absent: EACCES (not permitted), ENOENT (kernel
  // without CONFIG_TASK_IO_ACCOUNTING); 0 when read or simply not attempted.
  int io_errno = 0;
  std::optional<uint64_t> sched_run_ns;
  std::optional<uint64_t> sched_wait_ns;
  std::optional<uint64_t> sched_timeslices;
};

}  // namespace ktel
