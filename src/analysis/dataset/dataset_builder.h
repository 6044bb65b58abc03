// `ktel dataset build`: one pass over the traces of a collection, in
// (category, run) order, writing each sched_switch to all.csv and to the CSV
// of its trace's split (split_plan.h), then dataset_meta.json. Memory stays
// bounded: one row at a time plus the output buffers. Format:
// docs/formats/dataset.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/dataset/split_plan.h"
#include "analysis/dataset/trace_inputs.h"
#include "base/status.h"

namespace ktel::dataset {

struct BuildOptions {
  std::string out_dir;  // where the CSVs and dataset_meta.json go
  std::string raw_dir;  // the runs; empty = <out_dir>/raw
  SplitOptions split;
  bool drop_lossy = false;  // leave traces that lost events out instead of flagging them
  // Told each trace as it starts (index from 1) and each warning; may be empty.
  std::function<void(size_t index, size_t total, const TraceInput& trace)> on_trace;
  std::function<void(const std::string& warning)> on_warning;
};

struct TraceOutcome {
  TraceInput input;
  std::string split;         // train | test_seen | test_unseen | train+test_seen | dropped
  uint64_t events = 0;       // sched_switch rows written
  uint64_t lost_events = 0;  // the capture's own count
  uint64_t lost_unknown = 0; // text traces: LOST markers without a count
  uint64_t out_of_order = 0;
  bool lossy() const { return lost_events > 0 || lost_unknown > 0; }
};

struct BuildResult {
  std::vector<TraceOutcome> traces;
  uint64_t total_events = 0;  // rows of all.csv
  uint64_t split_events[3] = {0, 0, 0};  // by Split
  SplitPlan plan;
  bool event_level = false;
  std::vector<std::string> warnings;
  std::string meta_path;
};

Result<BuildResult> build_dataset(const BuildOptions& options);

}  // namespace ktel::dataset
