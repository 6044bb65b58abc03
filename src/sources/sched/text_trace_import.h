// Streams a kernel text trace (a saved `trace` or `trace_pipe`) through
// parse_text_trace_line in large chunks split at line boundaries, parsing
// chunks on several threads and handing the events to one consumer in file
// order. Memory stays bounded whatever the file size. Malformed lines, LOST
// markers and overwritten-buffer headers are counted, never fatal.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sources/sched/sched_event.h"
#include "sources/sched/text_trace_parser.h"

namespace ktel::sched {

struct TextMalformedLine {
  uint64_t line = 0;  // 1-based
  std::string reason;
  std::string excerpt;  // the line's first bytes, non-printable ones as \xNN
};

// LOST markers of one CPU ("CPU:N [LOST M EVENTS]": the kernel overwrote M
// events that reader had not read yet).
struct TextLostOnCpu {
  uint64_t events = 0;                 // sum of M
  uint64_t markers = 0;                // markers, with or without a count
  uint64_t markers_without_count = 0;  // "CPU:N [LOST EVENTS]": how many is unknown
  uint64_t first_line = 0;
  // Timestamp of the last event before the first marker in file order;
  // nullopt when the marker came first.
  std::optional<int64_t> first_after_ts_ns;
};

struct TextTraceStats {
  uint64_t bytes = 0;
  uint64_t lines = 0;
  uint64_t events = 0;
  std::array<uint64_t, kEventKindCount> events_by_type{};  // by EventKind
  uint64_t blank_lines = 0;
  uint64_t comment_lines = 0;
  uint64_t malformed_count = 0;
  std::vector<TextMalformedLine> malformed;  // the first TextTraceOptions::max_kept_malformed
  std::map<int32_t, TextLostOnCpu> lost;     // by CPU
  // "##### CPU N buffer started ####" lines by CPU: that CPU's oldest events
  // were overwritten before the trace was read (counted in `overwritten`).
  std::map<int32_t, uint64_t> buffer_started;
  uint64_t headers = 0;         // "# entries-in-buffer/entries-written" lines
  uint64_t overwritten = 0;     // sum over headers of written - in buffer
  int32_t header_cpus = -1;     // "#P:N" of the last header
  uint64_t truncated_text = 0;  // events with a comm or prev_state cut to 16 bytes
  uint64_t tgid_events = 0;     // events carrying a record-tgid value
  std::array<uint64_t, kTimestampFormatCount> timestamp_formats{};
  std::optional<int64_t> first_ts_ns;  // of the first and last event in file order
  std::optional<int64_t> last_ts_ns;
  std::optional<int64_t> min_ts_ns;
  std::optional<int64_t> max_ts_ns;
  double seconds = 0;  // wall time of the import

  uint64_t lost_events() const;  // sum of `lost[*].events`
  uint64_t lost_markers_without_count() const;
};

struct TextTraceOptions {
  int threads = 0;  // parsing threads; 0 = hardware concurrency, 1 = inline
  // Read size; chunks end at a line boundary. 1 MiB: large enough that the
  // hand-over costs nothing, small enough that the 2 x threads chunks in
  // flight (and their events) stay in cache and cost few first-touch page
  // faults (bench/ftrace_text_bench --import: 4 MiB was 1.6x slower on 64 MiB).
  size_t chunk_bytes = size_t{1} << 20;
  size_t max_line_bytes = size_t{1} << 20;  // a longer line is malformed and skipped
  size_t max_kept_malformed = 20;
};

// Called on the importing thread, once per event, in file order, with the
// event's 1-based line number. A non-ok status stops the import.
using TextEventConsumer = std::function<Status(const SchedEvent& event, uint64_t line)>;

// Reads `in` to its end. `name` (the file) prefixes errors: a read error, or
// the consumer's error as "<name>:<line>: ...". Malformed lines never fail the
// import. Not reentrant for one `in`; `consume` need not be thread-safe.
Result<TextTraceStats> import_text_trace(std::istream& in, std::string_view name,
                                         const TextTraceOptions& options,
                                         const TextEventConsumer& consume);
// Opens `path` and imports it; kNotFound / kPermissionDenied name the path.
Result<TextTraceStats> import_text_trace_file(const std::string& path,
                                              const TextTraceOptions& options,
                                              const TextEventConsumer& consume);

// Timestamps of the first event from the start and the last event from the
// end of a file: the head is read up to its first event, the tail backwards
// in growing windows of at most 64 MiB (last_ts_ns unset when that holds no
// event), so a normal trace costs a few MiB of reading whatever its size.
// Both unset when the file has no parsable event.
struct TextTraceBounds {
  std::optional<int64_t> first_ts_ns;
  std::optional<int64_t> last_ts_ns;
  std::optional<TimestampFormat> format;  // of the first event
};
Result<TextTraceBounds> scan_text_trace_bounds(const std::string& path);

}  // namespace ktel::sched
