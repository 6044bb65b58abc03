// ProcSource: samples the target's process tree (BPF task iterator or procfs,
// per SourceOptions::proc_backend) on a fixed cadence
// (deadline-based, overruns skip whole ticks and count them) into
// proc_samples, proc_ticks and cpu_samples (/proc/stat).
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "base/stop_signal.h"
#include "sources/proc/proc_parsers.h"
#include "sources/proc/process_lifecycle.h"
#include "sources/proc/procfs_task_reader.h"
#include "sources/proc/task_reader.h"
#include "sources/source.h"
#include "sys/procfs.h"

namespace ktel {

struct ProcSourceOptions {
  // Options of the default procfs backend; proc_root also names where
  // /proc/stat and the target are checked.
  proc::ProcfsReaderOptions reader;
  // Builds the per-tick reader, bypassing the --proc-backend choice (tests).
  std::function<Result<std::unique_ptr<proc::TaskReader>>()> make_reader;
  // Opens the BPF backend for --proc-backend auto|bpf. Empty: BpfTaskReader
  // when ktel was built with BPF, else kUnavailable saying why it was not.
  // Tests inject failures here.
  std::function<Result<std::unique_ptr<proc::TaskReader>>()> open_bpf;
};

// start()/stop()/report() are called from one controlling thread; sampling
// runs on a thread of its own between start() and stop().
class ProcSource : public Source {
 public:
  ProcSource();
  explicit ProcSource(ProcSourceOptions options);
  ~ProcSource() override;
  std::string_view name() const override { return "proc"; }
  std::string_view row_source() const override { return "host_proc"; }
  // kNotFound if the target pid does not exist, kUnavailable if the proc root
  // is not a mounted procfs or (proc_backend "bpf") the BPF task iterator
  // cannot be used, kInvalidArgument for a bad context. With "auto" a BPF
  // failure falls back to procfs and emits proc_backend_fallback{wanted, reason}.
  Status start(const SourceContext& ctx) override;
  // Takes one last sample on the calling thread (the recorder calls stop()
  // before reaping the workload, so its final counters are still readable),
  // then emits proc_finished / proc_no_data. Returns the first sink error.
  Status stop() override;
  SourceReport report() const override;

 private:
  // Sets reader_ per ctx_.options.proc_backend (and fallback_reason_).
  Status open_reader();
  void run();
  // One sample at `scheduled_abs` (absolute CLOCK_MONOTONIC).
  void sample(int64_t scheduled_abs, uint64_t skipped);
  void emit_task_events(const Stamp& t);
  void read_cpus(const Stamp& t, int64_t tick, Batch& batch);
  void append(TableId table, Batch batch);
  void finish_events();

  ProcSourceOptions options_;
  SourceContext ctx_;
  std::optional<procfs::ProcFs> fs_;
  ScopedFd proc_stat_fd_;
  std::unique_ptr<proc::TaskReader> reader_;
  std::string fallback_reason_;  // why "auto" did not get BPF; empty otherwise
  TableId samples_table_ = -1;
  TableId ticks_table_ = -1;
  TableId cpu_table_ = -1;
  int64_t ns_per_tick_ = 10'000'000;

  std::thread thread_;
  StopSignal stop_;
  bool started_ = false;

  // Owned by the sampling thread until it is joined, then by stop().
  std::vector<TaskStats> tasks_;
  std::vector<proc::CpuTimes> cpus_;
  std::string stat_buf_;
  proc::ProcessLifecycle lifecycle_;
  std::vector<const TaskStats*> appeared_;
  std::vector<proc::ProcessLifecycle::Gone> gone_;
  std::set<std::pair<pid_t, uint64_t>> io_unreadable_;
  int64_t tick_ = 0;
  uint64_t skipped_total_ = 0;
  uint64_t pending_skipped_ = 0;
  uint64_t rows_ = 0;
  uint64_t cpu_rows_ = 0;
  uint64_t lost_rows_ = 0;
  bool first_row_emitted_ = false;
  Status sink_error_;
  Status read_error_;
  uint64_t read_failures_ = 0;
  bool cpu_error_reported_ = false;
  SourceReport report_;
};

}  // namespace ktel
