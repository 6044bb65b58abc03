#include "sinks/sqlite/table_writer.h"

#include <algorithm>
#include <climits>
#include <variant>

namespace ktel::sqlite {

namespace {

// Rows per multi-row INSERT, capped so statements stay well under SQLite's
// host-parameter limit (32766 since 3.32) and the prepared program stays small.
constexpr size_t kMaxRowsPerInsert = 64;
constexpr size_t kMaxParamsPerInsert = 4096;

std::string column_list(const Schema& schema) {
  std::string out;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    if (i > 0) out += ", ";
    out += quote_identifier(schema.columns[i].name);
  }
  return out;
}

std::string insert_sql(const Schema& schema, size_t rows) {
  std::string one_row = "(";
  for (size_t i = 0; i < schema.columns.size(); ++i) one_row += i == 0 ? "?" : ",?";
  one_row += ")";
  std::string sql = "INSERT INTO " + quote_identifier(schema.table) + " (" +
                    column_list(schema) + ") VALUES ";
  for (size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ",";
    sql += one_row;
  }
  return sql;
}

int bind_cell(sqlite3_stmt* stmt, int index, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return sqlite3_bind_int64(stmt, index, *i);
  if (const auto* d = std::get_if<double>(&v)) return sqlite3_bind_double(stmt, index, *d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (s->size() > static_cast<size_t>(INT_MAX)) return SQLITE_TOOBIG;
    return sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
  }
  return sqlite3_bind_null(stmt, index);
}

}  // namespace

Result<std::unique_ptr<TableWriter>> TableWriter::create(sqlite3* db, const Schema& schema,
                                                         const std::string& path) {
  if (schema.table.empty() || schema.columns.empty()) {
    return invalid_argument(path + ": schema '" + schema.table +
                            "' needs a table name and at least one column");
  }
  std::unique_ptr<TableWriter> w(new TableWriter(db, schema, path));
  KTEL_TRY(w->check_existing_columns());
  std::string sql = "CREATE TABLE IF NOT EXISTS " + quote_identifier(schema.table) + " (";
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += quote_identifier(schema.columns[i].name) + " ";
    sql += column_type_sql(schema.columns[i].type);
  }
  sql += ")";
  KTEL_TRY(exec(db, sql, path));
  KTEL_TRY(w->prepare_inserts());
  return w;
}

Status TableWriter::check_existing_columns() {
  KTEL_ASSIGN_OR_RETURN(StmtHandle info,
                        prepare(db_, "PRAGMA table_info(" + quote_identifier(schema_.table) + ")",
                                path_));
  std::string existing;
  std::string wanted;
  for (const Column& c : schema_.columns) wanted += (wanted.empty() ? "" : ",") + c.name;
  int rc;
  int count = 0;
  while ((rc = sqlite3_step(info.get())) == SQLITE_ROW) {
    const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 1));
    existing += (count++ == 0 ? "" : ",") + std::string(name != nullptr ? name : "");
  }
  if (rc != SQLITE_DONE) return sqlite_status(db_, rc, "read columns of " + schema_.table, path_);
  if (count > 0 && existing != wanted) {
    return invalid_argument(path_ + ": table '" + schema_.table + "' already exists with columns (" +
                            existing + ") but the schema has (" + wanted +
                            "); record into a new episode directory");
  }
  return Status::ok();
}

Status TableWriter::prepare_inserts() {
  size_t width = schema_.columns.size();
  many_rows_ = std::max<size_t>(1, std::min(kMaxRowsPerInsert, kMaxParamsPerInsert / width));
  KTEL_ASSIGN_OR_RETURN(one_, prepare(db_, insert_sql(schema_, 1), path_, true));
  if (many_rows_ > 1) {
    KTEL_ASSIGN_OR_RETURN(many_, prepare(db_, insert_sql(schema_, many_rows_), path_, true));
  }
  return Status::ok();
}

Status TableWriter::step_rows(sqlite3_stmt* stmt, const Batch& batch, size_t first_row,
                              size_t rows) {
  const Value* cell = batch.cells().data() + first_row * batch.width();
  int params = static_cast<int>(rows * batch.width());
  for (int p = 1; p <= params; ++p, ++cell) {
    int rc = bind_cell(stmt, p, *cell);
    if (rc != SQLITE_OK) return sqlite_status(db_, rc, "bind into " + schema_.table, path_);
  }
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) return sqlite_status(db_, rc, "insert into " + schema_.table, path_);
  return Status::ok();
}

Status TableWriter::write(const Batch& batch) {
  size_t rows = batch.rows();
  size_t row = 0;
  Status st;
  if (many_ != nullptr) {
    for (; st.is_ok() && rows - row >= many_rows_; row += many_rows_) {
      st = step_rows(many_.get(), batch, row, many_rows_);
    }
  }
  for (; st.is_ok() && row < rows; ++row) st = step_rows(one_.get(), batch, row, 1);
  // Text was bound SQLITE_STATIC; drop the pointers before the batch goes away.
  if (many_ != nullptr) sqlite3_clear_bindings(many_.get());
  sqlite3_clear_bindings(one_.get());
  return st;
}

}  // namespace ktel::sqlite
