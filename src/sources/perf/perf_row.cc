// perf_samples row layout; column order is tables::perf_samples().
#include "sources/perf/perf_row.h"

namespace ktel::perf {

namespace {
std::optional<double> ratio(const CounterCell& num, const CounterCell& den) {
  if (!num.scaled || !den.scaled || *den.scaled <= 0) return std::nullopt;
  return *num.scaled / *den.scaled;
}
void add_optional(Batch& b, const std::optional<int64_t>& v) {
  if (v) {
    b.add_int(*v);
  } else {
    b.add_null();
  }
}
void add_optional(Batch& b, const std::optional<double>& v) {
  if (v) {
    b.add_double(*v);
  } else {
    b.add_null();
  }
}
}  // namespace

int PerfSampleRow::populated() const {
  int n = 0;
  for (const auto& c : counters) n += c.has_value() ? 1 : 0;
  return n;
}

std::optional<double> ipc(const PerfSampleRow& row) {
  return ratio(row.counters[kInstructions], row.counters[kCycles]);
}

std::optional<double> cache_miss_rate(const PerfSampleRow& row) {
  return ratio(row.counters[kCacheMisses], row.counters[kCacheReferences]);
}

void append_perf_sample(const PerfSampleRow& row, std::string_view source, Batch& batch) {
  batch.add_common(row.t.mono_ns, row.t.wall_ns, source, /*available_in_deployment=*/true);
  add_optional(batch, row.pid);
  batch.add_int(row.interval_start_mono_ns);
  batch.add_int(row.interval_ns);
  for (const auto& c : row.counters) {
    add_optional(batch, c.scaled);
    add_optional(batch, c.raw);
  }
  add_optional(batch, row.time_enabled_ns);
  add_optional(batch, row.time_running_ns);
  add_optional(batch, ipc(row));
  add_optional(batch, cache_miss_rate(row));
}

}  // namespace ktel::perf
