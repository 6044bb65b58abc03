// The workload catalog: the twelve standard workloads of scheduler-trace
// datasets (hackbench, sysbench, cpu_bound, io_mixed), ktel's other built-in
// workloads, and custom ones from TOML files (docs/formats/workloads-toml.md).
// `ktel workloads` lists it; `ktel record --workload` and `ktel collect` run
// from it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ktel {

enum class WorkloadOrigin { kBuiltin, kExternal, kCustom };
std::string_view origin_name(WorkloadOrigin origin);  // built-in, external, custom

struct WorkloadSpec {
  std::string name;  // [A-Za-z0-9_.-]+; becomes a directory name
  std::string category;
  std::string description;
  WorkloadOrigin origin = WorkloadOrigin::kExternal;
  // Placeholders: {ktel} the ktel binary; {duration} the seconds of a timed
  // workload ("2.5"), {duration_int} the same rounded up to whole seconds (>= 1).
  std::vector<std::string> argv;
  std::string package;         // apt package providing argv[0], when known
  bool timed = false;          // argv takes the duration
  double default_seconds = 0;  // for timed workloads
  bool standard = false;       // one of the twelve `ktel collect` runs by default
  std::string defined_in;      // custom: "file:line"
};

// Where a workload stands on this machine.
struct WorkloadAvailability {
  enum class Kind { kBuiltIn, kInstalled, kMissing };
  Kind kind = Kind::kMissing;
  std::string detail;  // installed: the resolved path; missing: what to install
  std::string_view word() const;  // built-in, installed, missing
};

class WorkloadCatalog {
 public:
  // The standard twelve, then demo, burn, pingpong and pipeline.
  static WorkloadCatalog builtin();

  // Adds the [[workload]] tables of a TOML file. Errors name the file, the
  // line and the field; nothing is added from a file with an error.
  Status add_toml_file(const std::string& path);
  // As add_toml_file, from text (`path` names errors).
  Status add_toml_text(std::string_view text, const std::string& path);

  const WorkloadSpec* find(std::string_view name) const;
  const std::vector<WorkloadSpec>& all() const { return specs_; }
  // The workloads `ktel collect` runs without -w: the standard set, then
  // custom ones.
  std::vector<const WorkloadSpec*> default_set() const;

 private:
  std::vector<WorkloadSpec> specs_;
};

WorkloadAvailability availability(const WorkloadSpec& spec);

// argv with placeholders filled: `seconds` (timed workloads only; default:
// default_seconds) and the ktel binary path.
Result<std::vector<std::string>> resolve_argv(const WorkloadSpec& spec,
                                              std::optional<double> seconds,
                                              const std::string& ktel_exe);

// True when `name` is usable as a workload name (and so a directory name).
bool valid_workload_name(std::string_view name);

}  // namespace ktel
