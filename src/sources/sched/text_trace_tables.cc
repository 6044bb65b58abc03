// import_text_trace_tables: import_text_trace feeding a SchedTableWriter, plus
// the events and meta summary of what the trace said about its own losses.
#include "sources/sched/text_trace_tables.h"

#include <algorithm>
#include <utility>

namespace ktel::sched {

namespace {

using nlohmann::json;

Stamp stamp_at(const EpisodeClock& clock, const std::optional<int64_t>& ts, const Stamp& fallback) {
  return ts ? clock.from_mono_abs(*ts) : fallback;
}

uint64_t table_rows(const SchedTableCounts& c) { return c.rows(); }

void emit_losses(const std::string& path, const TextTraceStats& s, const EpisodeClock& clock,
                 EventLog& events) {
  const Stamp start = stamp_at(clock, s.first_ts_ns, clock.now());
  for (const auto& [cpu, l] : s.lost) {
    events.emit_at(stamp_at(clock, l.first_after_ts_ns, start), "sched", "sched_lost_events",
                   {{"cpu", cpu},
                    {"count", l.events},
                    {"markers", l.markers},
                    {"markers_without_count", l.markers_without_count},
                    {"first_line", l.first_line},
                    {"file", path},
                    {"origin", "lost_marker"}});
  }
  if (s.overwritten > 0) {
    events.emit_at(
        start, "sched", "sched_lost_events",
        {{"cpu", nullptr}, {"count", s.overwritten}, {"file", path}, {"origin", "trace_header"}});
  }
}

void emit_summary(const std::string& path, const TextTraceTablesReport& r,
                  const EpisodeClock& clock, EventLog& events) {
  const TextTraceStats& s = r.trace;
  const Stamp end = stamp_at(clock, s.last_ts_ns, clock.now());
  if (s.malformed_count > 0 && !s.malformed.empty()) {
    events.emit_at(end, "sched", "sched_import_malformed",
                   {{"lines", s.malformed_count},
                    {"first_bad_line", s.malformed.front().line},
                    {"reason", s.malformed.front().reason},
                    {"file", path}});
  }
  events.emit_at(end, "sched", "sched_import_finished",
                 {{"file", path},
                  {"events", s.events},
                  {"lines", s.lines},
                  {"malformed_lines", s.malformed_count},
                  {"lost_events", s.lost_events()},
                  {"overwritten", s.overwritten},
                  {"rows", table_rows(r.tables)},
                  {"out_of_order", r.tables.out_of_order}});
}

}  // namespace

std::string_view text_trace_clock_format(const TextTraceStats& stats) {
  const auto& f = stats.timestamp_formats;
  size_t best = static_cast<size_t>(std::max_element(f.begin(), f.end()) - f.begin());
  switch (static_cast<TimestampFormat>(best)) {
    case TimestampFormat::kMicros:
      return "seconds.micros";
    case TimestampFormat::kNanos:
      return "seconds.nanos";
    case TimestampFormat::kOther:
      return "seconds";
    case TimestampFormat::kCounter:
      return "counter";
  }
  return "seconds";
}

Result<TextTraceTablesReport> import_text_trace_tables(const std::string& path,
                                                       const EpisodeClock& clock,
                                                       const TextTraceTablesOptions& options,
                                                       Sink& sink, EventLog& events) {
  KTEL_ASSIGN_OR_RETURN(std::unique_ptr<SchedTableWriter> writer,
                        SchedTableWriter::open(sink, clock, options.tables));
  Result<TextTraceStats> stats = import_text_trace_file(
      path, options.parse, [&](const SchedEvent& e, uint64_t) { return writer->add(e); });
  // Finish after an error too: the rows accepted so far and the derived ones.
  Status finished = writer->finish();
  KTEL_TRY(stats);
  if (!finished.is_ok()) return finished.with_context("writing the sched tables of " + path);
  TextTraceTablesReport report{std::move(*stats), writer->counts()};
  emit_losses(path, report.trace, clock, events);
  emit_summary(path, report, clock, events);
  return report;
}

SourceMeta text_trace_source_meta(const std::string& path, const TextTraceTablesReport& r) {
  const TextTraceStats& s = r.trace;
  SourceMeta m;
  m.rows = r.tables.rows();
  m.lost = r.lost();
  m.status = s.events > 0 ? "ok" : "no_data";
  if (s.events == 0) m.reason = "the text trace held no parsable event";
  json lost_by_cpu = json::object();
  for (const auto& [cpu, l] : s.lost) lost_by_cpu[std::to_string(cpu)] = l.events;
  json malformed = json::array();
  for (const auto& bad : s.malformed) {
    malformed.push_back({{"line", bad.line}, {"reason", bad.reason}});
  }
  json started = json::array();
  for (const auto& [cpu, n] : s.buffer_started) started.push_back(cpu);
  m.details = {{"imported_from", path},
               {"format", "ftrace text"},
               {"timestamps", text_trace_clock_format(s)},
               {"lines", s.lines},
               {"events", s.events},
               {"malformed_lines", s.malformed_count},
               {"first_malformed", malformed},
               {"lost_by_cpu", lost_by_cpu},
               {"lost_markers_without_count", s.lost_markers_without_count()},
               {"overwritten_before_read", s.overwritten},
               {"buffer_started_cpus", started},
               {"tgid_events", s.tgid_events},
               {"truncated_comms", s.truncated_text},
               {"out_of_order", r.tables.out_of_order},
               {"unmatched_switches", r.tables.unmatched_switches}};
  return m;
}

}  // namespace ktel::sched
