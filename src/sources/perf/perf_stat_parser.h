// Pure parser of `perf stat -I <ms> -j` output lines (one JSON object per
// line, as written by perf 6.1): string_view in, record or a Status naming the
// bad field out. Input is untrusted; nothing here touches files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ktel::perf {

struct PerfStatRecord {
  enum class State { kValue, kNotCounted, kNotSupported };

  double interval_s = 0;       // "interval": seconds since perf stat started
  std::string event;           // "event" with modifiers stripped: "page-faults"
  std::optional<int> counter;  // index in counter_defs(); nullopt for other events
  State state = State::kValue;
  double value = 0;                    // "counter-value" in ns for time events, else counts
  std::optional<uint64_t> runtime_ns;  // "event-runtime"
  std::optional<double> pcnt_running;  // "pcnt-running", 0..100
};

// nullopt for lines that carry no record: blank lines and perf's "# started
// on ..." header. An error names the line's bad field; the caller counts it.
Result<std::optional<PerfStatRecord>> parse_perf_stat_line(std::string_view line);

// "page-faults:u" → "page-faults"; "cpu/cycles/ukp" → "cycles"; "cs" stays.
std::string_view strip_event_modifiers(std::string_view event);
// Index in counter_defs() of a perf event name (after stripping), accepting
// perf's aliases ("cs", "faults", "migrations", "branch-instructions").
std::optional<int> counter_index_for_event(std::string_view event);
// "12,345.50" / "12345.5" / "12'345" → 12345.5; nullopt when not a number.
std::optional<double> parse_counter_value(std::string_view text);

}  // namespace ktel::perf
