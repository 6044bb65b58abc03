// The metadata of one collected run, DIR/raw/<workload>_run<i>.json, written
// from the run's episode after it finished (docs/formats/collect.md).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "collect/collector.h"

namespace ktel::collect {

struct RunFacts {
  const CollectWorkload* workload = nullptr;
  int run = 0;
  std::string run_name;      // <workload>_run<i>
  std::string episode_dir;
  std::string status;        // ok | timed_out | workload_failed
  int ktel_exit_code = 0;
  uint64_t buffer_kb_requested = 0;
};

struct RunSummary {
  std::string json;  // the file's text
  uint64_t sched_switch = 0;
  uint64_t lost_events = 0;
};

// Reads the episode's meta.json and builds the run JSON.
Result<RunSummary> run_metadata(const RunFacts& facts);

// ISO 8601 UTC with milliseconds for a CLOCK_REALTIME ns stamp.
std::string iso_utc(int64_t wall_ns);

}  // namespace ktel::collect
