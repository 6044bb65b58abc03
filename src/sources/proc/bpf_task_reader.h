// BpfTaskReader: the TaskReader over the BPF task iterator (sys/bpf/task_iter.h),
// with the procfs tracker's sticky membership: every process seen in the tree
// stays in it (with its descendants) after being re-parented away. Built only
// when KTEL_HAVE_BPF.
#pragma once

#include <memory>
#include <vector>

#include "sources/proc/task_reader.h"
#include "sys/bpf/task_iter.h"

namespace ktel::proc {

class BpfTaskReader final : public TaskReader {
 public:
  // BpfTaskIter::open()'s errors: kUnavailable / kPermissionDenied with the
  // reason and fix.
  static Result<std::unique_ptr<BpfTaskReader>> open();
  explicit BpfTaskReader(std::unique_ptr<BpfTaskIter> iter);

  std::string_view backend() const override { return "bpf_task_iter"; }
  // As TaskReader::read_tree. The root is the process that had `root` at the
  // first read (a reused pid is not it). Tasks skipped for an ancestor chain
  // deeper than the iterator follows are counted in parse_errors; failing to
  // keep members sticky (map full or a map syscall error) in
  // discovery_errors, both with last_error.
  Status read_tree(pid_t root, bool threads, std::vector<TaskStats>& out) override;
  TaskReaderCounters counters() const override { return counters_; }

 private:
  std::unique_ptr<BpfTaskIter> iter_;
  ProcessKey root_;
  uint64_t depth_hits_seen_ = 0;
  std::vector<ProcessKey> members_;
  TaskReaderCounters counters_;
};

}  // namespace ktel::proc
