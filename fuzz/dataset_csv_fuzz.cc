// CsvRowReader (analysis/dataset/dataset_csv.h) on arbitrary bytes after a
// valid header: never crashes, and every row it accepts writes back with
// append_csv_row and reads back as the same row (fields byte-exact, times
// exact to the written precision).
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/dataset/dataset_csv.h"
#include "fuzz/fuzz_check.h"

using ktel::dataset::CsvRowReader;
using ktel::dataset::SwitchRow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = std::string(ktel::dataset::kCsvHeader) + "\n" +
                     std::string(reinterpret_cast<const char*>(data), size);
  auto reader = CsvRowReader::from_string(text, "fuzz.csv");
  KTEL_FUZZ_CHECK(reader.is_ok());
  SwitchRow row;
  for (int rows = 0; rows < 10000; ++rows) {
    auto more = reader->next(row);
    if (!more.is_ok() || !*more) break;
    std::string again = std::string(ktel::dataset::kCsvHeader) + "\n";
    // Timestamps are written with 6 decimals: compare what survives that.
    row.ts_ns -= row.ts_ns % 1000;
    ktel::dataset::append_csv_row(again, row);
    auto back = CsvRowReader::from_string(again, "again.csv");
    KTEL_FUZZ_CHECK(back.is_ok());
    SwitchRow copy;
    auto got = back->next(copy);
    KTEL_FUZZ_CHECK(got.is_ok() && *got);
    KTEL_FUZZ_CHECK(copy.ts_ns == row.ts_ns && copy.time_diff_ns == row.time_diff_ns);
    KTEL_FUZZ_CHECK(copy.task_name == row.task_name && copy.prev_state == row.prev_state);
    KTEL_FUZZ_CHECK(copy.prev_comm == row.prev_comm && copy.workload_type == row.workload_type);
    KTEL_FUZZ_CHECK(copy.trace_id == row.trace_id && copy.pid == row.pid && copy.cpu == row.cpu);
  }
  return 0;
}
