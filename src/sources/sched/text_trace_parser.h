// Pure parser of one line of the kernel's text trace format (what
// `cat /sys/kernel/tracing/trace` and `trace_pipe` print; format in
// docs/formats/ftrace-text-import.md): string_view in, a SchedEvent or the
// line's kind out. Input is untrusted; nothing here touches files.
#pragma once

#include <cstdint>
#include <string_view>

#include "sources/sched/sched_event.h"

namespace ktel::sched {

enum class TextLineKind : uint8_t {
  kEvent,          // a trace event; the SchedEvent is filled
  kBlank,          // empty or whitespace only
  kComment,        // any other line starting with '#'
  kEntriesHeader,  // "# entries-in-buffer/entries-written: A/B   #P:N"
  kBufferStarted,  // "##### CPU N buffer started ####": CPU N's older pages were overwritten
  kLostEvents,     // "CPU:N [LOST M EVENTS]" or "CPU:N [LOST EVENTS]" (count unknown)
  kMalformed,      // none of the above; `reason` says why
};

// How the event's timestamp was printed.
enum class TimestampFormat : uint8_t {
  kMicros,   // seconds.micros (ftrace's "%5lu.%06lu" for time clocks)
  kNanos,    // seconds with 9 decimals (trace-cmd style)
  kOther,    // seconds with 1..8 decimals other than 6
  kCounter,  // a bare integer: counter clocks (counter, x86-tsc); ts_ns is the raw count
};
inline constexpr int kTimestampFormatCount = 4;

struct TextLineInfo {
  TextLineKind kind = TextLineKind::kMalformed;
  // kBufferStarted, kLostEvents: the CPU named.
  int32_t cpu = -1;
  // kLostEvents: M, or -1 for "[LOST EVENTS]" (the kernel did not count them).
  int64_t lost = 0;
  // kEntriesHeader: written - in_buffer events were overwritten before reading.
  uint64_t entries_in_buffer = 0;
  uint64_t entries_written = 0;
  int32_t header_cpus = -1;  // its "#P:N", -1 when absent
  // kEvent: the options/record-tgid column, -1 when absent or "(-------)".
  int32_t tgid = -1;
  TimestampFormat ts_format = TimestampFormat::kMicros;
  // kEvent: a comm or prev_state longer than its SmallText capacity was cut.
  bool truncated = false;
  // kMalformed: why, static text (never empty).
  std::string_view reason;
};

// Parses one line without its '\n' (a trailing '\r' is ignored). Returns
// info.kind. `event` is overwritten only for kEvent: the seven sched events
// (sched_switch, sched_wakeup, sched_wakeup_new, sched_migrate_task,
// sched_process_fork, sched_process_exec, sched_process_exit) become their
// typed payload; any other event becomes an OtherEvent whose system is empty
// (the text format does not name it) and whose fields_json holds its
// key=value fields. A known event whose fields do not match its format is
// kMalformed. Thread-safe; allocates only for exec filenames and OtherEvents.
TextLineKind parse_text_trace_line(std::string_view line, SchedEvent& event, TextLineInfo& info);

}  // namespace ktel::sched
