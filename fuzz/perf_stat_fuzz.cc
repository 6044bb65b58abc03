// Fuzzes the `perf stat -I <ms> -j` importer's parsing: each input line goes
// through parse_perf_stat_line (sources/perf/perf_stat_parser.h), and all of
// them, in order, through a PerfStatAssembler into perf_samples rows, as
// `ktel import perf-stat` does with a file received from elsewhere.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "model/tables.h"
#include "sources/perf/perf_row.h"
#include "sources/perf/perf_stat_import.h"
#include "sources/perf/perf_stat_parser.h"

namespace {

// The episode's wall-clock origin: a real one (2023-11-14), as at import.
constexpr int64_t kOriginWallNs = 1'700'000'000'000'000'000;

bool within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_line(std::string_view line) {
  using namespace ktel::perf;
  KTEL_FUZZ_CHECK(within(strip_event_modifiers(line), line));
  if (auto v = parse_counter_value(line)) KTEL_FUZZ_CHECK(std::isfinite(*v) && *v >= 0);
  if (auto i = counter_index_for_event(line)) KTEL_FUZZ_CHECK(*i >= 0 && *i < kCounterCount);

  auto rec = parse_perf_stat_line(line);
  if (!rec.is_ok()) {
    KTEL_FUZZ_CHECK(!rec.status().message().empty());
    return;
  }
  if (!rec->has_value()) return;
  const PerfStatRecord& r = **rec;
  KTEL_FUZZ_CHECK(std::isfinite(r.interval_s) && r.interval_s >= 0);
  KTEL_FUZZ_CHECK(!r.event.empty());
  KTEL_FUZZ_CHECK(std::isfinite(r.value) && r.value >= 0);
  if (r.counter) KTEL_FUZZ_CHECK(*r.counter >= 0 && *r.counter < kCounterCount);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ktel::perf;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  PerfStatAssembler assembler(kOriginWallNs);
  uint64_t lines = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    check_line(line);
    assembler.add_line(line);
    ++lines;
  }
  assembler.finish();
  KTEL_FUZZ_CHECK(assembler.lines() == lines);
  KTEL_FUZZ_CHECK(assembler.malformed_count() <= lines);
  KTEL_FUZZ_CHECK(assembler.malformed().size() <= PerfStatAssembler::kMaxKeptMalformed);

  std::vector<PerfSampleRow> rows = assembler.take_rows();
  int64_t prev_end = 0;
  for (const PerfSampleRow& row : rows) {
    // Intervals come out in order, each starting where the previous ended.
    KTEL_FUZZ_CHECK(row.interval_start_mono_ns == prev_end);
    KTEL_FUZZ_CHECK(row.interval_ns >= 0);
    prev_end = row.t.mono_ns;
  }
  // The batch the importer writes to the sink.
  ktel::Schema schema = ktel::tables::perf_samples();
  ktel::Batch batch(schema.columns.size());
  for (const PerfSampleRow& row : rows) append_perf_sample(row, "host_perf", batch);
  KTEL_FUZZ_CHECK(batch.rows() == rows.size() && (rows.empty() || batch.well_formed()));
  return 0;
}
