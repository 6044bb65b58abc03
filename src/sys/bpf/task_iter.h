// BpfTaskIter: per-task counters of a process tree read in one pass over the
// kernel's task list by a BPF task iterator (bpf/task_iter.bpf.c, iter/task),
// as a cheaper alternative to reading /proc/<pid>/{stat,status,io,schedstat}.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "sys/task_stats.h"

struct task_iter_bpf;  // libbpf skeleton; libbpf headers stay in task_iter.cc

namespace ktel {

// One process across pid reuse: its pid and start time (ns since boot, exactly
// as TaskStats::start_time_ns of this reader).
struct ProcessKey {
  pid_t pid = 0;
  uint64_t start_time_ns = 0;  // 0 in a root: any process with that pid
};

class BpfTaskIter {
 public:
  // Capacity of set_extra_roots().
  static constexpr size_t kMaxExtraRoots = 32768;

  // Loads and attaches the iterator program, then checks it by finding the
  // calling process. kUnavailable / kPermissionDenied with the reason and fix
  // when BPF or BTF cannot be used (not root, no CAP_BPF, no BTF, verifier
  // refusal, a pid namespace other than the initial one).
  static Result<std::unique_ptr<BpfTaskIter>> open();
  ~BpfTaskIter();
  BpfTaskIter(const BpfTaskIter&) = delete;
  BpfTaskIter& operator=(const BpfTaskIter&) = delete;

  // Appends one TaskStats per process of root's tree (root and every
  // descendant process; each thread too when with_threads), read in one pass
  // over the kernel's task list. Fields mean what procfs shows; see
  // task_record_decode.cc for each one's source. Membership follows
  // real_parent links up to KTEL_TASK_ITER_MAX_DEPTH (64) levels; deeper
  // descendants are missed and counted by depth_limit_hits(). An unknown root
  // yields no rows and an ok status. Not thread-safe: one caller at a time.
  Status read_tree(pid_t root, bool with_threads, std::vector<TaskStats>& out);
  // The same, with root.start_time_ns (when non-zero) required to match, so a
  // reused root pid is not mistaken for the root.
  Status read_tree(ProcessKey root, bool with_threads, std::vector<TaskStats>& out);

  // Sets more tree heads for later read_tree() calls: each live process of
  // `roots` whose start time matches (start_time_ns 0 never matches) is a
  // member with all its descendants, wherever its real_parent chain now leads
  // (a re-parented orphan). Replaces the previous set; costs a map syscall per
  // change only. kResourceExhausted past kMaxExtraRoots (the first ones are
  // kept); other errors from the map syscalls. Not thread-safe.
  Status set_extra_roots(std::span<const ProcessKey> roots);

  // Tasks skipped so far because their ancestor chain exceeded the depth limit.
  uint64_t depth_limit_hits() const;

 private:
  explicit BpfTaskIter(task_iter_bpf* skel);
  Status read_records(ProcessKey root, bool with_threads);

  task_iter_bpf* skel_;
  uint64_t page_size_;
  std::vector<std::byte> records_;                   // reused across reads; only grows
  size_t records_used_ = 0;                          // bytes of records_ the last read filled
  std::unordered_map<pid_t, uint64_t> extra_roots_;  // mirror of the BPF map
  std::unordered_map<pid_t, uint64_t> wanted_;       // scratch of set_extra_roots
  std::vector<ProcessKey> last_roots_;               // set_extra_roots' last argument
  bool last_roots_ok_ = false;                       // ... and whether it was applied in full
};

}  // namespace ktel
