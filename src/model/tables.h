// Schemas of the telemetry tables written by the built-in sources. Each is
// specified column by column in docs/formats/episode.md (a test keeps the two
// in step).
#pragma once

#include <vector>

#include "model/schema.h"

namespace ktel::tables {

// proc source
Schema proc_samples();  // one row per sampled process (or thread) per tick
Schema proc_ticks();    // one row per tick: scheduled vs actual time, cost
Schema cpu_samples();   // one row per CPU per tick from /proc/stat
// perf source
inline constexpr int kPerfCounterCount = 10;
// Column-name stems in order: cycles, instructions, cache_references, ...
const char* const* perf_counter_names();
Schema perf_samples();   // one row per interval, two columns per counter
Schema perf_counters();  // one row per counter: its status for the episode
// labels (--label k=v)
Schema labels();

// Every schema above plus events, for docs checks and `ktel schema`.
std::vector<Schema> all_schemas();

}  // namespace ktel::tables
