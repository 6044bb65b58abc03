// ProcessLifecycle: turns successive per-tick process rows into appeared/gone
// transitions keyed by (pid, start time), so a reused pid is a new process.
// Backend-independent: it sees only TaskStats.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sys/task_stats.h"

namespace ktel::proc {

class ProcessLifecycle {
 public:
  struct Gone {
    pid_t pid = 0;
    uint64_t start_time_ns = 0;
    std::string comm;  // the last comm seen (exec changes it)
  };

  // `tasks` is one tick's read; thread rows are ignored. `appeared` receives
  // pointers into `tasks` for processes not seen before, `gone` the processes
  // seen at the previous update but not in this one (both cleared first).
  void update(const std::vector<TaskStats>& tasks, std::vector<const TaskStats*>& appeared,
              std::vector<Gone>& gone);

  // Distinct (pid, start time) keys seen so far.
  uint64_t processes_seen() const { return seen_; }

 private:
  struct Known {
    uint64_t start_time_ns = 0;
    std::string comm;
    uint64_t gen = 0;
  };
  std::unordered_map<pid_t, Known> known_;
  uint64_t gen_ = 0;
  uint64_t seen_ = 0;
};

}  // namespace ktel::proc
