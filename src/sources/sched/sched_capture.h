// The capture half of the sched source: a private ftrace instance with the
// scheduler events enabled on trace_clock=mono, and one reader thread per CPU
// copying raw pages from trace_pipe_raw into raw/sched/cpu<N>.pages. No
// parsing happens here (ARCHITECTURE.md, principle 5).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/stop_signal.h"
#include "sources/sched/ftrace_cpu_stats.h"
#include "sys/ftrace_pipe_reader.h"
#include "sys/tracefs_instance.h"

namespace ktel::sched {

// The events every sched capture enables, as <system>/<event>.
const std::vector<std::string>& default_sched_events();

struct SchedCaptureConfig {
  std::string tracefs_root;            // where tracefs is mounted
  std::string instance_name;           // "ktel-<pid>"
  std::string raw_dir;                 // <episode>/raw/sched
  uint64_t buffer_kb = 0;              // per CPU; 0 = default_buffer_kb()
  std::vector<std::string> events;     // <system>/<event>, defaults included
  std::vector<pid_t> scope_pids;       // empty = whole system; else set_event_pid + event-fork
  int64_t drain_period_ns = 5'000'000;       // ≤ 10 ms (issue: short period)
  int64_t stats_period_ns = 1'000'000'000;   // periodic capture_stats rows
};

// Default per-CPU buffer: room for ~500k events/s of ~72 bytes for 20 drain
// periods, and never under 8 MiB.
uint64_t default_buffer_kb(int64_t drain_period_ns);

// One per-CPU stats reading; `phase` is "start", "periodic" or "final".
struct CpuStatsReading {
  int cpu = 0;
  std::string phase;
  FtraceCpuStats stats;
  uint64_t pages_read = 0;
  uint64_t bytes_read = 0;
};
using StatsCallback = std::function<void(const CpuStatsReading&)>;

class SchedCapture {
 public:
  // Creates and configures the instance, saves the format files, opens the
  // readers, turns tracing on and starts the reader threads. On error the
  // instance is removed again. `on_stats` is called from the reader threads
  // (periodic) and from start()/stop() (start, final); it must be thread-safe.
  static Result<std::unique_ptr<SchedCapture>> start(const SchedCaptureConfig& config,
                                                     StatsCallback on_stats);
  ~SchedCapture();

  // tracing_on=0, joins the readers, drains every CPU to empty, takes the
  // final stats and removes the instance. Call once.
  Status stop();

  int cpus() const { return static_cast<int>(cpus_.size()); }
  size_t page_size() const { return page_size_; }
  uint64_t requested_buffer_kb() const { return requested_kb_; }
  uint64_t granted_buffer_kb() const { return granted_kb_; }
  const std::string& instance_path() const { return instance_.path(); }
  // Kernel counters since start, per CPU (valid after stop()).
  std::vector<FtraceCpuStats> stats_delta_per_cpu() const;
  // Pages and bytes read per CPU (valid after stop()).
  std::vector<uint64_t> pages_per_cpu() const;
  // Reader errors seen by the threads (first one), ok if none.
  Status reader_status() const;

 private:
  struct Cpu;
  SchedCapture(TracefsInstance instance, SchedCaptureConfig config, StatsCallback on_stats);
  Status configure();
  Status save_formats() const;
  Status open_readers();
  Result<FtraceCpuStats> read_stats(const Cpu& cpu) const;
  void run_reader(Cpu& cpu);

  TracefsInstance instance_;
  SchedCaptureConfig config_;
  StatsCallback on_stats_;
  size_t page_size_ = 4096;
  uint64_t requested_kb_ = 0;
  uint64_t granted_kb_ = 0;
  std::vector<std::unique_ptr<Cpu>> cpus_;

  StopSignal stop_;
  bool stopped_ = false;
};

}  // namespace ktel::sched
