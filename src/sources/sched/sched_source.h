// SchedSource (`sched`): every scheduler decision while the workload runs.
// Captures raw ftrace pages in a private instance (SchedCapture), then parses
// them after the run into the sched tables (SchedTableWriter) and accounts for
// every event the kernel wrote: captured + reported lost = written.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sources/sched/raw_trace_reader.h"
#include "sources/sched/sched_capture.h"
#include "sources/source.h"

namespace ktel::sched {

// Thread-safety: start() and stop() from one controlling thread; the capture's
// reader threads write capture_stats rows through a mutex in between.
class SchedSource : public Source {
 public:
  SchedSource() = default;
  ~SchedSource() override;
  std::string_view name() const override { return "sched"; }
  std::string_view row_source() const override { return "host_sched"; }
  Status start(const SourceContext& ctx) override;
  Status stop() override;
  SourceReport report() const override;

 private:
  struct Reading {
    Stamp t;
    CpuStatsReading r;
  };
  Result<std::string> locate_tracefs();
  Result<SchedCaptureConfig> make_config(const std::string& root);
  void on_stats(const CpuStatsReading& r);
  Status append_stats_row(const Reading& reading, const nlohmann::json* parsed);
  Status parse_into_tables(nlohmann::json& details);
  Status account(const RawTraceStats& parsed, nlohmann::json& details, uint64_t& lost);

  SourceContext ctx_;
  std::string raw_dir_;
  std::unique_ptr<SchedCapture> capture_;
  TableId stats_table_ = -1;
  size_t stats_width_ = 0;  // columns of capture_stats

  std::mutex mu_;  // guards the members below, written from reader threads
  std::vector<Reading> final_readings_;
  uint64_t stats_rows_ = 0;
  Status stats_status_;

  SourceReport report_;
};

}  // namespace ktel::sched
