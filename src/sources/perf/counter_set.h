// PerfCounterSet: the open perf counters of one target — per existing thread,
// each counter group opened with inherit — and their cumulative readings.
// Opening policy lives here; syscalls are in sys/perf_event.h.
#pragma once

#include <sys/types.h>

#include <array>
#include <optional>
#include <vector>

#include "base/scoped_fd.h"
#include "base/status.h"
#include "sources/perf/counter_plan.h"
#include "sources/perf/perf_math.h"

namespace ktel::perf {

// readings[thread][counter]; nullopt where the counter is not open on that
// thread or its read failed.
using Snapshot = std::vector<std::array<std::optional<CounterReading>, kCounterCount>>;

class PerfCounterSet {
 public:
  // Opens all counters on every thread `pid` has now. inherit makes each
  // count the thread's later threads and children too, so new tasks are
  // covered; threads that already exist need their own fds because perf with
  // a pid attaches to one thread only. Per-counter failures become outcomes();
  // the Status is an error only for failures that are not the counter's
  // (target gone, out of fds), named with the pid.
  static Result<PerfCounterSet> open(pid_t pid);

  const std::array<CounterOutcome, kCounterCount>& outcomes() const { return outcomes_; }
  bool any_open() const;
  size_t threads() const { return threads_.size(); }
  // True when the kernel refused PERF_FORMAT_GROUP with inherit and counters
  // are read one by one.
  bool individual_reads() const { return individual_reads_; }
  // True when the kernel refused to count kernel mode for this user
  // (perf_event_paranoid >= 2 without CAP_PERFMON) and every counter was opened
  // with exclude_kernel instead: values then cover user space only.
  bool user_only() const { return user_only_; }
  // kernel.perf_event_paranoid when the set was opened; nullopt if unreadable.
  std::optional<int> paranoid() const { return paranoid_; }

  // Reads every open counter. Read errors leave nullopt and are counted in
  // `read_errors`. Not thread-safe.
  Snapshot read(uint64_t& read_errors) const;

 private:
  struct GroupFds {
    bool group_read = false;
    std::vector<int> counters;  // counter indices, in open order
    std::vector<ScopedFd> fds;  // fds[i] belongs to counters[i]; fds[0] leads
  };
  struct ThreadFds {
    pid_t tid = 0;
    std::vector<GroupFds> groups;
  };

  // Opens one group on `tid`; per-counter failures are stored in outcomes
  // when `record_outcomes` (the first thread decides a counter's status).
  Result<GroupFds> open_group(const std::vector<int>& members, pid_t tid, bool record_outcomes);
  void read_group(const GroupFds& g, std::array<std::optional<CounterReading>, kCounterCount>& out,
                  uint64_t& read_errors) const;

  pid_t pid_ = 0;
  std::optional<int> paranoid_;
  bool individual_reads_ = false;
  bool user_only_ = false;
  std::array<CounterOutcome, kCounterCount> outcomes_;
  std::vector<ThreadFds> threads_;
};

}  // namespace ktel::perf
