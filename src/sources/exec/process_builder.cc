#include "sources/exec/process_builder.h"

#include <algorithm>
#include <variant>

namespace ktel::exec {

std::optional<int64_t> ProcessRow::duration_ns() const {
  if (!start_ns || !exit_ns || *exit_ns < *start_ns) return std::nullopt;
  return *exit_ns - *start_ns;
}

ProcessRow& ProcessBuilder::live(int32_t pid, int64_t ts_ns) {
  auto [it, inserted] = live_.try_emplace(pid);
  if (inserted) {
    it->second.pid = pid;
    it->second.first_seen_ns = ts_ns;
  }
  return it->second;
}

void ProcessBuilder::add(const ExecLifecycleEvent& event) {
  if (const auto* f = std::get_if<ExecLifecycleFork>(&event)) add_fork(*f);
  if (const auto* e = std::get_if<ExecLifecycleExec>(&event)) add_exec(*e);
  if (const auto* x = std::get_if<ExecLifecycleExit>(&event)) add_exit(*x);
  if (const auto* r = std::get_if<ExecLifecycleRss>(&event)) add_rss(*r);
}

// The kernel submits a process's RSS record at its last exit, before the exit
// record (which waits for the final switch), or at the end for one still
// running: either way its row is live. One of another process under the
// same pid (start times differ) is left to process_rss alone.
void ProcessBuilder::add_rss(const ExecLifecycleRss& r) {
  auto it = live_.find(r.pid);
  if (it == live_.end()) return;
  ProcessRow& p = it->second;
  if (p.start_ns && r.start_ns > 0 && *p.start_ns != r.start_ns) return;
  p.rss_peak_bytes = std::max(p.rss_peak_bytes.value_or(0), r.peak_bytes);
}

void ProcessBuilder::add_fork(const ExecLifecycleFork& f) {
  if (f.is_thread) {
    live(f.child_pid, f.ts_ns);  // a thread reveals its process
    return;
  }
  // A live entry under the child's pid is an earlier process whose exit was
  // lost: the kernel frees a pid only after its exit.
  auto old = live_.find(f.child_pid);
  if (old != live_.end()) {
    done_.push_back(std::move(old->second));
    live_.erase(old);
  }
  ProcessRow& p = live(f.child_pid, f.ts_ns);
  p.ppid = f.parent_pid;
  p.start_ns = f.child_start_ns;
  p.comm = f.comm;
  p.uid = f.uid;
  p.cgroup_id = f.cgroup_id;
}

void ProcessBuilder::add_exec(const ExecLifecycleExec& e) {
  ProcessRow& p = live(e.pid, e.ts_ns);
  if (!p.ppid && e.ppid > 0) p.ppid = e.ppid;
  p.exec_ns = e.ts_ns;
  p.comm = e.comm;
  p.filename = e.filename;
  if (e.argv_known) {
    p.argv = e.argv;
  } else {
    p.argv.reset();
  }
  p.argv_truncated = e.argv_known && e.argv_truncated;
  if (e.uid) p.uid = e.uid;
  if (e.cgroup_id) p.cgroup_id = e.cgroup_id;
  ++p.exec_count;
}

void ProcessBuilder::add_exit(const ExecLifecycleExit& e) {
  ProcessRow& p = live(e.pid, e.ts_ns);
  if (!p.ppid && e.ppid > 0) p.ppid = e.ppid;
  if (!e.group_dead) return;
  p.exit_ns = e.ts_ns;
  p.exit_code = e.exit_code;
  p.signal = e.signal;
  p.core_dumped = e.core_dumped;
  p.cpu_ns = e.cpu_ns;
  p.maxrss_bytes = e.maxrss_bytes;
  if (e.start_ns > 0) p.start_ns = e.start_ns;  // the leader's own start time
  if (p.comm.empty()) p.comm = e.comm;
  auto it = live_.find(e.pid);
  done_.push_back(std::move(it->second));
  live_.erase(it);
}

std::vector<ProcessRow> ProcessBuilder::finish() {
  std::vector<ProcessRow> out = std::move(done_);
  done_.clear();
  for (auto& [pid, row] : live_) out.push_back(std::move(row));
  live_.clear();
  auto key = [](const ProcessRow& r) {
    return std::make_pair(r.start_ns.value_or(r.first_seen_ns), r.pid);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const ProcessRow& a, const ProcessRow& b) { return key(a) < key(b); });
  return out;
}

}  // namespace ktel::exec
