// Forking and reaping the processes of built-in workloads.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

namespace ktel {

// Forks `body` into a child named `name` (PR_SET_NAME) that exits with its
// return value and dies with SIGKILL when this process dies (a recorder's
// SIGKILL of the workload must not leave children behind).
pid_t fork_workload_child(const char* name, const std::function<int()>& body);

// Waits for every child; 0 when all exited 0, else 1.
int reap_workload_children(const std::vector<pid_t>& children);

}  // namespace ktel
