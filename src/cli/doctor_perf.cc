// `ktel doctor` perf lines: opens every counter on ktel itself, exactly as the
// perf source would on a target, and reports each one's status.
#include <unistd.h>

#include <fmt/format.h>

#include "cli/doctor_checks.h"
#include "sources/perf/counter_set.h"

namespace ktel::cli {

void add_perf_counter_checks(std::vector<Check>& out) {
  auto set = perf::PerfCounterSet::open(::getpid());
  if (!set.is_ok()) {
    out.push_back({"perf counters", Level::kFail, set.status().to_string(), "see perf_event_paranoid above"});
    return;
  }
  const auto& defs = perf::counter_defs();
  for (size_t i = 0; i < defs.size(); ++i) {
    const auto& o = set->outcomes()[i];
    bool ok = o.status == perf::CounterStatus::kOk;
    std::string detail = ok ? "opens" : fmt::format("{}: {}", perf::counter_status_name(o.status), o.reason);
    // Hardware counters missing in a VM are normal: rows carry NULL for them.
    std::string fix = ok || defs[i].hardware ? "" : "check perf_event_paranoid, or run as root";
    out.push_back({fmt::format("perf {}", defs[i].name), ok ? Level::kOk : Level::kWarn, detail, fix});
  }
}

}  // namespace ktel::cli
