// BPF TaskReader (see bpf_task_reader.h). Stickiness lives in the iterator's
// extra_roots map: after each read the processes found become heads of the
// tree for the next one, so a member whose parent exits is still found there
// (the iterator itself only follows real_parent links to the root).
#include "sources/proc/bpf_task_reader.h"

#include <string>

namespace ktel::proc {

Result<std::unique_ptr<BpfTaskReader>> BpfTaskReader::open() {
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<BpfTaskIter> iter, BpfTaskIter::open());
  return std::make_unique<BpfTaskReader>(std::move(iter));
}

BpfTaskReader::BpfTaskReader(std::unique_ptr<BpfTaskIter> iter)
    : iter_(std::move(iter)), depth_hits_seen_(iter_->depth_limit_hits()) {}

Status BpfTaskReader::read_tree(pid_t root, bool threads, std::vector<TaskStats>& out) {
  out.clear();
  if (root != root_.pid) {
    root_ = ProcessKey{.pid = root};
    members_.clear();
    KTEL_TRY(iter_->set_extra_roots(members_));
  }
  KTEL_TRY(iter_->read_tree(root_, threads, out));

  // The hits count every task of the host whose chain was too deep, so they
  // are possible members, not certain ones: counted as lost to be safe.
  const uint64_t hits = iter_->depth_limit_hits();
  if (hits > depth_hits_seen_) {
    counters_.parse_errors += hits - depth_hits_seen_;
    counters_.last_error = std::to_string(hits - depth_hits_seen_) +
                           " task(s) skipped: ancestor chain deeper than the BPF task iterator "
                           "follows (64 levels); use --proc-backend procfs for such trees";
    depth_hits_seen_ = hits;
  }

  members_.clear();
  for (const TaskStats& s : out) {
    if (s.is_thread) continue;
    members_.push_back({s.pid, s.start_time_ns});
    if (s.pid == root_.pid && root_.start_time_ns == 0) root_.start_time_ns = s.start_time_ns;
  }
  Status sticky = iter_->set_extra_roots(members_);
  if (!sticky.is_ok()) {
    ++counters_.discovery_errors;
    counters_.last_error = sticky.to_string();
  }
  return Status::ok();
}

}  // namespace ktel::proc
