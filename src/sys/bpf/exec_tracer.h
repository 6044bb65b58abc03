// ExecTracer: every exec, fork and exit of the processes in scope, from the
// eBPF program bpf/exec.bpf.c (tp_btf/sched_process_exec and _fork, the
// sched_process_exit tracepoint) through one ring buffer. Records are
// submitted without wakeup; the caller polls, e.g. every 50 ms.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "sys/bpf/exec_record_decode.h"

struct exec_bpf;  // libbpf skeleton; libbpf headers stay in exec_tracer.cc
struct ring_buffer;

namespace ktel {

enum class ExecScope { kAll, kTree, kCgroup };

struct ExecTracerOptions {
  ExecScope scope = ExecScope::kTree;
  pid_t root_pid = 0;       // kTree: the target (call track() for more)
  uint64_t cgroup_id = 0;   // kCgroup: the target's cgroup v2 id
  uint32_t argv_max_bytes = 4096;  // 1 .. KTEL_EXEC_ARGV_MAX - 1 (16383)
  uint32_t argv_max_args = 64;
  std::vector<std::string> exclude_comms;  // exec records of these (comm after exec) are hidden
  size_t ring_bytes = size_t{1} << 20;     // rounded up to a power of two >= one page
  // --exec-rss: attach kmem/rss_stat and aggregate each process's RSS (peak
  // and a bounded series) in the kernel; off, the program is not loaded.
  bool rss = false;
  uint64_t rss_interval_ns = 10'000'000;  // first least gap between samples
};

// Ring-buffer outputs that failed, per record type, plus tracked-map inserts
// that failed (a full map: that subtree is no longer followed).
struct ExecLost {
  uint64_t exec = 0;
  uint64_t fork = 0;
  uint64_t exit = 0;
  uint64_t rss = 0;           // RSS records the ring had no room for
  uint64_t tracked_full = 0;
  uint64_t rss_map_full = 0;  // rss_stat events of processes the RSS map had no room for
  uint64_t total() const { return exec + fork + exit + rss + tracked_full + rss_map_full; }
};

class ExecTracer {
 public:
  // Loads and attaches. kUnavailable / kPermissionDenied naming what failed
  // (no BTF, not root, a verifier refusal with libbpf's words).
  static Result<std::unique_ptr<ExecTracer>> open(const ExecTracerOptions& options);
  ~ExecTracer();
  ExecTracer(const ExecTracer&) = delete;
  ExecTracer& operator=(const ExecTracer&) = delete;

  // Adds a process to the tree (kTree). For attach mode: the target's
  // existing descendants, e.g. from track_descendants_from_proc().
  Status track(pid_t tgid);
  // The root and every live descendant process found in /proc; returns how
  // many were added.
  Result<size_t> track_descendants_from_proc(pid_t root);

  using EventFn = std::function<void(ExecLifecycleEvent&&)>;
  // Drains what the ring holds now, without waiting; returns the records
  // handed to fn. Records that fail to decode are counted in malformed().
  // Not thread-safe.
  Result<size_t> poll(const EventFn& fn);
  using RawFn = std::function<void(std::span<const std::byte>)>;
  // The same, handing over each record's bytes as the ring holds them,
  // undecoded (for a raw capture decoded later with decode_options()).
  Result<size_t> poll_raw(const RawFn& fn);
  // What decode_exec_record needs to read this tracer's records.
  const ExecDecodeOptions& decode_options() const { return decode_; }
  // The ring buffer's size: ring_bytes rounded up to a power of two >= a page.
  size_t ring_bytes() const { return ring_bytes_; }

  // Detaches the programs: no record is written after it returns; what the
  // ring holds can still be polled and lost() still read.
  void detach();
  // After detach(): hands over, as raw records, the exit records of last
  // threads whose final context switch the programs did not see (their CPU
  // time is as at exit, without KTEL_EXIT_CPU_FINAL), and forgets them.
  Result<size_t> flush_pending_exits(const RawFn& fn);
  // After detach(), with --exec-rss: hands over the RSS records of processes
  // still running (stamped now), and forgets them.
  Result<size_t> flush_rss(const RawFn& fn);

  ExecLost lost() const;
  uint64_t malformed() const { return malformed_; }

 private:
  ExecTracer() = default;
  static int on_record(void* ctx, void* data, size_t size);

  exec_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  ExecDecodeOptions decode_;
  size_t ring_bytes_ = 0;
  Result<size_t> consume();

  const EventFn* fn_ = nullptr;
  const RawFn* raw_fn_ = nullptr;
  size_t delivered_ = 0;
  uint64_t malformed_ = 0;
};

}  // namespace ktel
