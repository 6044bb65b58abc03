// Read-format decoding and scaling; see perf_event_open(2) "Reading results".
#include "sources/perf/perf_math.h"

#include <limits>
#include <string>

namespace ktel::perf {

namespace {
uint64_t saturating_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }
}  // namespace

Result<CounterReading> decode_single_read(std::span<const uint64_t> words) {
  if (words.size() != 3) {
    return data_loss("perf counter read returned " + std::to_string(words.size()) +
                     " words; expected 3 (value, time_enabled, time_running)");
  }
  return CounterReading{words[0], words[1], words[2]};
}

Result<std::vector<CounterReading>> decode_group_read(std::span<const uint64_t> words,
                                                      size_t expected_members) {
  if (words.size() < 3) {
    return data_loss("perf group read returned " + std::to_string(words.size()) +
                     " words; expected at least 3 (nr, time_enabled, time_running)");
  }
  uint64_t nr = words[0];
  if (nr != expected_members || words.size() != 3 + nr) {
    return data_loss("perf group read: nr=" + std::to_string(nr) + " in " +
                     std::to_string(words.size()) + " words; expected " +
                     std::to_string(expected_members) + " members");
  }
  std::vector<CounterReading> out;
  out.reserve(nr);
  for (uint64_t i = 0; i < nr; ++i) out.push_back({words[3 + i], words[1], words[2]});
  return out;
}

CounterDelta counter_delta(const CounterReading& prev, const CounterReading& cur) {
  CounterDelta d;
  d.raw = saturating_sub(cur.value, prev.value);
  d.enabled_ns = saturating_sub(cur.enabled_ns, prev.enabled_ns);
  d.running_ns = saturating_sub(cur.running_ns, prev.running_ns);
  if (d.running_ns > 0) {
    // A group that was multiplexed ran only running/enabled of the time it was
    // enabled; perf stat extrapolates the same way.
    d.scaled = static_cast<double>(d.raw) * static_cast<double>(d.enabled_ns) /
               static_cast<double>(d.running_ns);
  }
  return d;
}

void add_delta(CounterDelta& sum, const CounterDelta& part) {
  sum.raw += part.raw;
  sum.scaled += part.scaled;
  sum.enabled_ns += part.enabled_ns;
  sum.running_ns += part.running_ns;
}

CounterCell cell_from_delta(const CounterDelta& delta) {
  if (!delta.counted()) return {};
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return {delta.scaled, static_cast<int64_t>(delta.raw > kMax ? kMax : delta.raw)};
}

}  // namespace ktel::perf
