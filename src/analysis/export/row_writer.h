// RowWriter: streams query results as an aligned table, CSV (RFC 4180), one
// JSON array, or JSON lines. Used by `ktel query` and `ktel export`. Formats
// are specified in docs/formats/query-output.md:
//   table  for terminals: NULL prints as NULL; control characters and invalid
//          UTF-8 as \xNN; widths from the first 1000 rows, later rows stream.
//   csv    byte-exact: header row, CRLF line ends, NULL = empty field, empty
//          text = "" (quoted), so NULL and '' stay distinct.
//   json   one array of objects; jsonl: one object per line. NULL = null,
//          NaN/inf = null, invalid UTF-8 bytes replaced by U+FFFD.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/export/output.h"
#include "sinks/sqlite/episode_db.h"

namespace ktel {

enum class RowFormat { kTable, kCsv, kJson, kJsonLines };

// "table" | "csv" | "json" | "jsonl"; kInvalidArgument listing them otherwise.
Result<RowFormat> parse_row_format(std::string_view name);
// File extension without dot: txt, csv, json, jsonl.
std::string_view row_format_extension(RowFormat format);

struct RowWriterOptions {
  // JSON formats only: constant text fields written first in every object
  // (the cis490 export's "table").
  std::vector<std::pair<std::string, std::string>> leading_fields;
  size_t table_sample_rows = 1000;
};

// Not thread-safe. begin() once, row() per row, end() once; errors are the
// Output's write errors.
class RowWriter {
 public:
  virtual ~RowWriter() = default;
  virtual Status begin(const std::vector<ResultColumn>& columns) = 0;
  virtual Status row(const RowView& row) = 0;
  virtual Status end() = 0;
  uint64_t rows() const { return rows_; }

 protected:
  uint64_t rows_ = 0;
};

std::unique_ptr<RowWriter> make_row_writer(RowFormat format, Output& out,
                                           RowWriterOptions options = {});

// Runs one statement on `db` straight into `writer`: begin, rows, end.
Status write_query(const EpisodeDb& db, std::string_view sql, RowWriter& writer);

}  // namespace ktel
