// Opens the perf counter groups of a target's threads and reads them.
#include "sources/perf/counter_set.h"

#include <cerrno>

#include "sys/perf_event.h"

namespace ktel::perf {

namespace {
// A very threaded attach target would need threads * 10 fds; past this many
// threads the rest are left uncounted (reported in the source's details).
constexpr size_t kMaxThreads = 1024;
}  // namespace

Result<PerfCounterSet> PerfCounterSet::open(pid_t pid) {
  PerfCounterSet set;
  set.pid_ = pid;
  set.paranoid_ = sys::read_perf_event_paranoid();
  KTEL_ASSIGN_OR_RETURN(std::vector<pid_t> tids, sys::list_thread_ids(pid));
  if (tids.size() > kMaxThreads) tids.resize(kMaxThreads);
  for (size_t t = 0; t < tids.size(); ++t) {
    ThreadFds thread{tids[t], {}};
    for (const auto& members : counter_groups()) {
      auto g = set.open_group(members, tids[t], /*record_outcomes=*/t == 0);
      if (!g.is_ok()) {
        // Only the first thread is the target itself; a later one that exits
        // while we attach is simply not there to count.
        if (t > 0 && g.status().sys_errno() == ESRCH) break;
        return g.status();
      }
      if (!g->fds.empty()) thread.groups.push_back(std::move(*g));
    }
    if (!thread.groups.empty()) set.threads_.push_back(std::move(thread));
  }
  return set;
}

Result<PerfCounterSet::GroupFds> PerfCounterSet::open_group(const std::vector<int>& members,
                                                            pid_t tid, bool record_outcomes) {
  GroupFds g;
  // The perf_event_open(2) page warns that inherit does not work with
  // PERF_FORMAT_GROUP on some kernels; on 6.x a group read of an inherited
  // leader sums its live and exited children. If the kernel rejects the
  // combination (EINVAL on the leader), reopen without GROUP and read each fd.
  g.group_read = !individual_reads_;
  for (int idx : members) {
    const CounterDef& def = counter_defs()[static_cast<size_t>(idx)];
    sys::PerfCounterAttr attr{def.type, def.config, /*inherit=*/true, g.group_read, user_only_};
    int leader = g.fds.empty() ? -1 : g.fds[0].get();
    auto fd = sys::perf_counter_open(attr, tid, leader);
    // perf_event_paranoid=2 forbids counting kernel mode to unprivileged users
    // but allows user space: switch the whole set to user-only, once, so all
    // counters keep the same meaning (reported as user_only, never silently).
    if (!fd.is_ok() && fd.status().sys_errno() == EACCES && !user_only_ && g.fds.empty() &&
        threads_.empty()) {
      attr.user_only = true;
      auto retry = sys::perf_counter_open(attr, tid, leader);
      if (retry.is_ok()) {
        user_only_ = true;
        fd = std::move(retry);
      } else if (retry.status().sys_errno() != EACCES) {
        fd = std::move(retry);  // permitted user-only, but absent: say why
      }
    }
    if (!fd.is_ok() && g.fds.empty() && g.group_read && fd.status().sys_errno() == EINVAL) {
      attr.group_read = false;
      fd = sys::perf_counter_open(attr, tid, -1);
      if (fd.is_ok()) {
        individual_reads_ = true;
        g.group_read = false;
      }
    }
    if (fd.is_ok()) {
      g.counters.push_back(idx);
      g.fds.push_back(std::move(*fd));
      continue;
    }
    int err = fd.status().sys_errno();
    auto status = counter_status_for_errno(err);
    if (!status)
      return fd.status().with_context("opening perf counters of pid " + std::to_string(pid_));
    // A failed member leaves the group to the others; a failed leader lets the
    // next member try to lead (group_fd stays -1 while fds is empty).
    if (record_outcomes) {
      outcomes_[static_cast<size_t>(idx)] = {*status,
                                             open_failure_reason(def, pid_, err, paranoid_)};
    }
  }
  return g;
}

bool PerfCounterSet::any_open() const {
  for (const auto& o : outcomes_) {
    if (o.status == CounterStatus::kOk) return true;
  }
  return false;
}

void PerfCounterSet::read_group(const GroupFds& g,
                                std::array<std::optional<CounterReading>, kCounterCount>& out,
                                uint64_t& read_errors) const {
  uint64_t words[3 + kCounterCount];
  if (g.group_read) {
    auto n = sys::perf_counter_read(g.fds[0].get(), words, std::size(words));
    auto readings = n.is_ok() ? decode_group_read({words, *n}, g.counters.size())
                              : Result<std::vector<CounterReading>>(n.status());
    if (!readings.is_ok()) {
      ++read_errors;
      return;
    }
    for (size_t i = 0; i < g.counters.size(); ++i)
      out[static_cast<size_t>(g.counters[i])] = (*readings)[i];
    return;
  }
  for (size_t i = 0; i < g.counters.size(); ++i) {
    auto n = sys::perf_counter_read(g.fds[i].get(), words, 3);
    auto r = n.is_ok() ? decode_single_read({words, *n}) : Result<CounterReading>(n.status());
    if (r.is_ok()) {
      out[static_cast<size_t>(g.counters[i])] = *r;
    } else {
      ++read_errors;
    }
  }
}

Snapshot PerfCounterSet::read(uint64_t& read_errors) const {
  Snapshot snap(threads_.size());
  for (size_t t = 0; t < threads_.size(); ++t) {
    for (const auto& g : threads_[t].groups) read_group(g, snap[t], read_errors);
  }
  return snap;
}

}  // namespace ktel::perf
