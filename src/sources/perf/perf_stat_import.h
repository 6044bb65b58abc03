// Turns `perf stat -I <ms> -j` output into perf_samples rows with the live
// perf source's semantics (one row per interval, NULL for not counted / not
// supported, task_clock in ns), and writes them into an episode's sink.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/event_log.h"
#include "model/sink.h"
#include "sources/perf/perf_row.h"
#include "sources/perf/perf_stat_parser.h"

namespace ktel::perf {

struct MalformedLine {
  uint64_t line = 0;  // 1-based
  std::string reason;
};

// Groups parsed lines into interval rows. Pure: feed lines, take rows.
// Not thread-safe.
class PerfStatAssembler {
 public:
  // Imported rows get t_mono_ns = interval time and t_wall_ns =
  // origin_wall_ns + t_mono_ns.
  explicit PerfStatAssembler(int64_t origin_wall_ns) : origin_wall_ns_(origin_wall_ns) {}

  // Parses one line (numbered from 1 in call order). A malformed line is
  // counted and skipped; rows already assembled are never affected.
  void add_line(std::string_view line);
  // Emits the last, still open interval.
  void finish();
  // Rows completed so far, in interval order; ownership passes to the caller.
  std::vector<PerfSampleRow> take_rows();

  uint64_t lines() const { return lines_; }
  uint64_t malformed_count() const { return malformed_count_; }
  // The first kMaxKeptMalformed malformed lines with their reasons.
  const std::vector<MalformedLine>& malformed() const { return malformed_; }
  // Events that are not perf_samples columns, with their line counts.
  const std::map<std::string, uint64_t>& ignored_events() const { return ignored_; }

  static constexpr size_t kMaxKeptMalformed = 1000;

 private:
  struct Slot {
    bool seen = false;
    bool has_value = false;
    double value = 0;
    double raw = 0;
    uint64_t runtime_ns = 0;
    double enabled_ns = 0;
  };
  void add_record(const PerfStatRecord& r);
  void close_interval();
  void mark_malformed(std::string reason);

  int64_t origin_wall_ns_;
  uint64_t lines_ = 0;
  uint64_t malformed_count_ = 0;
  std::vector<MalformedLine> malformed_;
  std::map<std::string, uint64_t> ignored_;
  std::optional<double> open_interval_s_;
  std::array<Slot, kCounterCount> slots_{};
  int64_t last_end_ns_ = 0;
  bool closed_any_ = false;
  std::vector<PerfSampleRow> rows_;
};

struct PerfStatImportReport {
  uint64_t lines = 0;
  uint64_t rows = 0;
  uint64_t malformed_count = 0;
  std::vector<MalformedLine> malformed;  // first ones, with reasons
  std::map<std::string, uint64_t> ignored_events;
};

// Reads `in` line by line into perf_samples of `sink`, in batches. Malformed
// lines never abort the import; they are reported and recorded as the event
// perf_import_malformed{lines, first_bad_line, reason} (lines = how many).
// `file` names the input in messages. Errors are the sink's only.
Result<PerfStatImportReport> import_perf_stat(std::istream& in, std::string_view file,
                                              int64_t origin_wall_ns, Sink& sink, EventLog& events);

}  // namespace ktel::perf
