// Which workloads `ktel collect` runs: names from -w (or the standard set),
// resolved through the workload catalog to argvs with durations filled in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "collect/collector.h"
#include "workloads/catalog.h"

namespace ktel::cli {

struct WorkloadSelection {
  std::vector<std::string> names;  // empty = the standard set
  std::string duration;            // scales timed workloads; empty = their default
  std::string workloads_file;      // custom workloads (TOML); empty = none
};

Result<std::vector<collect::CollectWorkload>> select_collect_workloads(const WorkloadSelection& s);

// The built-in catalog plus the custom workloads of `workloads_file`.
Result<WorkloadCatalog> load_catalog(const std::string& workloads_file);
// kInvalidArgument listing the known names when `name` is not in the catalog.
Result<const WorkloadSpec*> find_workload(const WorkloadCatalog& catalog, const std::string& name);
// "2.5s", "10s", "1m" -> seconds; empty -> nullopt (the workload's default).
Result<std::optional<double>> parse_workload_seconds(const std::string& text);

// `ktel workloads` and `collect --list-workloads`: the catalog as an aligned
// table or JSON ("table" | "json"); returns the exit code.
int print_workload_list(const WorkloadSelection& s, const std::string& format);

}  // namespace ktel::cli
