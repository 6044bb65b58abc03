// The exec source's fallback when eBPF cannot run: a private ftrace instance
// with sched_process_fork/exec/exit (and task_newtask, which tells threads
// from processes) copied raw into raw/exec/ftrace/, and a /proc scanner
// thread noting arguments into raw/exec/proc_argv.jsonl. After the run,
// build_exec_tables_from_ftrace() turns both into the exec tables.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/stop_signal.h"
#include "model/sink.h"
#include "sources/exec/exec_tables.h"
#include "sources/exec/ftrace_lifecycle.h"
#include "sources/exec/proc_argv_file.h"
#include "sources/sched/sched_capture.h"

namespace ktel::exec {

struct ExecFtraceConfig {
  std::string tracefs_root;
  std::string instance_name;    // "ktel-<pid>-exec"
  std::string raw_dir;          // <episode>/raw/exec
  ProcArgvScope scope;          // tree (root) or all
  ArgvLimits limits;
  int64_t scan_period_ns = 20'000'000;
  uint64_t buffer_kb = 2048;    // per CPU; fork/exec/exit only
};

// start() and stop() from one thread; the scanner thread runs in between.
class ExecFtraceCapture {
 public:
  static Result<std::unique_ptr<ExecFtraceCapture>> start(const ExecFtraceConfig& config);
  ~ExecFtraceCapture();

  // Stops the scanner and the capture (drains every CPU). Call once; returns
  // the first capture, scan or write error.
  Status stop();

  // Events the kernel reported lost (overwritten or dropped), after stop().
  uint64_t lost() const { return lost_; }
  // What ran, for exec_started / meta.json.
  nlohmann::json describe() const;
  // Counters after stop(): scans, notes, kernel losses per CPU.
  nlohmann::json details() const;

 private:
  explicit ExecFtraceCapture(ExecFtraceConfig config) : config_(std::move(config)) {}
  void run(ProcArgvScanner scanner);

  ExecFtraceConfig config_;
  std::vector<std::string> events_;
  std::unique_ptr<sched::SchedCapture> capture_;
  std::optional<ProcArgvWriter> notes_;
  std::thread thread_;
  StopSignal stop_;
  Status scan_status_;  // written by the scanner thread until joined
  uint64_t scans_ = 0;
  uint64_t lost_ = 0;
  std::vector<sched::FtraceCpuStats> per_cpu_;
};

struct ExecFtraceBuildResult {
  ExecTableCounts counts;
  FtraceLifecycleCounts lifecycle;
  uint64_t events = 0;          // trace events read
  uint64_t malformed = 0;       // page or record malformations skipped
  uint64_t missed_events = 0;   // losses the page headers report
  uint64_t notes = 0;           // /proc notes read
  uint64_t notes_cut_tail = 0;  // bytes of a cut last note
  uint64_t excluded_execs = 0;  // execs left out by --exec-exclude
  std::optional<int64_t> first_row_ts_ns;  // first exec or fork, absolute
};

// raw/exec/ftrace/ and raw/exec/proc_argv.jsonl -> exec_events, forks and
// processes in `sink`, as far as ftrace and /proc can tell (see
// docs/formats/episode.md). Errors name the file.
// Execs whose new name is in `exclude_comms` are left out, as the eBPF
// tracer leaves them out (their forks and exits stay).
Result<ExecFtraceBuildResult> build_exec_tables_from_ftrace(
    const std::string& raw_exec_dir, const std::vector<std::string>& exclude_comms, Sink& sink,
    const EpisodeClock& clock);

// The events the fallback enables (task_newtask only where the kernel has it).
std::vector<std::string> exec_ftrace_events(const std::string& tracefs_root);

}  // namespace ktel::exec
