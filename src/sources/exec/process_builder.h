// ProcessBuilder: one `processes` row per process the exec tracer saw, folded
// from its exec, fork and exit records in ring order. Pure; hostile or lossy
// streams (missing forks, exits, reused pids) still give one row per process
// lifetime and never a negative duration.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sys/bpf/exec_record_decode.h"

namespace ktel::exec {

// Times are absolute CLOCK_MONOTONIC ns, as recorded.
struct ProcessRow {
  int32_t pid = 0;
  std::optional<int32_t> ppid;         // at fork; else at exec; else at exit
  std::optional<int64_t> start_ns;     // fork's child start_time or exit's leader start_time
  int64_t first_seen_ns = 0;           // first record about it
  std::optional<int64_t> exec_ns;      // last exec
  std::optional<int64_t> exit_ns;      // last thread's exit
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool core_dumped = false;
  std::string comm;                    // after the last exec, else inherited at fork, else at exit
  std::optional<std::string> filename;  // last exec
  std::optional<std::vector<std::string>> argv;
  bool argv_truncated = false;
  std::optional<uint64_t> cpu_ns;
  std::optional<uint64_t> maxrss_bytes;
  std::optional<uint32_t> uid;
  std::optional<uint64_t> cgroup_id;
  int64_t exec_count = 0;
  std::optional<uint64_t> rss_peak_bytes;  // --exec-rss

  // exit_ns - start_ns when both are known and in order.
  std::optional<int64_t> duration_ns() const;
};

class ProcessBuilder {
 public:
  void add(const ExecLifecycleEvent& event);
  // Every process, exited or still running, ordered by start (first seen when
  // the start is unknown), then pid. Leaves the builder empty.
  std::vector<ProcessRow> finish();

 private:
  ProcessRow& live(int32_t pid, int64_t ts_ns);
  void add_fork(const ExecLifecycleFork& f);
  void add_exec(const ExecLifecycleExec& e);
  void add_exit(const ExecLifecycleExit& e);
  void add_rss(const ExecLifecycleRss& r);

  std::unordered_map<int32_t, ProcessRow> live_;
  std::vector<ProcessRow> done_;
};

}  // namespace ktel::exec
