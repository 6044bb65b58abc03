// Test-only: the tracefs preconditions of sched tests (root, tracefs mounted
// or mountable) and a snapshot of the global tracing files that a capture
// must leave exactly as it found them.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/file_util.h"
#include "sys/tracefs.h"
#include "sys/tracefs_instance.h"

namespace ktel::testing {

// The tracefs mount point, mounting it when absent and root; nullopt with
// `why` set when neither is possible.
inline std::optional<std::string> tracefs_for_tests(std::string& why) {
  if (::geteuid() != 0) {
    why = "needs root for ftrace instances (run the tests as root)";
    return std::nullopt;
  }
  auto where = find_or_mount_tracefs();
  if (!where.is_ok()) {
    why = where.status().to_string();
    return std::nullopt;
  }
  return where->path;
}

// Global (top-level) tracing files whose contents a run must not change.
inline std::map<std::string, std::string> global_tracing_snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const char* f :
       {"tracing_on", "trace_clock", "buffer_size_kb", "current_tracer", "set_event",
        "set_event_pid", "trace_options", "events/enable", "events/sched/enable",
        "events/sched/sched_switch/enable", "events/sched/sched_switch/filter",
        "options/event-fork", "options/overwrite", "options/record-tgid", "buffer_percent"}) {
    auto text = read_file(root + "/" + f);
    out[f] = text.is_ok() ? *text : "<" + text.status().to_string() + ">";
  }
  return out;
}

// Names of ktel-* instances whose owner is dead: what a run left behind
// (instances of other tests still recording are alive and not listed). The
// error text when the instances cannot be listed.
inline std::vector<std::string> stale_ktel_instances(const std::string& root) {
  auto names = list_ktel_instances(root);
  if (!names.is_ok()) return {"<" + names.status().to_string() + ">"};
  std::vector<std::string> stale;
  for (const auto& name : *names) {
    if (::kill(instance_owner_pid(name), 0) != 0) stale.push_back(name);
  }
  return stale;
}

}  // namespace ktel::testing
