// perf source costs: parsing `perf stat -j` lines, assembling a captured file
// into rows, and one sampling tick's counter reads on this process.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "sources/perf/counter_set.h"
#include "sources/perf/perf_stat_import.h"
#include "sources/perf/perf_stat_parser.h"

namespace {

constexpr const char* kLine =
    R"({"interval" : 0.100300584, "counter-value" : "99.639405", "unit" : "msec", "event" : "task-clock", "event-runtime" : 99639405, "pcnt-running" : 100.00, "metric-value" : 0.993406, "metric-unit" : "CPUs utilized"})";

void BM_ParsePerfStatLine(benchmark::State& state) {
  for (auto _ : state) {
    auto r = ktel::perf::parse_perf_stat_line(kLine);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(std::char_traits<char>::length(kLine)));
}
BENCHMARK(BM_ParsePerfStatLine);

void BM_AssembleCapturedFile(benchmark::State& state) {
  std::ifstream in(std::string(KTEL_SOURCE_DIR) + "/testdata/perf/perf_stat_I100_all10.jsonl");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  int64_t lines = 0;
  for (auto _ : state) {
    ktel::perf::PerfStatAssembler a(0);
    std::istringstream is(text);
    std::string line;
    while (std::getline(is, line)) a.add_line(line);
    a.finish();
    lines += static_cast<int64_t>(a.lines());
    benchmark::DoNotOptimize(a.take_rows());
  }
  state.SetItemsProcessed(lines);
}
BENCHMARK(BM_AssembleCapturedFile);

// One tick of the live source: read every open counter group of one thread.
void BM_ReadCountersOneTick(benchmark::State& state) {
  auto set = ktel::perf::PerfCounterSet::open(::getpid());
  if (!set.is_ok() || !set->any_open()) {
    state.SkipWithError("perf_event_open unavailable here (needs root or perf_event_paranoid<=1)");
    return;
  }
  uint64_t errors = 0;
  for (auto _ : state) benchmark::DoNotOptimize(set->read(errors));
  state.counters["threads"] = static_cast<double>(set->threads());
}
BENCHMARK(BM_ReadCountersOneTick);

}  // namespace

BENCHMARK_MAIN();
