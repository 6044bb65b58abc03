// cgroup v2 identity of a process: its path in the unified hierarchy
// (/proc/<pid>/cgroup) and its cgroup id, the inode number of that directory
// in the cgroup2 mount, which is what bpf_get_current_cgroup_id() returns.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ktel {

// The path of the "0::<path>" line of a /proc/<pid>/cgroup text, or nullopt
// when it has none (a v1-only system).
std::optional<std::string> cgroup_v2_path(std::string_view proc_pid_cgroup);

struct CgroupV2 {
  std::string path;       // in the hierarchy: "/", "/system.slice/x.service"
  std::string directory;  // where it is mounted here
  uint64_t id = 0;        // inode of `directory`
};

// kNotFound when the pid does not exist; kUnavailable when there is no
// unified hierarchy or it is not mounted (with the fix).
Result<CgroupV2> cgroup_v2_of_pid(pid_t pid);

}  // namespace ktel
