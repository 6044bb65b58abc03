// ExecTableWriter: the exec source's tables from decoded tracer records in
// ring order: one exec_events row per exec, one forks row per fork or clone,
// and at finish() one processes row per process (ProcessBuilder). Used after
// capture, over raw/exec/records.bin.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "model/sink.h"
#include "sources/exec/exec_raw_file.h"
#include "sources/exec/process_builder.h"
#include "sys/bpf/exec_record_decode.h"

namespace ktel::exec {

struct ExecTableCounts {
  uint64_t execs = 0;
  uint64_t forks = 0;           // processes and threads
  uint64_t thread_forks = 0;    // of which threads
  uint64_t exits = 0;           // threads and processes
  uint64_t process_exits = 0;   // of which the last thread of a process
  uint64_t process_exits_cpu_at_exit = 0;  // of which cpu_ns is not from the final switch
  uint64_t processes = 0;       // processes rows
  uint64_t rss_records = 0;     // --exec-rss: processes with an RSS record
  uint64_t rss_samples = 0;     // process_rss rows
  uint64_t rows() const { return execs + forks + processes + rss_samples; }
};

// Not thread-safe. The sink and clock outlive the writer.
class ExecTableWriter {
 public:
  static Result<std::unique_ptr<ExecTableWriter>> open(Sink& sink, const EpisodeClock& clock);
  Status add(const ExecLifecycleEvent& event);
  // Writes the processes rows and every buffered row. Call once.
  Status finish();
  const ExecTableCounts& counts() const { return counts_; }

 private:
  ExecTableWriter(Sink& sink, const EpisodeClock& clock) : sink_(sink), clock_(clock) {}
  Status add_exec(const ExecLifecycleExec& e);
  Status add_fork(const ExecLifecycleFork& f);
  Status add_rss(const ExecLifecycleRss& r);
  Status append_process(const ProcessRow& p);
  Status flush_if_full(TableId table, Batch& batch);

  Sink& sink_;
  const EpisodeClock& clock_;
  TableId exec_table_ = -1;
  TableId fork_table_ = -1;
  TableId process_table_ = -1;
  TableId rss_table_ = -1;
  Batch execs_{0};
  Batch forks_{0};
  Batch processes_{0};
  Batch rss_{0};
  ProcessBuilder builder_;
  ExecTableCounts counts_;
};

struct ExecBuildResult {
  ExecRawSummary raw;
  ExecTableCounts counts;
  uint64_t malformed = 0;       // frames that did not decode (skipped)
  std::string first_malformed;  // why the first one did not
  std::optional<int64_t> first_row_ts_ns;  // first exec or fork, absolute
};

// Decodes raw/exec/records.bin (exec_raw_file.h) into the exec tables of
// `sink`: the whole derivation, so an episode's tables can be rebuilt from
// its raw capture. kDataLoss for a file this ktel cannot read (records kept).
Result<ExecBuildResult> build_exec_tables(const std::string& raw_path, Sink& sink,
                                          const EpisodeClock& clock);

// The JSON array of strings the argv columns hold (invalid UTF-8 bytes
// become U+FFFD).
std::string argv_json(const std::vector<std::string>& argv);

}  // namespace ktel::exec
