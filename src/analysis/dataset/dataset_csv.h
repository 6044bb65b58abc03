// The dataset CSV (docs/formats/dataset.md): one row per sched_switch with
// the header kCsvHeader. append_csv_row writes a row; CsvRowReader streams
// rows back (quoted fields, embedded newlines, CRLF) with exact decimals.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/scoped_fd.h"
#include "base/status.h"

namespace ktel::dataset {

inline constexpr std::string_view kCsvHeader =
    "timestamp,time_diff,task_name,pid,cpu,prev_state,prev_comm,workload_type,trace_id";

struct SwitchRow {
  int64_t ts_ns = 0;         // kernel timestamp; written as seconds with 6 decimals (truncated to µs)
  int64_t time_diff_ns = 0;  // written as seconds with 9 decimals
  std::string task_name;     // next_comm, raw bytes
  int64_t pid = 0;           // next_pid
  int64_t cpu = 0;
  std::string prev_state;
  std::string prev_comm;
  std::string workload_type;
  std::string trace_id;
};

// Appends one CSV line with its '\n'. Exact decimal formatting, no floating point.
void append_csv_row(std::string& out, const SwitchRow& row);

// Seconds with `decimals` (6 or 9) places from ns, truncated toward zero,
// without floating point: 1234.567890 / 0.000127000.
void append_seconds(std::string& out, int64_t ns, int decimals);

// "-1.5" style seconds with up to 9 decimals to ns, exactly; nullopt when it
// is not such a number.
std::optional<int64_t> parse_seconds_ns(std::string_view text);

// Streams the rows of a dataset CSV, checking the header. Not thread-safe.
class CsvRowReader {
 public:
  static Result<CsvRowReader> open(const std::string& path);
  // Reads from memory (tests, fuzzing); `name` prefixes errors.
  static Result<CsvRowReader> from_string(std::string data, std::string name);

  // Fills `row` and returns true, or false at end of file. Errors name the
  // path, the line number and the column ("train.csv:17: pid: 'x1' is not an integer").
  Result<bool> next(SwitchRow& row);
  uint64_t line() const { return row_line_; }  // line where the last row returned starts

 private:
  CsvRowReader() = default;
  Status fill();              // more bytes into buf_ (false at EOF)
  Result<bool> read_fields(); // one record into fields_
  Status check_header();

  std::string name_;
  ScopedFd fd_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  uint64_t line_ = 1;      // line of buf_[pos_]
  uint64_t row_line_ = 0;
  std::string fields_[9];
  size_t field_count_ = 0;
};

}  // namespace ktel::dataset
