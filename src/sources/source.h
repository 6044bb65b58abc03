// Source: one producer of telemetry rows (proc, perf, sched, ...). The recorder
// starts every selected source before the workload runs and stops them after
// it ends. Lifecycle events follow one family for every source:
//   <name>_unavailable{reason}   emitted by the recorder when start() fails
//   <name>_started{...}          by the source, once capturing
//   <name>_first_row{...}        by the source, with its first stored row
//   <name>_finished{rows, ...}   by the source, from stop()
//   <name>_no_data{likely_cause} by the source, from stop(), when rows == 0
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/status.h"
#include "model/event_log.h"
#include "model/sink.h"

namespace ktel {

struct SourceOptions {
  int64_t interval_ns = 100'000'000;  // --interval
  bool threads = false;               // --threads: per-thread rows too
  std::string proc_backend = "auto";  // --proc-backend: auto | bpf | procfs
  uint64_t sched_buffer_kb = 0;       // --buffer-size: per-CPU ftrace buffer, 0 = default
  std::vector<std::string> sched_events{};  // --sched-events: extra <system>/<event>
  std::string sched_scope = "all";    // --sched-scope: all | tree
  int64_t sched_drain_period_ns = 0;  // hidden --sched-drain-period (tests); 0 = default
  std::string exec_scope = "tree";    // --exec-scope: tree | cgroup | all
  std::vector<std::string> exec_exclude{};  // --exec-exclude: comms whose exec rows are hidden
  uint64_t exec_ring_kb = 0;          // --exec-ring-size: BPF ring buffer, 0 = derived default
  int64_t exec_poll_period_ns = 0;    // hidden --exec-poll-period (tests); 0 = default
  std::string exec_backend = "auto";  // --exec-backend: auto | bpf | ftrace
  uint32_t exec_argv_bytes = 4096;    // --exec-argv-max BYTES[,ARGS]
  uint32_t exec_argv_args = 64;
  bool exec_rss = false;              // --exec-rss: kmem/rss_stat aggregated per process
};

struct SourceContext {
  const EpisodeClock* clock = nullptr;
  EventLog* events = nullptr;
  Sink* sink = nullptr;
  pid_t target_pid = 0;  // root of the target's process tree
  SourceOptions options;
  std::string episode_dir{};  // raw captures go under <episode_dir>/raw/
};

// What a source reports for meta.json once stopped.
struct SourceReport {
  std::string status = "ok";  // ok | no_data | failed
  uint64_t rows = 0;
  uint64_t lost = 0;
  std::string reason;
  nlohmann::json details = nlohmann::json::object();
};

class Source {
 public:
  virtual ~Source() = default;

  // Short name used in --sources and event names: "proc".
  virtual std::string_view name() const = 0;
  // Value of the `source` column in this source's rows: "host_proc".
  virtual std::string_view row_source() const = 0;

  // Begins capturing; returns once capture is running (threads started, fds
  // open). kUnavailable / kPermissionDenied mean "cannot run here" with the
  // reason and fix in the message; the recorder turns it into
  // <name>_unavailable. The context outlives the source's stop().
  virtual Status start(const SourceContext& ctx) = 0;

  // Stops capturing, drains what is buffered, writes final rows and emits
  // <name>_finished (and <name>_no_data). Called once, only after a successful
  // start(). A non-ok status means rows may be missing; report() says how many.
  virtual Status stop() = 0;

  // Valid after stop().
  virtual SourceReport report() const = 0;
};

}  // namespace ktel
