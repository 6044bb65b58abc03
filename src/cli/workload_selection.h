// Which workloads `ktel collect` runs: names from -w (or the standard set),
// resolved through the workload catalog to argvs with durations filled in.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "collect/collector.h"

namespace ktel::cli {

struct WorkloadSelection {
  std::vector<std::string> names;  // empty = the standard set
  std::string duration;            // scales timed workloads; empty = their default
  std::string workloads_file;      // custom workloads (TOML); empty = none
};

Result<std::vector<collect::CollectWorkload>> select_collect_workloads(const WorkloadSelection& s);

// `--list-workloads`: prints the catalog; returns the exit code.
int print_workload_list(const WorkloadSelection& s);

}  // namespace ktel::cli
