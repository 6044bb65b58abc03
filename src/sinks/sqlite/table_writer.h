// TableWriter: one table of episode.db on the writer connection: creates it
// (or checks an existing one), and inserts batches through prepared statements.
// Internal to SqliteSink; not thread-safe (the sink serializes access).
#pragma once

#include <memory>
#include <string>

#include "model/schema.h"
#include "sinks/sqlite/sqlite_util.h"

namespace ktel::sqlite {

class TableWriter {
 public:
  // CREATE TABLE IF NOT EXISTS with the schema's column types. When the table
  // already exists with other columns, fails with kInvalidArgument naming both.
  static Result<std::unique_ptr<TableWriter>> create(sqlite3* db, const Schema& schema,
                                                     const std::string& path);

  // Inserts every row of `batch` (width already checked). Text is bound
  // without copying, so `batch` must outlive the call. Returns the first error;
  // rows inserted before it are part of the open transaction.
  Status write(const Batch& batch);

  const Schema& schema() const { return schema_; }

 private:
  TableWriter(sqlite3* db, Schema schema, std::string path)
      : db_(db), schema_(std::move(schema)), path_(std::move(path)) {}
  Status check_existing_columns();
  Status prepare_inserts();
  Status step_rows(sqlite3_stmt* stmt, const Batch& batch, size_t first_row, size_t rows);

  sqlite3* db_;
  Schema schema_;
  std::string path_;
  // Multi-row INSERT: one VDBE run per many_rows_ rows instead of one per row
  // is most of the difference between ~400k and >1M rows/s.
  StmtHandle one_;
  StmtHandle many_;
  size_t many_rows_ = 1;
};

}  // namespace ktel::sqlite
