#include "sources/registry.h"

#include "sources/perf/perf_source.h"
#include "sources/proc/proc_source.h"
#include "sources/sched/sched_source.h"
#include "sources/exec/exec_source.h"

namespace ktel {

void SourceRegistry::add(SourceInfo info) { infos_.push_back(std::move(info)); }

const SourceInfo* SourceRegistry::find(std::string_view name) const {
  for (const auto& i : infos_) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

std::vector<std::string> SourceRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& i : infos_) out.push_back(i.name);
  return out;
}

void register_builtin_sources(SourceRegistry& registry) {
  registry.add({"proc", "per-process /proc samples of the target tree and per-CPU /proc/stat",
                false, [] { return std::make_unique<ProcSource>(); }});
  registry.add({"perf", "perf_event_open counters of the target tree (inherit)", false,
                [] { return std::make_unique<PerfSource>(); }});
  registry.add({"sched",
                "every scheduler event (switch, wakeup, migrate, fork/exec/exit) from a private "
                "ftrace instance, lossless or every loss counted",
                true, [] { return std::make_unique<sched::SchedSource>(); }});
  registry.add({"exec",
                "every exec, fork and exit of the target's processes (eBPF; else ftrace + /proc, "
                "saying so): argv, exit code, "
                "exact CPU time and peak memory per process, every loss counted",
                true, [] { return std::make_unique<exec::ExecSource>(); }});
}

}  // namespace ktel
