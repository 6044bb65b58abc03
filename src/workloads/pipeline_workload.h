// The built-in `pipeline` workload: a small CI-like shell script run several
// times with a few copies in parallel, so `ktel record --workload pipeline`
// gives the exec source and the report's pipeline section a realistic tree:
// short commands (uname, pwd, ls, df, id), CPU-heavy ones (sort, gzip,
// sha256sum), timeout-wrapped monitors (vmstat), one command that fails with
// exit 3 and one that `timeout` kills.
#pragma once

#include <string>
#include <vector>

namespace ktel {

struct PipelineOptions {
  int runs = 6;      // times the script runs
  int parallel = 2;  // copies running at once
};

// The script each step runs with /bin/sh -c (its $1 is the step number).
const std::string& pipeline_script();

// Runs the steps and reaps them; returns 0 when every step's script exited
// 0 (commands inside may fail on purpose), else 1. Args: [RUNS [PARALLEL]].
int run_pipeline_workload(const std::vector<std::string>& args);

}  // namespace ktel
