// Options of `ktel record`, filled by the CLI and consumed by the recorder.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ktel {

struct RecordOptions {
  // Target: exactly one of command (argv) or attach_pid.
  std::vector<std::string> command;
  std::optional<pid_t> attach_pid;
  std::string workload_name;  // set when command runs a built-in workload

  std::optional<int64_t> duration_ns;       // --duration
  std::string output_dir;                   // --output; empty = ./episodes/<id>
  std::vector<std::string> sources;         // --sources; empty = every registered
  std::vector<std::string> required;        // --require
  int64_t interval_ns = 100'000'000;        // --interval
  bool threads = false;                     // --threads
  std::string proc_backend = "auto";        // --proc-backend: auto | bpf | procfs
  uint64_t sched_buffer_kb = 0;             // --buffer-size KB per CPU; 0 = sched default
  std::vector<std::string> sched_events;    // --sched-events: extra tracepoints
  std::string sched_scope = "all";          // --sched-scope: all | tree
  int64_t sched_drain_period_ns = 0;        // hidden --sched-drain-period, for loss tests
  std::string exec_scope = "tree";          // --exec-scope: tree | cgroup | all
  std::vector<std::string> exec_exclude;    // --exec-exclude: comms whose exec rows are hidden
  uint64_t exec_ring_kb = 0;                // --exec-ring-size KB; 0 = exec default
  int64_t exec_poll_period_ns = 0;          // hidden --exec-poll-period, for loss tests
  std::string exec_backend = "auto";         // --exec-backend: auto | bpf | ftrace
  uint32_t exec_argv_bytes = 4096;          // --exec-argv-max: argv bytes kept per exec
  uint32_t exec_argv_args = 64;             // ... and arguments kept per exec
  bool exec_rss = false;                    // --exec-rss: per-process RSS peak and series
  bool as_root = false;                     // --as-root: do not drop to SUDO_UID
  std::map<std::string, std::string> labels;  // --label k=v
  int64_t stop_grace_ns = 3'000'000'000;    // SIGTERM → SIGKILL grace for the workload
  bool quiet = false;                       // no summary
};

// Exit codes of `ktel record` for its own failures; otherwise it returns the
// workload's exit code, or 128 + signal when a signal killed it.
inline constexpr int kRecordExitDurationReached = 124;  // --duration stopped the command
inline constexpr int kRecordExitKtelFailed = 125;       // options, output, required source
inline constexpr int kRecordExitNotExecutable = 126;
inline constexpr int kRecordExitNotFound = 127;

}  // namespace ktel
