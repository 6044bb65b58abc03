// The exec source's /proc half of the ftrace fallback: scans /proc on a timer
// and notes, for every process in scope, its arguments (/proc/<pid>/cmdline),
// real uid (status) and parent (stat) each time they change. ftrace's
// sched_process_exec has the filename only; these notes give the argv of the
// processes that lived at least one scan period.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "sys/procfs.h"

namespace ktel::exec {

// One look at a process: what /proc showed at `seen_ns`.
struct ProcArgvNote {
  int64_t seen_ns = 0;  // CLOCK_MONOTONIC after the reads
  int32_t pid = 0;
  int32_t ppid = 0;
  std::optional<uint32_t> uid;  // real uid; absent if status could not be read
  std::string comm;             // from stat: the name after the last exec
  std::vector<std::string> argv;
  uint32_t argv_bytes = 0;  // the whole block, NULs included
  uint32_t argc = 0;        // every argument, even past the limits
  bool argv_truncated = false;
};

struct ArgvLimits {
  uint32_t max_bytes = 4096;
  uint32_t max_args = 64;
};

// Splits a cmdline block (NUL-terminated arguments) keeping at most
// `limits.max_args` arguments and `limits.max_bytes` bytes; argc and
// argv_bytes describe the whole block. Pure.
void split_cmdline(std::string_view block, const ArgvLimits& limits, ProcArgvNote& out);

// The real uid from /proc/<pid>/status text ("Uid:\t<real>\t<eff>..."),
// absent if there is no parsable Uid line. Pure.
std::optional<uint32_t> parse_status_real_uid(std::string_view status);

struct ProcArgvScope {
  bool all = false;   // every process; else `root` and its descendants
  int32_t root = 0;
};

// Not thread-safe: one thread calls scan().
class ProcArgvScanner {
 public:
  using NoteCallback = std::function<void(const ProcArgvNote&)>;

  static Result<ProcArgvScanner> open(ProcArgvScope scope, ArgvLimits limits,
                                      std::string proc_root = "/proc");

  // One pass over /proc: `on_note` for every process in scope seen for the
  // first time or whose arguments changed since the last pass. A process
  // that vanishes mid-read is skipped, not an error; failing to list /proc is.
  Status scan(const NoteCallback& on_note);

  uint64_t scans() const { return scans_; }
  size_t in_scope() const;

 private:
  struct Known {
    uint64_t ino = 0;
    bool in_scope = false;
    bool seen = false;
    std::string cmdline;  // raw block of the last note
  };
  ProcArgvScanner(procfs::ProcFs fs, ProcArgvScope scope, ArgvLimits limits)
      : fs_(std::move(fs)), scope_(scope), limits_(limits) {}
  // Reads stat for a new entry; false when the process is gone.
  bool learn(const procfs::DirEntry& e, int32_t& ppid, std::string& comm);
  void look(int32_t pid, int32_t ppid, std::string_view comm, Known& k,
            const NoteCallback& on_note);

  procfs::ProcFs fs_;
  ProcArgvScope scope_;
  ArgvLimits limits_;
  std::unordered_map<int32_t, Known> known_;
  std::vector<procfs::DirEntry> entries_;
  std::string buf_;
  uint64_t scans_ = 0;
};

}  // namespace ktel::exec
