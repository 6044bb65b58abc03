// ProcfsTaskReader: the procfs TaskReader. Lists /proc each tick for tree
// discovery and reads /proc/<pid>[/task/<tid>]/{stat,status,io,schedstat}
// through fds kept open between ticks (pread at offset 0).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sources/proc/process_tree.h"
#include "sources/proc/task_reader.h"
#include "sys/procfs.h"

namespace ktel::proc {

struct ProcfsReaderOptions {
  std::string proc_root = "/proc";
  // Read `status` (the only source of context switches, and ~60% of the read
  // cost) on every Nth read of each task, staggered by pid, and always on its
  // first read. Rows where it was not read carry NULL vol_ctxsw/invol_ctxsw:
  // never a stale value. 1 = every tick.
  int status_every = 1;
  // Upper bound on fds kept open; past it files are opened per read (counted
  // as transient_reads). 0 = half the soft RLIMIT_NOFILE, leaving the rest to
  // the other sources and the sink.
  uint64_t max_kept_fds = 0;
};

class ProcfsTaskReader final : public TaskReader {
 public:
  // kUnavailable if the proc root is not a mounted procfs.
  static Result<std::unique_ptr<ProcfsTaskReader>> open(ProcfsReaderOptions options = {});
  ~ProcfsTaskReader() override;

  std::string_view backend() const override { return "procfs"; }
  Status read_tree(pid_t root, bool threads, std::vector<TaskStats>& out) override;
  TaskReaderCounters counters() const override;

  uint64_t max_kept_fds() const { return max_kept_fds_; }

 private:
  enum FileKind { kStat = 0, kStatus, kIo, kSchedstat, kFileCount };
  struct TaskFiles {
    ScopedFd fd[kFileCount];
    int missing_errno[kFileCount] = {};  // sticky: file absent or denied for this task
    uint64_t reads = 0;
    uint64_t seen_gen = 0;
  };
  struct Tracked {
    uint64_t start_time_ticks = 0;
    uint64_t seen_gen = 0;
    TaskFiles files;
    ScopedFd task_dir;
    std::unordered_map<pid_t, TaskFiles> threads;
  };
  enum class Outcome { kOk, kGone, kFailed };

  ProcfsTaskReader(procfs::ProcFs fs, ProcfsReaderOptions options);

  Result<Identity> identify(pid_t pid);
  Outcome read_task(pid_t pid, pid_t tid, bool is_thread, TaskFiles& files, TaskStats& out);
  Outcome read_optional(pid_t pid, pid_t tid, bool is_thread, TaskFiles& files, FileKind kind,
                        std::string_view* text);
  static Status parse_optional(FileKind kind, std::string_view body, TaskStats& out);
  void read_threads(pid_t pid, Tracked& t, std::vector<TaskStats>& out);
  Result<std::string_view> read_file(TaskFiles& files, FileKind kind, const procfs::ProcPath& p);
  procfs::ProcPath path_of(pid_t pid, pid_t tid, bool is_thread, FileKind kind) const;
  void record_failure(const Status& st);
  void release(TaskFiles& files);
  void release(Tracked& t);

  procfs::ProcFs fs_;
  ProcfsReaderOptions options_;
  uint64_t max_kept_fds_ = 0;
  int64_t ns_per_tick_ = 0;
  int64_t page_size_ = 0;
  std::optional<ProcessTree> tree_;
  pid_t tree_root_ = 0;
  uint64_t gen_ = 0;
  std::unordered_map<pid_t, Tracked> procs_;
  std::vector<procfs::DirEntry> listing_;
  std::vector<procfs::DirEntry> tids_;
  std::string buf_;
  std::string id_buf_;
  TaskReaderCounters counters_;
};

}  // namespace ktel::proc
