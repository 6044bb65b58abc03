// Finds the traces of a collection: every run's metadata `<raw>/<run>.json`
// beside its trace, either an episode directory `<raw>/<run>/` (ktel collect)
// or a kernel text trace `<raw>/<run>.txt` (the layout older scripts wrote).
// The run metadata is the only source of a trace's workload and category.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace ktel::dataset {

enum class TraceKind { kEpisode, kText };

struct TraceInput {
  std::string run;         // file stem, e.g. hackbench_pipe_small_run1
  TraceKind kind = TraceKind::kEpisode;
  std::string trace_path;  // episode directory or .txt file
  std::string meta_path;   // the run's .json
  std::string trace_id;
  std::string workload;
  std::string category;
  // Events the capture lost, when the metadata knows (an episode's sched
  // source); text traces learn theirs while they are read.
  std::optional<uint64_t> lost_events;
};

struct DiscoveredTraces {
  std::vector<TraceInput> traces;      // sorted by run
  std::vector<std::string> warnings;   // entries ignored, and why
};

// Reads `raw_dir`. A run JSON without a trace beside it, missing or empty
// trace_id / workload / category, a duplicate trace_id, or an episode that is
// not complete is an error naming the file and field. Episode directories
// without a run JSON are ignored with a warning.
Result<DiscoveredTraces> discover_traces(const std::string& raw_dir);

// Parses one run JSON (fields: trace_id, category, workload or
// workload_name). `path` names errors.
Result<TraceInput> parse_run_json(const std::string& path, const std::string& text);

}  // namespace ktel::dataset
