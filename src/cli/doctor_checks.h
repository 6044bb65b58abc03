// Checks shown by `ktel doctor`.
#pragma once

#include <string>
#include <vector>

namespace ktel::cli {

enum class Level { kOk, kWarn, kFail };

struct Check {
  std::string name;
  Level level = Level::kOk;
  std::string detail;
  std::string fix;  // empty when nothing to do
};

std::vector<Check> run_doctor_checks(bool fix);
// One line per perf counter: opens it on ktel itself and reports the status.
void add_perf_counter_checks(std::vector<Check>& out);

}  // namespace ktel::cli
