// TEMPORARY: resolves built-in workloads only, until the catalog lands.
#include "cli/workload_selection.h"

#include <fmt/format.h>

#include "cli/commands.h"
#include "sys/spawn.h"
#include "workloads/builtin.h"

namespace ktel::cli {

Result<std::vector<collect::CollectWorkload>> select_collect_workloads(const WorkloadSelection& s) {
  KTEL_ASSIGN_OR_RETURN(std::string exe, self_executable());
  std::vector<collect::CollectWorkload> out;
  for (const auto& name : s.names) {
    const BuiltinWorkload* w = find_builtin_workload(name);
    if (w == nullptr) return invalid_argument(fmt::format("unknown workload '{}'", name));
    std::vector<std::string> argv = {exe, "__workload", name};
    if (!s.duration.empty()) argv.push_back(s.duration);
    out.push_back({.name = name, .category = name, .description = w->description,
                   .argv = argv, .unavailable = ""});
  }
  return out;
}

int print_workload_list(const WorkloadSelection&) {
  for (const auto& w : builtin_workloads()) fmt::print("{}  {}\n", w.name, w.description);
  return kExitOk;
}

}  // namespace ktel::cli
