// Throughput of SqliteSink: 10-column rows (int/double/text mix) through
// append() + finish() into a fresh file in /tmp, the way a recording writes.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "sinks/sqlite/sqlite_sink.h"

namespace {

ktel::Schema ten_columns() {
  using ktel::ColumnType;
  return ktel::Schema{"bench",
                      {{"t_mono_ns", ColumnType::kInt64, "", ""},
                       {"t_wall_ns", ColumnType::kInt64, "", ""},
                       {"source", ColumnType::kText, "", ""},
                       {"available_in_deployment", ColumnType::kInt64, "", ""},
                       {"pid", ColumnType::kInt64, "", ""},
                       {"comm", ColumnType::kText, "", ""},
                       {"state", ColumnType::kText, "", ""},
                       {"utime_ns", ColumnType::kInt64, "", ""},
                       {"cpu_share", ColumnType::kDouble, "", ""},
                       {"rss_bytes", ColumnType::kInt64, "", ""}}};
}

// User + system CPU of the whole process (all threads), so a loaded machine
// shows up as lower rows/s but not as more CPU per row.
double process_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

// Arg 0: rows per batch; arg 1: SQLite page size. Each iteration writes kRows
// rows and finishes.
void BM_SqliteSinkAppendFinish(benchmark::State& state) {
  constexpr int64_t kRows = 200'000;
  const auto rows_per_batch = static_cast<int64_t>(state.range(0));
  std::string path = "/tmp/ktel-sqlite-bench-" + std::to_string(::getpid()) + ".db";
  double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    state.PauseTiming();
    remove_db(path);
    state.ResumeTiming();
    ktel::SqliteSinkOptions options;
    options.page_size = static_cast<int>(state.range(1));
    auto sink = ktel::SqliteSink::open(path, options);
    if (!sink.is_ok()) return state.SkipWithError(sink.status().to_string().c_str());
    auto table = (*sink)->open_table(ten_columns());
    if (!table.is_ok()) return state.SkipWithError(table.status().to_string().c_str());
    for (int64_t row = 0; row < kRows;) {
      ktel::Batch batch(10);
      batch.reserve_rows(static_cast<size_t>(rows_per_batch));
      for (int64_t r = 0; r < rows_per_batch && row < kRows; ++r, ++row) {
        batch.add_common(row * 1000, 1'700'000'000'000'000'000 + row * 1000, "host_proc", true);
        batch.add_int(1000 + row % 300).add_text("worker-" + std::to_string(row % 300));
        batch.add_text("R").add_int(row * 10'000'000).add_double(static_cast<double>(row % 97) / 97);
        batch.add_int(row * 4096);
      }
      ktel::Status st = (*sink)->append(*table, std::move(batch));
      if (!st.is_ok()) return state.SkipWithError(st.to_string().c_str());
    }
    ktel::Status st = (*sink)->finish();
    if (!st.is_ok()) return state.SkipWithError(st.to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.counters["process_cpu_ns_per_row"] =
      (process_cpu_seconds() - cpu_start) * 1e9 / static_cast<double>(state.iterations() * kRows);
  remove_db(path);
}
BENCHMARK(BM_SqliteSinkAppendFinish)
    ->ArgsProduct({{1, 100, 1000}, {4096, 16384, 65536}})
    ->ArgNames({"rows_per_batch", "page_size"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
