// perf stat -j import: interval assembly and the batched write to a sink.
#include "sources/perf/perf_stat_import.h"

#include <cmath>
#include <utility>

#include "base/clock.h"
#include "model/tables.h"

namespace ktel::perf {

void PerfStatAssembler::mark_malformed(std::string reason) {
  ++malformed_count_;
  if (malformed_.size() < kMaxKeptMalformed) malformed_.push_back({lines_, std::move(reason)});
}

void PerfStatAssembler::add_line(std::string_view line) {
  ++lines_;
  auto rec = parse_perf_stat_line(line);
  if (!rec.is_ok()) {
    mark_malformed(rec.status().message());
    return;
  }
  if (!rec->has_value()) return;
  const PerfStatRecord& r = **rec;
  int64_t t_ns = std::llround(r.interval_s * 1e9);
  bool same_interval = open_interval_s_ && *open_interval_s_ == r.interval_s;
  bool backwards = (open_interval_s_ && r.interval_s < *open_interval_s_) ||
                   (!open_interval_s_ && closed_any_ && t_ns <= last_end_ns_);
  if (!same_interval && backwards) {
    mark_malformed("field \"interval\": " + std::to_string(r.interval_s) +
                   " s is not after the previous interval");
    return;
  }
  if (!same_interval) {
    close_interval();
    open_interval_s_ = r.interval_s;
  }
  add_record(r);
}

void PerfStatAssembler::add_record(const PerfStatRecord& r) {
  if (!r.counter) {
    ++ignored_[r.event];
    return;
  }
  Slot& s = slots_[static_cast<size_t>(*r.counter)];
  s.seen = true;
  if (r.state != PerfStatRecord::State::kValue) return;
  // perf stat prints values already scaled by enabled/running; the unscaled
  // count is value * running/enabled, i.e. value * pcnt-running / 100.
  double frac = r.pcnt_running && *r.pcnt_running > 0 ? *r.pcnt_running / 100.0 : 1.0;
  uint64_t runtime = r.runtime_ns.value_or(0);
  // Several lines of one event in one interval (-A per CPU, --per-thread) add up.
  s.has_value = true;
  s.value += r.value;
  s.raw += r.value * frac;
  s.runtime_ns += runtime;
  s.enabled_ns += static_cast<double>(runtime) / frac;
}

void PerfStatAssembler::close_interval() {
  if (!open_interval_s_) return;
  PerfSampleRow row;
  int64_t end = std::llround(*open_interval_s_ * 1e9);
  row.t = {end, origin_wall_ns_ + end};
  row.interval_start_mono_ns = last_end_ns_;
  row.interval_ns = end - last_end_ns_;
  for (size_t k = 0; k < kCounterCount; ++k) {
    const Slot& s = slots_[k];
    if (!s.has_value) continue;
    row.counters[k] = {s.value, static_cast<int64_t>(std::llround(s.raw))};
    if (!row.time_enabled_ns && counter_defs()[k].hardware) {
      row.time_enabled_ns = static_cast<int64_t>(std::llround(s.enabled_ns));
      row.time_running_ns = static_cast<int64_t>(s.runtime_ns);
    }
  }
  rows_.push_back(std::move(row));
  last_end_ns_ = end;
  closed_any_ = true;
  slots_ = {};
  open_interval_s_.reset();
}

void PerfStatAssembler::finish() { close_interval(); }

std::vector<PerfSampleRow> PerfStatAssembler::take_rows() { return std::exchange(rows_, {}); }

namespace {
Status flush_rows(PerfStatAssembler& a, Sink& sink, TableId table, size_t width, uint64_t& rows) {
  std::vector<PerfSampleRow> ready = a.take_rows();
  if (ready.empty()) return Status::ok();
  Batch batch(width);
  batch.reserve_rows(ready.size());
  for (const auto& r : ready) append_perf_sample(r, "host_perf", batch);
  rows += ready.size();
  return sink.append(table, std::move(batch));
}
}  // namespace

Result<PerfStatImportReport> import_perf_stat(std::istream& in, std::string_view file,
                                              int64_t origin_wall_ns, Sink& sink,
                                              EventLog& events) {
  Schema schema = tables::perf_samples();
  KTEL_ASSIGN_OR_RETURN(TableId table, sink.open_table(schema));
  PerfStatAssembler assembler(origin_wall_ns);
  PerfStatImportReport report;
  std::string line;
  constexpr size_t kBatchRows = 1024;
  while (std::getline(in, line)) {
    assembler.add_line(line);
    if (assembler.lines() % (kBatchRows * 8) == 0) {
      KTEL_TRY(flush_rows(assembler, sink, table, schema.columns.size(), report.rows));
    }
  }
  assembler.finish();
  KTEL_TRY(flush_rows(assembler, sink, table, schema.columns.size(), report.rows));
  report.lines = assembler.lines();
  report.malformed_count = assembler.malformed_count();
  report.malformed = assembler.malformed();
  report.ignored_events = assembler.ignored_events();
  // Stamped on the episode's wall clock now: the import happens after capture.
  int64_t wall = realtime_now_ns();
  Stamp now{wall - origin_wall_ns, wall};
  if (report.malformed_count > 0) {
    events.emit_at(now, "perf", "perf_import_malformed",
                   {{"lines", report.malformed_count},
                    {"first_bad_line", report.malformed.front().line},
                    {"reason", report.malformed.front().reason}});
  }
  events.emit_at(now, "perf", "perf_import_finished",
                 {{"file", std::string(file)},
                  {"rows", report.rows},
                  {"lines", report.lines},
                  {"malformed_lines", report.malformed_count}});
  return report;
}

}  // namespace ktel::perf
