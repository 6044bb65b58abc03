// `ktel import ftrace-text` below the command line: a kernel text trace file
// into the sched tables of an episode's sink (through SchedTableWriter), its
// losses and damage recorded as events and summarised for meta.json.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "model/event_log.h"
#include "model/meta.h"
#include "model/sink.h"
#include "sources/sched/sched_tables.h"
#include "sources/sched/text_trace_import.h"

namespace ktel::sched {

struct TextTraceTablesOptions {
  TextTraceOptions parse{};    // threads, chunk size, ...
  SchedTableOptions tables{};  // row_source "host_sched", ...
};

struct TextTraceTablesReport {
  TextTraceStats trace;
  SchedTableCounts tables;
  // Events the kernel said it lost: LOST markers plus the header's overwritten.
  uint64_t lost() const { return trace.lost_events() + trace.overwritten; }
};

// Reads `path` into the sched tables of `sink`, stamping rows with `clock`
// (an event's ts_ns is taken as CLOCK_MONOTONIC on the clock's base). Emits,
// with source "sched", stamped on `clock`:
//   sched_lost_events{cpu, count, markers, markers_without_count, first_line,
//     origin: "lost_marker"} per CPU with "CPU:N [LOST M EVENTS]" lines, at
//     the event before the first such marker;
//   sched_lost_events{cpu: null, count, origin: "trace_header"} when the
//     header's entries-written exceeds entries-in-buffer (overwritten);
//   sched_import_malformed{lines, first_bad_line, reason} when lines were
//     skipped;
//   sched_import_finished{file, events, lines, malformed_lines, lost_events,
//     overwritten, rows, out_of_order}, at the last event.
// The tables are finished (derived rows written) even after an error, so
// rows already accepted reach the sink. Errors: opening or reading the file
// (naming it), the sink's ("<file>:<line>: ..."). A file without events is
// not an error here: the caller decides. Not thread-safe.
Result<TextTraceTablesReport> import_text_trace_tables(const std::string& path,
                                                       const EpisodeClock& clock,
                                                       const TextTraceTablesOptions& options,
                                                       Sink& sink, EventLog& events);

// sources.sched of meta.json for an import: status ok (or no_data), rows,
// lost, and details (file, per-CPU losses, malformed lines, clock format).
SourceMeta text_trace_source_meta(const std::string& path, const TextTraceTablesReport& report);

// "seconds.micros", "seconds.nanos", "seconds", "counter": the dominant
// timestamp format of the trace.
std::string_view text_trace_clock_format(const TextTraceStats& stats);

}  // namespace ktel::sched
