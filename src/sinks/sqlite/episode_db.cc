// EpisodeDb: read-only SQLite connection to episode.db with streaming queries.
#include "sinks/sqlite/episode_db.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "model/episode_layout.h"
#include "sinks/sqlite/sqlite_util.h"

namespace ktel {

std::string quote_sql_identifier(std::string_view name) { return sqlite::quote_identifier(name); }

std::string quote_sql_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += "'";
  return out;
}

Cell RowView::operator[](int column) const {
  Cell c;
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      c.type = CellType::kInt64;
      c.i = sqlite3_column_int64(stmt_, column);
      break;
    case SQLITE_FLOAT:
      c.type = CellType::kDouble;
      c.d = sqlite3_column_double(stmt_, column);
      break;
    case SQLITE_TEXT: {
      c.type = CellType::kText;
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
      c.bytes = std::string_view(p != nullptr ? p : "",
                                 static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
      break;
    }
    case SQLITE_BLOB: {
      c.type = CellType::kBlob;
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
      c.bytes = std::string_view(p != nullptr ? p : "",
                                 static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
      break;
    }
    default: break;
  }
  return c;
}

Result<EpisodeDb> EpisodeDb::open(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    return errno_status(errno, path + ": no such episode directory or database file");
  }
  std::string db_path = S_ISDIR(st.st_mode) ? layout::db(path) : path;
  if (::stat(db_path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return not_found(db_path + " does not exist: " + path +
                       " is not an episode directory (or its recording never started)");
    }
    return errno_status(errno, "stat " + db_path);
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  sqlite::DbHandle db(raw);
  if (rc != SQLITE_OK) return sqlite::sqlite_status(raw, rc, "open read-only", db_path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 2000);
  // Opening is lazy; touch the schema now so a non-database fails here.
  rc = sqlite3_exec(raw, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite::sqlite_status(raw, rc, "read schema", db_path);
  return EpisodeDb(db_path, db.release());
}

EpisodeDb::EpisodeDb(EpisodeDb&& other) noexcept
    : path_(std::move(other.path_)), db_(std::exchange(other.db_, nullptr)) {}

EpisodeDb& EpisodeDb::operator=(EpisodeDb&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    path_ = std::move(other.path_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

EpisodeDb::~EpisodeDb() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status EpisodeDb::query(std::string_view sql, const ColumnsFn& on_columns,
                        const RowFn& on_row) const {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  sqlite::StmtHandle stmt(raw);
  if (rc != SQLITE_OK) return sqlite::sqlite_status(db_, rc, "SQL error", path_);
  if (stmt == nullptr) return invalid_argument(path_ + ": the SQL text holds no statement");
  std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
  sqlite3_stmt* extra = nullptr;
  rc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &extra, nullptr);
  sqlite::StmtHandle extra_stmt(extra);
  if (extra_stmt != nullptr || rc != SQLITE_OK) {
    return invalid_argument(path_ + ": give one SQL statement at a time (found more after '" +
                            std::string(sql.substr(0, sql.size() - rest.size())) + "')");
  }
  int n = sqlite3_column_count(stmt.get());
  std::vector<ResultColumn> cols;
  cols.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const char* name = sqlite3_column_name(stmt.get(), i);
    const char* decl = sqlite3_column_decltype(stmt.get(), i);
    cols.push_back({name != nullptr ? name : "", decl != nullptr ? decl : ""});
  }
  if (on_columns) KTEL_TRY(on_columns(cols));
  RowView row(stmt.get(), n);
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (on_row) KTEL_TRY(on_row(row));
  }
  if (rc != SQLITE_DONE) return sqlite::sqlite_status(db_, rc, "SQL error", path_);
  return Status::ok();
}

Result<std::vector<std::string>> EpisodeDb::tables() const {
  std::vector<std::string> out;
  KTEL_TRY(query(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name",
      nullptr, [&](const RowView& r) {
        out.emplace_back(r[0].bytes);
        return Status::ok();
      }));
  return out;
}

Result<std::vector<std::string>> EpisodeDb::columns(std::string_view table) const {
  std::vector<std::string> out;
  // A string literal, not an identifier: pragma_table_info takes the name as a value.
  KTEL_TRY(query("SELECT name FROM pragma_table_info(" + quote_sql_string(table) + ")",
                 nullptr, [&](const RowView& r) {
                   out.emplace_back(r[0].bytes);
                   return Status::ok();
                 }));
  if (out.empty()) return not_found(path_ + ": no table named '" + std::string(table) + "'");
  return out;
}

Result<int64_t> EpisodeDb::row_count(std::string_view table) const {
  int64_t count = 0;
  KTEL_TRY(query("SELECT count(*) FROM " + sqlite::quote_identifier(table), nullptr,
                 [&](const RowView& r) {
                   count = r[0].i;
                   return Status::ok();
                 }));
  return count;
}

}  // namespace ktel
