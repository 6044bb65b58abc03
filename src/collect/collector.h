// `ktel collect`: many recorded runs of many workloads into one collection
// directory, the input of `ktel dataset build`. Each run is one
// `ktel record --sources sched,proc --require sched` child writing the episode
// DIR/raw/<workload>_run<i>/ (its output in DIR/logs/), followed by the run's
// metadata DIR/raw/<workload>_run<i>.json. Layout: docs/formats/collect.md.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace ktel::collect {

struct CollectWorkload {
  std::string name;
  std::string category;
  std::string description;
  std::vector<std::string> argv;  // resolved (durations filled in)
  std::string unavailable;        // why it cannot run here (with the fix); empty = runnable
};

struct CollectOptions {
  std::string out_dir;
  std::vector<CollectWorkload> workloads;
  int runs = 3;
  uint64_t buffer_kb = 0;               // sched buffer per CPU; 0 = record's default
  int64_t timeout_ns = 300'000'000'000;  // a run past this is stopped and marked timed out
  std::string ktel_exe;                 // the ktel binary that records each run
  std::string sources = "sched,proc";
};

// What the progress display is told.
struct RunProgress {
  size_t workload_index = 0;  // 1-based
  size_t workload_count = 0;
  int run = 0;  // 1-based
  int runs = 0;
  const CollectWorkload* workload = nullptr;
  double elapsed_s = 0;
  uint64_t events = 0;  // sched events read so far (the kernel's read counters)
  uint64_t lost = 0;    // overrun + commit overrun + dropped so far
};

enum class RunState { kStarting, kRunning, kFinished, kSkipped, kFailed };

struct RunOutcome {
  std::string run;  // <workload>_run<i>
  std::string status;  // ok | timed_out | workload_failed | skipped | already_collected | failed | interrupted
  std::string detail;
  uint64_t sched_switch = 0;
  uint64_t lost_events = 0;
};

struct CollectResult {
  std::vector<RunOutcome> runs;
  bool interrupted = false;
  std::string summary_path;  // DIR/collect.json
};

class Collector {
 public:
  using ProgressFn = std::function<void(RunState, const RunProgress&, const RunOutcome*)>;
  Collector(CollectOptions options, ProgressFn progress)
      : options_(std::move(options)), progress_(std::move(progress)) {}

  // Runs every workload `runs` times. Must be called from the main thread
  // before other threads exist (it blocks SIGINT/SIGTERM/SIGHUP for a
  // signalfd). SIGINT/SIGTERM stop the current run (the recorder gets the
  // signal and leaves no tracing state), remove its partial episode, keep
  // finished runs and return with `interrupted`. Runs whose metadata JSON
  // already exists are kept and skipped, so a second collect resumes.
  // Errors: the output directory, or a recorder failure (exit 125), which
  // stops the collection.
  Result<CollectResult> run();

 private:
  CollectOptions options_;
  ProgressFn progress_;
};

}  // namespace ktel::collect
