// Built-in workloads of the standard dataset set: cpu_bound (N processes of
// tight floating-point math) and io_mixed (2 writers of random data with
// fdatasync + 2 CPU burners). Each runs SECONDS, then reaps its children.
#pragma once

#include <string>
#include <vector>

namespace ktel {

// cpu_bound PROCS SECONDS
int run_cpu_bound(const std::vector<std::string>& args);
// io_mixed SECONDS
int run_io_mixed(const std::vector<std::string>& args);

}  // namespace ktel
