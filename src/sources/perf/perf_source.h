// PerfSource: perf_event_open counters of the target tree (counting mode,
// inherit), read every interval into perf_samples; perf_counters says which
// counters could open and why not.
#pragma once

#include <array>
#include <memory>
#include <thread>

#include "base/stop_signal.h"
#include "sources/perf/counter_set.h"
#include "sources/perf/perf_row.h"
#include "sources/source.h"

namespace ktel {

// Thread-safety: start() and stop() from one controlling thread; rows are
// read and written by a private thread between them.
class PerfSource : public Source {
 public:
  PerfSource();
  ~PerfSource() override;
  std::string_view name() const override { return "perf"; }
  std::string_view row_source() const override { return "host_perf"; }
  Status start(const SourceContext& ctx) override;
  Status stop() override;
  SourceReport report() const override;

 private:
  Status write_counter_rows();
  void run();
  // Reads all counters and writes the row for the interval since the last read.
  void sample();
  perf::PerfSampleRow build_row(const perf::Snapshot& cur, Stamp now) const;
  void merge_into_prev(perf::Snapshot& cur);
  void emit_finish_events();

  SourceContext ctx_;
  std::unique_ptr<perf::PerfCounterSet> counters_;
  TableId samples_table_ = -1;
  perf::Snapshot prev_;
  Stamp prev_t_;

  std::thread thread_;
  StopSignal stop_;

  // Written by the sampling thread, read after it is joined.
  uint64_t rows_ = 0;
  uint64_t intervals_with_values_ = 0;
  uint64_t read_errors_ = 0;
  uint64_t lost_rows_ = 0;
  std::array<bool, perf::kCounterCount> ever_counted_{};
  Status sink_status_;
  SourceReport report_;
};

}  // namespace ktel
